import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { datasetPrefixProblem } from '../private/locations';
import { acknowledgeWildcardResource, grantHolder } from '../private/nag';
import { createAccessLogsBucket, createSecureBucket, S3_LOGS_USE_BUCKET_POLICY } from '../private/secure-bucket';

/** A folder (key prefix) in a bucket. */
export class S3Folder {
  /** The bucket that holds the folder. */
  public readonly bucket: s3.IBucket;
  /** The folder's key prefix, ending with `/` (empty for the bucket root). */
  public readonly keyPrefix: string;

  constructor(bucket: s3.IBucket, keyPrefix: string) {
    this.bucket = bucket;
    this.keyPrefix = keyPrefix;
  }

  /** `s3://bucket/prefix/`, the form SageMaker channels and the AWS CLI take. */
  public get s3Uri(): string {
    return `s3://${this.bucket.bucketName}/${this.keyPrefix}`;
  }

  /** ARN pattern of every object in the folder, for IAM. */
  public get objectsArn(): string {
    // '*' after the prefix: a folder's objects are named as they are written (images, job outputs), not in advance.
    return this.bucket.arnForObjects(`${this.keyPrefix}*`);
  }

  /** A sub-folder. */
  public folder(name: string): S3Folder {
    return new S3Folder(this.bucket, `${this.keyPrefix}${name}/`);
  }
}

/** Properties of a `DatasetBucket`. */
export interface DatasetBucketProps {
  /**
   * Use this bucket instead of creating one. Its encryption, logging, versioning and policies are left as they are.
   * @default - a new bucket with the secure defaults described on `DatasetBucket`
   */
  readonly bucket?: s3.IBucket;
  /**
   * Key prefix under which the dataset lives, without a trailing `/`; empty for the bucket root.
   * Letters, digits and `! - _ . '`, segments separated by single `/`.
   * @default 'dataset'
   */
  readonly prefix?: string;
  /**
   * Encrypt the new bucket with this KMS key (SSE-KMS with an S3 bucket key).
   * @default - S3-managed encryption (SSE-S3)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the new bucket and its images when the stack is deleted. `RemovalPolicy.DESTROY` also empties
   * the bucket so that the deletion succeeds.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long a replaced or deleted image version is kept before it expires.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * Bucket that receives the new bucket's server access logs.
   * @default - a new log bucket (SSE-S3, TLS only, logs kept for `accessLogsRetention`)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * How long the access logs in a log bucket created here are kept.
   * @default Duration.days(365)
   */
  readonly accessLogsRetention?: Duration;
}

/**
 * The S3 bucket holding the labelled images, laid out the way the algorithm reads them:
 *
 * ```
 * s3://<bucket>/<prefix>/training/<class>/<image>      one folder per class; the folder name is the label
 * s3://<bucket>/<prefix>/validation/<class>/<image>    optional; without it the algorithm holds out part of training/
 * ```
 * Images are `.jpg`, `.jpeg` or `.png`. Labels are numbered in the alphabetical order of the class folders.
 *
 * A new bucket is encrypted (SSE-S3, or SSE-KMS with `encryptionKey`), blocks all public access, refuses requests
 * without TLS, keeps object versions (old ones expire), aborts incomplete multipart uploads after 7 days, writes
 * server access logs, and is retained when the stack is deleted.
 */
export class DatasetBucket extends Construct {
  /** The bucket. */
  public readonly bucket: s3.IBucket;
  /** The bucket receiving server access logs, when this construct created one. */
  public readonly accessLogsBucket?: s3.IBucket;
  /** The dataset's root folder. */
  public readonly root: S3Folder;
  /** The `training` channel: one sub-folder per class. */
  public readonly trainingData: S3Folder;
  /** The optional `validation` channel, laid out like `trainingData`. */
  public readonly validationData: S3Folder;

