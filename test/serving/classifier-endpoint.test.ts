import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { INFERENCE_ENVIRONMENT, endpoint, onlyResource, policyStatements } from './helpers';
import { JumpStartModel } from '../../lib/algorithm/jumpstart-model';
import { ClassifierEndpoint } from '../../lib/serving/classifier-endpoint';
import { EndpointCapacity } from '../../lib/serving/endpoint-capacity';
import { InferenceInstanceType } from '../../lib/serving/inference-instance-type';
import { ModelArtifact } from '../../lib/serving/model-artifact';
import { testStack } from '../helpers';

const MODEL_KEY = 'training/models/run-1/output/model.tar.gz';

type Props = NonNullable<ConstructorParameters<typeof ClassifierEndpoint>[2]>;

/** A static endpoint serving a fine-tuned model from a bucket in the same stack; `more` adds props needing the stack. */
function staticEndpoint(props: Partial<Props> = {}, more: (stack: Stack) => Partial<Props> = () => ({}), modelKey = MODEL_KEY) {
  const stack = testStack('us-east-1');
  const bucket = new s3.Bucket(stack, 'Models');
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const classifier = new ClassifierEndpoint(stack, 'Endpoint', {
    endpointName: 'flowers',
    modelArtifact: ModelArtifact.fromS3(bucket, modelKey),
    encryptionKey: key,
    ...props,
    ...more(stack),
  });
  return { stack, bucket, key, endpoint: classifier };
}

