import type { CreateTrainingJobCommandInput, TrainingInstanceType as ApiTrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { TrainingInputMode, TrainingInstanceType as ApiInstanceTypes } from '@aws-sdk/client-sagemaker';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CreateTrainingJobRequest, DatasetBucket, Processor, TrainingInstanceType, TrainingJobDefinition,
  TrainingJobDefinitionProps,
} from '../../lib';
import { REFERENCE, testStack } from '../helpers';
import { API_NAME_PATTERN } from '../support/sagemaker-api';

/** A definition in a us-east-1 stack; `region: null` for an environment-agnostic one. */
function definition(props: Partial<TrainingJobDefinitionProps> = {}, region: string | null = 'us-east-1') {
  const stack = testStack(region ?? undefined);
  const dataset = new DatasetBucket(stack, 'Dataset');
  const training = new TrainingJobDefinition(stack, 'Training', { dataset, ...props });
  return { stack, dataset, training };
}

/** Logical id of the stack's one algorithm check resource. */
function checkId(stack: Stack): string {
  const ids = Object.keys(Template.fromStack(stack).findResources('Custom::ImageClassifierAlgorithmCheck'));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** Compile-time check that the rendered request is a valid SDK input; the instance type is checked at run time. */
function asApiInput(request: CreateTrainingJobRequest): CreateTrainingJobCommandInput {
  return { ...request, ResourceConfig: { ...request.ResourceConfig, InstanceType: request.ResourceConfig.InstanceType as ApiTrainingInstanceType } };
}

describe('TrainingJobDefinition.renderRequest', () => {
  test('renders the complete CreateTrainingJob request with the algorithm defaults', () => {
    const { stack, dataset, training } = definition();
    const request = stack.resolve(training.renderRequest({ trainingJobName: 'classifier-run-1' }));
    expect(request).toMatchObject({
      TrainingJobName: 'classifier-run-1',
      AlgorithmSpecification: {
        TrainingImage: '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.9-gpu-py39',
        TrainingInputMode: 'File',
        MetricDefinitions: expect.arrayContaining([{ Name: 'tflow-ic:val-accuracy', Regex: 'val_accuracy: ([0-9\\.]+)' }]),
      },
      ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 6 * 3600 },
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: true,
      EnableManagedSpotTraining: false,
    });
    expect(request.StoppingCondition.MaxWaitTimeInSeconds).toBeUndefined();
    expect(request.CheckpointConfig).toBeUndefined();
    expect(request.InputDataConfig.map((c: { ChannelName: string }) => c.ChannelName)).toEqual(['training', 'model', 'code']);
    expect(request.InputDataConfig[0].DataSource.S3DataSource).toEqual({
      S3DataType: 'S3Prefix', S3DataDistributionType: 'FullyReplicated', S3Uri: stack.resolve(dataset.trainingData.s3Uri),
    });
    // The pretrained model is where the deploy-time check found it (see algorithm-objects-check.test.ts).
    expect(request.InputDataConfig[1]).toMatchObject({
      ContentType: 'application/x-sagemaker-model',
      DataSource: { S3DataSource: { S3Uri: { 'Fn::GetAtt': [checkId(stack), 'PretrainedModelUri'] } } },
    });
    expect(request.InputDataConfig[2].DataSource.S3DataSource.S3Uri)
      .toBe('s3://jumpstart-cache-prod-us-east-1/source-directory-tarballs/tensorflow/transfer_learning/ic/prepack/v1.1.2/sourcedir.tar.gz');
    expect(request.OutputDataConfig.S3OutputPath).toEqual(stack.resolve(training.modelOutput.s3Uri));
  });

  test('sends the algorithm hyperparameters plus the container keys that point at the code channel', () => {
    const { training } = definition({ hyperparameters: { epochs: 20 } });
    const hyperparameters = training.renderRequest({ trainingJobName: 'run' }).HyperParameters;
    expect(hyperparameters).toMatchObject({
      epochs: '20',
      sagemaker_program: 'transfer_learning.py',
      sagemaker_submit_directory: '/opt/ml/input/data/code/sourcedir.tar.gz',
      sagemaker_container_log_level: '20',
    });
    expect(Object.keys(hyperparameters)).toHaveLength(REFERENCE.hyperparameters.algorithm.length + 3);
  });

  test('is a valid SageMaker CreateTrainingJob input (SDK types, instance type enum, name pattern, limits)', () => {
    const { stack, training } = definition({ spot: true, useValidationChannel: true, encryptionKey: undefined });
    const request = stack.resolve(training.renderRequest({ trainingJobName: 'classifier-20261128-abc' })) as CreateTrainingJobRequest;
    const input = asApiInput(request);
    expect(Object.values(ApiInstanceTypes)).toContain(input.ResourceConfig!.InstanceType);
    expect(Object.values(TrainingInputMode)).toContain(input.AlgorithmSpecification!.TrainingInputMode);
    expect(input.TrainingJobName).toMatch(API_NAME_PATTERN);
    expect(input.InputDataConfig!.length).toBeLessThanOrEqual(20);
    for (const channel of input.InputDataConfig!) expect(channel.ChannelName).toMatch(/^[A-Za-z0-9.\-_]{1,64}$/);
    expect(Object.keys(input.HyperParameters!).length).toBeLessThanOrEqual(100);
    for (const value of Object.values(input.HyperParameters!)) expect(value.length).toBeLessThanOrEqual(256);
    expect(input.AlgorithmSpecification!.TrainingImage!.length).toBeLessThanOrEqual(255);
  });

  test('adds the validation channel on request', () => {
    const { stack, dataset, training } = definition({ useValidationChannel: true });
    const channels = stack.resolve(training.renderRequest({ trainingJobName: 'run' }).InputDataConfig);
    expect(channels.map((c: { ChannelName: string }) => c.ChannelName)).toEqual(['training', 'validation', 'model', 'code']);
    expect(channels[1].DataSource.S3DataSource.S3Uri).toEqual(stack.resolve(dataset.validationData.s3Uri));
  });

  test('spot training sets a max wait of at least the max runtime and a per-job checkpoint folder', () => {
    const { stack, training } = definition({ spot: true, maxRuntime: Duration.hours(2) });
    const request = stack.resolve(training.renderRequest({ trainingJobName: 'run-7' }));
    expect(request.EnableManagedSpotTraining).toBe(true);
    expect(request.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 7200, MaxWaitTimeInSeconds: 14400 });
    expect(request.CheckpointConfig.S3Uri).toEqual(stack.resolve(training.checkpoints.folder('run-7').s3Uri));
    expect(JSON.stringify(request.CheckpointConfig.S3Uri)).toContain('/checkpoints/run-7/');
    Annotations.fromStack(stack).hasWarning('/TestStack/Training', Match.stringLikeRegexp('not known to resume from checkpoints'));
  });

  test('a run may use another instance type; the image follows its processor', () => {
    const { training } = definition();
    const request = training.renderRequest({ trainingJobName: 'run', instanceType: TrainingInstanceType.ML_M5_XLARGE });
    expect(request.ResourceConfig.InstanceType).toBe('ml.m5.xlarge');
    expect(request.AlgorithmSpecification.TrainingImage).toMatch(/tensorflow-training:2\.9-cpu-py39$/);
  });

  test('rejects a run name SageMaker would refuse', () => {
    const { training } = definition();
    expect(() => training.renderRequest({ trainingJobName: 'run_1' })).toThrow("trainingJobName must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit, got 'run_1'");
  });

  test('encrypts output and volume with the KMS key, except on instances with local storage', () => {
    const stack = testStack('us-east-1');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const training = new TrainingJobDefinition(stack, 'Training', { dataset: new DatasetBucket(stack, 'Dataset'), encryptionKey: key });
    const keyArn = stack.resolve(key.keyArn);
    const onP3 = stack.resolve(training.renderRequest({ trainingJobName: 'run' }));
    expect(onP3.OutputDataConfig.KmsKeyId).toEqual(keyArn);
    expect(onP3.ResourceConfig.VolumeKmsKeyId).toEqual(keyArn);
    const onG4dn = stack.resolve(training.renderRequest({ trainingJobName: 'run', instanceType: TrainingInstanceType.ML_G4DN_XLARGE }));
    expect(onG4dn.ResourceConfig.VolumeKmsKeyId).toBeUndefined();
    expect(onG4dn.OutputDataConfig.KmsKeyId).toEqual(keyArn);
  });

  test('runs in the VPC\'s private subnets with a new security group', () => {
    const stack = testStack('us-east-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const training = new TrainingJobDefinition(stack, 'Training', {
      dataset: new DatasetBucket(stack, 'Dataset'), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    const request = stack.resolve(training.renderRequest({ trainingJobName: 'run' }));
    expect(request.VpcConfig.Subnets).toHaveLength(2);
    expect(request.VpcConfig.SecurityGroupIds).toEqual([stack.resolve(training.securityGroups[0].securityGroupId)]);
  });
});

