import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EndpointCapacity, ImageClassifier, JumpStartModel, ModelArtifact, TrainingInstanceType } from '../lib';
import { testStack } from './helpers';

describe('ImageClassifier', () => {
  test('needs no props: dataset, training, a pipeline-owned endpoint, the pipeline, its cleanup and the inference function', () => {
    const stack = testStack();
    const classifier = new ImageClassifier(stack, 'Classifier');
    expect(classifier.model).toBe(JumpStartModel.MOBILENET_V2_100_224);
    expect(classifier.training.instanceType).toBe(TrainingInstanceType.ML_P3_2XLARGE);
    expect(classifier.endpoint.managedByPipeline).toBe(true);
    expect(classifier.pipeline).toBeDefined();
    expect(classifier.cleanup).toBeDefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 3); // dataset, its access logs, artifacts
    // The pipeline creates the endpoint: CloudFormation must not own it, or a deploy could revert a promotion.
    template.resourceCountIs('AWS::SageMaker::Endpoint', 0);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 3); // retraining, batch classification, and the cleanup provider's waiter
    template.hasResourceProperties('Custom::SageMakerEndpointCleanup', { EndpointName: classifier.endpoint.endpointName });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ENDPOINT_NAME: classifier.endpoint.endpointName, IMAGE_SIZE: '224' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
  });

  test.each([true, false, undefined])('hyperparameters.binaryMode %s tells the inference function whether the model answers with one probability', (binaryMode) => {
    const stack = testStack();
    const classifier = new ImageClassifier(stack, 'Classifier', { hyperparameters: { binaryMode } });
    const functionId = stack.getLogicalId(classifier.inference.function.node.defaultChild as never);
    const variables = Template.fromStack(stack).toJSON().Resources[functionId].Properties.Environment.Variables;
    expect(variables.BINARY_MODE).toBe(binaryMode === true ? 'true' : undefined);
  });

  test('the cleanup is deleted before the pipeline and the model role', () => {
    const stack = testStack();
    const classifier = new ImageClassifier(stack, 'Classifier');
    const template = Template.fromStack(stack).toJSON();
    const cleanup = Object.values(template.Resources as Record<string, { Type: string; DependsOn?: string[] }>)
      .find((r) => r.Type === 'Custom::SageMakerEndpointCleanup')!;
    const stateMachineId = stack.getLogicalId(classifier.pipeline!.stateMachine.node.defaultChild as never);
    expect(cleanup.DependsOn).toEqual(expect.arrayContaining([stateMachineId]));
  });

  test('with a model artifact, CloudFormation owns the endpoint and there is no pipeline', () => {
    const stack = testStack('us-east-1');
    const artifacts = new s3.Bucket(stack, 'Models');
    const classifier = new ImageClassifier(stack, 'Classifier', { serving: { modelArtifact: ModelArtifact.fromS3(artifacts, 'flowers/model.tar.gz') } });
    expect(classifier.pipeline).toBeUndefined();
    expect(classifier.cleanup).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::SageMaker::Endpoint', 1);
  });

  test('rejects retraining settings next to a fixed model artifact', () => {
    const stack = testStack();
    const artifacts = new s3.Bucket(stack, 'Models');
    expect(() => new ImageClassifier(stack, 'Classifier', {
      serving: { modelArtifact: ModelArtifact.fromS3(artifacts, 'model.tar.gz') }, retraining: { retrainOnNewData: true },
    })).toThrow('retraining needs an endpoint the pipeline owns');
  });

  test('a BiT model needs an image size for inference', () => {
    expect(() => new ImageClassifier(testStack(), 'Classifier', { model: JumpStartModel.BIT_M_R50X1_ILSVRC2012 }))
      .toThrow("model tensorflow-ic-bit-m-r50x1-ilsvrc2012-classification-1 publishes no input image size; use JumpStartModel.of('tensorflow-ic-bit-m-r50x1-ilsvrc2012-classification-1', { imageSize: 384 }) or set inference.imageSize");
    expect(() => new ImageClassifier(testStack(), 'Sized', { model: JumpStartModel.BIT_M_R50X1_ILSVRC2012, inference: { imageSize: 384 } })).not.toThrow();
  });

  test('one encryption key covers the dataset bucket, the artifacts bucket and training output', () => {
    const stack = testStack('us-east-1');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const classifier = new ImageClassifier(stack, 'Classifier', { encryptionKey: key });
    const template = Template.fromStack(stack);
    const kmsBuckets = Object.values(template.findResources('AWS::S3::Bucket', {
      Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } })] } },
    }));
    expect(kmsBuckets).toHaveLength(2);
    expect(stack.resolve(classifier.training.renderRequest({ trainingJobName: 'r' }).OutputDataConfig.KmsKeyId)).toEqual(stack.resolve(key.keyArn));
  });

  test('rejects two keys for the dataset', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key');
    expect(() => new ImageClassifier(stack, 'Classifier', { encryptionKey: key, dataset: { encryptionKey: key } }))
      .toThrow('set either encryptionKey or dataset.encryptionKey, not both');
  });
});

