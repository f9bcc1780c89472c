import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { S3Folder } from '../dataset/dataset-bucket';
import { grantKeyForAwsResources } from '../private/kms-grants';
import { acknowledgeWildcardResource, grantHolder } from '../private/nag';
import { BatchInstanceType } from './batch-instance-type';

/*
 * The one definition of the Batch Transform job this package runs to classify a set of images (BatchClassification,
 * and the retraining pipeline's evaluation): the CreateTransformJob request, the Step Functions task that runs it to
 * the end, and the permissions of the caller and of the model's role.
 *
 * Written as a CustomState rather than aws-cdk-lib's `SageMakerCreateTransformJob`, which cannot be narrowed: it
 * grants CreateTransformJob on `transform-job/*` and ListTags on `*`, insists on a role (creating one with the
 * AmazonSageMakerFullAccess managed policy when none is given) and grants iam:PassRole on it although
 * CreateTransformJob takes no role (the job runs with its model's execution role), and it fills ModelClientConfig with
 * a 60-second invocation timeout and no retries.
 */

/** How each image is sent to the model: one file, one request, as the algorithm's container takes it. */
export const TRANSFORM_CONTENT_TYPE = 'application/x-image';
/** The answer with labels, probabilities and the predicted label (`{"labels": [...], "probabilities": [...], ...}`). */
export const TRANSFORM_ACCEPT = 'application/json;verbose';
/** SageMaker's largest payload: images up to 6 MB, the same limit InvokeEndpoint has (6,291,456 bytes). */
export const TRANSFORM_MAX_PAYLOAD_MB = 6;

/** What a transform job classifies, where, and on what. Values may be JSONPath (`sfn.JsonPath.stringAt('$.x')`). */
export interface TransformJobRequestOptions {
  /** `<transform job prefix>-<run id>` (lambda/shared/sagemaker-names.ts `transformJobName`). */
  readonly transformJobName: string;
  /** The SageMaker model to run; the job reads and writes S3 with the model's execution role. */
  readonly modelName: string;
  /**
   * A Batch Transform manifest (`[{"prefix": "s3://bucket/images/"}, "a.jpg", "b/c.png"]`): one record per image,
   * each sent whole as one request.
   */
  readonly manifestUri: string;
  /** `s3://…/` where the job writes `<relative key>.out` for each image. */
  readonly outputUri: string;
  readonly instanceType: BatchInstanceType;
  readonly instanceCount: number;
  /** Encrypts the job's output and its instances' volumes (except local NVMe storage, which SageMaker refuses a key). */
  readonly encryptionKey?: kms.IKey;
  /** Tags of the job. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The CreateTransformJob request (API field names), with any JSONPath values still as tokens. */
export function transformJobRequest(options: TransformJobRequestOptions): Record<string, unknown> {
  const key = options.encryptionKey;
  const tags = Object.entries(options.tags ?? {});
  return {
    TransformJobName: options.transformJobName,
    ModelName: options.modelName,
    // One image per request (SplitType None, SingleRecord) up to 6 MB each.
    BatchStrategy: 'SingleRecord',
    MaxPayloadInMB: TRANSFORM_MAX_PAYLOAD_MB,
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: options.manifestUri } },
      ContentType: TRANSFORM_CONTENT_TYPE,
      SplitType: 'None',
      CompressionType: 'None',
    },
    TransformOutput: {
      S3OutputPath: options.outputUri,
      Accept: TRANSFORM_ACCEPT,
      // Each image's answer in its own `.out` object: records are not joined.
      AssembleWith: 'None',
      ...(key ? { KmsKeyId: key.keyArn } : {}),
    },
    TransformResources: {
      InstanceType: options.instanceType.name,
      InstanceCount: options.instanceCount,
      ...(key && !options.instanceType.hasLocalStorage ? { VolumeKmsKeyId: key.keyArn } : {}),
    },
    ...(tags.length > 0 ? { Tags: tags.map(([Key, Value]) => ({ Key, Value })) } : {}),
  };
}

/** A transform job run to its end, with the longest it may take. */
export interface TransformTaskOptions extends TransformJobRequestOptions {
  /**
   * CreateTransformJob has no stopping condition: the task gives up after this (`States.Timeout`), and the caller
   * stops the job (`sagemaker:StopTransformJob`, granted by `grantRunTransformJobs`).
   */
  readonly maxRuntime: Duration;
  /** Where the job's name, ARN and status go. */
  readonly resultPath: string;
}

/**
 * A Task that creates the transform job and waits for it to end (`createTransformJob.sync`). A job that ends Failed or
 * Stopped fails the task with `States.TaskFailed` and the job's description (with its `FailureReason`) as JSON in the
 * cause; an API error fails it with `SageMaker.AmazonSageMakerException` and the error code in the cause. Retries and
 * catches are the caller's.
 */
