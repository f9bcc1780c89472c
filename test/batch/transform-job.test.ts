import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TransformInstanceType } from '@aws-sdk/client-sagemaker';
import { BatchInstanceType } from '../../lib/batch/batch-instance-type';
import { createTransformJobTask, grantRunTransformJobs, transformJobRequest } from '../../lib/batch/transform-job';
import { TRANSFORM_CPU_FAMILIES, TRANSFORM_GPU_FAMILIES, validateBatchInstanceType } from '../../lib/private/instance-type-checks';
import { CPU_INSTANCE_FAMILIES, GPU_INSTANCE_FAMILIES } from '../../lib/private/algorithm-facts';
import { sageMakerRequestProblems } from '../support/sagemaker-api';

/** The one transform job request of the package, held to the API's shapes for every instance constant, with and without a key. */
const TYPES = Object.values(BatchInstanceType).filter((value): value is BatchInstanceType => value instanceof BatchInstanceType);

describe('the transform job request', () => {
  test.each(TYPES.map((type) => [type.name, type]))('on %s matches the CreateTransformJob API shapes, with and without a key', (_name, type) => {
    const stack = new Stack();
    const key = new kms.Key(stack, 'Key');
    for (const encryptionKey of [undefined, key]) {
      const request = stack.resolve(transformJobRequest({
        transformJobName: 'flowers-batch-20261130-120000-0a1b2c3d', modelName: 'flowers-20261130-120000-0a1b2c3d',
        manifestUri: 's3://bucket/batch/output/run/manifest.json', outputUri: 's3://bucket/batch/output/run/predictions/',
        instanceType: type, instanceCount: 2, encryptionKey, tags: { purpose: 'batch-classification' },
      }));
      // A key ARN is a CloudFormation reference here: any string passes the shape check.
      expect(sageMakerRequestProblems('CreateTransformJob', JSON.parse(JSON.stringify(request, (k, v) => (k === 'KmsKeyId' || k === 'VolumeKmsKeyId' ? 'arn:aws:kms:us-east-1:1:key/k' : v)))))
        .toEqual([]);
      expect(request).toMatchObject({
        BatchStrategy: 'SingleRecord',
        MaxPayloadInMB: 6,
        TransformInput: { ContentType: 'application/x-image', SplitType: 'None', DataSource: { S3DataSource: { S3DataType: 'ManifestFile' } } },
        TransformOutput: { Accept: 'application/json;verbose', AssembleWith: 'None' },
        TransformResources: { InstanceType: type.name, InstanceCount: 2 },
        Tags: [{ Key: 'purpose', Value: 'batch-classification' }],
      });
      expect('KmsKeyId' in request.TransformOutput).toBe(encryptionKey !== undefined);
      // Local NVMe storage takes no volume key.
      expect('VolumeKmsKeyId' in request.TransformResources).toBe(encryptionKey !== undefined && !type.hasLocalStorage);
    }
  });

  test('the task runs the job to its end with the given time limit and keeps only what the job always describes', () => {
    const stack = new Stack();
    const task = createTransformJobTask(stack, 'Transform', {
      transformJobName: '$.run.jobName', modelName: 'm', manifestUri: 's3://b/m.json', outputUri: 's3://b/o/',
      instanceType: BatchInstanceType.ML_M5_XLARGE, instanceCount: 1, maxRuntime: Duration.hours(2), resultPath: '$.transform',
    });
    const state = stack.resolve(task.toStateJson());
    expect(state).toMatchObject({
      Type: 'Task',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::sagemaker:createTransformJob.sync']] },
      TimeoutSeconds: 7200,
      ResultPath: '$.transform',
    });
  });
});

describe('batch instance types', () => {
  test('the transform families are exactly the algorithm\'s families that the API\'s TransformInstanceType lists', () => {
    const offered = new Set(Object.values(TransformInstanceType).map((name) => name.split('.')[1]));
    expect([...TRANSFORM_GPU_FAMILIES].sort()).toEqual(GPU_INSTANCE_FAMILIES.filter((f) => offered.has(f)).sort());
    expect([...TRANSFORM_CPU_FAMILIES].sort()).toEqual(CPU_INSTANCE_FAMILIES.filter((f) => offered.has(f)).sort());
  });

  test('every constant is a transform instance type of the API and passes validation', () => {
    for (const type of TYPES) {
      expect(Object.values(TransformInstanceType)).toContain(type.name);
      expect(validateBatchInstanceType(type, 'instanceType')).toEqual([]);
    }
  });

  test.each([
    ['ml.r5.xlarge', "instanceType 'ml.r5.xlarge': Batch Transform does not run the algorithm on the r5 family; use a CPU family"],
    ['ml.p4d.24xlarge', 'Batch Transform does not run the algorithm on the p4d family'],
    ['ml.ml.m5.xlarge', "instanceType 'ml.ml.m5.xlarge' has a doubled 'ml.' prefix; use 'ml.m5.xlarge'"],
    ['m5.xlarge', "instanceType 'm5.xlarge' must start with 'ml.', for example 'ml.m5.xlarge'"],
  ])('refuses %s with a message naming the fix', (name, message) => {
    expect(validateBatchInstanceType(BatchInstanceType.of(name), 'instanceType').join('\n')).toContain(message);
  });
});

test('the caller may create jobs only of the allowed models, and follow, tag and stop only its own jobs', () => {
  const stack = new Stack(new App(), 'S');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
  grantRunTransformJobs(stack, role, { transformJobArnPattern: 'arn:aws:sagemaker:us-east-1:1:transform-job/f-batch-*', modelArnPatterns: ['arn:aws:sagemaker:us-east-1:1:model/f-*'] });
  const statements = stack.resolve((role.node.findChild('DefaultPolicy') as iam.Policy).document.toJSON()).Statement;
  expect(statements).toEqual(expect.arrayContaining([
    expect.objectContaining({ Action: 'sagemaker:CreateTransformJob', Condition: { ArnLike: { 'sagemaker:ModelArn': ['arn:aws:sagemaker:us-east-1:1:model/f-*'] } } }),
    expect.objectContaining({ Action: ['sagemaker:AddTags', 'sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob', 'sagemaker:ListTags'] }),
  ]));
  expect(JSON.stringify(statements)).not.toContain('iam:PassRole');
});
