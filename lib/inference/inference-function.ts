import * as fs from 'fs';
import * as path from 'path';
import { Annotations, CfnCondition, Duration, RemovalPolicy, Size, SizeRoundingBehavior, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { InferenceFunctionBase } from './inference-function-base';
import { bucketForNotifications } from '../private/cross-stack';
import { wholeSeconds } from '../private/durations';
import { allowLogsToUseKey } from '../private/kms-grants';
import { DEFAULT_LOG_REMOVAL_POLICY, logSettingsProblems } from '../private/log-groups';
import { functionUrlsOffered, functionUrlsOfferedCondition } from '../private/region-features';
import { bundledLambdaCode, SOURCE_MAPS_ENVIRONMENT } from '../private/lambda-entry';
import {
  DEFAULT_INBOX_CONCURRENCY,
  DEFAULT_MAX_IMAGE_BYTES,
  DEFAULT_MAX_IMAGE_PIXELS,
  DEFAULT_TOP_K,
  EnvironmentVariable,
  IMAGE_SIZE_RANGE,
  INBOX_CONCURRENCY_RANGE,
  TOP_K_RANGE,
} from '../../lambda/shared/inference-environment';
import { isSageMakerName, SAGEMAKER_NAME_MAX_LENGTH, SAGEMAKER_NAME_PATTERN } from '../../lambda/shared/sagemaker-names';
import { acknowledgeAnyResource, acknowledgeBucketNotificationsHandler, acknowledgeWildcardResource } from '../private/nag';

/** How the inference function's code is packaged. */
export class InferencePackaging {
  /**
   * A zip package: the handler bundle that ships with this library. Images are decoded and resized in pure
   * JavaScript. No Docker is needed, at synth or at deploy.
   */
  public static zip(): InferencePackaging {
    return new InferencePackaging('zip');
  }

  /**
   * A container image built from `lambda/Dockerfile` by `cdk deploy` (Docker is needed then, not at synth). It
   * installs `@tensorflow/tfjs-node`, whose native TensorFlow library is too large for a zip package (250 MB limit),
   * for faster preprocessing of large photos.
   */
  public static containerImage(): InferencePackaging {
    return new InferencePackaging('container-image');
  }

  private constructor(
    /** `zip` or `container-image` */
    public readonly kind: string,
  ) {}
}

/** An S3 prefix whose new images the function classifies, writing each result next to its image. */
export interface InferenceInbox {
  /** The bucket that receives the images. */
  readonly bucket: s3.IBucket;
  /**
   * Key prefix of the inbox, for example `inbox/`. Every object created under it is classified and its result
   * written to `<key>.prediction.json` (or, for an object that is not a usable image, `<key>.error.json`).
   */
  readonly prefix: string;
  /**
   * How many images one invocation classifies at the same time.
   * @default 2
   */
  readonly concurrency?: number;
  /**
   * Where events go that still fail after Lambda's asynchronous retries (for example while the endpoint is not in
   * service yet). Objects that are not usable images do not fail the event; they get `<key>.error.json` instead.
   * @default - failed events are only logged (as `inbox-batch-failed`) and counted in the function's Errors metric
   */
  readonly onFailure?: lambda.IDestination;
}

/** Properties of an `InferenceFunction`. */
export interface InferenceFunctionProps {
  /** Name of the SageMaker endpoint that serves the Image Classification - TensorFlow model. */
  readonly endpointName: string;
  /**
   * Edge in pixels of the square image the model takes (the JumpStart model's input size, e.g. 224). Integer in
   * [32, 1024].
   */
  readonly imageSize: number;
  /**
   * Buckets whose objects callers may classify with `{"s3Uri": "s3://bucket/key"}`. The function may read any
   * object in them (`s3:GetObject`) and list them (`s3:ListBucket`, so a missing key is a 404, not a 403).
   * @default - none: only image bytes in the request (and the inbox, if any)
   */
  readonly readableBuckets?: s3.IBucket[];
  /**
   * Classify every image created under a prefix of a bucket (S3 event notification).
   * @default - no inbox
   */
  readonly inbox?: InferenceInbox;
  /**
   * How the code is packaged.
   * @default InferencePackaging.zip()
   */
  readonly packaging?: InferencePackaging;
  /**
   * Processor architecture.
   * @default - ARM_64 for a zip package; X86_64 for a container image (the platform @tensorflow/tfjs-node ships
   * prebuilt binaries for)
   */
  readonly architecture?: lambda.Architecture;
  /**
   * Memory of the function, in whole MiB between 128 MiB and 10240 MiB. Decoding a 12-megapixel photo in pure
   * JavaScript holds a few hundred MB, and Lambda's CPU share grows with memory.
   * @default Size.mebibytes(2048)
   */
  readonly memorySize?: Size;
  /**
   * Function timeout, at most 15 minutes.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Concurrent executions reserved for (and limiting) the function.
   * @default - no reservation: the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
  /**
   * Give the function a URL (auth type AWS_IAM, so callers sign requests with SigV4; see `grantInvoke`). Lambda offers
   * no function URLs in the China regions, AWS GovCloud (US), ap-east-2, ap-south-2, ap-southeast-4/5/6/7, ca-west-1,
   * eu-central-2, eu-south-2, il-central-1 and me-central-1: a stack there gets none by default (with a warning), and
   * `true` is refused. In an environment-agnostic stack the URL is created under `functionUrlCondition`, so only where
   * the deploy region offers it.
   * @default - true where Lambda offers function URLs
   */
  readonly functionUrl?: boolean;
  /**
   * The function's execution role, instead of a new one. The construct adds to it what the function needs: writing
   * to its log group, `sagemaker:InvokeEndpoint` on this endpoint, reading `readableBuckets`, reading and writing the
   * inbox prefix, and, with `vpc`, managing the function's network interfaces. It must trust `lambda.amazonaws.com`;
   * an immutable role (`iam.Role.fromRoleArn(..., { mutable: false })`) gets none of these, so give them yourself.
   * @default - a new role with exactly those permissions
   */
  readonly role?: iam.IRole;
  /**
   * Run the function in this VPC; it then needs a route to the SageMaker runtime and S3 (NAT or VPC endpoints).
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` to use.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the function's log group when it leaves the stack: kept with its retention, or deleted with its events.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * KMS key for the function's log group (the key policy is given a statement that lets CloudWatch Logs use it).
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Number of predictions returned when a request does not name `topK`. Integer in [1, 1000].
   * @default 5
   */
  readonly defaultTopK?: number;
  /**
   * Largest image accepted, in bytes of the encoded file (a Function URL request body is also limited to 6 MB).
   * @default Size.mebibytes(20)
   */
  readonly maxImageSize?: Size;
  /**
   * Largest image accepted, in pixels (width x height declared in the file's header, checked before decoding).
   * @default 50_000_000
   */
  readonly maxImagePixels?: number;
  /**
   * The model was trained with the `binaryMode` hyperparameter: the endpoint answers with one probability (of the
   * second of its two labels, in alphabetical order) and the function answers with both labels, the first with
   * 1 - p. `ImageClassifier` sets this from its `hyperparameters.binaryMode`.
   * @default false
   */
  readonly binaryMode?: boolean;
}

const MEMORY_RANGE_MIB = { min: 128, max: 10240 } as const;
const MAX_TIMEOUT = Duration.minutes(15);
const MAX_PREFIX_LENGTH = 512;
/**
 * The Lambda function that classifies images with the SageMaker endpoint: it validates the image, decodes it,
 * applies the EXIF orientation, resizes it to the model's input size and asks the endpoint for the top-k labels.
 *
 * It answers HTTP requests (its function URL, or an API Gateway HTTP API), direct invocations, and, with `inbox`,
 * S3 notifications; see `lambda/inference/handler.ts` for the request and response shapes.
 *
 * Its role may invoke only this endpoint, read only the given buckets (and the inbox prefix), and write only under
 * the inbox prefix.
 */
export class InferenceFunction extends InferenceFunctionBase {
  /**
   * The function, to add aliases, provisioned concurrency or environment variables (a `lambda.DockerImageFunction`
   * with `InferencePackaging.containerImage()`).
   */
  public readonly function: lambda.Function;
  /** The function URL (auth type AWS_IAM), unless `functionUrl: false` or the stack's region offers none. */
  public readonly functionUrl?: lambda.IFunctionUrl;
  /**
   * In an environment-agnostic stack, the CloudFormation condition under which the function URL exists (the deploy
   * region offers function URLs): give it to whatever refers to `functionUrl`, such as a `CfnOutput`'s `condition`.
   */
  public readonly functionUrlCondition?: CfnCondition;
  /** The function's execution role. */
  public readonly role: iam.IRole;
  /** The function's log group. */
  public readonly logGroup: logs.ILogGroup;
  protected readonly hasFunctionUrl: boolean;

  constructor(scope: Construct, id: string, props: InferenceFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const urlsOffered = functionUrlsOffered(stack);
    const problems = validateInferenceFunctionProps(props);
    if (props.functionUrl === true && urlsOffered === false) {
      problems.push(`functionUrl: Lambda offers no function URLs in ${stack.region}; remove functionUrl: true and call the `
        + 'function with lambda:InvokeFunction (grantInvoke) or put an API Gateway API in front of it');
    }
    if (problems.length > 0) {
      throw new Error(`${this.node.path}: invalid InferenceFunction props:\n  ${problems.join('\n  ')}`);
    }
    const packaging = props.packaging ?? InferencePackaging.zip();
    const container = packaging.kind === 'container-image';
    const architecture = props.architecture ?? (container ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY,
      encryptionKey: props.logEncryptionKey,
    });
    if (props.logEncryptionKey) allowLogsToUseKey(props.logEncryptionKey, stack);
    const role = props.role ?? new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the image classifier inference function for SageMaker endpoint ${props.endpointName}`,
    });
    this.role = role;
    this.logGroup.grantWrite(role);
    if (props.vpc) {
      // What AWSLambdaVPCAccessExecutionRole grants besides logs (which the log group grant covers), inline: Lambda
      // creates, describes and deletes the function's network interfaces with the execution role. Interfaces that do
      // not exist yet cannot be named, and the Describe actions have no resource type: IAM needs '*'.
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ManageVpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }));
      acknowledgeAnyResource(role, 'Lambda attaches a VPC function with network interfaces it creates, describes and '
        + 'deletes with the execution role (the actions of AWSLambdaVPCAccessExecutionRole); interfaces that do not exist '
        + 'yet cannot be named and the Describe actions have no resource type.');
    }

    const common: lambda.FunctionOptions = {
      description: `Classifies images with SageMaker endpoint ${props.endpointName}`,
      architecture,
      memorySize: (props.memorySize ?? Size.mebibytes(2048)).toMebibytes({ rounding: SizeRoundingBehavior.NONE }),
      timeout: props.timeout ?? Duration.seconds(60),
      reservedConcurrentExecutions: props.reservedConcurrency,
      role,
      logGroup: this.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      environment: functionEnvironment(props),
    };
    const fn = container
      ? new lambda.DockerImageFunction(this, 'Function', {
        ...common,
        code: lambda.DockerImageCode.fromImageAsset(lambdaSourceDirectory(), {
          file: 'Dockerfile',
          platform: architecture === lambda.Architecture.ARM_64 ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
        }),
      })
      : new lambda.Function(this, 'Function', {
        ...common,
        environment: { ...common.environment, ...SOURCE_MAPS_ENVIRONMENT },
        code: bundledLambdaCode('inference/index'),
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_24_X,
      });
    this.function = fn;

    this.grantEndpointInvoke(role, props.endpointName);
    for (const bucket of props.readableBuckets ?? []) grantReadBucket(role, bucket);
    if (props.inbox) this.connectInbox(fn, role, props.inbox);

    const noUrlHere = props.functionUrl === undefined && urlsOffered === false;
    this.hasFunctionUrl = !noUrlHere && (props.functionUrl ?? true);
    if (noUrlHere) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-image-classifier:functionUrlUnavailable', `No function URL: Lambda offers `
        + `none in ${stack.region}. Call the function with lambda:InvokeFunction (grantInvoke) or through an API Gateway API; `
        + 'set functionUrl: false to silence this warning.');
    } else if (this.hasFunctionUrl) {
      const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
      if (urlsOffered === undefined) {
        this.functionUrlCondition = functionUrlsOfferedCondition(stack);
        (url.node.defaultChild as lambda.CfnUrl).cfnOptions.condition = this.functionUrlCondition;
      }
      this.functionUrl = url;
    }
  }

  private grantEndpointInvoke(role: iam.IRole, endpointName: string): void {
    // SageMaker puts endpoint names in ARNs in lower case; a token is used as it resolves.
    const resourceName = Token.isUnresolved(endpointName) ? endpointName : endpointName.toLowerCase();
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'InvokeClassifierEndpoint',
      actions: ['sagemaker:InvokeEndpoint'],
      resources: [Stack.of(this).formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName })],
    }));
  }

  private connectInbox(fn: lambda.Function, role: iam.IRole, inbox: InferenceInbox): void {
    const objects = inbox.bucket.arnForObjects(`${inbox.prefix}*`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadAndWriteInbox',
      actions: ['s3:GetObject', 's3:PutObject'],
      // The images users drop in the inbox, and the results written next to them: names are only known per event.
      resources: [objects],
    }));
    acknowledgeWildcardResource(role, objects, 'The inbox is every object under its prefix: users name the images they '
      + 'drop there and the function writes <key>.prediction.json next to each, so keys are known only per S3 event.');
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ListInbox',
      actions: ['s3:ListBucket'],
      resources: [inbox.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${inbox.prefix}*`] } },
    }));
    // Reading SSE-KMS images decrypts; writing results asks for a data key (named actions, not kms:GenerateDataKey*).
    inbox.bucket.encryptionKey?.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    // One notification for the whole prefix: a suffix filter would miss `.JPG`. The function's own `.prediction.json`
    // and `.error.json` writes trigger it too; the handler skips them without reading them, so nothing loops.
    bucketForNotifications(this, 'InboxBucket', inbox.bucket)
      .addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fn), { prefix: inbox.prefix });
    acknowledgeBucketNotificationsHandler(this);
    if (inbox.onFailure) fn.configureAsyncInvoke({ onFailure: inbox.onFailure });
  }
}

