import { Annotations, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { Attribute, EnvironmentVariable, ResourceProperty } from '../../lambda/shared/algorithm-check-contract';
import { AlgorithmLocations } from '../algorithm/algorithm-locations';
import { allowLogsToUseKey } from '../private/kms-grants';
import { DEFAULT_LOG_REMOVAL_POLICY, LogGroupSettings, sameLogGroupSettings } from '../private/log-groups';
import { bundledLambdaCode, SOURCE_MAPS_ENVIRONMENT } from '../private/lambda-entry';
import { S3ObjectLocation, s3ObjectArn } from '../private/locations';
import { acknowledgeWildcardResource } from '../private/nag';

/** Properties of an `AlgorithmObjectsCheck`. */
export interface AlgorithmObjectsCheckProps {
  /** The JumpStart model id the objects belong to (named in failures). */
  readonly modelId: string;
  /** The locations to check: the training script, and the pretrained model's candidates in order. */
  readonly locations: AlgorithmLocations;
  /** Whether the training script location is a `locations.trainingScriptUri` override. */
  readonly trainingScriptOverridden: boolean;
  /** Whether the pretrained model location is a `locations.pretrainedModelUri` override. */
  readonly pretrainedModelOverridden: boolean;
  /**
   * KMS key for the check's log groups, when the stack's shared check function is created by this check.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * How long the stack's shared check function's logs are kept, when this check creates it.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to those log groups when they leave the stack, when this check creates the function.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** How the stack's shared check function keeps its logs: as the first check of the stack asks. */
type CheckLogSettings = LogGroupSettings;

/**
 * Checks at deploy time, in the deploy region, that the algorithm's training script exists and finds which of the
 * pretrained model's candidate keys exists (the first in order). The deployment fails with the model id, the region,
 * every key tried and the override to set when one is missing; otherwise the found location is an attribute, so
 * everything that reads it (the training request, the training role's policy) is created after the check.
 *
 * One function and provider per stack serve every check in it (`AlgorithmCheckProvider`).
 */
export class AlgorithmObjectsCheck extends Construct {
  /** The custom resource (type `Custom::ImageClassifierAlgorithmCheck`). */
  public readonly resource: CustomResource;
  /** The pretrained model tarball that exists: its bucket (known at synth) and its key (a deploy-time attribute). */
  public readonly pretrainedModel: S3ObjectLocation;
  /** `s3://` URI of the pretrained model tarball that exists (a deploy-time attribute). */
  public readonly pretrainedModelUri: string;

  constructor(scope: Construct, id: string, props: AlgorithmObjectsCheckProps) {
    super(scope, id);
    const candidates = props.locations._pretrainedModelCandidates;
    const buckets = new Set(candidates.map((candidate) => candidate.bucketName));
    if (candidates.length === 0 || buckets.size !== 1) {
      // The training role's grants name the one bucket of the candidates; the known layouts all live in one bucket.
      throw new Error(`${this.node.path}: the pretrained model candidates must be in one bucket, got ${[...buckets].join(', ') || 'none'}`);
    }
    const script = props.locations._trainingScript;
    const provider = AlgorithmCheckProvider.of(this, props);
    provider.grantCheck([script, ...candidates]);

    const location = (l: S3ObjectLocation) => ({ Bucket: l.bucketName, Key: l.key });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ImageClassifierAlgorithmCheck',
      properties: {
        [ResourceProperty.MODEL_ID]: props.modelId,
        [ResourceProperty.TRAINING_SCRIPT]: location(script),
        [ResourceProperty.PRETRAINED_MODEL_CANDIDATES]: candidates.map(location),
        [ResourceProperty.TRAINING_SCRIPT_OVERRIDDEN]: String(props.trainingScriptOverridden),
        [ResourceProperty.PRETRAINED_MODEL_OVERRIDDEN]: String(props.pretrainedModelOverridden),
      },
    });
    // Checks run with the role's grants in place.
    this.resource.node.addDependency(provider.role);
    this.pretrainedModel = { bucketName: candidates[0].bucketName, key: this.resource.getAttString(Attribute.PRETRAINED_MODEL_KEY) };
    this.pretrainedModelUri = this.resource.getAttString(Attribute.PRETRAINED_MODEL_URI);
  }
}