describe('ClassifierEndpoint with a model artifact (CloudFormation-managed)', () => {
  test('creates the model on the CPU inference image with the algorithm environment and network isolation', () => {
    // GIVEN / WHEN
    const { stack, bucket, endpoint: classifier } = staticEndpoint();
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::Model', Match.objectLike({
      ModelName: Match.stringLikeRegexp('^flowers-static-[0-9a-f]{8}$'),
      ExecutionRoleArn: stack.resolve(classifier.role.roleArn),
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.8-cpu',
        ModelDataUrl: stack.resolve(`s3://${bucket.bucketName}/${MODEL_KEY}`),
        Environment: INFERENCE_ENVIRONMENT,
      },
      EnableNetworkIsolation: true,
    }));
    expect(classifier.managedByPipeline).toBe(false);
  });

  test('creates the endpoint configuration with one ml.m5.large variant and the KMS key, and the endpoint under its name', () => {
    // GIVEN / WHEN
    const { stack, key } = staticEndpoint();
    // THEN
    const model = onlyResource(stack, 'AWS::SageMaker::Model');
    const config = onlyResource(stack, 'AWS::SageMaker::EndpointConfig');
    expect(config.properties).toEqual({
      EndpointConfigName: expect.stringMatching(/^flowers-static-[0-9a-f]{8}$/),
      ProductionVariants: [{
        VariantName: 'AllTraffic',
        ModelName: model.properties.ModelName,
        InstanceType: 'ml.m5.large',
        InitialInstanceCount: 1,
        InitialVariantWeight: 1,
      }],
      KmsKeyId: stack.resolve(key.keyArn),
    });
    expect(config.dependsOn).toContain(model.logicalId);
    expect(config.properties.EndpointConfigName).not.toEqual(model.properties.ModelName);
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::Endpoint', {
      EndpointName: 'flowers',
      EndpointConfigName: { 'Fn::GetAtt': [config.logicalId, 'EndpointConfigName'] },
    });
  });

  test('the CloudFormation resources are exactly the requests the pipeline would send', () => {
    // GIVEN
    const { stack, bucket, endpoint: classifier } = staticEndpoint();
    const model = onlyResource(stack, 'AWS::SageMaker::Model').properties;
    const config = onlyResource(stack, 'AWS::SageMaker::EndpointConfig').properties;
    // WHEN
    const modelRequest = classifier.renderCreateModelRequest({
      modelName: model.ModelName, modelDataUrl: `s3://${bucket.bucketName}/${MODEL_KEY}`,
    });
    const configRequest = classifier.renderCreateEndpointConfigRequest({
      endpointConfigName: config.EndpointConfigName, modelName: model.ModelName,
    });
    // THEN
    expect(model).toEqual(stack.resolve(modelRequest));
    expect(config).toEqual(stack.resolve(configRequest));
  });

  test('the model waits for the execution role policy, which SageMaker checks when it creates the endpoint', () => {
    const { stack } = staticEndpoint();
    const policy = Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(onlyResource(stack, 'AWS::SageMaker::Model').dependsOn).toEqual(expect.arrayContaining(policy));
  });

  test('a changed artifact or capacity renames the model and configuration, so CloudFormation replaces them cleanly', () => {
    const names = (props: Partial<Props> = {}, modelKey = MODEL_KEY) => {
      const { stack } = staticEndpoint(props, undefined, modelKey);
      return {
        model: onlyResource(stack, 'AWS::SageMaker::Model').properties.ModelName,
        config: onlyResource(stack, 'AWS::SageMaker::EndpointConfig').properties.EndpointConfigName,
      };
    };
    const base = names();
    expect(names()).toEqual(base);
    const otherArtifact = names({}, 'training/models/run-2/output/model.tar.gz');
    expect(otherArtifact.model).not.toEqual(base.model);
    expect(otherArtifact.config).not.toEqual(base.config);
    const otherCapacity = names({ capacity: EndpointCapacity.instances({ instanceType: InferenceInstanceType.ML_C5_XLARGE }) });
    expect(otherCapacity.model).toEqual(base.model);
    expect(otherCapacity.config).not.toEqual(base.config);
  });

  test('registers the variant for target tracking on invocations per instance, after the endpoint exists', () => {
    // GIVEN / WHEN
    const { stack } = staticEndpoint();
    // THEN
    const template = Template.fromStack(stack);
    const target = onlyResource(stack, 'AWS::ApplicationAutoScaling::ScalableTarget');
    expect(target.properties).toEqual({
      ServiceNamespace: 'sagemaker',
      ResourceId: 'endpoint/flowers/variant/AllTraffic',
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MinCapacity: 1,
      MaxCapacity: 2,
    });
    expect(target.dependsOn).toContain(onlyResource(stack, 'AWS::SageMaker::Endpoint').logicalId);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: target.logicalId },
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 100,
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
        ScaleInCooldown: 300,
        ScaleOutCooldown: 60,
      },
    });
  });

  test('scales within the given bounds, target and cooldowns', () => {
    const { stack } = staticEndpoint({
      capacity: EndpointCapacity.instances({
        minInstances: 2, maxInstances: 6, targetInvocationsPerInstance: 250, scaleInCooldown: Duration.minutes(10), scaleOutCooldown: Duration.seconds(30),
      }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 250, ScaleInCooldown: 600, ScaleOutCooldown: 30 }),
    });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { ProductionVariants: [Match.objectLike({ InitialInstanceCount: 2 })] });
  });

  test('a fixed instance count registers no autoscaling', () => {
    const { stack, endpoint: classifier } = staticEndpoint({ capacity: EndpointCapacity.instances({ minInstances: 3, maxInstances: 3 }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 0);
    expect(classifier.renderScalingRequests()).toBeUndefined();
  });

  test('on a GPU instance with local storage: GPU image, and no volume key (SageMaker refuses one there)', () => {
    const { stack } = staticEndpoint({ capacity: EndpointCapacity.instances({ instanceType: InferenceInstanceType.ML_G4DN_XLARGE }) });
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: Match.objectLike({ Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.8-gpu' }),
    });
    expect(onlyResource(stack, 'AWS::SageMaker::EndpointConfig').properties.KmsKeyId).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/TestStack/Endpoint', Match.stringLikeRegexp('encryptionKey is not used by this endpoint: SageMaker refuses a volume key'));
  });

  test('serves the pretrained JumpStart model from its uncompressed folder, readable by the role and no more', () => {
    // GIVEN / WHEN
    const { stack } = endpoint({ endpointName: 'smoke', modelArtifact: ModelArtifact.pretrained(), model: JumpStartModel.EFFICIENTNET_B0 });
    // THEN
    const folder = `tensorflow-ic/${JumpStartModel.EFFICIENTNET_B0.modelId}/artifacts/inference-prepack/v1.0.0/`;
    const container = onlyResource(stack, 'AWS::SageMaker::Model').properties.PrimaryContainer;
    expect(container.ModelDataSource).toEqual({
      S3DataSource: { S3Uri: `s3://jumpstart-cache-prod-us-east-1/${folder}`, S3DataType: 'S3Prefix', CompressionType: 'None' },
    });
    expect(container.ModelDataUrl).toBeUndefined();
    const statements = policyStatements(stack);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::jumpstart-cache-prod-us-east-1/${folder}*`]] },
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 's3:ListBucket',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::jumpstart-cache-prod-us-east-1']] },
      Condition: { StringLike: { 's3:prefix': `${folder}*` } },
    }));
  });

  test('grants the role read on the fine-tuned model object only', () => {
    const { stack, bucket } = staticEndpoint();
    const reads = policyStatements(stack).filter((s) => [s.Action].flat().some((action) => action.startsWith('s3:')));
    expect(reads).toEqual([expect.objectContaining({ Action: 's3:GetObject', Resource: stack.resolve(bucket.arnForObjects(MODEL_KEY)) })]);
  });
});

describe('ClassifierEndpoint with serverless capacity', () => {
  test('renders the serverless config, a CPU image, no autoscaling, no KMS key and no network isolation', () => {
    // GIVEN / WHEN
    const { stack } = staticEndpoint({ capacity: EndpointCapacity.serverless() });
    // THEN
    const template = Template.fromStack(stack);
    const config = onlyResource(stack, 'AWS::SageMaker::EndpointConfig').properties;
    expect(config.ProductionVariants).toEqual([{
      VariantName: 'AllTraffic',
      ModelName: expect.stringMatching(/^flowers-static-/),
      InitialVariantWeight: 1,
      ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 5 },
    }]);
    expect(config.KmsKeyId).toBeUndefined();
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 0);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: Match.objectLike({ Image: Match.stringLikeRegexp('tensorflow-inference:2\\.8-cpu$') }),
      EnableNetworkIsolation: false,
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Endpoint', Match.stringLikeRegexp('serverless endpoints take no KMS key'));
  });

  test('takes memory, concurrency and provisioned concurrency', () => {
    const { stack } = endpoint({
      modelArtifact: ModelArtifact.pretrained(),
      capacity: EndpointCapacity.serverless({ memorySize: Size.gibibytes(6), maxConcurrency: 200, provisionedConcurrency: 2 }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ ServerlessConfig: { MemorySizeInMB: 6144, MaxConcurrency: 200, ProvisionedConcurrency: 2 } })],
    });
  });
});

describe('ClassifierEndpoint data capture', () => {
  test('captures input and output, JSON output as text, 20% by default, into the bucket the role may write', () => {
    // GIVEN
    const stack = testStack('us-east-1');
    const captures = new s3.Bucket(stack, 'Captures');
    // WHEN
    new ClassifierEndpoint(stack, 'Endpoint', { modelArtifact: ModelArtifact.pretrained(), dataCapture: { bucket: captures } });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 20,
        DestinationS3Uri: stack.resolve(`s3://${captures.bucketName}/data-capture`),
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
        CaptureContentTypeHeader: { JsonContentTypes: ['application/json', 'application/json;verbose'] },
      },
    });
    expect(policyStatements(stack)).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['s3:PutObject']),
      Resource: stack.resolve(captures.arnForObjects('data-capture/*')),
    }));
  });

  test('takes a prefix and a sampling percentage, and encrypts captures with the endpoint key', () => {
    const { stack, key } = staticEndpoint({}, (scope) => ({ dataCapture: { bucket: new s3.Bucket(scope, 'Captures'), prefix: 'captures/flowers', samplingPercentage: 100 } }));
    const capture = onlyResource(stack, 'AWS::SageMaker::EndpointConfig').properties.DataCaptureConfig;
    expect(capture).toMatchObject({ InitialSamplingPercentage: 100, KmsKeyId: stack.resolve(key.keyArn) });
    expect(JSON.stringify(capture.DestinationS3Uri)).toContain('/captures/flowers');
  });
});