describe('ImageClassifier in a VPC', () => {
  test('puts training, the model and the function in the private subnets and adds the S3 and SageMaker Runtime endpoints', () => {
    const stack = testStack('us-east-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const classifier = new ImageClassifier(stack, 'Classifier', { vpc });
    const request = stack.resolve(classifier.training.renderRequest({ trainingJobName: 'run' }));
    expect(request.VpcConfig.Subnets).toHaveLength(2);
    expect(stack.resolve(classifier.endpoint.renderCreateModelRequest({ modelName: `${classifier.endpoint.resourceNamePrefix}-20261128-120000-abcdef12`, modelDataUrl: 's3://b/k' })).VpcConfig.Subnets).toHaveLength(2);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ENDPOINT_NAME: classifier.endpoint.endpointName }) },
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.sagemaker.runtime', PrivateDnsEnabled: true });
  });

  test('creates no VPC endpoints when asked not to, and rejects a second VPC setting', () => {
    const stack = testStack('us-east-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new ImageClassifier(stack, 'Classifier', { vpc, createVpcEndpoints: false });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(() => new ImageClassifier(testStack(), 'Other', { createVpcEndpoints: true }))
      .toThrow('vpcSubnets, createVpcEndpoints and sageMakerRuntimeEndpoint need vpc');
    expect(() => new ImageClassifier(stack, 'Twice', { vpc, training: { vpc } }))
      .toThrow('set vpc once on the ImageClassifier, not also in training, serving or inference');
  });
});

describe('ImageClassifier deployed to a working classifier', () => {
  const MINI = require('path').join(__dirname, 'fixtures', 'mini-dataset');

  test('seeds the dataset and starts the first run after the upload', () => {
    const stack = testStack();
    const classifier = new ImageClassifier(stack, 'Classifier', { seedDatasetFrom: MINI });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::CDKBucketDeployment', { DestinationBucketKeyPrefix: 'dataset/training/' });
    const start = Object.values(template.findResources('Custom::AWS'))[0];
    const create = JSON.stringify(stack.resolve(start.Properties.Create));
    expect(create).toContain('startExecution');
    expect(create).toMatch(/trigger\W+deploy/);
    const [uploadId] = Object.keys(template.findResources('Custom::CDKBucketDeployment'));
    expect(start.DependsOn).toEqual(expect.arrayContaining([uploadId]));
    expect(classifier.firstRun).toBeDefined();
  });

  test('does not start a run without a seed unless asked, and refuses to start one without a pipeline', () => {
    const stack = testStack();
    new ImageClassifier(stack, 'Classifier');
    Template.fromStack(stack).resourceCountIs('Custom::AWS', 0);
    const artifacts = new s3.Bucket(stack, 'Models');
    expect(() => new ImageClassifier(stack, 'Fixed', { serving: { modelArtifact: ModelArtifact.fromS3(artifacts, 'm.tar.gz') }, startRetrainingOnDeploy: true }))
      .toThrow('startRetrainingOnDeploy needs the retraining pipeline');
  });

  test('a bad seed folder fails synth with the layout problems', () => {
    expect(() => new ImageClassifier(testStack(), 'Classifier', { seedDatasetFrom: '/no/such/folder' }))
      .toThrow("seedDatasetFrom '/no/such/folder' is not a readable folder");
  });
});

test('a serverless endpoint stays outside the VPC while training and the function use it', () => {
  const stack = testStack('us-east-1');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const classifier = new ImageClassifier(stack, 'Classifier', { vpc, serving: { capacity: EndpointCapacity.serverless() } });
  expect(classifier.endpoint.securityGroups).toEqual([]);
  expect(stack.resolve(classifier.training.renderRequest({ trainingJobName: 'run' })).VpcConfig).toBeDefined();
});

test('one encryption key also covers every log group of the classifier', () => {
  const stack = testStack('us-east-1');
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  new ImageClassifier(stack, 'Classifier', { encryptionKey: key });
  const template = Template.fromStack(stack);
  const groups = Object.entries(template.findResources('AWS::Logs::LogGroup'));
  expect(groups.length).toBeGreaterThanOrEqual(6);
  for (const [id, group] of groups) expect([id, group.Properties.KmsKeyId]).toEqual([id, stack.resolve(key.keyArn)]);
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logs.us-east-1.amazonaws.com' } })]) },
  });
});
