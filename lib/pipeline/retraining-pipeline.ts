import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { wholeSeconds } from '../private/durations';
import { emailAddressProblem } from '../private/email-address';
import { allowLogsToUseKey, grantKeyForAwsResources } from '../private/kms-grants';
import { DEFAULT_LOG_REMOVAL_POLICY, logSettingsProblems } from '../private/log-groups';
import { functionRole, startOnNewObjects, startOnSchedule } from '../private/run-starters';
import { bundledLambdaCode, SOURCE_MAPS_ENVIRONMENT } from '../private/lambda-entry';
import { DeploymentStrategy } from './deployment-strategy';
import { RetrainingPipelineBase } from './retraining-pipeline-base';
import { PromotionMetric } from './promotion-metric';
import { RetrainingSchedule } from './retraining-schedule';
import { championParameterName } from '../../lambda/shared/cleanup-contract';
import { iamResourceNames, MAX_TRAINING_ATTEMPTS, RESOURCE_NAME_PREFIX_MAX_LENGTH } from '../../lambda/shared/sagemaker-names';
import type { PipelineConfig, TrainingOption } from '../../lambda/shared/pipeline-config';
import { CONTAINER_HYPERPARAMETERS } from '../private/algorithm-facts';
import { acknowledgeAnyResource, acknowledgeWildcardResource, SCALABLE_TARGETS_REASON } from '../private/nag';
import { Processor } from '../algorithm/algorithm-locations';
import { TrainingInstanceType } from '../training/training-instance-type';
import { validateTrainingInstanceType } from '../private/instance-type-checks';
import { TrainingJobDefinition } from '../training/training-job-definition';
import { BatchInstanceType } from '../batch/batch-instance-type';
import { grantRunTransformJobs, grantTransformData } from '../batch/transform-job';
import type { EndpointCapacity } from '../serving/endpoint-capacity';
import { validateBatchInstanceType } from '../private/instance-type-checks';
import { PhaseContext, PipelineArns } from './phases/context';
import { evaluate, selectTestSet } from './phases/evaluate';
import { deploy } from './phases/deploy';
import { failureAndCleanup } from './phases/failure';
import { gate } from './phases/gate';
import { guardAndPrepare } from './phases/guard';
import { promoteAndHousekeeping } from './phases/promote';
import { trainWithFallback } from './phases/train';
import { waitAndVerify } from './phases/verify';
import { identityResourceName } from '../private/construct-identity';

/**
 * What the pipeline needs of the endpoint it keeps up to date. `ClassifierEndpoint` provides it; the pipeline
 * sends the endpoint's own requests, so CloudFormation and the pipeline would create identical resources.
 */
