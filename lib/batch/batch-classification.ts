import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_TOP_K, MAX_TOP_K } from '../../lambda/shared/batch-contract';
import { BATCH_TRANSFORM_TAG, iamResourceNames, transformJobPrefix } from '../../lambda/shared/sagemaker-names';
import { S3Folder } from '../dataset/dataset-bucket';
import { RetrainingSchedule } from '../pipeline/retraining-schedule';
import { wholeSeconds } from '../private/durations';
import { validateBatchInstanceType } from '../private/instance-type-checks';
import { allowLogsToUseKey } from '../private/kms-grants';
import { bundledLambdaCode, SOURCE_MAPS_ENVIRONMENT } from '../private/lambda-entry';
import { datasetPrefixProblem } from '../private/locations';
import { DEFAULT_LOG_REMOVAL_POLICY, logSettingsProblems } from '../private/log-groups';
import { acknowledgeAnyResource, acknowledgeWildcardResource, grantHolder } from '../private/nag';
import { functionRole, startOnNewObjects, startOnSchedule } from '../private/run-starters';
import { createAccessLogsBucket, createSecureBucket, S3_LOGS_USE_BUCKET_POLICY } from '../private/secure-bucket';
import { BatchInstanceType } from './batch-instance-type';
import { BatchModel, BatchModelConfig } from './batch-model';
import { batchRunDefinition } from './batch-run';
import { grantRunTransformJobs, grantTransformData, transformJobArnPattern } from './transform-job';
import { identityResourceName } from '../private/construct-identity';

/** Properties of a `BatchClassification`. */
export interface BatchClassificationProps {
  /** The model that classifies: a classifier's current model, or a SageMaker model by name. */
  readonly model: BatchModel;
  /**
   * The bucket holding the images to classify (under `inputPrefix`) and the results (under `outputPrefix`).
   * @default - a new secure bucket (encrypted, TLS only, versioned, access logs)
   */
  readonly bucket?: s3.IBucket;
  /**
   * Runs classify folders under this key prefix (without a trailing `/`; empty for the whole bucket).
   * @default 'batch/input'
   */
  readonly inputPrefix?: string;
  /**
   * Runs write their results under this key prefix (without a trailing `/`).
   * @default 'batch/output'
   */
  readonly outputPrefix?: string;
  /**
   * The Batch Transform instance type.
   * @default BatchInstanceType.ML_M5_XLARGE
   */
  readonly instanceType?: BatchInstanceType;
  /**
   * How many instances share the images of a run (1-100).
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * A transform job still running after this is stopped and the run fails (`TransformTimedOut`); 10 minutes to 5 days.
   * @default Duration.hours(6)
   */
  readonly maxRuntime?: Duration;
  /**
   * How many labels (with their probabilities) each result lists, unless a run sets `topK` (1-100).
   * @default 3
   */
  readonly topK?: number;
  /**
   * The model was trained with `binaryMode` (its answer is one probability).
   * @default false
   */
  readonly binaryMode?: boolean;
  /**
   * Classify every image under `inputPrefix` on a schedule, writing to `<outputPrefix>/scheduled/`.
   * @default RetrainingSchedule.DISABLED
   */
  readonly schedule?: RetrainingSchedule;
  /**
   * Classify every image under `inputPrefix` when new `.jpg`, `.jpeg` or `.png` images arrive there, writing to
   * `<outputPrefix>/new-images/`: at most one run per `quietPeriod`, and none while a run is in progress (images that
   * arrive then are classified by the next run).
   * @default false
   */
  readonly classifyNewImages?: boolean;
  /**
   * With `classifyNewImages`, the least time between two runs it starts (at least 5 minutes).
   * @default Duration.hours(1)
   */
  readonly quietPeriod?: Duration;
  /**
   * KMS key for the transform jobs' output and volumes, and the logs.
   * @default - SageMaker's and CloudWatch Logs' own encryption (the bucket's default encryption applies to the results)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long the execution history and the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** Image suffixes a new-images run is started for (EventBridge wildcards are case-sensitive). */
const IMAGE_SUFFIXES = ['.jpg', '.jpeg', '.png', '.JPG', '.JPEG', '.PNG'];

/**
 * Classifies every image under an S3 folder with SageMaker Batch Transform, started by a Standard Step Functions
 * state machine with `{"input": "s3://…/", "output": "s3://…/"}` (optionally `"modelName"` and `"topK"`), optionally
 * on a schedule or when new images arrive. A run lists the images and writes a manifest, runs one transform job (one
 * request per image, `application/x-image` in, `application/json;verbose` out), and consolidates the answers into
 * `<output>results.jsonl`, `results.csv` and `summary.json`. See `batch-run.ts` for the states and the named failures.
 *
 * Costs nothing while idle: the instances bill only during a run's transform job.
 */
export class BatchClassification extends Construct {
  /** The state machine that runs a batch. */
  public readonly stateMachine: sfn.StateMachine;
  /** The function that lists the images (`prepare`) and writes the results (`consolidate`). */
  public readonly function: lambda.IFunction;
  /** The bucket of the images and results. */
  public readonly bucket: s3.IBucket;
  /** The folder runs may read. */
  public readonly inputFolder: S3Folder;
  /** The folder runs may write. */
  public readonly outputFolder: S3Folder;
  /** The role the transform jobs read and write S3 with (the model's execution role). */
  public readonly modelRole: iam.IRole;
  /** The schedule, when set. */
  public readonly schedule?: scheduler.CfnSchedule;
  /** The function that starts a run when images arrive, with `classifyNewImages`. */
  public readonly newImagesTrigger?: lambda.IFunction;