describe('ClassifierEndpoint managed by the pipeline (no model artifact)', () => {
  test('creates no SageMaker model, endpoint configuration, endpoint or autoscaling, but does create the role', () => {
    // GIVEN / WHEN
    const { stack, endpoint: classifier } = endpoint();
    // THEN
    const template = Template.fromStack(stack);
    for (const type of ['AWS::SageMaker::Model', 'AWS::SageMaker::EndpointConfig', 'AWS::SageMaker::Endpoint',
      'AWS::ApplicationAutoScaling::ScalableTarget', 'AWS::ApplicationAutoScaling::ScalingPolicy']) {
      template.resourceCountIs(type, 0);
    }
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
    });
    expect(classifier.managedByPipeline).toBe(true);
    expect(classifier.cfnEndpoint).toBeUndefined();
  });

  test('renders the requests for the pipeline: CPU image, environment, isolation, variant and scaling', () => {
    const { stack, endpoint: classifier } = endpoint({ endpointName: 'flowers' });
    const model = stack.resolve(classifier.renderCreateModelRequest({ modelName: 'flowers-20261128-120000-a1b2c3d4', modelDataUrl: 's3://artifacts/run/model.tar.gz' }));
    expect(model).toEqual({
      ModelName: 'flowers-20261128-120000-a1b2c3d4',
      ExecutionRoleArn: stack.resolve(classifier.role.roleArn),
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.8-cpu',
        Environment: INFERENCE_ENVIRONMENT,
        ModelDataUrl: 's3://artifacts/run/model.tar.gz',
      },
      EnableNetworkIsolation: true,
    });
    expect(classifier.renderScalingRequests()).toEqual({
      registerScalableTarget: {
        ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/flowers/variant/AllTraffic', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        MinCapacity: 1, MaxCapacity: 2,
      },
      putScalingPolicy: {
        PolicyName: 'InvocationsPerInstanceTargetTracking',
        ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/flowers/variant/AllTraffic', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 100,
          PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          ScaleInCooldown: 300,
          ScaleOutCooldown: 60,
        },
      },
    });
  });

  test('passes JSONata expressions through for names and artifact known only at run time', () => {
    const { endpoint: classifier } = endpoint();
    const model = classifier.renderCreateModelRequest({ modelName: '{% $modelName %}', modelDataUrl: '{% $artifact %}' });
    expect(model).toMatchObject({ ModelName: '{% $modelName %}', PrimaryContainer: { ModelDataUrl: '{% $artifact %}' } });
    const config = classifier.renderCreateEndpointConfigRequest({ endpointConfigName: '{% $configName %}', modelName: '{% $modelName %}' });
    expect(config.ProductionVariants[0].ModelName).toBe('{% $modelName %}');
  });

  test('runs the model in the VPC with a new security group', () => {
    const stack = testStack('us-east-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const classifier = new ClassifierEndpoint(stack, 'Endpoint', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    const request = stack.resolve(classifier.renderCreateModelRequest({ modelName: `${classifier.resourceNamePrefix}-run`, modelDataUrl: 's3://b/k' }));
    expect(request.VpcConfig.Subnets).toHaveLength(2);
    expect(request.VpcConfig.SecurityGroupIds).toEqual([stack.resolve(classifier.securityGroups[0].securityGroupId)]);
    expect(request.EnableNetworkIsolation).toBe(true);
    expect(policyStatements(stack).find((s) => s.Sid === 'AttachModelToVpc')).toBeDefined();
  });
});

