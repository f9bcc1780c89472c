import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { PATHS, PhaseContext } from './context';
import { NO_CHAMPION, describeEndpoint, describePromotion, notify, putChampion, registerAutoScaling, sageMakerCall } from './tasks';
import { endpointPolls } from './verify';

/** The failure phase: its entry (every Catch of the run leads here) and a way to fail the run with an error of its own. */
export interface FailurePhase {
  readonly start: sfn.IChainable;
  /**
   * Where a notification's own failure goes: the run ends in Fail without notifying again (the notification may
   * have been delivered before its call timed out, and the topic is what failed).
   */
  readonly notificationFailed: sfn.IChainable;
  /** Sends every error of `state` to the failure phase, written to `$.error` where the notification reads it. */
  catchAll(state: sfn.TaskStateBase | sfn.CustomState | sfn.Parallel): void;
  /** A Pass that sets `$.error` to `error`/`cause` and enters the failure phase. */
  failWith(id: string, error: string, cause: string): sfn.IChainable;
}

const CLEANUP_ERROR = ['$.cleanupError.Error', '$.cleanupError.Cause'];
const TRANSITIONAL_ENDPOINT_STATES = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'];
const alreadyGone = sfn.Condition.and(
  sfn.Condition.isPresent('$.cleanupError.Cause'),
  sfn.Condition.or(...['SageMaker.ValidationException', 'SageMaker.ResourceNotFoundException'].map((name) => sfn.Condition.stringEquals('$.cleanupError.Error', name))),
  sfn.Condition.or(...['*Could not find*', '*not in progress*'].map((pattern) => sfn.Condition.stringMatches('$.cleanupError.Cause', pattern))),
);

/**
 * Failure and cleanup. What the run started decides what it cleans up:
 * - training: a job still running (the Train state timed out) is stopped;
 * - evaluation: both transform jobs are stopped (they may still run), then the model is deleted;
 * - model and endpoint config: deleted, unless the endpoint uses them;
 * - the endpoint: while it is still changing, the cleanup waits for it (as long as the deployment may take); then an
 *   endpoint in service keeps (or gets back) its autoscaling, and the champion record is reconciled with what it
 *   serves; a Failed endpoint serves nothing: the champion record is cleared and the endpoint deleted.
 * A cleanup step that fails is named in the notification with what it left behind. Then the run notifies the
 * failure once and ends in Fail, so that it can be redriven.
 */