  constructor(scope: Construct, id: string, props: BatchClassificationProps) {
    super(scope, id);
    // Before any child: the access log bucket of a bucket created here takes S3 log delivery through its policy.
    this.node.setContext(S3_LOGS_USE_BUCKET_POLICY, true);
    const inputPrefix = props.inputPrefix ?? 'batch/input';
    const outputPrefix = props.outputPrefix ?? 'batch/output';
    const problems = validateBatchProps(props, inputPrefix, outputPrefix);
    if (problems.length > 0) {
      throw new Error(`${this.node.path}: invalid BatchClassification props:\n  ${problems.join('\n  ')}`);
    }
    const stack = Stack.of(this);
    const model = props.model._bind();
    const key = props.encryptionKey;
    this.modelRole = model.role;
    this.bucket = props.bucket ?? this.createBucket(key);
    this.inputFolder = new S3Folder(this.bucket, folderPrefix(inputPrefix));
    this.outputFolder = new S3Folder(this.bucket, folderPrefix(outputPrefix));
    const logSettings = {
      encryptionKey: key,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY,
    };
    if (key) allowLogsToUseKey(key, stack);

    const functionLogs = new logs.LogGroup(this, 'FunctionLogs', logSettings);
    this.function = new lambda.Function(this, 'Function', {
      code: bundledLambdaCode('batch/index'),
      handler: 'index.handler',
      environment: { ...SOURCE_MAPS_ENVIRONMENT },
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      timeout: Duration.minutes(15),
      description: 'Batch classification: lists the images and writes the manifest, then consolidates the answers',
      role: functionRole(this, 'FunctionRole', 'Lists batch images and writes their results', functionLogs),
      logGroup: functionLogs,
    });
    this.grantFunctionData(this.function, key);
    const jobPrefix = transformJobPrefix(model.namePrefix, BATCH_TRANSFORM_TAG);
    grantTransformData(this.modelRole, {
      reads: [this.inputFolder], writes: [this.outputFolder], encryptionKey: key, transformJobNamePattern: iamResourceNames.transformJobs(jobPrefix),
    });

    const stateMachineLogs = new logs.LogGroup(this, 'Logs', logSettings);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: identityResourceName(this, { maxLength: 80, separator: '-' }),
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(batchRunDefinition({
        scope: this,
        inputUri: this.inputFolder.s3Uri,
        outputUri: this.outputFolder.s3Uri,
        model,
        jobPrefix,
        function: this.function,
        instanceType: props.instanceType ?? BatchInstanceType.ML_M5_XLARGE,
        instanceCount: props.instanceCount ?? 1,
        encryptionKey: key,
        maxRuntime: props.maxRuntime ?? Duration.hours(6),
        topK: props.topK ?? DEFAULT_TOP_K,
        binaryMode: props.binaryMode ?? false,
        tags: { 'sagemaker-image-classifier:feature': 'batch-classification' },
      })),
      tracingEnabled: true,
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      // The transform job's own limit, plus the listing and the consolidation (at most 15 minutes each) and retries.
      timeout: (props.maxRuntime ?? Duration.hours(6)).plus(Duration.hours(1)),
      comment: 'Classifies every image under an S3 folder with SageMaker Batch Transform',
    });
    const instanceType = props.instanceType ?? BatchInstanceType.ML_M5_XLARGE;
    this.grantRunPermissions(model, jobPrefix, instanceType.hasLocalStorage ? undefined : key);