export interface IRetrainableEndpoint {
  /** The endpoint's one stable name. */
  readonly endpointName: string;
  /** Models and endpoint configs of a run are named `<prefix>-<run id>`; at most 38 characters. */
  readonly resourceNamePrefix: string;
  readonly variantName: string;
  /** The role the model runs with; it must be able to read the trained models. */
  readonly role: iam.IRole;
  /** The endpoint's capacity: its processor decides the inference image, so the evaluation runs on the same kind. */
  readonly capacity: Pick<EndpointCapacity, 'processor'>;
  /** The key in the endpoint config, if any: creating the endpoint then needs kms:CreateGrant on it. */
  readonly encryptionKey?: kms.IKey;
  renderCreateModelRequest(options: { modelName: string; modelDataUrl: string }): object;
  renderCreateEndpointConfigRequest(options: { endpointConfigName: string; modelName: string }): object;
  /** Application Auto Scaling requests for instance capacity; undefined for serverless capacity. */
  renderScalingRequests(): { registerScalableTarget: object; putScalingPolicy: object } | undefined;
  grantPassRole(grantee: iam.IGrantable): iam.Grant;
  metricInvocation5XXErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Properties of a `RetrainingPipeline`. */
export interface RetrainingPipelineProps {
  /** What each run trains. */
  readonly training: TrainingJobDefinition;
  /** The endpoint each promotion updates (created by the first promotion). */
  readonly endpoint: IRetrainableEndpoint;
  /**
   * When to retrain on a schedule. Each tick starts at most one run.
   * @default RetrainingSchedule.WEEKLY
   */
  readonly schedule?: RetrainingSchedule;
  /**
   * Start a run when images are added under the dataset's training folder.
   * @default false
   */
  readonly retrainOnNewData?: boolean;
  /**
   * With `retrainOnNewData`, at most one run starts per quiet period, and none while a run is in progress.
   * @default Duration.hours(1)
   */
  readonly quietPeriod?: Duration;
  /**
   * Instance types to try in order when SageMaker has no capacity for the previous one (or the account's quota is
   * reached). A run may pick any of them with the `instanceType` input.
   * @default - the training definition's instance type, then ml.g5.xlarge, then ml.g4dn.xlarge
   */
  readonly trainingInstanceTypes?: TrainingInstanceType[];
  /**
   * A trained model is promoted only if its accuracy reaches this, 0-1: its accuracy on the test set, or without a
   * test set its validation accuracy.
   * @default 0.5
   */
  readonly minimumAccuracy?: number;
  /**
   * ...and beats the serving model by at least this much, 0-1: on `promotionMetric` over the same test images, or
   * without a test set on validation accuracy. A run's input may override it.
   * @default 0
   */
  readonly minimumImprovement?: number;
  /**
   * The test-set figure the gate compares: accuracy, or macro F1 (the mean of the per-class F1 scores, which weighs
   * a rare class as much as a common one). A run's input may override it.
   * @default PromotionMetric.ACCURACY
   */
  readonly promotionMetric?: PromotionMetric;
  /**
   * Without a `test/` folder in the dataset, this percentage of the training images (chosen by a hash of each key, so
   * the same images stay out as the dataset grows) is held out of training as the test set, and training reads the
   * rest through a manifest (S3DataType ManifestFile). 0 turns the hold-out off: with no `test/` folder, the gate then
   * compares validation accuracies.
   *
   * Off by default until it is proven on a real account: where a File-mode training job writes the objects of a
   * manifest channel is not documented, and one public report (aws/sagemaker-python-sdk#723) shows each object under
   * its full key, which would hide the class folders from the algorithm. A `test/` folder needs no manifest.
   * @default 0
   */
  readonly testHoldOutPercent?: number;
  /**
   * The instance type of the evaluation's Batch Transform jobs. Its processor must be the endpoint's (the model's
   * image is the endpoint's).
   * @default - ml.m5.xlarge for a CPU endpoint, ml.g4dn.xlarge for a GPU endpoint
   */
  readonly evaluationInstanceType?: BatchInstanceType;
  /**
   * How a promotion moves the endpoint to the new model. Rolls back on the pipeline's alarms.
   * @default DeploymentStrategy.allAtOnce() with a 10-minute baking period
   */
  readonly deployment?: DeploymentStrategy;
  /**
   * Roll back a deployment when the endpoint's average model latency exceeds this for 3 minutes.
   * @default Duration.seconds(2)
   */
  readonly latencyAlarmThreshold?: Duration;
  /**
   * How often the pipeline checks whether the endpoint is in service.
   * @default Duration.minutes(1)
   */
  readonly endpointPollInterval?: Duration;
  /**
   * A run fails if the endpoint is not in service with the new model after this long, or after the deployment's own
   * bounds (`maxExecutionTimeout` + `baking` + every traffic-shift `interval`, plus one poll) if they are longer: the
   * run never gives up on an update SageMaker may still complete.
   * @default Duration.hours(1)
   */
  readonly endpointTimeout?: Duration;
  /**
   * How many of the newest endpoint configs (and their models) to keep after a promotion, for rollback by hand.
   * @default 3
   */
  readonly keepVersions?: number;
  /**
   * Email address told of each run's outcome (the address must confirm the subscription).
   * @default - no email subscription; subscribe to `topic` yourself
   */
  readonly notificationEmail?: string;
  /**
   * KMS key for the notification topic and the state machine's logs.
   * @default - the topic is not encrypted and the logs use CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long the state machine's execution logs (and the pipeline's functions' logs) are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the pipeline's log groups when they leave the stack: kept with their retention, or deleted with their events.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** Fallbacks after the definition's own instance type, of the same processor (a CPU definition may pin CPU images). */
const DEFAULT_FALLBACKS: Record<Processor, TrainingInstanceType[]> = {
  [Processor.GPU]: [TrainingInstanceType.ML_G5_XLARGE, TrainingInstanceType.ML_G4DN_XLARGE],
  [Processor.CPU]: [TrainingInstanceType.ML_M5_2XLARGE, TrainingInstanceType.ML_C5_2XLARGE],
};

/**
 * A Standard Step Functions state machine that retrains the classifier and promotes a better model to the same
 * endpoint, with its triggers (a schedule, optionally new data, or `StartExecution` by hand), alarms, notification
 * topic and champion record.
 *
 * A run: checks no other run is in progress → validates the input and names everything → trains
 * (createTrainingJob.sync, falling back to the next instance type on a capacity error) → compares the validation
 * accuracy with the floor and the serving model's → creates the model and endpoint config → creates the endpoint or
 * updates it blue/green with a DeploymentConfig and alarm rollback → waits until it is in service on this run's
 * config (anything else, including a silent rollback, fails the run) → records the new champion → registers
 * autoscaling → deletes superseded versions → notifies. Any failure cleans up what the run started (see
 * `phases/failure.ts`), keeps the champion record true to what the endpoint serves, notifies once and ends in Fail,
 * so that the run can be redriven. Each phase is a module under `phases/`.
 *
 * The endpoint belongs to the pipeline, not to CloudFormation: a later `cdk deploy` never reverts a promoted model.
 * A pipeline deployed by another app is imported with `RetrainingPipeline.fromStateMachineArn`.
 */
export class RetrainingPipeline extends RetrainingPipelineBase {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** Run outcomes are published here. */
  public readonly topic: sns.ITopic;
  /**
   * The last promotion (run id, validation accuracy, model artifact, names and time, as JSON) in the SSM parameter
   * `/sagemaker-image-classifier/<endpoint name>/champion`. The pipeline creates and writes it; it is not part of the
   * template (absent until the first promotion). Grant reads with `championParameter.grantRead(grantee)`.
   */
  public readonly championParameter: ssm.IStringParameter;
  /** Roll back a deployment when they fire: endpoint 5xx errors and model latency. */
  public readonly rollbackAlarms: cloudwatch.Alarm[];
  /** The function that validates run input and decides promotions. */
  public readonly stepFunction: lambda.IFunction;
  /** The function that selects each run's test set and scores the models' predictions on it. */
  public readonly evaluationFunction: lambda.IFunction;
  /** The function started by new images, when `retrainOnNewData` is set. */
  public readonly newDataTrigger?: lambda.IFunction;
  /** The schedule, unless disabled. */
  public readonly schedule?: scheduler.CfnSchedule;
  /** The name of the endpoint the pipeline retrains (a literal string). */
  public readonly endpointName: string;