export function failureAndCleanup(ctx: PhaseContext): FailurePhase {
  const scope = ctx.scope;
  const fail = new sfn.Fail(scope, 'RunFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const notifyFailure = notify(ctx, 'NotifyFailure', 'Image classifier retraining failed',
    "States.Format('Retraining run {} failed. {}: {}{}', $$.Execution.Name, $.error.Error, $.error.Cause, $.cleanup.leftBehind)");
  notifyFailure.next(fail);
  const notificationFailed = new sfn.Fail(scope, 'NotificationFailed', { errorPath: '$.notifyError.Error', causePath: '$.notifyError.Cause' });
  notifyFailure.addCatch(notificationFailed, { resultPath: '$.notifyError' });

  /** A Pass that appends `text` (a States.Format template, its `{}` filled by `paths`) to the notification's note. */
  const note = (id: string, text: string, paths: string[], next: sfn.IChainable) => new sfn.Pass(scope, id, {
    parameters: {
      'leftBehind.$': `States.Format('{} ${text}', ${['$.cleanup.leftBehind', ...paths].join(', ')})`,
      'polls.$': '$.cleanup.polls',
    },
    resultPath: '$.cleanup',
  }).next(next);

  /**
   * `step` continues to `next` whatever happens: "already gone" silently, any other failure noted with `what`.
   * SageMaker answers a delete or stop of something that is not there with ValidationException "Could not find ..."
   * (a stop of a job that ended: "... not in progress" [U]); other validation errors are noted.
   */
  const tolerate = (step: tasks.CallAwsService, next: sfn.IChainable, what: string, chain = true) => {
    const id = step.node.id;
    const failed = note(`Note${id}Failed`, `Cleanup step ${id} failed ({}: {}), so ${what} is left behind.`, CLEANUP_ERROR, next);
    step.addCatch(new sfn.Choice(scope, `Is${id}Gone`).when(alreadyGone, next).otherwise(failed), { resultPath: PATHS.cleanupError });
    if (chain) step.next(next);
  };

  // ---- model and endpoint config --------------------------------------------------------------------------------
  const deleteModel = sageMakerCall(ctx, 'DeleteRunModel', 'deleteModel', { ModelName: sfn.JsonPath.stringAt('$.run.names.model') }, ctx.arns.models);
  tolerate(deleteModel, notifyFailure, 'the model of this run');
  const deleteConfig = sageMakerCall(ctx, 'DeleteRunEndpointConfig', 'deleteEndpointConfig', {
    EndpointConfigName: sfn.JsonPath.stringAt('$.run.names.endpointConfig'),
  }, ctx.arns.endpointConfigs);
  tolerate(deleteConfig, deleteModel, 'the endpoint config of this run');

  // ---- training -------------------------------------------------------------------------------------------------
  const stopTraining = sageMakerCall(ctx, 'StopRunTrainingJob', 'stopTrainingJob', {
    TrainingJobName: sfn.JsonPath.stringAt('$.current.attempt.trainingJobName'),
  }, ctx.arns.trainingJobs);
  tolerate(stopTraining, notifyFailure, 'the training job of this run');

  // ---- evaluation -----------------------------------------------------------------------------------------------
  // A transform job may still run (its task timed out, or the other branch failed first): both are stopped; one that
  // ended or never started answers "not in progress" or "could not find", which is already gone.
  const stopTransform = (id: string, model: 'challenger' | 'champion', next: sfn.IChainable) => {
    const stop = sageMakerCall(ctx, id, 'stopTransformJob', {
      TransformJobName: sfn.JsonPath.stringAt(`$.run.names.transformJobs.${model}`),
    }, ctx.arns.transformJobs);
    tolerate(stop, next, `the transform job of the ${model} of this run`);
    return stop;
  };
  const stopTransforms = stopTransform('StopRunChallengerTransform', 'challenger', stopTransform('StopRunChampionTransform', 'champion', deleteModel));

  // ---- the endpoint ---------------------------------------------------------------------------------------------
  const inspect = describeEndpoint(ctx, 'InspectEndpointForCleanup', '$.cleanupEndpoint');
  const unknown = note('NoteEndpointUnknown', 'Cleanup step InspectEndpointForCleanup failed ({}: {}), so the model and endpoint config '
    + 'of this run are left in case the endpoint uses them.', CLEANUP_ERROR, notifyFailure);
  // No endpoint: nothing serves, so there is no champion and nothing uses the run's model and config.
  const clearChampion = putChampion(ctx, 'ClearChampion', NO_CHAMPION);
  inspect.addCatch(new sfn.Choice(scope, 'IsEndpointGone').when(alreadyGone, clearChampion).otherwise(unknown), { resultPath: PATHS.cleanupError });

  const deleteFailedEndpoint = sageMakerCall(ctx, 'DeleteFailedEndpoint', 'deleteEndpoint', { EndpointName: ctx.endpoint.endpointName }, ctx.arns.endpoint);
  tolerate(clearChampion, deleteFailedEndpoint, 'the champion record of a model that no longer serves');
  tolerate(deleteFailedEndpoint, deleteConfig, `the failed endpoint ${ctx.endpoint.endpointName}`);

  const reconcile = putChampion(ctx, 'ReconcileChampion', '$.promotion');
  tolerate(reconcile, notifyFailure, 'the champion record of the model the endpoint serves (from this run)');
  const configUnknown = note('NoteServingConfigUnknown', 'DescribeEndpoint did not name the EndpointConfigName the endpoint serves, so '
    + 'the model and endpoint config of this run are left and the champion record is unchanged.', [], notifyFailure);
  const servesThisRun = new sfn.Choice(scope, 'ServesThisRun')
    .when(sfn.Condition.not(sfn.Condition.isPresent('$.cleanupEndpoint.EndpointConfigName')), configUnknown)
    .when(sfn.Condition.stringEqualsJsonPath('$.cleanupEndpoint.EndpointConfigName', '$.run.names.endpointConfig'),
      describePromotion(ctx, 'DescribeServingPromotion').next(reconcile))
    .otherwise(deleteConfig);
  const scaling = registerAutoScaling(ctx, ['RestoreAutoScaling', 'RestoreScalingPolicy']);
  let serving: sfn.IChainable = servesThisRun;
  if (scaling) {
    const [register, policy] = scaling;
    register.next(policy);
    tolerate(register, servesThisRun, 'the endpoint without autoscaling', false);
    tolerate(policy, servesThisRun, 'the endpoint without its scaling policy');
    serving = register;
  }

  const stillChanging = note('NoteEndpointStillChanging', 'The endpoint is still {}, so the model and endpoint config of this run are left for it.',
    ['$.cleanupEndpoint.EndpointStatus'], notifyFailure);
  const waitForEndpoint = new sfn.Pass(scope, 'CountCleanupPoll', {
    parameters: { 'leftBehind.$': '$.cleanup.leftBehind', 'polls.$': 'States.MathAdd($.cleanup.polls, 1)' },
    resultPath: '$.cleanup',
  }).next(new sfn.Wait(scope, 'WaitForEndpointToSettle', { time: sfn.WaitTime.duration(Duration.seconds(ctx.pollIntervalSeconds)) })).next(inspect);
  const status = (...values: string[]) => sfn.Condition.or(...values.map((v) => sfn.Condition.stringEquals('$.cleanupEndpoint.EndpointStatus', v)));
  inspect.next(new sfn.Choice(scope, 'EndpointAfterFailure')
    .when(status('InService'), serving)
    .when(status('Failed'), clearChampion)
    // SageMaker may still complete what the run started: wait for it, as long as the deployment may take.
    .when(sfn.Condition.and(
      status(...TRANSITIONAL_ENDPOINT_STATES),
      sfn.Condition.not(sfn.Condition.stringEquals('$.error.Error', 'EndpointTimeout')),
      sfn.Condition.numberLessThan('$.cleanup.polls', endpointPolls(ctx)),
    ), waitForEndpoint)
    .otherwise(stillChanging));

  // ---- what the run started decides what to clean up ------------------------------------------------------------
  const stage = (value: string) => sfn.Condition.and(sfn.Condition.isPresent(PATHS.stage), sfn.Condition.stringEquals(PATHS.stage, value));
  const start = new sfn.Pass(scope, 'StartCleanup', { parameters: { leftBehind: '', polls: 0 }, resultPath: '$.cleanup' })
    .next(new sfn.Choice(scope, 'WhatDidTheRunStart')
      .when(stage('deploying'), inspect)
      .when(stage('evaluating'), stopTransforms)
      .when(stage('creating'), deleteConfig)
      // Training ended without a result other than a failed job (a timeout, say): the job may still be running.
      .when(sfn.Condition.and(
        sfn.Condition.isPresent('$.current.attempt.trainingJobName'),
        sfn.Condition.not(sfn.Condition.isPresent('$.training')),
        sfn.Condition.not(sfn.Condition.stringEquals('$.error.Error', 'States.TaskFailed')),
      ), stopTraining)
      .otherwise(notifyFailure));

  return {
    start,
    notificationFailed,
    catchAll: (state) => { state.addCatch(start, { resultPath: PATHS.error }); },
    failWith: (id, error, cause) => new sfn.Pass(scope, id, { result: sfn.Result.fromObject({ Error: error, Cause: cause }), resultPath: PATHS.error }).next(start),
  };
}