const PROVIDER_ID = 'ImageClassifierAlgorithmCheckProvider';
const DEFAULT_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * The stack's one function (and Provider framework) that runs every `AlgorithmObjectsCheck` of the stack. Its role may
 * read, and list under their exact keys, only the objects the stack's checks name.
 */
export class AlgorithmCheckProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(scope: Construct, logs: CheckLogSettings = {}): AlgorithmCheckProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID) as AlgorithmCheckProvider | undefined;
    if (existing === undefined) return new AlgorithmCheckProvider(stack, PROVIDER_ID, logs);
    const mine = existing.logSettings;
    if (!sameLogGroupSettings(logs, mine, DEFAULT_RETENTION)) {
      Annotations.of(scope).addWarningV2('cdk-sagemaker-image-classifier:sharedCheckLogs', `The stack's shared algorithm `
        + `check ${existing.node.path} keeps its logs as the stack's first classifier asked; this one's log settings apply `
        + 'to its other log groups only.');
    }
    return existing;
  }

  /** The role the check function runs with. */
  public readonly role: iam.Role;
  /** The check function. */
  public readonly function: lambda.IFunction;
  /** The custom resources' service token. */
  public readonly serviceToken: string;

  private constructor(scope: Construct, id: string, private readonly logSettings: CheckLogSettings) {
    super(scope, id);
    const logEncryptionKey = logSettings.logEncryptionKey;
    if (logEncryptionKey) allowLogsToUseKey(logEncryptionKey, Stack.of(this));
    const logGroupProps: logs.LogGroupProps = {
      retention: logSettings.logRetention ?? DEFAULT_RETENTION,
      removalPolicy: logSettings.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY,
      encryptionKey: logEncryptionKey,
    };
    const logGroup = new logs.LogGroup(this, 'LogGroup', logGroupProps);
    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Checks at deploy time that the image classifier algorithm\'s script and pretrained model exist',
    });
    logGroup.grantWrite(this.role);
    this.function = new lambda.Function(this, 'Function', {
      description: 'Checks that the Image Classification - TensorFlow script and pretrained model exist in this region',
      code: bundledLambdaCode('algorithm-check/index'),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(1),
      role: this.role,
      logGroup,
      environment: { [EnvironmentVariable.CHECK_ROLE_NAME]: this.role.roleName, ...SOURCE_MAPS_ENVIRONMENT },
    });

    // The framework's function gets a role of its own with its log group's permissions, instead of the
    // AWSLambdaBasicExecutionRole managed policy. No isComplete handler: the check answers within one call.
    const providerLogGroup = new logs.LogGroup(this, 'ProviderLogGroup', logGroupProps);
    const frameworkRole = new iam.Role(this, 'ProviderOnEventRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Provider framework entry point of the image classifier algorithm check',
    });
    providerLogGroup.grantWrite(frameworkRole);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      logGroup: providerLogGroup,
      frameworkOnEventRole: frameworkRole,
    });
    acknowledgeWildcardResource(frameworkRole, `${this.function.functionArn}:*`, 'aws-cdk-lib\'s grantInvoke allows '
      + 'lambda:InvokeFunction on the function and on <function ARN>:* (its versions and aliases, the only things after '
      + 'the colon); the function is the stack\'s algorithm check.');
    this.serviceToken = provider.serviceToken;
  }

  /**
   * Lets the check read (HeadObject) each of `objects` and list each bucket with exactly their keys as prefix, which
   * tells a missing object (404) from a refused one (403). No wildcard: every key is known at synth time.
   */
  public grantCheck(objects: S3ObjectLocation[]): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [...new Set(objects.map((object) => s3ObjectArn(this, object)))],
    }));
    for (const [bucketName, keys] of keysByBucket(objects)) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [`arn:${Stack.of(this).partition}:s3:::${bucketName}`],
        conditions: { StringEquals: { 's3:prefix': keys } },
      }));
    }
  }
}

/** The keys of `objects` grouped by bucket, in order, without repeats. */
export function keysByBucket(objects: S3ObjectLocation[]): Map<string, string[]> {
  const byBucket = new Map<string, string[]>();
  for (const { bucketName, key } of objects) {
    const keys = byBucket.get(bucketName) ?? [];
    if (!keys.includes(key)) keys.push(key);
    byBucket.set(bucketName, keys);
  }
  return byBucket;
}