  private readonly props: RetrainingPipelineProps;
  private readonly arns: PipelineArns;

  constructor(scope: Construct, id: string, props: RetrainingPipelineProps) {
    super(scope, id);
    this.props = props;
    const definitionProcessor = props.training.requiredProcessor() ?? props.training.instanceType.processor ?? Processor.GPU;
    const instanceTypes = uniqueTypes([props.training.instanceType, ...(props.trainingInstanceTypes ?? DEFAULT_FALLBACKS[definitionProcessor])]);
    const deployment = props.deployment ?? DeploymentStrategy.allAtOnce();
    const problems = validatePipelineProps(props, instanceTypes, deployment);
    if (problems.length > 0) {
      throw new Error(`${this.node.path}: invalid RetrainingPipeline props:\n  ${problems.join('\n  ')}`);
    }
    const stack = Stack.of(this);
    const endpoint = props.endpoint;
    this.endpointName = endpoint.endpointName;
    const stateMachineName = identityResourceName(this, { maxLength: 80, separator: '-' });
    this.arns = pipelineArns(stack, endpoint, stateMachineName);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Image classifier retraining',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    if (props.notificationEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));
    }
    // The pipeline's own parameter, named after the endpoint: created by its first promotion, written only by its
    // runs, deleted by the cleanup with the endpoint. Never a template resource, so no deploy can change or reset it,
    // and moving the construct keeps it.
    this.championParameter = ssm.StringParameter.fromStringParameterAttributes(this, 'Champion', {
      parameterName: championParameterName(endpoint.endpointName),
      simpleName: false,
    });
    this.rollbackAlarms = this.createRollbackAlarms(endpoint);