function grantReadBucket(role: iam.IRole, bucket: s3.IBucket): void {
  const objects = bucket.arnForObjects('*');
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject'],
    // Callers name any object of a bucket the deployer listed as readable (`{"s3Uri": …}` requests).
    resources: [objects],
  }));
  acknowledgeWildcardResource(role, objects, 'Callers classify any object of a bucket the deployer listed in '
    + 'readableBuckets by naming its key ({"s3Uri": ...}), so keys are known only per request; s3:GetObject only.');
  // Without s3:ListBucket, S3 answers a missing key with 403 AccessDenied; with it, 404 NoSuchKey.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
  }));
  bucket.encryptionKey?.grantDecrypt(role);
}

function functionEnvironment(props: InferenceFunctionProps): Record<string, string> {
  const environment: Record<string, string> = {
    [EnvironmentVariable.ENDPOINT_NAME]: props.endpointName,
    [EnvironmentVariable.IMAGE_SIZE]: Tokenization.stringifyNumber(props.imageSize),
    [EnvironmentVariable.DEFAULT_TOP_K]: Tokenization.stringifyNumber(props.defaultTopK ?? DEFAULT_TOP_K),
    [EnvironmentVariable.MAX_IMAGE_BYTES]: Tokenization.stringifyNumber(props.maxImageSize?.toBytes({ rounding: SizeRoundingBehavior.FLOOR }) ?? DEFAULT_MAX_IMAGE_BYTES),
    [EnvironmentVariable.MAX_IMAGE_PIXELS]: Tokenization.stringifyNumber(props.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS),
    // Stack traces in the logs point into the TypeScript sources (the bundle ships its source map). Node reads the
    // map when the module loads: keep the bundle small (see EXTERNAL_MODULES), it was 3.8 MB with TensorFlow.js.
    NODE_OPTIONS: '--enable-source-maps',
  };
  if (props.binaryMode === true) environment[EnvironmentVariable.BINARY_MODE] = 'true';
  const buckets = props.readableBuckets ?? [];
  if (buckets.length > 0) environment[EnvironmentVariable.READABLE_BUCKETS] = buckets.map((bucket) => bucket.bucketName).join(',');
  if (props.inbox) {
    environment[EnvironmentVariable.INBOX_BUCKET] = props.inbox.bucket.bucketName;
    environment[EnvironmentVariable.INBOX_PREFIX] = props.inbox.prefix;
    environment[EnvironmentVariable.INBOX_CONCURRENCY] = Tokenization.stringifyNumber(props.inbox.concurrency ?? DEFAULT_INBOX_CONCURRENCY);
  }
  return environment;
}

