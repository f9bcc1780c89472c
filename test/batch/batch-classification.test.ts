import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BatchClassification, BatchInstanceType, BatchModel, ClassifierEndpoint, ImageClassifier, ModelArtifact, RetrainingSchedule } from '../../lib';
import { NO_BUNDLING } from '../helpers';
import { stateMachineDefinition, TemplateJson } from '../support/cfn-template';

function stack(): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING }), 'UserStack');
}

describe('BatchClassification alone in a user\'s stack', () => {
  test('synthesizes with an imported bucket, an imported key and a model by name, scoped to the given folders', () => {
    // GIVEN a user's stack with a bucket and a key from elsewhere
    const user = stack();
    const bucket = s3.Bucket.fromBucketAttributes(user, 'Images', {
      bucketArn: 'arn:aws:s3:::photo-archive',
      encryptionKey: kms.Key.fromKeyArn(user, 'BucketKey', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    });
    const key = kms.Key.fromKeyArn(user, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-12ab-34cd-56ef-1234567890ab');
    const modelRole = iam.Role.fromRoleArn(user, 'ModelRole', 'arn:aws:iam::123456789012:role/my-model-role', { mutable: true });
    // WHEN
    const batch = new BatchClassification(user, 'Batch', {
      model: BatchModel.fromModelName('my-flowers-model', modelRole),
      bucket,
      inputPrefix: 'photos',
      outputPrefix: 'labels',
      instanceType: BatchInstanceType.ML_C5_XLARGE,
      instanceCount: 2,
      encryptionKey: key,
    });
    // THEN
    const template = Template.fromStack(user);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    const definition = stateMachineDefinition(template.toJSON() as TemplateJson) as any;
    expect(definition.States.Transform.Parameters).toMatchObject({
      'ModelName.$': '$.model.name',
      TransformResources: { InstanceType: 'ml.c5.xlarge', InstanceCount: 2, VolumeKmsKeyId: key.keyArn },
      TransformOutput: { KmsKeyId: key.keyArn, Accept: 'application/json;verbose', AssembleWith: 'None' },
      TransformInput: { ContentType: 'application/x-image', SplitType: 'None' },
      BatchStrategy: 'SingleRecord',
      MaxPayloadInMB: 6,
    });
    expect(definition.States.UseModel.Parameters).toEqual({ name: 'my-flowers-model' });
    expect(batch.inputFolder.s3Uri).toBe('s3://photo-archive/photos/');
    // The state machine may create jobs of this model only, named <model>-batch-<run id>.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: 'sagemaker:CreateTransformJob',
        Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':transform-job/my-flowers-model-batch-\\?{8}-\\?{6}-\\?{8}$')])] },
        Condition: { ArnLike: { 'sagemaker:ModelArn': [{ 'Fn::Join': ['', Match.arrayWith([':model/my-flowers-model'])] }] } },
      })]) },
    });
    // The model's role reads the input folder and writes the output folder, nothing else of the bucket.
    const modelPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find((policy: any) =>
      JSON.stringify(policy.Properties.Roles).includes('my-model-role')) as any;
    const resources = JSON.stringify(modelPolicy.Properties.PolicyDocument.Statement.map((s: any) => s.Resource));
    expect(resources).toContain('arn:aws:s3:::photo-archive/photos/*');
    expect(resources).toContain('arn:aws:s3:::photo-archive/labels/*');
    expect(resources).not.toContain('arn:aws:s3:::photo-archive/*');
    Annotations.fromStack(user).hasNoError('*', Match.anyValue());
  });

  test('creates a secure bucket when given none, and a champion model of an endpoint in the same stack', () => {
    const user = stack();
    const endpoint = new ClassifierEndpoint(user, 'Endpoint', { endpointName: 'flowers' });
    new BatchClassification(user, 'Batch', { model: BatchModel.champion(endpoint) });
    const template = Template.fromStack(user);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.anyValue(),
    });
    const definition = stateMachineDefinition(template.toJSON() as TemplateJson) as any;
    expect(definition.States.GetChampion.Parameters).toEqual({ Name: '/sagemaker-image-classifier/flowers/champion' });
    expect(definition.States.NameJob.Parameters.run['jobName.$']).toMatch(/^States\.Format\('flowers-batch-\{\}/);
  });

  test('a classifier of another app by its endpoint name', () => {
    const user = stack();
    const role = iam.Role.fromRoleArn(user, 'Role', 'arn:aws:iam::123456789012:role/model-role', { mutable: true });
    new BatchClassification(user, 'Batch', { model: BatchModel.championOf('flowers', role), bucket: new s3.Bucket(user, 'B') });
    const definition = stateMachineDefinition(Template.fromStack(user).toJSON() as TemplateJson) as any;
    expect(definition.States.GetChampion.Parameters.Name).toBe('/sagemaker-image-classifier/flowers/champion');
  });

  test('a schedule classifies the input folder into <output>/scheduled/, new images start a debounced run', () => {
    const user = stack();
    const role = iam.Role.fromRoleArn(user, 'Role', 'arn:aws:iam::123456789012:role/model-role', { mutable: true });
    const batch = new BatchClassification(user, 'Batch', {
      model: BatchModel.fromModelName('m', role), bucket: new s3.Bucket(user, 'B'),
      schedule: RetrainingSchedule.expression('cron(0 2 * * ? *)'), classifyNewImages: true, quietPeriod: Duration.minutes(30),
    });
    const template = Template.fromStack(user);
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as any;
    expect(schedule.Properties.ScheduleExpression).toBe('cron(0 2 * * ? *)');
    expect(JSON.stringify(schedule.Properties.Target.Input)).toContain('/batch/output/scheduled/');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ QUIET_PERIOD_SECONDS: '1800', EXECUTION_NAME_PREFIX: 'new-images' }) },
      ReservedConcurrentExecutions: 1,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.s3'], 'detail-type': ['Object Created'], 'detail': Match.objectLike({
        object: { key: Match.arrayWith([{ wildcard: 'batch/input/*.jpg' }, { wildcard: 'batch/input/*.PNG' }]) },
      }) },
    });
    expect(batch.newImagesTrigger).toBeDefined();
  });

  test.each([
    ['an instance type Batch Transform does not offer', { instanceType: BatchInstanceType.of('ml.r5.xlarge') }, "instanceType 'ml.r5.xlarge': Batch Transform does not run the algorithm on the r5 family"],
    ['zero instances', { instanceCount: 0 }, 'instanceCount must be a whole number from 1 to 100, got 0'],
    ['a topK of 101', { topK: 101 }, 'topK must be a whole number from 1 to 100, got 101'],
    ['a 5-minute maxRuntime', { maxRuntime: Duration.minutes(5) }, 'maxRuntime must be between 10 minutes and 5 days, got 5 minutes'],
    ['an output inside the input', { inputPrefix: 'photos', outputPrefix: 'photos/labels' }, "outputPrefix 'photos/labels' must not be inside inputPrefix 'photos'"],
    ['a quiet period without the trigger', { quietPeriod: Duration.hours(2) }, 'quietPeriod only applies with classifyNewImages: true'],
    ['a prefix with a trailing slash', { inputPrefix: 'photos/' }, "inputPrefix must be an S3 key prefix"],
  ])('rejects %s with a message naming the prop and the fix', (_name, props, message) => {
    const user = stack();
    const role = iam.Role.fromRoleArn(user, 'Role', 'arn:aws:iam::123456789012:role/model-role', { mutable: true });
    expect(() => new BatchClassification(user, 'Batch', { model: BatchModel.fromModelName('m', role), ...props })).toThrow(message);
  });

  test('reports every problem at once, before creating anything', () => {
    const user = stack();
    const role = iam.Role.fromRoleArn(user, 'Role', 'arn:aws:iam::123456789012:role/model-role', { mutable: true });
    let message = '';
    try {
      new BatchClassification(user, 'Batch', { model: BatchModel.fromModelName('bad_name', role), instanceCount: 0, topK: 0 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("model: 'bad_name' is not a SageMaker model name");
    expect(message).toContain('instanceCount must be');
    expect(message).toContain('topK must be');
    expect(user.node.findChild('Batch').node.children).toHaveLength(0);
  });
});

describe('batch classification in an ImageClassifier', () => {
  test('is on by default: the champion of the classifier\'s endpoint, the dataset bucket\'s batch/ folders, the classifier\'s key', () => {
    const user = stack();
    const key = new kms.Key(user, 'Key', { enableKeyRotation: true });
    const classifier = new ImageClassifier(user, 'Classifier', { encryptionKey: key, hyperparameters: { binaryMode: true } });
    expect(classifier.batch).toBeDefined();
    expect(classifier.batch!.bucket).toBe(classifier.dataset.bucket);
    expect(classifier.batch!.modelRole).toBe(classifier.endpoint.role);
    const definition = stateMachineDefinition(Template.fromStack(user).toJSON() as TemplateJson, 'ClassifierBatch') as any;
    expect(definition.States.GetChampion.Parameters.Name).toBe(`/sagemaker-image-classifier/${classifier.endpoint.endpointName}/champion`);
    expect(definition.States.Consolidate.Parameters.binaryMode).toBe(true);
    expect(definition.States.Transform.Parameters.TransformOutput.KmsKeyId).toBeDefined();
  });

  test('with a fixed model artifact, runs the model CloudFormation creates for it, and no other', () => {
    const user = stack();
    const classifier = new ImageClassifier(user, 'Classifier', { serving: { modelArtifact: ModelArtifact.pretrained() } });
    const template = Template.fromStack(user);
    const definition = stateMachineDefinition(template.toJSON() as TemplateJson, 'ClassifierBatch') as any;
    const modelName = classifier.endpoint.cfnModel!.modelName!;
    expect(definition.States.UseModel.Parameters).toEqual({ name: modelName });
    expect(definition.States.GetChampion).toBeUndefined();
    expect(modelName).toMatch(/-static-[0-9a-f]{8}$/);
  });

  test('is left out with batch: { enabled: false }', () => {
    const user = stack();
    const classifier = new ImageClassifier(user, 'Classifier', { batch: { enabled: false } });
    expect(classifier.batch).toBeUndefined();
    const machines = Object.keys(Template.fromStack(user).findResources('AWS::StepFunctions::StateMachine'));
    expect(machines.filter((id) => id.includes('Batch'))).toEqual([]);
  });
});
