import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface SecureBucketOptions {
  /** SSE-KMS with this key (and an S3 bucket key); SSE-S3 when absent. */
  readonly encryptionKey?: kms.IKey;
  /** Where server access logs go; none when absent (only the log bucket itself has none). */
  readonly serverAccessLogsBucket?: s3.IBucket;
  readonly serverAccessLogsPrefix?: string;
  readonly removalPolicy: RemovalPolicy;
  /** How long a replaced or deleted object version is kept. */
  readonly noncurrentVersionExpiration: Duration;
  readonly lifecycleRules?: s3.LifecycleRule[];
}

/** The feature flag that makes S3 log delivery use the log bucket's policy instead of the LogDeliveryWrite ACL. */
export const S3_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/**
 * A bucket for server access logs, with the baseline below and logs expiring after `retention`. S3 log delivery is
 * granted through its bucket policy only when `S3_LOGS_USE_BUCKET_POLICY` is on in `scope` (set it with
 * `scope.node.setContext` before `scope` has children): the baseline's owner-enforced ownership refuses the ACL.
 */
export function createAccessLogsBucket(scope: Construct, id: string, options: { readonly removalPolicy: RemovalPolicy; readonly retention: Duration }): s3.Bucket {
  return createSecureBucket(scope, id, {
    removalPolicy: options.removalPolicy,
    noncurrentVersionExpiration: Duration.days(30),
    lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: options.retention }],
  });
}

/**
 * A bucket with the project's baseline: encrypted, public access blocked, TLS only, versioned, owner-enforced
 * object ownership, and lifecycle rules that expire old versions and abort incomplete multipart uploads.
 * With `RemovalPolicy.DESTROY` its objects are emptied on stack deletion so that deletion cannot fail.
 */
export function createSecureBucket(scope: Construct, id: string, options: SecureBucketOptions): s3.Bucket {
  const destroy = options.removalPolicy === RemovalPolicy.DESTROY;
  return new s3.Bucket(scope, id, {
    encryption: options.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
    encryptionKey: options.encryptionKey,
    bucketKeyEnabled: options.encryptionKey ? true : undefined,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: options.serverAccessLogsBucket,
    serverAccessLogsPrefix: options.serverAccessLogsPrefix,
    removalPolicy: options.removalPolicy,
    autoDeleteObjects: destroy,
    lifecycleRules: [
      {
        id: 'ExpireOldVersionsAndAbortUploads',
        noncurrentVersionExpiration: options.noncurrentVersionExpiration,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
        expiredObjectDeleteMarker: true,
      },
      ...(options.lifecycleRules ?? []),
    ],
  });
}
