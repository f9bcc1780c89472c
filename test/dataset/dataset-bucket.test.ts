import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DatasetBucket } from '../../lib';
import { testStack } from '../helpers';

describe('DatasetBucket', () => {
  function defaults() {
    const stack = testStack();
    const dataset = new DatasetBucket(stack, 'Dataset');
    return { stack, dataset, template: Template.fromStack(stack) };
  }

  test('is encrypted, private, versioned and logged', () => {
    const { stack, dataset, template } = defaults();
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: stack.resolve(dataset.accessLogsBucket!.bucketName), LogFilePrefix: 'dataset-bucket/' },
    });
  });

  test('refuses requests without TLS', () => {
    const { stack, dataset, template } = defaults();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(dataset.bucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
  });

  test('expires old versions and aborts incomplete multipart uploads', () => {
    const { template } = defaults();
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.anyValue(),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({
          NoncurrentVersionExpiration: { NoncurrentDays: 90 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled',
        })]),
      },
    });
  });

  test('is retained, with its log bucket, when the stack is deleted', () => {
    const { template } = defaults();
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('lets S3 deliver access logs through the log bucket policy, not ACLs, whatever the app flags', () => {
    const { stack, dataset, template } = defaults();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(dataset.accessLogsBucket!.bucketName),
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
    const logBucket = Object.values(template.findResources('AWS::S3::Bucket')).find((b) => !b.Properties.LoggingConfiguration)!;
    expect(logBucket.Properties.AccessControl).toBeUndefined();
    expect(logBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
  });

  test('uses SSE-KMS with a bucket key when given a key', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new DatasetBucket(stack, 'Dataset', { encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: stack.resolve(key.keyArn) },
      }] },
    });
  });

  test('empties and deletes the bucket only when asked to', () => {
    const stack = testStack();
    new DatasetBucket(stack, 'Dataset', { removalPolicy: RemovalPolicy.DESTROY, noncurrentVersionExpiration: Duration.days(5) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });

  test('exposes the layout the algorithm reads as typed folders', () => {
    const stack = testStack('us-east-1');
    const dataset = new DatasetBucket(stack, 'Dataset', { bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'my-images'), prefix: 'flowers/v1' });
    expect(dataset.trainingData.s3Uri).toBe('s3://my-images/flowers/v1/training/');
    expect(dataset.validationData.s3Uri).toBe('s3://my-images/flowers/v1/validation/');
    expect(dataset.trainingData.folder('roses').keyPrefix).toBe('flowers/v1/training/roses/');
    expect(new DatasetBucket(stack, 'Root', { bucket: dataset.bucket, prefix: '' }).trainingData.s3Uri).toBe('s3://my-images/training/');
  });

  test('wraps an existing bucket without creating one', () => {
    const stack = testStack();
    new DatasetBucket(stack, 'Dataset', { bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'my-images') });
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
  });

  test.each([
    ['a leading slash', '/dataset'],
    ['a trailing slash', 'dataset/'],
    ['a doubled slash', 'a//b'],
    ['a space', 'my dataset'],
    ['a dot-dot segment', 'a/../b'],
    ['a backslash', 'a\\b'],
    ['a URI', 's3://bucket/prefix'],
    ['a wildcard, which would widen every IAM grant on the prefix', 'data*'],
    ['a parenthesis', 'flowers(v1'],
  ])('rejects a dataset prefix with %s, naming the prop, the value and the rule', (_name, prefix) => {
    expect(() => new DatasetBucket(testStack(), 'Dataset', { prefix }))
      .toThrow(`prefix must be an S3 key prefix of letters, digits and ! - _ . ' in segments separated by single '/', with no leading or trailing '/' and no '.' or '..' segment (for example 'datasets/flowers'), got '${prefix}'`);
  });

  test('rejects settings that cannot apply to an existing bucket', () => {
    const stack = testStack();
    expect(() => new DatasetBucket(stack, 'Dataset', {
      bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'my-images'), removalPolicy: RemovalPolicy.DESTROY,
    })).toThrow("removalPolicy only apply to a bucket this construct creates; remove them or remove 'bucket'");
  });

  test('grantRead gives read access to the dataset prefix only; grantWrite adds uploads but not deletes', () => {
    const stack = testStack();
    const dataset = new DatasetBucket(stack, 'Dataset', { prefix: 'flowers' });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    dataset.grantRead(reader);
    dataset.grantWrite(writer);
    const template = Template.fromStack(stack);
    const statements = (role: iam.Role) => {
      const policies = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([stack.resolve(role.roleName)]));
      return policies.flatMap((p) => p.Properties.PolicyDocument.Statement) as Array<{ Action: string | string[]; Resource: unknown }>;
    };
    const actions = (role: iam.Role) => statements(role).flatMap((s) => [s.Action].flat());
    expect(actions(reader).sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(actions(writer).sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    expect(JSON.stringify(statements(reader))).toContain('/flowers/*');
  });
});