  constructor(scope: Construct, id: string, props: DatasetBucketProps = {}) {
    super(scope, id);
    const prefix = props.prefix ?? 'dataset';
    const problems = validateDatasetProps(props, prefix);
    if (problems.length > 0) {
      throw new Error(`${this.node.path}: invalid DatasetBucket props:\n  ${problems.join('\n  ')}`);
    }

    // Grant S3 log delivery through the log bucket's policy, not the legacy LogDeliveryWrite ACL (which needs ACLs
    // enabled), whatever the app's feature flags say. Context set here applies to this construct's children only.
    this.node.setContext(S3_LOGS_USE_BUCKET_POLICY, true);

    if (props.bucket) {
      this.bucket = props.bucket;
    } else {
      const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
      this.accessLogsBucket = props.serverAccessLogsBucket ?? createAccessLogsBucket(this, 'AccessLogsBucket', {
        removalPolicy,
        retention: props.accessLogsRetention ?? Duration.days(365),
      });
      this.bucket = createSecureBucket(this, 'Bucket', {
        encryptionKey: props.encryptionKey,
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: 'dataset-bucket/',
        removalPolicy,
        noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
      });
    }
    this.root = new S3Folder(this.bucket, prefix === '' ? '' : `${prefix}/`);
    this.trainingData = this.root.folder('training');
    this.validationData = this.root.folder('validation');
  }

  /**
   * Lets `grantee` read the dataset (training and validation images), as a training job does: `s3:GetObject` under
   * the dataset prefix, `s3:ListBucket` of keys under that prefix, and `kms:Decrypt` with the bucket's key.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    // Listing is limited to keys under the dataset prefix, as reading is (SageMaker lists each channel's prefix).
    const prefix = this.root.keyPrefix;
    const listing = iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      resource: this.bucket,
      ...(prefix ? { conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
    });
    const grant = listing.combine(this.grantOnObjects(grantee, ['s3:GetObject']));
    this.bucket.encryptionKey?.grantDecrypt(grantee);
    return grant;
  }

  /**
   * Lets `grantee` list, read and upload images under the dataset prefix, as an uploader does (`s3:PutObject`, and
   * `s3:AbortMultipartUpload` to clean up a failed large upload). Not delete.
   */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    const grant = this.grantRead(grantee).combine(this.grantOnObjects(grantee, ['s3:PutObject', 's3:AbortMultipartUpload']));
    // SSE-KMS uploads ask the key for a data key (kms:Decrypt, from grantRead, completes multipart uploads).
    this.bucket.encryptionKey?.grant(grantee, 'kms:GenerateDataKey');
    return grant;
  }

  /** Number of objects in the bucket (a daily S3 storage metric). */
  public metricNumberOfObjects(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.storageMetric('NumberOfObjects', 'AllStorageTypes', props);
  }

  /** Bytes stored in the bucket's Standard storage class (a daily S3 storage metric). */
  public metricBucketSizeBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.storageMetric('BucketSizeBytes', 'StandardStorage', props);
  }

  private grantOnBucket(grantee: iam.IGrantable, actions: string[], resourceArn: string): iam.Grant {
    return iam.Grant.addToPrincipalOrResource({ grantee, actions, resourceArns: [resourceArn], resource: this.bucket });
  }

  /** `actions` on every object under the dataset prefix. */
  private grantOnObjects(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    const objects = this.root.objectsArn;
    const holder = grantHolder(grantee);
    if (holder) {
      acknowledgeWildcardResource(holder, objects, 'The dataset is every object under the dataset prefix: its keys are '
        + 'the images users upload (<prefix>/training/<class>/<image>), not known at deploy time. Scoped to the prefix.');
    }
    return this.grantOnBucket(grantee, actions, objects);
  }

  private storageMetric(metricName: string, storageType: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/S3',
      metricName,
      dimensionsMap: { BucketName: this.bucket.bucketName, StorageType: storageType },
      statistic: 'Average',
      period: Duration.days(1),
      region: Stack.of(this).region,
      ...props,
    });
  }
}

function validateDatasetProps(props: DatasetBucketProps, prefix: string): string[] {
  const problems: string[] = [];
  const prefixProblem = datasetPrefixProblem(prefix, 'prefix');
  if (prefixProblem) problems.push(prefixProblem);
  for (const name of ['noncurrentVersionExpiration', 'accessLogsRetention'] as const) {
    const duration = props[name];
    if (duration && !duration.isUnresolved() && !Number.isInteger(duration.toHours({ integral: false }) / 24)) {
      problems.push(`${name} must be a whole number of days (S3 lifecycle rules count days), got ${duration.toHumanString()}`);
    }
  }
  if (props.bucket) {
    const ignored = (['encryptionKey', 'removalPolicy', 'noncurrentVersionExpiration', 'serverAccessLogsBucket', 'accessLogsRetention'] as const)
      .filter((name) => props[name] !== undefined);
    if (ignored.length > 0) {
      problems.push(`${ignored.join(', ')} only apply to a bucket this construct creates; remove them or remove 'bucket'`);
    }
  }
  return problems;
}
