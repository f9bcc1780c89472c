import * as path from 'path';
import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ImageClassifier } from '../../lib/image-classifier';
import { checkedApp, synthChecked } from '../support/checked-synth';

/** A VPC as a compliant user would make it: isolated subnets, flow logs (AwsSolutions-VPC7). */
function userVpc(stack: Stack, id = 'Vpc'): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, id, { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  vpc.addFlowLog('FlowLog');
  return vpc;
}

describe('composition', () => {
  test('two classifiers in one stack synthesize, pass template validation and cdk-nag', () => {
    const app = checkedApp();
    const stack = new Stack(app, 'Two');
    new ImageClassifier(stack, 'Flowers');
    new ImageClassifier(stack, 'Birds');
    const result = synthChecked(app);
    expect(result.templateFindings).toEqual([]);
    expect(result.nagFindings).toEqual([]);
    // Two pipelines, two batch classifications, one cleanup waiter: the stack's one cleanup provider serves both classifiers.
    const types = Object.values(result.templates.Two.Resources).map((resource) => resource.Type);
    expect(types.filter((type) => type === 'AWS::StepFunctions::StateMachine')).toHaveLength(5);
    expect(types.filter((type) => type === 'Custom::SageMakerEndpointCleanup')).toHaveLength(2);
  });

  test('two classifiers sharing one VPC', () => {
    const app = checkedApp();
    const stack = new Stack(app, 'Shared');
    const vpc = userVpc(stack);
    new ImageClassifier(stack, 'Flowers', { vpc });
    new ImageClassifier(stack, 'Birds', { vpc });
    const result = synthChecked(app);
    expect(result.templateFindings).toEqual([]);
    expect(result.nagFindings).toEqual([]);
  });

  test('a VPC, a bucket, a key and a topic from other stacks: dataset, inbox, new-data trigger, seed upload', () => {
    const app = checkedApp();
    const network = new Stack(app, 'Network');
    const vpc = userVpc(network);
    const data = new Stack(app, 'Data');
    const key = new kms.Key(data, 'Key', { enableKeyRotation: true });
    const logs = new s3.Bucket(data, 'AccessLogs', { enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryption: s3.BucketEncryption.S3_MANAGED });
    Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'The test app\'s access log bucket: logging its own accesses would loop.' });
    const bucket = new s3.Bucket(data, 'Images', {
      enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryptionKey: key, serverAccessLogsBucket: logs,
    });
    const failures = new sns.Topic(data, 'InboxFailures', { masterKey: key, enforceSSL: true });
    const serving = new Stack(app, 'Serving');
    const classifier = new ImageClassifier(serving, 'Classifier', {
      vpc,
      dataset: { bucket },
      encryptionKey: key,
      seedDatasetFrom: path.join(__dirname, '..', 'fixtures', 'mini-dataset'),
      retraining: { retrainOnNewData: true },
      inference: { inbox: { bucket, prefix: 'inbox/', onFailure: new destinations.SnsDestination(failures) } },
    });
    // The app's own choice: aws-cdk-lib's grant to publish to an encrypted topic names kms:GenerateDataKey*.
    Validations.of(classifier.inference.role).acknowledge({ id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: 'The inbox failure topic is encrypted with the app\'s key; publishing needs a data key.' });
    const result = synthChecked(app);
    expect(result.templateFindings).toEqual([]);
    expect(result.nagFindings).toEqual([]);
    // The notifications are configured from the serving stack, which refers to the data stack and not the reverse.
    const types = (stack: string) => Object.values(result.templates[stack].Resources).map((resource) => resource.Type);
    expect(types('Serving')).toContain('Custom::S3BucketNotifications');
    expect(types('Data')).not.toContain('Custom::S3BucketNotifications');
    expect(JSON.stringify(result.templates.Data)).not.toContain('Fn::ImportValue');
    expect(JSON.stringify(result.templates.Network)).not.toContain('Fn::ImportValue');
  });
});

describe('VPC endpoints', () => {
  test('the classifiers of a stack share one set per VPC, routing every classifier\'s subnets', () => {
    const app = checkedApp();
    const stack = new Stack(app, 'Shared');
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2, natGateways: 0,
      subnetConfiguration: [{ name: 'a', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, { name: 'b', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    vpc.addFlowLog('FlowLog');
    const flowers = new ImageClassifier(stack, 'Flowers', { vpc, vpcSubnets: { subnetGroupName: 'a' } });
    const birds = new ImageClassifier(stack, 'Birds', { vpc, vpcSubnets: { subnetGroupName: 'b' } });
    expect(birds.sageMakerRuntimeEndpoint).toBe(flowers.sageMakerRuntimeEndpoint);
    const endpoints = Object.values(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint'));
    expect(endpoints.map((endpoint) => endpoint.Properties.VpcEndpointType).sort()).toEqual(['Gateway', 'Interface']);
    const gateway = endpoints.find((endpoint) => endpoint.Properties.VpcEndpointType === 'Gateway')!;
    const routeTables = vpc.privateSubnets.concat(vpc.isolatedSubnets).map((subnet) => stack.resolve(subnet.routeTable.routeTableId));
    expect(gateway.Properties.RouteTableIds).toEqual(expect.arrayContaining(routeTables));
    expect(gateway.Properties.RouteTableIds).toHaveLength(4);
    // Each function, and only they, may reach the SageMaker Runtime endpoint on HTTPS.
    const ingress = Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress'));
    const fromFunctions = ingress.filter((rule) => rule.Properties.FromPort === 443);
    expect(fromFunctions.map((rule) => rule.Properties.SourceSecurityGroupId).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))))
      .toEqual([flowers, birds].map((classifier) => stack.resolve((classifier.inference.function as lambda.Function).connections.securityGroups[0].securityGroupId))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  });

  test('two stacks creating endpoints in one VPC are refused at synth, and sharing the first one\'s endpoint is accepted', () => {
    const refused = checkedApp();
    const network = new Stack(refused, 'Network');
    const vpc = userVpc(network);
    new ImageClassifier(new Stack(refused, 'A'), 'Classifier', { vpc });
    new ImageClassifier(new Stack(refused, 'B'), 'Classifier', { vpc });
    expect(() => refused.synth()).toThrow(/VPC Network\/Vpc would get VPC endpoints from two stacks[\s\S]*sageMakerRuntimeEndpoint/);

    const app = checkedApp();
    const shared = userVpc(new Stack(app, 'Network'));
    const first = new ImageClassifier(new Stack(app, 'A'), 'Classifier', { vpc: shared });
    const second = new ImageClassifier(new Stack(app, 'B'), 'Classifier', { vpc: shared, sageMakerRuntimeEndpoint: first.sageMakerRuntimeEndpoint });
    expect(second.vpcEndpoints).toEqual([]);
    const result = synthChecked(app);
    expect(result.templateFindings).toEqual([]);
    expect(result.nagFindings).toEqual([]);
    expect(Object.values(result.templates.B.Resources).filter((resource) => resource.Type === 'AWS::EC2::VPCEndpoint')).toEqual([]);
  });

  test('rejects an imported VPC without route tables, naming the fix', () => {
    const stack = new Stack(checkedApp(), 'S');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['a', 'b'], isolatedSubnetIds: ['s-1', 's-2'] });
    expect(() => new ImageClassifier(stack, 'Classifier', { vpc }))
      .toThrow(/vpc S\/Imported does not give the route tables of the selected subnets[\s\S]*routeTableIds[\s\S]*createVpcEndpoints: false/);
    expect(() => new ImageClassifier(stack, 'Other', { vpc, createVpcEndpoints: false })).not.toThrow();
  });
});