    const stepFunctionLogs = new logs.LogGroup(this, 'StepFunctionLogs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY,
    });
    this.stepFunction = new lambda.Function(this, 'StepFunction', {
      code: bundledLambdaCode('pipeline/index'),
      handler: 'index.handler',
      environment: { ...SOURCE_MAPS_ENVIRONMENT },
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      description: 'Retraining pipeline: validates run input, names resources, decides promotions',
      role: functionRole(this, 'StepFunctionRole', 'Runs the retraining pipeline\'s step function (pure: it calls no AWS API)', stepFunctionLogs),
      logGroup: stepFunctionLogs,
    });

    this.evaluationFunction = this.createEvaluationFunction(props);

    const config: PipelineConfig = {
      resourceNamePrefix: endpoint.resourceNamePrefix,
      hyperparameters: props.training.hyperparameters,
      containerHyperparameters: { ...CONTAINER_HYPERPARAMETERS },
      trainingOptions: instanceTypes.map((type) => this.trainingOption(type)),
      ...(props.training.spot ? { checkpointPrefix: props.training.checkpoints.s3Uri } : {}),
      evaluation: {
        datasetUri: props.training.dataset.root.s3Uri,
        outputUri: props.training.evaluationOutput.s3Uri,
        holdOutPercent: props.testHoldOutPercent ?? DEFAULT_HOLD_OUT_PERCENT,
      },
      promotion: {
        metric: (props.promotionMetric ?? PromotionMetric.ACCURACY).name,
        minimumImprovement: props.minimumImprovement ?? 0,
      },
    };

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(this.definition(config, deployment)),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      timeout: Duration.days(3),
      comment: 'Retrains the image classifier and promotes a better model to the endpoint',
    });
    // The role's '*' statements: the ListEndpointConfigs task's (see promotionSteps), and the two aws-cdk-lib adds
    // for tracingEnabled and logs.
    acknowledgeAnyResource(this.stateMachine.role, 'sagemaker:ListEndpointConfigs (the ListEndpointConfigs task) has no '
      + 'resource type in IAM and accepts only "*"; it returns names only, and the deletes that follow are scoped to exact '
      + '<prefix>-<run id> ARNs.');
    acknowledgeAnyResource(this.stateMachine.role, 'X-Ray tracing (tracingEnabled) needs xray:PutTraceSegments, '
      + 'PutTelemetryRecords, GetSamplingRules and GetSamplingTargets, which have no resource type in IAM and accept only "*".');
    acknowledgeAnyResource(this.stateMachine.role, 'Step Functions delivers execution logs through CloudWatch Logs vended '
      + 'log delivery (logs:CreateLogDelivery, PutResourcePolicy, Describe*...), whose actions have no resource type and accept only "*".');
    acknowledgeWildcardResource(this.stateMachine.role, `${this.stepFunction.functionArn}:*`, 'The LambdaInvoke tasks '
      + 'get lambda:InvokeFunction on the function and on <function ARN>:*, its versions and aliases (the only things after '
      + 'the colon): this pipeline\'s own step function.');
    acknowledgeWildcardResource(this.stateMachine.role, `${this.evaluationFunction.functionArn}:*`, 'The LambdaInvoke tasks '
      + 'get lambda:InvokeFunction on the function and on <function ARN>:*, its versions and aliases (the only things after '
      + 'the colon): this pipeline\'s own evaluation function.');
    this.grantRunPermissions();

    const schedule = props.schedule ?? RetrainingSchedule.WEEKLY;
    if (schedule.expression) {
      this.schedule = startOnSchedule(this, {
        stateMachine: this.stateMachine,
        schedule,
        input: JSON.stringify({ trigger: 'schedule' }),
        description: 'Starts the image classifier retraining pipeline',
        roleDescription: 'Lets EventBridge Scheduler start the retraining pipeline',
      });
    }
    if (props.retrainOnNewData) this.newDataTrigger = this.createNewDataTrigger(props);
  }

  /** The training request parts that depend on the instance type, rendered by the definition itself. */
  private trainingOption(type: TrainingInstanceType): TrainingOption {
    const request = this.props.training.renderRequest({ trainingJobName: 'instance-type-probe', instanceType: type });
    return {
      instanceType: type.name,
      trainingImage: request.AlgorithmSpecification.TrainingImage,
      resourceConfig: { ...request.ResourceConfig },
    };
  }

  private createRollbackAlarms(endpoint: IRetrainableEndpoint): cloudwatch.Alarm[] {
    const threshold = this.props.latencyAlarmThreshold ?? Duration.seconds(2);
    return [
      new cloudwatch.Alarm(this, 'Endpoint5xxAlarm', {
        alarmDescription: 'Endpoint invocations fail with 5xx; rolls back a deployment in progress',
        metric: endpoint.metricInvocation5XXErrors({ statistic: 'Sum', period: Duration.minutes(1) }),
        threshold: 1,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'EndpointLatencyAlarm', {
        alarmDescription: `Average model latency above ${threshold.toHumanString()}; rolls back a deployment in progress`,
        // ModelLatency is reported in microseconds.
        metric: endpoint.metricModelLatency({ statistic: 'Average', period: Duration.minutes(1) }),
        threshold: threshold.toMilliseconds() * 1000,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
  }

  /**
   * The run, phase by phase, as the README's diagram draws it: guard and prepare → select the test set → train with
   * fallback → evaluate → gate → deploy → wait and verify → promote and housekeeping; any failure → failure and
   * cleanup.
   */
  private definition(config: PipelineConfig, deployment: DeploymentStrategy): sfn.IChainable {
    const props = this.props;
    const ctx: PhaseContext = {
      scope: this,
      training: props.training,
      endpoint: props.endpoint,
      arns: this.arns,
      topic: this.topic,
      championParameter: this.championParameter,
      stepFunction: this.stepFunction,
      evaluationFunction: this.evaluationFunction,
      evaluation: {
        instanceType: evaluationInstanceType(props),
        maxRuntime: EVALUATION_TIMEOUT,
        encryptionKey: props.endpoint.encryptionKey,
      },
      config,
      deployment,
      scaling: props.endpoint.renderScalingRequests(),
      // Names CloudFormation makes: a fixed name would be lost when the construct moves (CloudFormation creates the
      // alarm under the new logical id, then deletes the old one, by the same name, at the end of the update).
      rollbackAlarmNames: [this.rollbackAlarms[0].alarmName, this.rollbackAlarms[1].alarmName],
      minimumAccuracy: props.minimumAccuracy ?? 0.5,
      minimumImprovement: props.minimumImprovement ?? 0,
      keepVersions: props.keepVersions ?? 3,
      pollIntervalSeconds: (props.endpointPollInterval ?? Duration.minutes(1)).toSeconds(),
      endpointTimeoutSeconds: (props.endpointTimeout ?? Duration.hours(1)).toSeconds(),
    };
    // Every phase's errors enter the failure phase; each phase continues to the one below it.
    const failure = failureAndCleanup(ctx);
    return guardAndPrepare(ctx, failure,
      selectTestSet(ctx, failure,
        trainWithFallback(ctx, failure,
          evaluate(ctx, failure,
            gate(ctx, failure,
              deploy(ctx, failure,
                waitAndVerify(ctx, failure,
                  promoteAndHousekeeping(ctx, failure))))))));
  }

  /**
   * What the optimized SageMaker integrations (custom states) need; CDK adds the SDK-call tasks' own statements,
   * each scoped to the ARNs passed as `iamResources`.
   */
  private grantRunPermissions(): void {
    const role = this.stateMachine.role;
    const endpoint = this.props.endpoint;
    const stack = Stack.of(this);
    const key = this.props.encryptionKey;
    if (key) {
      // Publishing to the encrypted topic; the topic's and the logs' use of the key.
      key.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
      allowLogsToUseKey(key, stack);
    }
    // CreateEndpoint/UpdateEndpoint with a KmsKeyId make SageMaker create grants under the caller's identity.
    if (endpoint.encryptionKey) grantKeyForAwsResources(endpoint.encryptionKey, role);
    const statements = [
      new iam.PolicyStatement({
        sid: 'RunTrainingJobs',
        // sagemaker:StopTrainingJob, which createTrainingJob.sync also needs (to stop the job of an aborted execution),
        // is granted on the same ARNs by the failure phase's StopRunTrainingJob task.
        actions: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:ListTags'],
        resources: [this.arns.trainingJobs],
      }),
      new iam.PolicyStatement({
        sid: 'WatchTrainingJobs',
        // createTrainingJob.sync follows the job through this EventBridge managed rule.
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [`arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule`],
      }),
      new iam.PolicyStatement({
        sid: 'CreateModelVersions',
        actions: ['sagemaker:CreateModel', 'sagemaker:CreateEndpointConfig', 'sagemaker:ListTags'],
        resources: [this.arns.models, this.arns.endpointConfigs],
      }),
      new iam.PolicyStatement({
        sid: 'DeployEndpoint',
        actions: ['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:ListTags'],
        resources: [this.arns.endpoint, this.arns.endpointConfigs],
      }),
    ];
    if (endpoint.renderScalingRequests()) {
      // Target tracking creates and removes its own alarms, named TargetTracking-<resource id>-AlarmHigh-<uuid>: '*'
      // for the rest of the names under this endpoint's resource id.
      const scalingAlarms = `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:TargetTracking-endpoint/${endpoint.endpointName}/*`;
      acknowledgeWildcardResource(role, scalingAlarms, 'Target tracking names the alarms it creates and removes '
        + 'TargetTracking-endpoint/<endpoint>/variant/<variant>-AlarmHigh|AlarmLow-<uuid>, with a uuid chosen by Application '
        + 'Auto Scaling: the wildcard is limited to this endpoint\'s alarms.');
      acknowledgeWildcardResource(role, this.arns.scalableTargets, SCALABLE_TARGETS_REASON);
      statements.push(
        new iam.PolicyStatement({
          sid: 'ScalingAlarms',
          actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms'],
          resources: [scalingAlarms],
        }),
        new iam.PolicyStatement({
          sid: 'AutoScalingServiceLinkedRole',
          actions: ['iam:CreateServiceLinkedRole'],
          resources: [`arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`],
          conditions: { StringLike: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } },
        }),
      );
    }
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    this.props.training.grantPassRole(role);
    endpoint.grantPassRole(role);
    this.props.training.grantReadModels(endpoint.role);
    this.grantEvaluationData();
  }

  /**
   * The evaluation: the state machine runs the transform jobs of this pipeline's run models; the model role (as which
   * Batch Transform runs) reads the test images and the test manifest, writes the predictions and the job's logs;
   * the training role reads a hold-out's training manifest. Manifests and predictions are under the training
   * definition's evaluation folder, one folder per run.
   */
  private grantEvaluationData(): void {
    const training = this.props.training;
    const endpoint = this.props.endpoint;
    grantRunTransformJobs(this, this.stateMachine.role, {
      transformJobArnPattern: this.arns.transformJobs,
      modelArnPatterns: [this.arns.models],
      volumeEncryptionKey: evaluationInstanceType(this.props).hasLocalStorage ? undefined : endpoint.encryptionKey,
    });
    // Writes the predictions and the job's logs (/aws/sagemaker/TransformJobs, streams after the job names).
    grantTransformData(endpoint.role, {
      reads: [training.dataset.root],
      writes: [training.evaluationOutput],
      encryptionKey: endpoint.encryptionKey,
      transformJobNamePattern: iamResourceNames.evaluationTransformJobs(endpoint.resourceNamePrefix),
    });
    const folder = training.evaluationOutput;
    iam.Grant.addToPrincipalOrResource({ grantee: training.role, actions: ['s3:GetObject'], resourceArns: [folder.objectsArn], resource: folder.bucket });
    folder.bucket.encryptionKey?.grantDecrypt(training.role);
    acknowledgeWildcardResource(training.role, folder.objectsArn, 'A hold-out run trains on <evaluation folder>/<run id>/training.manifest; '
      + 'run ids are made per run, so the grant covers the evaluation folder.');
  }

  /** The evaluation function: selects each run's test set and scores predictions (lambda/evaluation). */
  private createEvaluationFunction(props: RetrainingPipelineProps): lambda.IFunction {
    const logGroup = new logs.LogGroup(this, 'EvaluationFunctionLogs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY,
    });
    const role = functionRole(this, 'EvaluationFunctionRole', 'Selects the test set of a retraining run and scores the models on it', logGroup);
    const fn = new lambda.Function(this, 'EvaluationFunction', {
      code: bundledLambdaCode('evaluation/index'),
      handler: 'index.handler',
      environment: { ...SOURCE_MAPS_ENVIRONMENT },
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      // Listing a large dataset and rendering the report of a large test set take longer than the steps.
      timeout: Duration.minutes(5),
      description: 'Retraining pipeline: selects the test set, scores predictions, writes the evaluation report',
      role,
      logGroup,
    });
    // Lists the dataset's training/ and test/ folders (the listing gives the keys and ETags it needs); writes manifests
    // and reports and reads predictions under the evaluation folder, listing it so that a missing answer is a 404.
    const folder = props.training.evaluationOutput;
    const dataset = props.training.dataset;
    iam.Grant.addToPrincipalOrResource({
      grantee: role,
      actions: ['s3:ListBucket'],
      resourceArns: [dataset.bucket.bucketArn],
      resource: dataset.bucket,
      conditions: { StringLike: { 's3:prefix': [`${dataset.trainingData.keyPrefix}*`, `${dataset.root.keyPrefix}test/*`] } },
    });
    iam.Grant.addToPrincipalOrResource({ grantee: role, actions: ['s3:GetObject', 's3:PutObject'], resourceArns: [folder.objectsArn], resource: folder.bucket });
    iam.Grant.addToPrincipalOrResource({
      grantee: role,
      actions: ['s3:ListBucket'],
      resourceArns: [folder.bucket.bucketArn],
      resource: folder.bucket,
      conditions: { StringLike: { 's3:prefix': [`${folder.keyPrefix}*`] } },
    });
    folder.bucket.encryptionKey?.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    acknowledgeWildcardResource(role, folder.objectsArn, 'The evaluation writes and reads <evaluation folder>/<run id>/ '
      + '(manifests, predictions named after the test images, reports): run ids are made per run.');
    return fn;
  }

  private createNewDataTrigger(props: RetrainingPipelineProps): lambda.IFunction {
    const dataset = props.training.dataset;
    return startOnNewObjects(this, {
      stateMachine: this.stateMachine,
      bucket: dataset.bucket,
      keyMatchers: [{ prefix: dataset.trainingData.keyPrefix }],
      quietPeriod: props.quietPeriod ?? Duration.hours(1),
      logGroup: {
        encryptionKey: props.encryptionKey,
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: props.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY,
      },
      ids: { function: 'NewDataTrigger', rule: 'NewDataRule', bucket: 'DatasetBucket' },
      description: 'Starts a retraining run when new images arrive',
      ruleDescription: 'New images under the training folder',
    });
  }
}

function validatePipelineProps(props: RetrainingPipelineProps, types: TrainingInstanceType[], deployment: DeploymentStrategy): string[] {
  const problems: string[] = [];
  types.forEach((type, index) => problems.push(...validateTrainingInstanceType(type, `trainingInstanceTypes[${index}]`, props.training.requiredProcessor())));
  if (types.length > MAX_TRAINING_ATTEMPTS) problems.push(`trainingInstanceTypes may list at most ${MAX_TRAINING_ATTEMPTS} types, got ${types.length}`);
  for (const name of ['minimumAccuracy', 'minimumImprovement'] as const) {
    const value = props[name];
    if (value !== undefined && !Token.isUnresolved(value) && !(value >= 0 && value <= 1)) {
      problems.push(`${name} must be a number in [0, 1], got ${value}`);
    }
  }
  const keep = props.keepVersions;
  if (keep !== undefined && !Token.isUnresolved(keep) && (!Number.isInteger(keep) || keep < 1 || keep > 50)) {
    problems.push(`keepVersions must be a whole number in [1, 50] (the serving version is always kept), got ${keep}`);
  }
  const poll = props.endpointPollInterval ? wholeSeconds(props.endpointPollInterval, 'endpointPollInterval', 'refuse') : {};
  if (poll.problem) problems.push(poll.problem);
  if (poll.seconds !== undefined && (poll.seconds < 10 || poll.seconds > 3600)) {
    problems.push(`endpointPollInterval must be between 10 seconds and 1 hour, got ${props.endpointPollInterval!.toHumanString()}`);
  }
  const timeout = props.endpointTimeout ? wholeSeconds(props.endpointTimeout, 'endpointTimeout', 'refuse') : {};
  if (timeout.problem) problems.push(timeout.problem);
  if (timeout.seconds !== undefined && (timeout.seconds < 300 || timeout.seconds > 12 * 3600)) {
    problems.push(`endpointTimeout must be between 5 minutes and 12 hours, got ${props.endpointTimeout!.toHumanString()}`);
  }
  if (props.quietPeriod && !props.retrainOnNewData) problems.push('quietPeriod only applies with retrainOnNewData: true');
  const quiet = props.quietPeriod ? wholeSeconds(props.quietPeriod, 'quietPeriod', 'refuse') : {};
  if (quiet.problem) problems.push(quiet.problem);
  if (quiet.seconds !== undefined && quiet.seconds < 300) {
    problems.push(`quietPeriod must be at least 5 minutes, got ${props.quietPeriod!.toHumanString()}`);
  }
  const emailProblem = props.notificationEmail === undefined ? undefined : emailAddressProblem(props.notificationEmail, 'notificationEmail');
  if (emailProblem) problems.push(emailProblem);
  if (props.endpoint.resourceNamePrefix.length > RESOURCE_NAME_PREFIX_MAX_LENGTH) {
    problems.push(`endpoint.resourceNamePrefix must be at most ${RESOURCE_NAME_PREFIX_MAX_LENGTH} characters, got '${props.endpoint.resourceNamePrefix}'`);
  }
  problems.push(...evaluationProblems(props));
  problems.push(...deployment.validate('deployment'));
  problems.push(...logSettingsProblems(props));
  return problems;
}

const DEFAULT_HOLD_OUT_PERCENT = 0;
/** A transform job has no stopping condition: its task gives up after this (a test set of thousands takes minutes). */
const EVALUATION_TIMEOUT = Duration.hours(3);

/** The evaluation's instance type: the prop, or a type of the endpoint's processor (the model's image is the endpoint's). */
function evaluationInstanceType(props: RetrainingPipelineProps): BatchInstanceType {
  return props.evaluationInstanceType
    ?? (props.endpoint.capacity.processor === Processor.GPU ? BatchInstanceType.ML_G4DN_XLARGE : BatchInstanceType.ML_M5_XLARGE);
}

function evaluationProblems(props: RetrainingPipelineProps): string[] {
  const problems: string[] = [];
  const percent = props.testHoldOutPercent;
  if (percent !== undefined && !Token.isUnresolved(percent) && !(Number.isInteger(percent) && percent >= 0 && percent <= 50)) {
    problems.push(`testHoldOutPercent must be a whole number in [0, 50] (0 turns the hold-out off), got ${percent}`);
  }
  const type = props.evaluationInstanceType;
  if (type) {
    const typeProblems = validateBatchInstanceType(type, 'evaluationInstanceType');
    problems.push(...typeProblems);
    const processor = props.endpoint.capacity.processor;
    if (typeProblems.length === 0 && !Token.isUnresolved(type.name) && type.processor !== processor) {
      const suggestion = processor === Processor.GPU ? 'ml.g4dn.xlarge' : 'ml.m5.xlarge';
      const [given, needed] = [String(type.processor).toUpperCase(), processor.toUpperCase()];
      problems.push(`evaluationInstanceType '${type.name}' is a ${given} type but the endpoint's model uses the ${needed} `
        + `image: use a ${needed} type such as '${suggestion}', or leave evaluationInstanceType unset`);
    }
  }
  return problems;
}

function uniqueTypes(types: TrainingInstanceType[]): TrainingInstanceType[] {
  const seen = new Map<string, TrainingInstanceType>();
  for (const type of types) if (!seen.has(type.name)) seen.set(type.name, type);
  return [...seen.values()];
}

function lower(name: string): string {
  return Token.isUnresolved(name) ? name : name.toLowerCase();
}

function pipelineArns(stack: Stack, endpoint: IRetrainableEndpoint, stateMachineName: string): PipelineArns {
  const sagemaker = (resource: string) => `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:${resource}`;
  const runResource = iamResourceNames.runResources(lower(endpoint.resourceNamePrefix));
  return {
    endpoint: sagemaker(`endpoint/${lower(endpoint.endpointName)}`),
    endpointConfigs: sagemaker(`endpoint-config/${runResource}`),
    models: sagemaker(`model/${runResource}`),
    trainingJobs: sagemaker(`training-job/${iamResourceNames.trainingJobs(lower(endpoint.resourceNamePrefix))}`),
    transformJobs: sagemaker(`transform-job/${iamResourceNames.evaluationTransformJobs(lower(endpoint.resourceNamePrefix))}`),
    stateMachine: `arn:${stack.partition}:states:${stack.region}:${stack.account}:stateMachine:${stateMachineName}`,
    // '*': the random id a scalable target gets at registration (see SCALABLE_TARGETS_REASON).
    scalableTargets: `arn:${stack.partition}:application-autoscaling:${stack.region}:${stack.account}:scalable-target/*`,
  };
}