describe('TrainingJobDefinition validation', () => {
  test.each([
    ['a T2 instance', TrainingInstanceType.of('ml.t2.medium'), "instanceType 'ml.t2.medium': SageMaker training does not accept T2 instances; use 'ml.m5.xlarge' (CPU) or 'ml.g4dn.xlarge' (GPU)"],
    ['a doubled ml. prefix', TrainingInstanceType.of('ml.ml.p3.2xlarge'), "instanceType 'ml.ml.p3.2xlarge' has a doubled 'ml.' prefix; use 'ml.p3.2xlarge'"],
    ['a missing ml. prefix', TrainingInstanceType.of('p3.2xlarge'), "instanceType 'p3.2xlarge' must start with 'ml.', for example 'ml.p3.2xlarge'"],
    ['an unsupported family', TrainingInstanceType.of('ml.inf1.xlarge'), "instanceType 'ml.inf1.xlarge': the algorithm does not run on the inf1 family; use a GPU family (g4dn"],
    ['a malformed name', TrainingInstanceType.of('ml.p3'), "instanceType 'ml.p3' is not an instance type name like 'ml.p3.2xlarge'"],
  ])('rejects %s', (_name, instanceType, message) => {
    expect(() => definition({ instanceType })).toThrow(message);
  });

  test('rejects a CPU instance with a GPU-only configuration (processor GPU)', () => {
    expect(() => definition({ instanceType: TrainingInstanceType.ML_M5_XLARGE, processor: Processor.GPU }))
      .toThrow("instanceType 'ml.m5.xlarge' is a CPU instance, but the training is configured for GPU (processor: Processor.GPU or a GPU training image); use a GPU instance such as 'ml.p3.2xlarge' or 'ml.g4dn.xlarge', or leave 'processor' unset to follow the instance type");
  });

  test('rejects a CPU instance with an overridden GPU training image', () => {
    expect(() => definition({
      instanceType: TrainingInstanceType.ML_C5_2XLARGE,
      locations: { trainingImage: '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.9-gpu-py39' },
    })).toThrow(/'ml\.c5\.2xlarge' is a CPU instance, but the training is configured for GPU/);
  });

  test('rejects a GPU instance with a CPU-only configuration', () => {
    expect(() => definition({ instanceType: TrainingInstanceType.ML_G5_XLARGE, processor: Processor.CPU }))
      .toThrow(/'ml\.g5\.xlarge' is a GPU instance, but the training is configured for CPU/);
  });

  test('accepts every instance type the algorithm specification lists', () => {
    for (const name of ['ml.p3.2xlarge', 'ml.p3.16xlarge', 'ml.p2.xlarge', 'ml.g5.xlarge', 'ml.g4dn.16xlarge', 'ml.m5.24xlarge', 'ml.c5.18xlarge']) {
      expect(() => definition({ instanceType: TrainingInstanceType.of(name) })).not.toThrow();
    }
  });

  test('collects every problem into one error naming each prop', () => {
    expect(() => definition({
      instanceType: TrainingInstanceType.of('ml.t2.medium'),
      hyperparameters: { learningRate: 3 },
      maxRuntime: Duration.days(40),
      maxWaitTime: Duration.hours(1),
      volumeSize: Size.mebibytes(512),
    })).toThrow(/learningRate[\s\S]*ml\.t2\.medium[\s\S]*maxRuntime must be between 1 second and 28 days[\s\S]*maxWaitTime only applies to spot[\s\S]*volumeSize must be a whole number of GiB/);
  });

  test('rejects a spot max wait shorter than the max runtime', () => {
    expect(() => definition({ spot: true, maxRuntime: Duration.hours(4), maxWaitTime: Duration.hours(1) }))
      .toThrow('maxWaitTime must be at least maxRuntime (4 hours), got 1 hour');
  });
});