export function createTransformJobTask(scope: Construct, id: string, options: TransformTaskOptions): sfn.CustomState {
  return new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Stack.of(scope).partition}:states:::sagemaker:createTransformJob.sync`,
      Parameters: sfn.FieldUtils.renderObject(transformJobRequest(options)),
      // Members DescribeTransformJob always returns.
      ResultSelector: { 'transformJobName.$': '$.TransformJobName', 'transformJobArn.$': '$.TransformJobArn', 'status.$': '$.TransformJobStatus' },
      ResultPath: options.resultPath,
      TimeoutSeconds: options.maxRuntime.toSeconds(),
    },
  });
}

/** The transform jobs `grantRunTransformJobs` allows, and the models they may run. */
export interface TransformJobPermissions {
  /** IAM ARN pattern of the jobs (`…:transform-job/<prefix>-????????-??????-????????`, lower case). */
  readonly transformJobArnPattern: string;
  /** IAM ARN patterns of the models the jobs may run (the `sagemaker:ModelArn` condition). */
  readonly modelArnPatterns: string[];
  /**
   * The key of `TransformJobRequestOptions.encryptionKey` when the request gives it as `VolumeKmsKeyId` (not on
   * instance types with local storage).
   */
  readonly volumeEncryptionKey?: kms.IKey;
}

/** The IAM ARN pattern of the transform jobs named `<jobPrefix>-<run id>` (SageMaker puts names in ARNs in lower case). */
export function transformJobArnPattern(scope: Construct, jobNamePattern: string): string {
  return Stack.of(scope).formatArn({ service: 'sagemaker', resource: 'transform-job', resourceName: jobNamePattern });
}

/**
 * What the state machine that runs `createTransformJobTask` needs: create the jobs (only of the allowed models), tag
 * them at creation, follow them (.sync polls DescribeTransformJob and listens through a managed EventBridge rule),
 * stop them, and have SageMaker create grants on the volume key.
 */
export function grantRunTransformJobs(scope: Construct, grantee: iam.IGrantable, permissions: TransformJobPermissions): void {
  const stack = Stack.of(scope);
  const jobs = permissions.transformJobArnPattern;
  const statements = [
    new iam.PolicyStatement({
      sid: 'CreateTransformJobs',
      actions: ['sagemaker:CreateTransformJob'],
      resources: [jobs],
      conditions: { ArnLike: { 'sagemaker:ModelArn': permissions.modelArnPatterns } },
    }),
    new iam.PolicyStatement({
      sid: 'FollowTransformJobs',
      actions: ['sagemaker:AddTags', 'sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob', 'sagemaker:ListTags'],
      resources: [jobs],
    }),
    new iam.PolicyStatement({
      sid: 'WatchTransformJobs',
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForSageMakerTransformJobsRule' })],
    }),
  ];
  for (const statement of statements) grantee.grantPrincipal.addToPrincipalPolicy(statement);
  // The instances' volumes are encrypted under the caller's identity, as for an endpoint.
  if (permissions.volumeEncryptionKey) grantKeyForAwsResources(permissions.volumeEncryptionKey, grantee);
}

/** Where a transform job reads and writes, as its model's role does it. */
export interface TransformDataAccess {
  /** The folders whose images the jobs read (keys are the manifest's records). */
  readonly reads: S3Folder[];
  /** The folders the jobs write their `.out` objects to; the manifests are read from here too. */
  readonly writes: S3Folder[];
  /** The key of `TransformJobRequestOptions.encryptionKey`, if any (output objects are encrypted with it). */
  readonly encryptionKey?: kms.IKey;
  /** The names of the jobs, as an IAM pattern (`<prefix>-????????-??????-????????`): their log streams start with it. */
  readonly transformJobNamePattern: string;
}

/**
 * Lets a model's execution role do what SageMaker does with it during a transform job: read each image the manifest
 * names, read the manifest, write each image's answer (`s3:AbortMultipartUpload` cleans up a failed large write), with
 * the buckets' keys and the output key. SageMaker reads a manifest's records by key, so nothing is listed [U: the
 * developer guide shows no listing for ManifestFile input].
 */
export function grantTransformData(modelRole: iam.IGrantable, access: TransformDataAccess): void {
  const holder = grantHolder(modelRole);
  const onObjects = (folder: S3Folder, actions: string[]) => {
    if (holder) {
      acknowledgeWildcardResource(holder, folder.objectsArn, 'A batch run reads the images under its input folder and '
        + 'writes one answer per image under its output folder: the keys are the users\' images, not known at deploy time. '
        + 'Scoped to the folder.');
    }
    modelRole.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [folder.objectsArn] }));
  };
  for (const folder of access.reads) {
    onObjects(folder, ['s3:GetObject']);
    folder.bucket.encryptionKey?.grantDecrypt(modelRole);
  }
  for (const folder of access.writes) {
    onObjects(folder, ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload']);
    folder.bucket.encryptionKey?.grant(modelRole, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
  access.encryptionKey?.grant(modelRole, 'kms:GenerateDataKey', 'kms:Decrypt');
  // The container logs to /aws/sagemaker/TransformJobs, in streams <job name>/<instance id>-<epoch seconds> (and
  // .../data-log) named when the instances start: '*' after this feature's job names only.
  const stack = Stack.of(holder ?? modelRole.grantPrincipal as unknown as Construct);
  const group = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/TransformJobs', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const patterns = [...new Set([access.transformJobNamePattern, access.transformJobNamePattern.toLowerCase()])];
  const streams = patterns.map((pattern) => `${group}:log-stream:${pattern}/*`);
  modelRole.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    resources: [group, ...streams],
  }));
  if (holder) {
    for (const pattern of streams) {
      acknowledgeWildcardResource(holder, pattern, 'SageMaker names transform job log streams <job name>/<instance id>-<epoch '
        + 'seconds> when the instances start; the wildcard covers only the streams of this feature\'s jobs.');
    }
  }
}
