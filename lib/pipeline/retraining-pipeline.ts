import { Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { wholeSeconds } from '../private/durations';
import { allowLogsToUseKey, grantKeyForAwsResources } from '../private/kms-grants';
import { bundledLambdaCode, SOURCE_MAPS_ENVIRONMENT } from '../private/lambda-entry';
import { DeploymentStrategy } from './deployment-strategy';
import { RetrainingSchedule } from './retraining-schedule';
import { RUN_ID_IAM_WILDCARD } from '../../lambda/cleanup/contract';
import type { PipelineConfig, TrainingOption } from '../../lambda/pipeline/prepare-run';
import { CONTAINER_HYPERPARAMETERS, VALIDATION_ACCURACY_METRIC } from '../private/algorithm-facts';
import { acknowledgeAnyResource, acknowledgeBucketNotificationsHandler, acknowledgeWildcardResource, SCALABLE_TARGETS_REASON } from '../private/nag';
import { Processor } from '../algorithm/algorithm-locations';
import { TrainingInstanceType } from '../training/training-instance-type';
import { validateTrainingInstanceType } from '../private/instance-type-checks';
import { TrainingJobDefinition } from '../training/training-job-definition';

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
   * A trained model is promoted only if its validation accuracy reaches this, 0-1.
   * @default 0.5
   */
  readonly minimumAccuracy?: number;
  /**
   * ...and beats the serving model's validation accuracy by at least this much, 0-1.
   * @default 0
   */
  readonly minimumImprovement?: number;
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
   * A run fails if the endpoint is not in service with the new model after this long.
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
   * How long the state machine's execution logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Fallbacks after the definition's own instance type, of the same processor (a CPU definition may pin CPU images). */
const DEFAULT_FALLBACKS: Record<Processor, TrainingInstanceType[]> = {
  [Processor.GPU]: [TrainingInstanceType.ML_G5_XLARGE, TrainingInstanceType.ML_G4DN_XLARGE],
  [Processor.CPU]: [TrainingInstanceType.ML_M5_2XLARGE, TrainingInstanceType.ML_C5_2XLARGE],
};
/** Errors of SageMaker API calls worth retrying; the optimized integration reports throttling under these names [U]. */
const THROTTLING_ERRORS = ['SageMaker.AmazonSageMakerException', 'SageMaker.ThrottlingException', 'ThrottlingException', 'States.Timeout'];
const TRANSITIONAL_ENDPOINT_STATES = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack'];

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
 * autoscaling → deletes superseded versions → notifies. Any failure deletes what the run created that nothing uses,
 * notifies and ends in Fail, so that the run can be redriven.
 *
 * The endpoint belongs to the pipeline, not to CloudFormation: a later `cdk deploy` never reverts a promoted model.
 */
export class RetrainingPipeline extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** Run outcomes are published here. */
  public readonly topic: sns.ITopic;
  /** The last promotion: run id, validation accuracy, model artifact, names and time, as JSON. */
  public readonly championParameter: ssm.IStringParameter;
  /** Roll back a deployment when they fire: endpoint 5xx errors and model latency. */
  public readonly rollbackAlarms: cloudwatch.Alarm[];
  /** The function that validates run input and decides promotions. */
  public readonly stepFunction: lambda.IFunction;
  /** The function started by new images, when `retrainOnNewData` is set. */
  public readonly newDataTrigger?: lambda.IFunction;
  /** The schedule, unless disabled. */
  public readonly schedule?: scheduler.CfnSchedule;

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
    const stateMachineName = Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    this.arns = pipelineArns(stack, endpoint, stateMachineName);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Image classifier retraining',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    if (props.notificationEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));
    }
    this.championParameter = new ssm.StringParameter(this, 'Champion', {
      description: 'The model the retraining pipeline last promoted (JSON); the pipeline overwrites it',
      stringValue: JSON.stringify({ runId: 'none', validationAccuracy: -1 }),
    });
    this.rollbackAlarms = this.createRollbackAlarms(endpoint);

    const stepFunctionLogs = new logs.LogGroup(this, 'StepFunctionLogs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
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
      role: this.functionRole('StepFunctionRole', 'Runs the retraining pipeline\'s step function (pure: it calls no AWS API)', stepFunctionLogs),
      logGroup: stepFunctionLogs,
    });

    const config: PipelineConfig = {
      resourceNamePrefix: endpoint.resourceNamePrefix,
      hyperparameters: props.training.hyperparameters,
      containerHyperparameters: { ...CONTAINER_HYPERPARAMETERS },
      trainingOptions: instanceTypes.map((type) => this.trainingOption(type)),
      ...(props.training.spot ? { checkpointPrefix: props.training.checkpoints.s3Uri } : {}),
    };

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
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
    this.grantRunPermissions();

    const scheduleExpression = (props.schedule ?? RetrainingSchedule.WEEKLY).expression;
    if (scheduleExpression) this.schedule = this.createSchedule(scheduleExpression);
    if (props.retrainOnNewData) this.newDataTrigger = this.createNewDataTrigger(props);
  }

  /** Lets `grantee` start a run by hand (`states:StartExecution`). */
  public grantStartRetraining(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Runs that failed. */
  public metricFailedRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  /** Runs that ended successfully, promoted or not. */
  public metricSucceededRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
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
        alarmName: rollbackAlarmNames(endpoint)[0],
        alarmDescription: 'Endpoint invocations fail with 5xx; rolls back a deployment in progress',
        metric: endpoint.metricInvocation5XXErrors({ statistic: 'Sum', period: Duration.minutes(1) }),
        threshold: 1,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, 'EndpointLatencyAlarm', {
        alarmName: rollbackAlarmNames(endpoint)[1],
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

  private definition(config: PipelineConfig, deployment: DeploymentStrategy): sfn.IChainable {
    const props = this.props;
    const endpoint = props.endpoint;
    const scaling = endpoint.renderScalingRequests();

    // ---- failure handling -------------------------------------------------------------------------------------
    const fail = new sfn.Fail(this, 'RunFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    const notifyFailure = new tasks.SnsPublish(this, 'NotifyFailure', {
      topic: this.topic,
      subject: 'Image classifier retraining failed',
      message: sfn.TaskInput.fromJsonPathAt(
        "States.Format('Retraining run {} failed. {}: {}', $$.Execution.Name, $.error.Error, $.error.Cause)"),
      resultPath: sfn.JsonPath.DISCARD,
    });
    notifyFailure.next(fail);

    const deleteRunModel = this.sageMakerCall('DeleteRunModel', 'deleteModel', { ModelName: sfn.JsonPath.stringAt('$.run.names.model') }, this.arns.models);
    const deleteRunConfig = this.sageMakerCall('DeleteRunEndpointConfig', 'deleteEndpointConfig', {
      EndpointConfigName: sfn.JsonPath.stringAt('$.run.names.endpointConfig'),
    }, this.arns.endpointConfigs);
    const deleteFailedEndpoint = this.sageMakerCall('DeleteFailedEndpoint', 'deleteEndpoint', { EndpointName: endpoint.endpointName }, this.arns.endpoint);
    for (const step of [deleteFailedEndpoint, deleteRunConfig, deleteRunModel]) {
      step.addCatch(notifyFailure, { resultPath: '$.cleanupError' });
    }
    deleteFailedEndpoint.next(deleteRunConfig);
    deleteRunConfig.next(deleteRunModel);
    deleteRunModel.next(notifyFailure);

    const inspectForCleanup = this.describeEndpoint('InspectEndpointForCleanup', '$.cleanupEndpoint');
    inspectForCleanup.addCatch(deleteRunConfig, { resultPath: '$.cleanupEndpoint' });
    const ours = sfn.Condition.and(
      sfn.Condition.isPresent('$.cleanupEndpoint.config'),
      sfn.Condition.stringEqualsJsonPath('$.cleanupEndpoint.config', '$.run.names.endpointConfig'),
    );
    const isTransitional = sfn.Condition.and(
      sfn.Condition.isPresent('$.cleanupEndpoint.status'),
      sfn.Condition.or(...TRANSITIONAL_ENDPOINT_STATES.map((s) => sfn.Condition.stringEquals('$.cleanupEndpoint.status', s))),
    );
    inspectForCleanup.next(new sfn.Choice(this, 'IsRunConfigInUse')
      .when(sfn.Condition.and(ours, sfn.Condition.stringEquals('$.cleanupEndpoint.status', 'Failed')), deleteFailedEndpoint)
      // In service on this run's config, or mid-change: deleting it could break the endpoint; a later run cleans up.
      .when(sfn.Condition.or(ours, isTransitional), notifyFailure)
      .otherwise(deleteRunConfig));
    const cleanupFailedRun = inspectForCleanup;
    const failWith = (id: string, error: string, cause: string) => new sfn.Pass(this, id, {
      result: sfn.Result.fromObject({ Error: error, Cause: cause }),
      resultPath: '$.error',
    }).next(cleanupFailedRun);

    // ---- prepare ------------------------------------------------------------------------------------------------
    const skipped = new sfn.Succeed(this, 'SkippedAnotherRunInProgress', { comment: 'Another run is in progress' });
    const guard = new tasks.CallAwsService(this, 'CheckRunsInProgress', {
      service: 'sfn',
      action: 'listExecutions',
      iamAction: 'states:ListExecutions',
      parameters: { StateMachineArn: sfn.JsonPath.stringAt('$$.StateMachine.Id'), StatusFilter: 'RUNNING', MaxResults: 2 },
      iamResources: [this.arns.stateMachine],
      resultSelector: { 'running.$': 'States.ArrayLength($.Executions)' },
      resultPath: '$.inProgress',
    });
    guard.addRetry({ errors: ['Sfn.SfnException', 'Sfn.ThrottlingException'], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });

    const prepare = new tasks.LambdaInvoke(this, 'PrepareRun', {
      lambdaFunction: this.stepFunction,
      payload: sfn.TaskInput.fromObject({
        action: 'prepare',
        execution: {
          id: sfn.JsonPath.stringAt('$$.Execution.Id'),
          name: sfn.JsonPath.stringAt('$$.Execution.Name'),
          startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
        },
        input: sfn.JsonPath.objectAt('$$.Execution.Input'),
        config,
      }),
      payloadResponseOnly: true,
      resultPath: '$.run',
      retryOnServiceExceptions: true,
    });
    prepare.addCatch(notifyFailure, { resultPath: '$.error' });

    const readChampion = new tasks.CallAwsService(this, 'ReadChampion', {
      service: 'ssm',
      action: 'getParameter',
      iamAction: 'ssm:GetParameter',
      parameters: { Name: this.championParameter.parameterName },
      iamResources: [this.championParameter.parameterArn],
      resultSelector: { 'record.$': '$.Parameter.Value' },
      resultPath: '$.champion',
    });
    readChampion.addRetry({ errors: ['Ssm.SsmException', 'Ssm.ThrottlingException'], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
    readChampion.addCatch(notifyFailure, { resultPath: '$.error' });

    // ---- train, falling back to the next instance type on a capacity error --------------------------------------
    const firstAttempt = new sfn.Pass(this, 'FirstAttempt', { result: sfn.Result.fromObject({ index: 0 }), resultPath: '$.current' });
    const selectAttempt = new sfn.Pass(this, 'SelectAttempt', {
      parameters: {
        'index.$': '$.current.index',
        'attempt.$': 'States.ArrayGetItem($.run.attempts, $.current.index)',
      },
      resultPath: '$.current',
    });
    const train = this.trainState();
    const nextAttempt = new sfn.Pass(this, 'NextInstanceType', {
      parameters: { 'index.$': 'States.MathAdd($.current.index, 1)' },
      resultPath: '$.current',
    });
    const hasAnotherAttempt = new sfn.Choice(this, 'HasAnotherInstanceType')
      .when(sfn.Condition.numberLessThanJsonPath('$.current.index', '$.run.attemptCount'), selectAttempt)
      .otherwise(cleanupFailedRun);
    nextAttempt.next(hasAnotherAttempt);
    const isCapacityError = sfn.Condition.or(
      sfn.Condition.stringMatches('$.error.Cause', '*CapacityError*'),
      sfn.Condition.stringMatches('$.error.Cause', '*InsufficientCapacity*'),
      sfn.Condition.stringMatches('$.error.Cause', '*ResourceLimitExceeded*'),
      sfn.Condition.stringEquals('$.error.Error', 'SageMaker.ResourceLimitExceededException'),
    );
    train.addCatch(new sfn.Choice(this, 'IsCapacityError')
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.error.Cause'), isCapacityError), nextAttempt)
      .otherwise(cleanupFailedRun), { resultPath: '$.error' });

    // ---- gate ---------------------------------------------------------------------------------------------------
    const evaluate = new tasks.LambdaInvoke(this, 'EvaluateModel', {
      lambdaFunction: this.stepFunction,
      payload: sfn.TaskInput.fromObject({
        action: 'evaluate',
        metricName: VALIDATION_ACCURACY_METRIC.Name,
        finalMetrics: sfn.JsonPath.listAt('$.training.FinalMetricDataList'),
        champion: sfn.JsonPath.stringAt('$.champion.record'),
        minimumAccuracy: props.minimumAccuracy ?? 0.5,
        minimumImprovement: props.minimumImprovement ?? 0,
      }),
      payloadResponseOnly: true,
      resultPath: '$.gate',
      retryOnServiceExceptions: true,
    });
    evaluate.addCatch(cleanupFailedRun, { resultPath: '$.error' });
    const notPromoted = new tasks.SnsPublish(this, 'NotifyNotPromoted', {
      topic: this.topic,
      subject: 'Image classifier retrained, not promoted',
      message: sfn.TaskInput.fromJsonPathAt("States.Format('Run {} trained {} but did not promote it: {}', $.run.runId, $.training.TrainingJobName, $.gate.reason)"),
      resultPath: sfn.JsonPath.DISCARD,
    }).next(new sfn.Succeed(this, 'NotPromoted'));

    // ---- deploy -------------------------------------------------------------------------------------------------
    const createModel = this.sageMakerTask('CreateModel', 'createModel', endpoint.renderCreateModelRequest({
      modelName: sfn.JsonPath.stringAt('$.run.names.model'),
      modelDataUrl: sfn.JsonPath.stringAt('$.training.ModelArtifacts.S3ModelArtifacts'),
    }), cleanupFailedRun);
    const createConfig = this.sageMakerTask('CreateEndpointConfig', 'createEndpointConfig', endpoint.renderCreateEndpointConfigRequest({
      endpointConfigName: sfn.JsonPath.stringAt('$.run.names.endpointConfig'),
      modelName: sfn.JsonPath.stringAt('$.run.names.model'),
    }), cleanupFailedRun);
    const deploymentConfig = scaling ? { DeploymentConfig: deployment.render(rollbackAlarmNames(endpoint)) } : {};
    const createEndpoint = this.sageMakerTask('CreateEndpoint', 'createEndpoint', {
      EndpointName: endpoint.endpointName,
      EndpointConfigName: sfn.JsonPath.stringAt('$.run.names.endpointConfig'),
      ...deploymentConfig,
    }, cleanupFailedRun);
    // Blue/green with rollback alarms needs DeploymentConfig on every UpdateEndpoint call; without it SageMaker
    // applies no guardrail. Serverless endpoints take no DeploymentConfig [U: not supported for serverless].
    const updateEndpoint = this.sageMakerTask('UpdateEndpoint', 'updateEndpoint', {
      EndpointName: endpoint.endpointName,
      EndpointConfigName: sfn.JsonPath.stringAt('$.run.names.endpointConfig'),
      ...deploymentConfig,
      // Keep the instance count autoscaling reached (the new fleet starts at it), but take the new config's data
      // capture and weights.
      ...(scaling ? {
        RetainAllVariantProperties: true,
        ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredWeight' }, { VariantPropertyType: 'DataCaptureConfig' }],
      } : {}),
    }, cleanupFailedRun);

    const findEndpoint = this.describeEndpoint('FindEndpoint', '$.existing');
    const endpointMissing = new sfn.Choice(this, 'IsEndpointMissing')
      .when(sfn.Condition.stringMatches('$.existing.Cause', '*Could not find endpoint*'), createEndpoint)
      .otherwise(cleanupFailedRun);
    findEndpoint.addCatch(endpointMissing, { resultPath: '$.existing' });

    let update: sfn.IChainable = updateEndpoint;
    if (scaling) {
      // Application Auto Scaling refuses an update that changes the instance type of a scaled variant; the target
      // is removed for the update and registered again once the endpoint is in service.
      const deregister = new tasks.CallAwsService(this, 'DeregisterAutoScaling', {
        service: 'applicationautoscaling',
        action: 'deregisterScalableTarget',
        iamAction: 'application-autoscaling:DeregisterScalableTarget',
        parameters: pick(scaling.registerScalableTarget, ['ServiceNamespace', 'ResourceId', 'ScalableDimension']),
        iamResources: [this.arns.scalableTargets],
        resultPath: sfn.JsonPath.DISCARD,
      });
      deregister.addCatch(updateEndpoint, { resultPath: '$.deregisterError' });
      deregister.next(updateEndpoint);
      update = deregister;
    }
    findEndpoint.next(new sfn.Choice(this, 'CanUpdateEndpoint')
      .when(sfn.Condition.stringEquals('$.existing.status', 'InService'), update)
      .otherwise(failWith('EndpointNotUpdatable', 'EndpointNotUpdatable',
        `Endpoint ${endpoint.endpointName} is neither in service nor missing; a run can only update an endpoint in service`)));

    // ---- wait until in service on this run's config -------------------------------------------------------------
    const pollInterval = props.endpointPollInterval ?? Duration.minutes(1);
    const maxPolls = Math.max(1, Math.ceil((props.endpointTimeout ?? Duration.hours(1)).toSeconds() / pollInterval.toSeconds()));
    const startPolling = new sfn.Pass(this, 'StartWaiting', { result: sfn.Result.fromObject({ count: 0 }), resultPath: '$.poll' });
    const wait = new sfn.Wait(this, 'WaitForEndpoint', { time: sfn.WaitTime.duration(pollInterval) });
    const describe = this.describeEndpoint('DescribeEndpoint', '$.endpoint');
    describe.addCatch(cleanupFailedRun, { resultPath: '$.error' });
    const countPoll = new sfn.Pass(this, 'CountPoll', { parameters: { 'count.$': 'States.MathAdd($.poll.count, 1)' }, resultPath: '$.poll' });
    createEndpoint.next(startPolling);
    updateEndpoint.next(startPolling);
    startPolling.next(wait).next(describe);

    const recordChampion = this.promotionSteps(scaling, notifyFailure);
    countPoll.next(new sfn.Choice(this, 'TimedOut')
      .when(sfn.Condition.numberGreaterThanEquals('$.poll.count', maxPolls), failWith('EndpointTimeout', 'EndpointTimeout',
        `Endpoint ${endpoint.endpointName} was not in service within ${(props.endpointTimeout ?? Duration.hours(1)).toHumanString()}`))
      .otherwise(wait));
    describe.next(new sfn.Choice(this, 'CheckEndpoint')
      .when(sfn.Condition.and(
        sfn.Condition.stringEquals('$.endpoint.status', 'InService'),
        sfn.Condition.stringEqualsJsonPath('$.endpoint.config', '$.run.names.endpointConfig'),
      ), recordChampion)
      .when(sfn.Condition.stringEquals('$.endpoint.status', 'InService'), failWith('SilentRollback', 'SilentRollback',
        `Endpoint ${endpoint.endpointName} is in service on another endpoint config: SageMaker rolled the update back`))
      .when(sfn.Condition.or(
        sfn.Condition.stringEquals('$.endpoint.status', 'Failed'),
        sfn.Condition.stringEquals('$.endpoint.status', 'UpdateRollbackFailed'),
        sfn.Condition.stringEquals('$.endpoint.status', 'OutOfService'),
      ), failWith('EndpointFailed', 'EndpointFailed', `Endpoint ${endpoint.endpointName} failed to deploy the new model; see DescribeEndpoint FailureReason`))
      .otherwise(countPoll));

    return guard
      .next(new sfn.Choice(this, 'IsAnotherRunInProgress')
        .when(sfn.Condition.numberGreaterThan('$.inProgress.running', 1), skipped)
        .otherwise(prepare
          .next(readChampion)
          .next(firstAttempt)
          .next(selectAttempt)
          .next(train)
          .next(evaluate)
          .next(new sfn.Choice(this, 'Promote')
            .when(sfn.Condition.booleanEquals('$.gate.promote', true), createModel.next(createConfig).next(findEndpoint))
            .otherwise(notPromoted))));
  }

  /** Record the champion, register autoscaling, delete superseded versions, notify. */
  private promotionSteps(scaling: ReturnType<IRetrainableEndpoint['renderScalingRequests']>, notifyFailure: sfn.IChainable): sfn.IChainable {
    const P = this.props.endpoint.resourceNamePrefix;
    const record = new tasks.CallAwsService(this, 'RecordChampion', {
      service: 'ssm',
      action: 'putParameter',
      iamAction: 'ssm:PutParameter',
      parameters: {
        Name: this.championParameter.parameterName,
        Overwrite: true,
        Type: 'String',
        Value: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.promotion')),
      },
      iamResources: [this.championParameter.parameterArn],
      resultPath: sfn.JsonPath.DISCARD,
    });
    record.addRetry({ errors: ['Ssm.SsmException', 'Ssm.ThrottlingException'], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
    record.addCatch(notifyFailure, { resultPath: '$.error' });
    const promotion = new sfn.Pass(this, 'DescribePromotion', {
      parameters: {
        'runId.$': '$.run.runId',
        'validationAccuracy.$': '$.gate.candidateAccuracy',
        'modelArtifact.$': '$.training.ModelArtifacts.S3ModelArtifacts',
        'trainingJobName.$': '$.training.TrainingJobName',
        'modelName.$': '$.run.names.model',
        'endpointConfigName.$': '$.run.names.endpointConfig',
        'runStartedAt.$': '$$.Execution.StartTime',
      },
      resultPath: '$.promotion',
    });

    let chain: sfn.Chain = promotion.next(record);
    if (scaling) {
      const register = new tasks.CallAwsService(this, 'RegisterAutoScaling', {
        service: 'applicationautoscaling',
        action: 'registerScalableTarget',
        iamAction: 'application-autoscaling:RegisterScalableTarget',
        parameters: scaling.registerScalableTarget as Record<string, unknown>,
        iamResources: [this.arns.scalableTargets],
        resultPath: sfn.JsonPath.DISCARD,
      });
      const policy = new tasks.CallAwsService(this, 'PutScalingPolicy', {
        service: 'applicationautoscaling',
        action: 'putScalingPolicy',
        iamAction: 'application-autoscaling:PutScalingPolicy',
        parameters: scaling.putScalingPolicy as Record<string, unknown>,
        iamResources: [this.arns.scalableTargets],
        resultPath: sfn.JsonPath.DISCARD,
      });
      for (const step of [register, policy]) {
        step.addRetry({ errors: ['ApplicationAutoScaling.ConcurrentUpdateException', 'ApplicationAutoScaling.ApplicationAutoScalingException'], interval: Duration.seconds(10), maxAttempts: 4, backoffRate: 2 });
        step.addCatch(notifyFailure, { resultPath: '$.error' });
      }
      chain = chain.next(register).next(policy);
    }

    // Delete the endpoint configs and models of this endpoint older than the newest `keepVersions`.
    const keep = this.props.keepVersions ?? 3;
    const notifyPromoted = new tasks.SnsPublish(this, 'NotifyPromoted', {
      topic: this.topic,
      subject: 'Image classifier promoted a new model',
      message: sfn.TaskInput.fromJsonPathAt("States.Format('Run {} promoted {} to endpoint {}: {}', $.run.runId, $.run.names.model, '"
        + `${this.props.endpoint.endpointName}', $.gate.reason)`),
      resultPath: sfn.JsonPath.DISCARD,
    }).next(new sfn.Succeed(this, 'Promoted'));
    const list = new tasks.CallAwsService(this, 'ListEndpointConfigs', {
      service: 'sagemaker',
      action: 'listEndpointConfigs',
      iamAction: 'sagemaker:ListEndpointConfigs',
      parameters: { NameContains: P, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 100 },
      // List actions have no resource type in IAM; the Map below deletes only names with this endpoint's prefix.
      // (Acknowledged for cdk-nag where the state machine is created.)
      iamResources: ['*'],
      resultSelector: { 'configs.$': '$.EndpointConfigs' },
      resultPath: '$.versions',
    });
    const select = new tasks.LambdaInvoke(this, 'SelectSupersededVersions', {
      lambdaFunction: this.stepFunction,
      payload: sfn.TaskInput.fromObject({
        action: 'selectSuperseded',
        configs: sfn.JsonPath.listAt('$.versions.configs'),
        resourceNamePrefix: P,
        keep,
        current: sfn.JsonPath.stringAt('$.run.names.endpointConfig'),
      }),
      payloadResponseOnly: true,
      resultPath: '$.superseded',
      retryOnServiceExceptions: true,
    });
    const deleteOld = new sfn.Map(this, 'DeleteSupersededVersions', {
      itemsPath: '$.superseded.names',
      itemSelector: { 'name.$': '$$.Map.Item.Value' },
      maxConcurrency: 1,
      resultPath: sfn.JsonPath.DISCARD,
    });
    const deleteConfig = this.sageMakerCall('DeleteSupersededEndpointConfig', 'deleteEndpointConfig', {
      EndpointConfigName: sfn.JsonPath.stringAt('$.name'),
    }, this.arns.endpointConfigs);
    const deleteModel = this.sageMakerCall('DeleteSupersededModel', 'deleteModel', { ModelName: sfn.JsonPath.stringAt('$.name') }, this.arns.models);
    const deleted = new sfn.Pass(this, 'VersionDeleted');
    // Already gone is fine: the next version is still deleted.
    deleteConfig.addCatch(deleteModel, { resultPath: '$.deleteError' });
    deleteModel.addCatch(deleted, { resultPath: '$.deleteError' });
    deleteOld.itemProcessor(deleteConfig.next(deleteModel).next(deleted));
    // Cleanup is housekeeping: a failure here is logged in the execution history, not a failed promotion.
    for (const step of [list, select, deleteOld]) step.addCatch(notifyPromoted, { resultPath: '$.cleanupError' });
    return chain.next(list).next(select).next(deleteOld).next(notifyPromoted);
  }

  private trainState(): sfn.CustomState {
    const training = this.props.training;
    const request = training.renderRequest({
      trainingJobName: sfn.JsonPath.stringAt('$.current.attempt.trainingJobName'),
      checkpointS3Uri: sfn.JsonPath.stringAt('$.current.attempt.checkpointConfig.S3Uri'),
    });
    const parameters = {
      ...request,
      AlgorithmSpecification: { ...request.AlgorithmSpecification, TrainingImage: sfn.JsonPath.stringAt('$.current.attempt.trainingImage') },
      HyperParameters: sfn.JsonPath.objectAt('$.run.hyperparameters'),
      ResourceConfig: sfn.JsonPath.objectAt('$.current.attempt.resourceConfig'),
    };
    const train = new sfn.CustomState(this, 'Train', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::sagemaker:createTrainingJob.sync`,
        Parameters: sfn.FieldUtils.renderObject(parameters),
        ResultSelector: {
          'TrainingJobName.$': '$.TrainingJobName',
          'ModelArtifacts.$': '$.ModelArtifacts',
          'FinalMetricDataList.$': '$.FinalMetricDataList',
          'BillableTimeInSeconds.$': '$.BillableTimeInSeconds',
        },
        ResultPath: '$.training',
      },
    });
    train.addRetry({ errors: THROTTLING_ERRORS, interval: Duration.seconds(30), maxAttempts: 5, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    return train;
  }

  /** An optimized-integration SageMaker call with throttling retries and a catch into the failure path. */
  private sageMakerTask(id: string, api: string, request: object, onError: sfn.IChainable): sfn.CustomState {
    const state = new sfn.CustomState(this, id, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::sagemaker:${api}`,
        Parameters: sfn.FieldUtils.renderObject(request as Record<string, unknown>),
        ResultPath: null,
      },
    });
    state.addRetry({ errors: THROTTLING_ERRORS, interval: Duration.seconds(5), maxAttempts: 6, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
    state.addCatch(onError, { resultPath: '$.error' });
    return state;
  }

  /** A SageMaker SDK call whose result is discarded (deletes). */
  private sageMakerCall(id: string, action: string, parameters: Record<string, unknown>, resource: string): tasks.CallAwsService {
    const call = new tasks.CallAwsService(this, id, {
      service: 'sagemaker',
      action,
      iamAction: `sagemaker:${action[0].toUpperCase()}${action.slice(1)}`,
      parameters,
      iamResources: [resource],
      resultPath: sfn.JsonPath.DISCARD,
    });
    call.addRetry({ errors: ['SageMaker.ThrottlingException', 'SageMaker.SageMakerException'], interval: Duration.seconds(5), maxAttempts: 4, backoffRate: 2 });
    return call;
  }

  private describeEndpoint(id: string, resultPath: string): tasks.CallAwsService {
    const call = new tasks.CallAwsService(this, id, {
      service: 'sagemaker',
      action: 'describeEndpoint',
      iamAction: 'sagemaker:DescribeEndpoint',
      parameters: { EndpointName: this.props.endpoint.endpointName },
      iamResources: [this.arns.endpoint],
      resultSelector: { 'status.$': '$.EndpointStatus', 'config.$': '$.EndpointConfigName' },
      resultPath,
    });
    call.addRetry({ errors: ['SageMaker.ThrottlingException'], interval: Duration.seconds(5), maxAttempts: 4, backoffRate: 2 });
    return call;
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
        actions: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:ListTags'],
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
  }

  private createSchedule(expression: string): scheduler.CfnSchedule {
    const role = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler start the retraining pipeline',
    });
    this.stateMachine.grantStartExecution(role);
    return new scheduler.CfnSchedule(this, 'Schedule', {
      description: 'Starts the image classifier retraining pipeline',
      scheduleExpression: expression,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        // The SDK target lets the execution be named after the scheduler's invocation id: a retried delivery of the
        // same tick asks for the same name, which Step Functions treats as the same execution.
        arn: 'arn:aws:scheduler:::aws-sdk:sfn:startExecution',
        roleArn: role.roleArn,
        input: Stack.of(this).toJsonString({
          StateMachineArn: this.stateMachine.stateMachineArn,
          Name: 'scheduled-<aws.scheduler.execution-id>',
          Input: JSON.stringify({ trigger: 'schedule' }),
        }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
  }

  /** A Lambda execution role with only its log group's permissions (no AWSLambdaBasicExecutionRole managed policy). */
  private functionRole(id: string, description: string, logGroup: logs.ILogGroup): iam.Role {
    const role = new iam.Role(this, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
    logGroup.grantWrite(role);
    return role;
  }

  private createNewDataTrigger(props: RetrainingPipelineProps): lambda.IFunction {
    const quietPeriod = props.quietPeriod ?? Duration.hours(1);
    const triggerLogs = new logs.LogGroup(this, 'NewDataTriggerLogs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const trigger = new lambda.Function(this, 'NewDataTrigger', {
      code: bundledLambdaCode('pipeline/new-data-trigger'),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 128,
      timeout: Duration.seconds(30),
      // One at a time, so two uploads cannot both see "nothing running" and start two runs.
      reservedConcurrentExecutions: 1,
      description: 'Starts a retraining run when new images arrive',
      environment: {
        STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
        QUIET_PERIOD_SECONDS: String(quietPeriod.toSeconds()),
        ...SOURCE_MAPS_ENVIRONMENT,
      },
      role: this.functionRole('NewDataTriggerRole', 'Starts a retraining run when new images arrive', triggerLogs),
      logGroup: triggerLogs,
    });
    this.stateMachine.grantStartExecution(trigger);
    trigger.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [this.stateMachine.stateMachineArn] }));
    const dataset = props.training.dataset;
    dataset.bucket.enableEventBridgeNotification();
    acknowledgeBucketNotificationsHandler(this);
    new events.Rule(this, 'NewDataRule', {
      description: 'New images under the training folder',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [dataset.bucket.bucketName] }, object: { key: [{ prefix: dataset.trainingData.keyPrefix }] } },
      },
      targets: [new eventsTargets.LambdaFunction(trigger, { retryAttempts: 2 })],
    });
    return trigger;
  }
}