describe('TrainingJobDefinition artifacts bucket', () => {
  test('writes its server access logs to the dataset\'s log bucket, under artifacts-bucket/', () => {
    const { stack, dataset } = definition();
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: stack.resolve(dataset.accessLogsBucket!.bucketName), LogFilePrefix: 'artifacts-bucket/' },
    });
  });

  test('with a dataset in an existing bucket, writes them to a log bucket of its own that S3 delivers to by policy', () => {
    const stack = testStack('us-east-1');
    const dataset = new DatasetBucket(stack, 'Dataset', { bucket: new DatasetBucket(stack, 'Existing').bucket });
    const training = new TrainingJobDefinition(stack, 'Training', { dataset });
    const logBucket = training.node.findChild('AccessLogsBucket') as s3.Bucket;
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: stack.resolve(logBucket.bucketName), LogFilePrefix: 'artifacts-bucket/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(logBucket.bucketName),
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
  });
});

describe('TrainingJobDefinition execution role', () => {
  function policy(stack: Stack) {
    const template = Template.fromStack(stack);
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement) as Array<{ Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown }>;
  }

  test('is assumed by SageMaker only and has no managed policies', () => {
    const { stack } = definition();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
    });
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('reads exactly the algorithm script and the pretrained model the check found from the JumpStart bucket', () => {
    const { stack } = definition();
    const statement = policy(stack).find((s) => s.Sid === 'ReadAlgorithmScriptAndPretrainedModel')!;
    expect(statement.Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::jumpstart-cache-prod-us-east-1/source-directory-tarballs/tensorflow/transfer_learning/ic/prepack/v1.1.2/sourcedir.tar.gz']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::jumpstart-cache-prod-us-east-1/', { 'Fn::GetAtt': [checkId(stack), 'PretrainedModelKey'] }]] },
    ]);
  });

  test('pulls only the training image repository; the unscopable actions carry a reason or a condition', () => {
    const { stack } = definition();
    const statements = policy(stack);
    const pull = statements.find((s) => s.Sid === 'PullTrainingImage')!;
    expect(pull.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:us-east-1:763104351884:repository/tensorflow-training']] });
    const wildcards = statements.filter((s) => s.Resource === '*').map((s) => s.Sid);
    expect(wildcards.sort()).toEqual(['EcrLogin', 'PublishTrainingMetrics']);
    expect(statements.find((s) => s.Sid === 'PublishTrainingMetrics')!.Condition).toEqual({ StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } });
  });

  test('reads the dataset prefix and writes model output with named S3 actions; checkpoints only for spot training', () => {
    const s3Statements = (stack: Stack) => policy(stack).filter((s) => [s.Action].flat().some((action) => action.startsWith('s3:')));
    const actionsOn = (stack: Stack, folder: string) => s3Statements(stack)
      .filter((s) => JSON.stringify(s.Resource).includes(`/${folder}/*`)).flatMap((s) => [s.Action].flat()).sort();
    const onDemand = definition().stack;
    expect(s3Statements(onDemand).flatMap((s) => [s.Action].flat()).filter((action) => action.includes('*'))).toEqual([]);
    expect(actionsOn(onDemand, 'dataset')).toEqual(['s3:GetObject']);
    expect(actionsOn(onDemand, 'training/models')).toEqual(['s3:AbortMultipartUpload', 's3:PutObject']);
    expect(actionsOn(onDemand, 'training/checkpoints')).toEqual([]);
    expect(actionsOn(definition({ spot: true }).stack, 'training/checkpoints'))
      .toEqual(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject']);
  });

  test('uses the KMS key with named actions, not kms:ReEncrypt* or kms:GenerateDataKey*', () => {
    const stack = testStack('us-east-1');
    new TrainingJobDefinition(stack, 'Training', { dataset: new DatasetBucket(stack, 'Dataset'), encryptionKey: new kms.Key(stack, 'Key') });
    const kmsActions = policy(stack).flatMap((s) => [s.Action].flat()).filter((action) => action.startsWith('kms:'));
    expect([...new Set(kmsActions)].sort()).toEqual([
      'kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom', 'kms:ReEncryptTo',
    ]);
    // SageMaker attaches the encrypted volume under the execution role: grants for AWS resources only.
    expect(policy(stack)).toContainEqual(expect.objectContaining({
      Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    }));
  });

  test('grantPassRole lets a principal pass the role to SageMaker only', () => {
    const { stack, training } = definition();
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    training.grantPassRole(caller);
    expect(policy(stack)).toContainEqual(expect.objectContaining({
      Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));
  });

  test('in an environment-agnostic stack the image repository ARN is resolved from the region mapping', () => {
    const { stack } = definition({}, null);
    const pull = policy(stack).find((s) => s.Sid === 'PullTrainingImage')!;
    expect(JSON.stringify(pull.Resource)).toContain('"Fn::FindInMap":["ImageClassificationTensorFlowRegions",{"Ref":"AWS::Region"},"dlcAccount"]');
  });
});
