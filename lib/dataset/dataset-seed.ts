import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { DatasetBucket } from './dataset-bucket';
import { inspectImageFolder } from '../private/image-folder';
import { DEFAULT_LOG_REMOVAL_POLICY, logSettingsProblems } from '../private/log-groups';
import { acknowledgeRule, acknowledgeWildcardResource } from '../private/nag';

/** Properties of a `DatasetSeed`. */
export interface DatasetSeedProps {
  /** The dataset to fill. */
  readonly dataset: DatasetBucket;
  /** Local folder laid out as `<class>/<image>.jpg`, with at least two class folders. */
  readonly sourceFolder: string;
  /**
   * How long the upload's log is kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to that log group when it leaves the stack: kept with its retention, or deleted with its events.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * Uploads a local folder of labelled images to the dataset's `training/` folder at deploy time, so that the first
 * retraining run has data. The layout is checked at synth time. Images already in the bucket are kept (the upload
 * adds and replaces, never prunes), and nothing is deleted when the stack is.
 */
export class DatasetSeed extends Construct {
  /** The deployment that copies the images; depend on it to act after the upload. */
  public readonly deployment: s3deploy.BucketDeployment;
  /** Class folder names, in label order (alphabetical), and their image counts. */
  public readonly classes: ReadonlyArray<{ readonly name: string; readonly images: number }>;

  constructor(scope: Construct, id: string, props: DatasetSeedProps) {
    super(scope, id);
    this.classes = inspectImageFolder(props.sourceFolder, `${this.node.path}: sourceFolder`);
    const problems = logSettingsProblems(props);
    if (problems.length > 0) throw new Error(`${this.node.path}: invalid DatasetSeed props:\n  ${problems.join('\n  ')}`);
    const logGroup = new logs.LogGroup(this, 'UploadLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY,
    });
    // A role of our own instead of aws-cdk-lib's default with AWSLambdaBasicExecutionRole: logs to its group only.
    const role = new iam.Role(this, 'UploadRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the seed images into the dataset bucket at deploy time',
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
    this.deployment = new s3deploy.BucketDeployment(this, 'Upload', {
      sources: [s3deploy.Source.asset(props.sourceFolder, { exclude: ['.*', '**/.*', 'Thumbs.db', 'desktop.ini'] })],
      destinationBucket: props.dataset.bucket,
      destinationKeyPrefix: props.dataset.trainingData.keyPrefix,
      prune: false,
      retainOnDelete: true,
      memoryLimit: 1024,
      logGroup,
      role,
    });
    acknowledgeDeploymentGrants(role, props.dataset);
    const handler = Stack.of(this).node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handler) {
      acknowledgeRule(handler, 'AwsSolutions-L1', 'aws-cdk-lib\'s BucketDeployment runs its own shared handler (the AWS CLI '
        + 'on a Python runtime that aws-cdk-lib pins and updates); the construct has no runtime option.');
    }
  }
}

/**
 * BucketDeployment grants its handler read on the CDK asset bucket and read, write and delete on the destination with
 * wildcard actions; it takes no narrower grant. With prune off it only reads the asset and writes images.
 */
function acknowledgeDeploymentGrants(role: iam.Role, dataset: DatasetBucket): void {
  const reason = 'aws-cdk-lib\'s BucketDeployment grants its copy handler these S3 actions itself (read the asset zip from '
    + 'the CDK asset bucket, write the images to the dataset bucket); it offers no narrower grant, and with prune off '
    + 'it never deletes.';
  for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*']) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
  }
  acknowledgeWildcardResource(role, dataset.bucket.arnForObjects('*'), reason);
  if (dataset.bucket.encryptionKey) {
    // Its write grant on a KMS-encrypted bucket includes the key's encrypt and decrypt action groups.
    const keyReason = 'aws-cdk-lib\'s BucketDeployment grants its copy handler read and write on the KMS-encrypted dataset '
      + 'bucket, which includes the key\'s encrypt/decrypt action groups (kms:GenerateDataKey*, kms:ReEncrypt*) on that key only.';
    for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: keyReason });
  }
  const assets = Stack.of(role).synthesizer as { readonly bucketName?: string };
  const assetBucket = typeof assets.bucketName === 'string' ? assets.bucketName : undefined;
  if (assetBucket) acknowledgeWildcardResource(role, `arn:${Stack.of(role).partition}:s3:::${assetBucket}/*`, reason);
}