function validatePipelineProps(props: RetrainingPipelineProps, types: TrainingInstanceType[], deployment: DeploymentStrategy): string[] {
  const problems: string[] = [];
  types.forEach((type, index) => problems.push(...validateTrainingInstanceType(type, `trainingInstanceTypes[${index}]`, props.training.requiredProcessor())));
  if (types.length > 10) problems.push(`trainingInstanceTypes may list at most 10 types, got ${types.length}`);
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
  const email = props.notificationEmail;
  if (email !== undefined && !Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    problems.push(`notificationEmail must be an email address like owner@example.com, got '${email}'`);
  }
  if (props.endpoint.resourceNamePrefix.length > 38) {
    problems.push(`endpoint.resourceNamePrefix must be at most 38 characters, got '${props.endpoint.resourceNamePrefix}'`);
  }
  problems.push(...deployment.validate('deployment'));
  return problems;
}

/** The rollback alarms' names, literal so that the UpdateEndpoint request names them without a reference. */
function rollbackAlarmNames(endpoint: IRetrainableEndpoint): [string, string] {
  return [`${endpoint.endpointName}-5xx-errors`, `${endpoint.endpointName}-model-latency`];
}

function uniqueTypes(types: TrainingInstanceType[]): TrainingInstanceType[] {
  const seen = new Map<string, TrainingInstanceType>();
  for (const type of types) if (!seen.has(type.name)) seen.set(type.name, type);
  return [...seen.values()];
}

