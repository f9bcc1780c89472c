import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { PhaseContext } from './context';
import { RETRYABLE_ERRORS, retryByCause, retryTransient } from './retries';

/** The record of a champion when nothing serves: the gate then promotes any model above the floor. */
export const NO_CHAMPION = { runId: 'none', validationAccuracy: -1 };
/** What Step Functions calls SSM's ParameterNotFound (an SDK integration's error name always ends in Exception). */
export const CHAMPION_NOT_FOUND = 'Ssm.ParameterNotFoundException';
/** API calls answer in seconds; a call still open after this is abandoned as States.Timeout (and not retried). */
const CALL_TIMEOUT = Duration.minutes(5);

/**
 * An optimized-integration SageMaker call (`arn:...:states:::sagemaker:<api>`), retried while its error is transient
 * (by cause, see `retryByCause`); any other error goes to `onError` with the error in `$.error`.
 */
export function sageMakerTask(ctx: PhaseContext, id: string, api: string, request: object, onError: sfn.IChainable): sfn.CustomState {
  const state = new sfn.CustomState(ctx.scope, id, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Stack.of(ctx.scope).partition}:states:::sagemaker:${api}`,
      Parameters: sfn.FieldUtils.renderObject(request as Record<string, unknown>),
      ResultPath: null,
      TimeoutSeconds: CALL_TIMEOUT.toSeconds(),
    },
  });
  retryByCause(ctx.scope, id, state, onError, Duration.seconds(5));
  state.addCatch(onError, { resultPath: '$.error' });
  return state;
}

/** An AWS SDK call with a bounded time, retried on the `retryable` errors only. */
export function sdkCall(ctx: PhaseContext, id: string, props: Omit<tasks.CallAwsServiceProps, 'taskTimeout'>,
  retryable: readonly string[], interval?: Duration): tasks.CallAwsService {
  const call = new tasks.CallAwsService(ctx.scope, id, { ...props, taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT) });
  retryTransient(call, retryable, interval);
  return call;
}

/** A SageMaker SDK call whose result is discarded, retried on transient errors only. */
export function sageMakerCall(ctx: PhaseContext, id: string, action: string, parameters: Record<string, unknown>, resource: string): tasks.CallAwsService {
  return sdkCall(ctx, id, {
    service: 'sagemaker',
    action,
    iamAction: `sagemaker:${action[0].toUpperCase()}${action.slice(1)}`,
    parameters,
    iamResources: [resource],
    resultPath: sfn.JsonPath.DISCARD,
  }, RETRYABLE_ERRORS.sageMaker);
}

/**
 * DescribeEndpoint of the run's endpoint, its whole description at `resultPath` (EndpointConfigName is optional in
 * the API, so nothing is selected that might be absent).
 */
export function describeEndpoint(ctx: PhaseContext, id: string, resultPath: string): tasks.CallAwsService {
  return sdkCall(ctx, id, {
    service: 'sagemaker',
    action: 'describeEndpoint',
    iamAction: 'sagemaker:DescribeEndpoint',
    parameters: { EndpointName: ctx.endpoint.endpointName },
    iamResources: [ctx.arns.endpoint],
    resultPath,
  }, RETRYABLE_ERRORS.sageMaker);
}

/**
 * Writes the champion record, creating the parameter on the first write (`Overwrite` creates or replaces): `value`
 * is a JSONPath to the record object, or the literal record.
 */
export function putChampion(ctx: PhaseContext, id: string, value: string | object): tasks.CallAwsService {
  return sdkCall(ctx, id, {
    service: 'ssm',
    action: 'putParameter',
    iamAction: 'ssm:PutParameter',
    parameters: {
      Name: ctx.championParameter.parameterName,
      Overwrite: true,
      Type: 'String',
      Value: typeof value === 'string' ? sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt(value)) : JSON.stringify(value),
    },
    iamResources: [ctx.championParameter.parameterArn],
    resultPath: sfn.JsonPath.DISCARD,
  }, RETRYABLE_ERRORS.ssm);
}

/** The champion record of this run's promotion, at `$.promotion`. */
export function describePromotion(ctx: PhaseContext, id: string): sfn.Pass {
  return new sfn.Pass(ctx.scope, id, {
    parameters: {
      'runId.$': '$.run.runId',
      'validationAccuracy.$': '$.gate.candidateAccuracy',
      // Its figures on the run's test set (null without one), so that the next run on that version need not score it.
      'testSet.$': '$.gate.challengerTestSet',
      'modelArtifact.$': '$.training.ModelArtifacts.S3ModelArtifacts',
      'trainingJobName.$': '$.training.TrainingJobName',
      'modelName.$': '$.run.names.model',
      'endpointConfigName.$': '$.run.names.endpointConfig',
      'runStartedAt.$': '$$.Execution.StartTime',
    },
    resultPath: '$.promotion',
  });
}

/**
 * RegisterScalableTarget and PutScalingPolicy (both idempotent), or undefined for serverless capacity; `ids` name the
 * two states. Their order and errors are left to the caller.
 */
export function registerAutoScaling(ctx: PhaseContext, ids: [string, string]): [tasks.CallAwsService, tasks.CallAwsService] | undefined {
  const scaling = ctx.scaling;
  if (!scaling) return undefined;
  const call = (id: string, action: string, parameters: object) => sdkCall(ctx, id, {
    service: 'applicationautoscaling',
    action,
    iamAction: `application-autoscaling:${action[0].toUpperCase()}${action.slice(1)}`,
    parameters: parameters as Record<string, unknown>,
    iamResources: [ctx.arns.scalableTargets],
    resultPath: sfn.JsonPath.DISCARD,
  }, RETRYABLE_ERRORS.autoScaling, Duration.seconds(10));
  const register = call(ids[0], 'registerScalableTarget', scaling.registerScalableTarget);
  const policy = call(ids[1], 'putScalingPolicy', scaling.putScalingPolicy);
  return [register, policy];
}

/** A notification to the run's topic, retried on transient errors; `message` is a States.Format expression. */
export function notify(ctx: PhaseContext, id: string, subject: string, message: string): tasks.SnsPublish {
  const publish = new tasks.SnsPublish(ctx.scope, id, {
    topic: ctx.topic,
    subject,
    message: sfn.TaskInput.fromJsonPathAt(message),
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  });
  retryTransient(publish, RETRYABLE_ERRORS.sns);
  return publish;
}

/**
 * The pipeline's own Lambda function (or `options.fn`) with `payload`, its result at `resultPath` (and, with
 * `options.outputPath`, only that part of the state passed on); the call is abandoned after `options.timeout`
 * (a minute by default: the pipeline's steps are pure).
 */
export function invokeStep(ctx: PhaseContext, id: string, payload: Record<string, unknown>, resultPath: string,
  options: { readonly fn?: lambda.IFunction; readonly outputPath?: string; readonly timeout?: Duration } = {}): tasks.LambdaInvoke {
  const invoke = new tasks.LambdaInvoke(ctx.scope, id, {
    lambdaFunction: options.fn ?? ctx.stepFunction,
    outputPath: options.outputPath,
    payload: sfn.TaskInput.fromObject(payload),
    payloadResponseOnly: true,
    resultPath,
    retryOnServiceExceptions: false,
    taskTimeout: sfn.Timeout.duration(options.timeout ?? Duration.minutes(1)),
  });
  retryTransient(invoke, RETRYABLE_ERRORS.lambda, Duration.seconds(2));
  return invoke;
}