describe('ClassifierEndpoint execution role', () => {
  test('has no managed policies; its only wildcard statements are the ECR login and the conditioned metrics', () => {
    // GIVEN / WHEN
    const { stack } = staticEndpoint({}, (scope) => ({ dataCapture: { bucket: new s3.Bucket(scope, 'Captures') } }));
    // THEN
    for (const role of Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    const statements = policyStatements(stack);
    expect(statements.filter((s) => s.Resource === '*').map((s) => s.Sid).sort()).toEqual(['EcrLogin', 'PublishEndpointMetrics']);
    expect(statements.find((s) => s.Sid === 'EcrLogin')!.Action).toBe('ecr:GetAuthorizationToken');
    expect(statements.find((s) => s.Sid === 'PublishEndpointMetrics')).toMatchObject({
      Action: 'cloudwatch:PutMetricData', Condition: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    });
  });

  test('pulls only the inference image repository and writes only this endpoint\'s log group', () => {
    const { stack } = endpoint({ endpointName: 'flowers' });
    const statements = policyStatements(stack);
    expect(statements.find((s) => s.Sid === 'PullInferenceImage')!.Resource)
      .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:us-east-1:763104351884:repository/tensorflow-inference']] });
    const logs = JSON.stringify(statements.find((s) => s.Sid === 'WriteEndpointLogs')!.Resource);
    expect(logs).toContain(':log-group:/aws/sagemaker/Endpoints/flowers"');
    expect(logs).toContain(':log-group:/aws/sagemaker/Endpoints/flowers:log-stream:*"');
    expect(logs).not.toContain('Endpoints/*');
  });

  test('in an environment-agnostic stack the image repository ARN is resolved from the region mapping', () => {
    const { stack } = endpoint({}, null);
    const pull = policyStatements(stack).find((s) => s.Sid === 'PullInferenceImage')!;
    expect(JSON.stringify(pull.Resource)).toContain('"Fn::FindInMap":["ImageClassificationTensorFlowRegions",{"Ref":"AWS::Region"},"dlcAccount"]');
  });

  test('uses a given role', () => {
    const stack = testStack('us-east-1');
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const classifier = new ClassifierEndpoint(stack, 'Endpoint', { role });
    expect(classifier.role).toBe(role);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Role', 1);
  });
});

describe('ClassifierEndpoint grants', () => {
  test('grantInvoke allows InvokeEndpoint on this endpoint\'s ARN only, lowercased as SageMaker writes it', () => {
    // GIVEN
    const { stack, endpoint: classifier } = endpoint({ endpointName: 'Flowers-Prod' });
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    const grant = classifier.grantInvoke(caller);
    // THEN
    expect(grant.success).toBe(true);
    const invoke = policyStatements(stack).filter((s) => [s.Action].flat().includes('sagemaker:InvokeEndpoint'));
    expect(invoke).toEqual([{
      Action: 'sagemaker:InvokeEndpoint',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:endpoint/flowers-prod']] },
    }]);
  });

  test('grantPassRole lets a principal pass the role to SageMaker only', () => {
    const { stack, endpoint: classifier } = endpoint();
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    classifier.grantPassRole(caller);
    expect(policyStatements(stack)).toContainEqual(expect.objectContaining({
      Action: 'iam:PassRole',
      Resource: stack.resolve(classifier.role.roleArn),
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));
  });
});

describe('ClassifierEndpoint metrics', () => {
  test.each([
    ['metricInvocations', 'Invocations', 'Sum'],
    ['metricModelLatency', 'ModelLatency', 'Average'],
    ['metricOverheadLatency', 'OverheadLatency', 'Average'],
    ['metricInvocation4XXErrors', 'Invocation4XXErrors', 'Sum'],
    ['metricInvocation5XXErrors', 'Invocation5XXErrors', 'Sum'],
    ['metricModelErrors', 'InvocationModelErrors', 'Sum'],
  ] as const)('%s is AWS/SageMaker %s (%s) for this endpoint and variant', (method, metricName, statistic) => {
    const { endpoint: classifier } = endpoint({ endpointName: 'flowers', variantName: 'Blue' });
    const metric = classifier[method]();
    expect(metric).toMatchObject({ namespace: 'AWS/SageMaker', metricName, statistic, dimensions: { EndpointName: 'flowers', VariantName: 'Blue' } });
  });

  test('caller options come last and win', () => {
    const { endpoint: classifier } = endpoint();
    const metric = classifier.metricModelLatency({ statistic: 'p99', period: Duration.minutes(1) });
    expect(metric.statistic).toBe('p99');
    expect(metric.period.toMinutes()).toBe(1);
  });
});