function validateInferenceFunctionProps(props: InferenceFunctionProps): string[] {
  const problems: string[] = [];
  const integerIn = (name: string, value: number | undefined, range: { readonly min: number; readonly max: number }): void => {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
      problems.push(`${name} must be an integer in [${range.min}, ${range.max}], got ${value}`);
    }
  };
  if (!Token.isUnresolved(props.endpointName) && !isSageMakerName(props.endpointName)) {
    problems.push(`endpointName must be a SageMaker endpoint name (1-${SAGEMAKER_NAME_MAX_LENGTH} letters, digits and hyphens, ${SAGEMAKER_NAME_PATTERN.source}), got '${props.endpointName}'`);
  }
  integerIn('imageSize', props.imageSize, IMAGE_SIZE_RANGE);
  integerIn('defaultTopK', props.defaultTopK, TOP_K_RANGE);
  integerIn('reservedConcurrency', props.reservedConcurrency, { min: 0, max: Number.MAX_SAFE_INTEGER });
  integerIn('maxImagePixels', props.maxImagePixels, { min: 1, max: Number.MAX_SAFE_INTEGER });
  integerIn('inbox.concurrency', props.inbox?.concurrency, INBOX_CONCURRENCY_RANGE);
  const mib = props.memorySize?.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (mib !== undefined && !Token.isUnresolved(mib)) {
    if (!Number.isInteger(mib) || mib < MEMORY_RANGE_MIB.min || mib > MEMORY_RANGE_MIB.max) {
      problems.push(`memorySize must be a whole number of MiB in [${MEMORY_RANGE_MIB.min}, ${MEMORY_RANGE_MIB.max}], got ${mib} MiB`);
    }
  }
  const timeoutCheck = props.timeout ? wholeSeconds(props.timeout, 'timeout') : {};
  if (timeoutCheck.problem) problems.push(timeoutCheck.problem);
  if (props.timeout && !props.timeout.isUnresolved() && props.timeout.toMilliseconds() > MAX_TIMEOUT.toMilliseconds()) {
    problems.push(`timeout must be at most 15 minutes, got ${props.timeout.toHumanString()}`);
  }
  const maxImageBytes = props.maxImageSize?.toBytes({ rounding: SizeRoundingBehavior.FLOOR });
  if (maxImageBytes !== undefined && !Token.isUnresolved(maxImageBytes) && maxImageBytes < 1) {
    problems.push(`maxImageSize must be at least 1 byte, got ${maxImageBytes} bytes`);
  }
  if (props.binaryMode !== undefined && typeof props.binaryMode !== 'boolean') {
    problems.push('binaryMode must be true or false (not a token): the function must know at synth whether the model answers with one probability');
  }
  if (props.vpcSubnets && !props.vpc) {
    problems.push('vpcSubnets needs vpc');
  }
  problems.push(...logSettingsProblems(props));
  const prefix = props.inbox?.prefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix) && !isInboxPrefix(prefix)) {
    problems.push(
      `inbox.prefix must be a key prefix of 1-${MAX_PREFIX_LENGTH} letters, digits and ! - _ . ' in segments separated by '/', `
      + `with no leading '/' and no '*' or '?' (for example 'inbox/'), got '${prefix}'`,
    );
  }
  return problems;
}

function isInboxPrefix(prefix: string): boolean {
  return prefix.length <= MAX_PREFIX_LENGTH && /^[A-Za-z0-9!_.'-]+(\/[A-Za-z0-9!_.'-]+)*\/?$/.test(prefix)
    && !prefix.split('/').some((segment) => segment === '.' || segment === '..');
}

/** The handler source: TypeScript in the repository and the published package (`lambda/`), or compiled JavaScript
 * next to the compiled library (`dist/lambda/`). */

/** The `lambda/` directory that holds the Dockerfile: beside `lib/` in the repository, above `dist/` when compiled. */
function lambdaSourceDirectory(): string {
  const candidates = [path.join(__dirname, '..', '..', 'lambda'), path.join(__dirname, '..', '..', '..', 'lambda')];
  return path.dirname(findExisting(candidates.map((dir) => path.join(dir, 'Dockerfile')), 'lambda/Dockerfile'));
}

function findExisting(candidates: readonly string[], what: string): string {
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (found === undefined) throw new Error(`cannot find ${what}; looked for ${candidates.join(', ')}`);
  return found;
}