function lower(name: string): string {
  return Token.isUnresolved(name) ? name : name.toLowerCase();
}

function pick(source: object, keys: string[]): Record<string, unknown> {
  const record = source as Record<string, unknown>;
  return Object.fromEntries(keys.map((key) => [key, record[key]]));
}

/** ARNs of what the pipeline touches; SageMaker lowercases names in ARNs. */
interface PipelineArns {
  readonly endpoint: string;
  /** Exactly `<prefix>-<run id>`, as lambda/pipeline/run-names.ts makes them: one `?` per run id character. */
  readonly endpointConfigs: string;
  readonly models: string;
  /** Exactly `<job prefix>-<run id>-<attempt digit>`. */
  readonly trainingJobs: string;
  readonly stateMachine: string;
  /** Scalable targets get random ids, so their ARNs cannot be named in advance. */
  readonly scalableTargets: string;
}

function pipelineArns(stack: Stack, endpoint: IRetrainableEndpoint, stateMachineName: string): PipelineArns {
  const sagemaker = (resource: string) => `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:${resource}`;
  const runResource = `${lower(endpoint.resourceNamePrefix)}-${RUN_ID_IAM_WILDCARD}`;
  const jobPrefix = lower(endpoint.resourceNamePrefix.slice(0, 36).replace(/-+$/, ''));
  return {
    endpoint: sagemaker(`endpoint/${lower(endpoint.endpointName)}`),
    endpointConfigs: sagemaker(`endpoint-config/${runResource}`),
    models: sagemaker(`model/${runResource}`),
    trainingJobs: sagemaker(`training-job/${jobPrefix}-${RUN_ID_IAM_WILDCARD}-?`),
    stateMachine: `arn:${stack.partition}:states:${stack.region}:${stack.account}:stateMachine:${stateMachineName}`,
    // '*': the random id a scalable target gets at registration (see SCALABLE_TARGETS_REASON).
    scalableTargets: `arn:${stack.partition}:application-autoscaling:${stack.region}:${stack.account}:scalable-target/*`,
  };
}
