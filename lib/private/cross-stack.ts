import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * `bucket` as `scope`'s stack should configure its notifications: the bucket itself when it belongs to that stack,
 * otherwise the same bucket imported into it. aws-cdk-lib puts a bucket's notification configuration in the bucket's
 * own stack, where it would name this stack's function while this stack names the bucket: a dependency cycle. On an
 * imported bucket the configuration is created in this stack and merged with the bucket's other notifications
 * (aws-cdk-lib's unmanaged notifications), as long as the bucket's own stack configures none itself.
 */
export function bucketForNotifications(scope: Construct, id: string, bucket: s3.IBucket): s3.IBucket {
  if (Stack.of(bucket) === Stack.of(scope)) return bucket;
  return s3.Bucket.fromBucketAttributes(scope, id, { bucketArn: bucket.bucketArn, encryptionKey: bucket.encryptionKey });
}