    const schedule = props.schedule ?? RetrainingSchedule.DISABLED;
    if (schedule.expression) {
      this.schedule = startOnSchedule(this, {
        stateMachine: this.stateMachine,
        schedule,
        input: stack.toJsonString({ input: this.inputFolder.s3Uri, output: this.outputFolder.folder('scheduled').s3Uri }),
        description: 'Classifies every image of the batch input folder',
        roleDescription: 'Lets EventBridge Scheduler start batch classification runs',
      });
    }
    if (props.classifyNewImages) {
      this.newImagesTrigger = startOnNewObjects(this, {
        stateMachine: this.stateMachine,
        bucket: this.bucket,
        keyMatchers: events.Match.anyOf(...IMAGE_SUFFIXES.map((suffix) => events.Match.wildcard(`${this.inputFolder.keyPrefix}*${suffix}`))),
        quietPeriod: props.quietPeriod ?? Duration.hours(1),
        logGroup: logSettings,
        ids: { function: 'NewImagesTrigger', rule: 'NewImagesRule', bucket: 'NotifyingBucket' },
        description: 'Starts a batch classification run when new images arrive',
        ruleDescription: 'New images under the batch input folder',
        execution: {
          input: stack.toJsonString({ input: this.inputFolder.s3Uri, output: this.outputFolder.folder('new-images').s3Uri }),
          namePrefix: 'new-images',
        },
      });
    }
  }

  /** Lets `grantee` start a batch run (`states:StartExecution` on this state machine only). */
  public grantStart(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Lets `grantee` list and read the results under the output folder (and decrypt them). */
  public grantReadResults(grantee: iam.IGrantable): iam.Grant {
    const listing = iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      resource: this.bucket,
      conditions: { StringLike: { 's3:prefix': [`${this.outputFolder.keyPrefix}*`] } },
    });
    const holder = grantHolder(grantee);
    if (holder) acknowledgeWildcardResource(holder, this.outputFolder.objectsArn, RESULTS_REASON);
    const reading = iam.Grant.addToPrincipalOrResource({ grantee, actions: ['s3:GetObject'], resourceArns: [this.outputFolder.objectsArn], resource: this.bucket });
    this.bucket.encryptionKey?.grantDecrypt(grantee);
    return listing.combine(reading);
  }

  /** Batch runs started. */
  public metricRunsStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricStarted(props);
  }

  /** Batch runs that classified their images and wrote the results. */
  public metricRunsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }

  /** Batch runs that failed (bad input, no champion, no images, a failed or timed-out transform job, ...). */
  public metricRunsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /** How long runs take, in milliseconds. */
  public metricRunTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricTime(props);
  }

  private createBucket(key: kms.IKey | undefined): s3.IBucket {
    const accessLogs = createAccessLogsBucket(this, 'AccessLogsBucket', { removalPolicy: RemovalPolicy.RETAIN, retention: Duration.days(365) });
    return createSecureBucket(this, 'Bucket', {
      encryptionKey: key,
      serverAccessLogsBucket: accessLogs,
      removalPolicy: RemovalPolicy.RETAIN,
      noncurrentVersionExpiration: Duration.days(30),
    });
  }

  /**
   * The function lists the input folder (prepare), reads the manifest and the answers and writes the manifest and the
   * results in the output folder (consolidate, large files in parts). Listing the output folder lets a missing answer
   * read as NoSuchKey (an image without a result) rather than AccessDenied.
   */
  private grantFunctionData(fn: lambda.IFunction, key: kms.IKey | undefined): void {
    const role = fn.role!;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${this.inputFolder.keyPrefix}*`, `${this.outputFolder.keyPrefix}*`] } },
    }));
    acknowledgeWildcardResource(role, this.outputFolder.objectsArn, RESULTS_REASON);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      resources: [this.outputFolder.objectsArn],
    }));
    this.bucket.encryptionKey?.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    // The transform jobs' answers are encrypted with the output key.
    key?.grantDecrypt(role);
  }

  private grantRunPermissions(model: BatchModelConfig, jobPrefix: string, volumeKey: kms.IKey | undefined): void {
    const role = this.stateMachine.role;
    const stack = Stack.of(this);
    const jobs = transformJobArnPattern(this, iamResourceNames.transformJobs(jobPrefix.toLowerCase()));
    const models = model.iamModelNames.map((name) => stack.formatArn({ service: 'sagemaker', resource: 'model', resourceName: name }));
    grantRunTransformJobs(this, role, { transformJobArnPattern: jobs, modelArnPatterns: models, volumeEncryptionKey: volumeKey });
    // (The jobs' ARN pattern has one `?` per run id character and no `*`: cdk-nag has nothing to say about it.)
    acknowledgeAnyResource(role, 'X-Ray tracing (tracingEnabled) needs xray:PutTraceSegments, PutTelemetryRecords, '
      + 'GetSamplingRules and GetSamplingTargets, which have no resource type in IAM and accept only "*".');
    acknowledgeAnyResource(role, 'Step Functions delivers execution logs through CloudWatch Logs vended log delivery '
      + '(logs:CreateLogDelivery, PutResourcePolicy, Describe*...), whose actions have no resource type and accept only "*".');
    acknowledgeWildcardResource(role, `${this.function.functionArn}:*`, 'The LambdaInvoke tasks get lambda:InvokeFunction '
      + 'on the function and on <function ARN>:*, its versions and aliases: this batch classification\'s own function.');
  }

}

const RESULTS_REASON = 'A batch run reads the images under its input folder and writes the manifest and one result per '
  + 'image under its output folder: the keys are the users\' images, not known at deploy time. Scoped to the folder.';

function folderPrefix(prefix: string): string {
  return prefix === '' ? '' : `${prefix}/`;
}

function validateBatchProps(props: BatchClassificationProps, inputPrefix: string, outputPrefix: string): string[] {
  const problems: string[] = [...props.model.validate('model')];
  for (const [name, prefix] of [['inputPrefix', inputPrefix], ['outputPrefix', outputPrefix]] as const) {
    const problem = datasetPrefixProblem(prefix, name);
    if (problem) problems.push(problem);
  }
  if (outputPrefix === '') problems.push("outputPrefix must name a folder (for example 'batch/output'), got '' (the whole bucket)");
  else if (!Token.isUnresolved(inputPrefix) && (inputPrefix === '' || `${outputPrefix}/`.startsWith(`${inputPrefix}/`))) {
    problems.push(`outputPrefix '${outputPrefix}' must not be inside inputPrefix '${inputPrefix}': results would be classified as images `
      + "by the next run; use separate folders such as 'batch/input' and 'batch/output'");
  }
  if (props.instanceType) problems.push(...validateBatchInstanceType(props.instanceType, 'instanceType'));
  const count = props.instanceCount;
  if (count !== undefined && !Token.isUnresolved(count) && (!Number.isInteger(count) || count < 1 || count > 100)) {
    problems.push(`instanceCount must be a whole number from 1 to 100, got ${count}`);
  }
  const topK = props.topK;
  if (topK !== undefined && !Token.isUnresolved(topK) && (!Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K)) {
    problems.push(`topK must be a whole number from 1 to ${MAX_TOP_K}, got ${topK}`);
  }
  const runtime = props.maxRuntime ? wholeSeconds(props.maxRuntime, 'maxRuntime', 'refuse') : {};
  if (runtime.problem) problems.push(runtime.problem);
  if (runtime.seconds !== undefined && (runtime.seconds < 600 || runtime.seconds > 5 * 86400)) {
    problems.push(`maxRuntime must be between 10 minutes and 5 days, got ${props.maxRuntime!.toHumanString()}`);
  }
  if (props.quietPeriod && !props.classifyNewImages) problems.push('quietPeriod only applies with classifyNewImages: true');
  const quiet = props.quietPeriod ? wholeSeconds(props.quietPeriod, 'quietPeriod', 'refuse') : {};
  if (quiet.problem) problems.push(quiet.problem);
  if (quiet.seconds !== undefined && quiet.seconds < 300) problems.push(`quietPeriod must be at least 5 minutes, got ${props.quietPeriod!.toHumanString()}`);
  problems.push(...logSettingsProblems(props));
  return problems;
}
