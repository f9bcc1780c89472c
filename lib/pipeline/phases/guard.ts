import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { PhaseContext } from './context';
import { FailurePhase } from './failure';
import { RETRYABLE_ERRORS } from './retries';
import { CHAMPION_NOT_FOUND, invokeStep, NO_CHAMPION, notify, sdkCall } from './tasks';

/**
 * Guard and prepare: the run starts from an empty state whatever its input (of any JSON type: PrepareRun reads the
 * input from the context object and names what is wrong with it), does nothing but notify while another run is in
 * progress, validates the input and names everything the run creates, and reads the champion record (none yet:
 * no champion).
 */
export function guardAndPrepare(ctx: PhaseContext, failure: FailurePhase, next: sfn.IChainable): sfn.IChainable {
  const scope = ctx.scope;
  // The default ResultPath replaces the input, of whatever JSON type, with an empty object.
  const start = new sfn.Pass(scope, 'StartRun', { result: sfn.Result.fromObject({}) });
  const guard = sdkCall(ctx, 'CheckRunsInProgress', {
    service: 'sfn',
    action: 'listExecutions',
    iamAction: 'states:ListExecutions',
    parameters: { StateMachineArn: sfn.JsonPath.stringAt('$$.StateMachine.Id'), StatusFilter: 'RUNNING', MaxResults: 2 },
    iamResources: [ctx.arns.stateMachine],
    resultSelector: { 'running.$': 'States.ArrayLength($.Executions)' },
    resultPath: '$.inProgress',
  }, RETRYABLE_ERRORS.stepFunctions);
  failure.catchAll(guard);

  const skipped = notify(ctx, 'NotifySkipped', 'Image classifier retraining skipped',
    "States.Format('Retraining run {} did nothing: another run is in progress.', $$.Execution.Name)");
  skipped.addCatch(failure.notificationFailed, { resultPath: '$.notifyError' });
  skipped.next(new sfn.Succeed(scope, 'SkippedAnotherRunInProgress', { comment: 'Another run is in progress' }));

  const prepare = invokeStep(ctx, 'PrepareRun', {
    action: 'prepare',
    execution: {
      id: sfn.JsonPath.stringAt('$$.Execution.Id'),
      name: sfn.JsonPath.stringAt('$$.Execution.Name'),
      startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
    },
    input: sfn.JsonPath.objectAt('$$.Execution.Input'),
    config: ctx.config,
  }, '$.run');
  failure.catchAll(prepare);

  // The record is the pipeline's own parameter (never a template resource, so no deploy can change it); before the
  // first promotion it does not exist, which means no champion.
  const readChampion = sdkCall(ctx, 'ReadChampion', {
    service: 'ssm',
    action: 'getParameter',
    iamAction: 'ssm:GetParameter',
    parameters: { Name: ctx.championParameter.parameterName },
    iamResources: [ctx.championParameter.parameterArn],
    resultSelector: { 'record.$': '$.Parameter.Value' },
    resultPath: '$.champion',
  }, RETRYABLE_ERRORS.ssm);
  const noChampion = new sfn.Pass(scope, 'NoChampionYet', { parameters: { record: JSON.stringify(NO_CHAMPION) }, resultPath: '$.champion' });
  readChampion.addCatch(noChampion, { errors: [CHAMPION_NOT_FOUND], resultPath: '$.championError' });
  failure.catchAll(readChampion);
  readChampion.next(next);
  noChampion.next(next);

  return start.next(guard).next(new sfn.Choice(scope, 'IsAnotherRunInProgress')
    .when(sfn.Condition.numberGreaterThan('$.inProgress.running', 1), skipped)
    .otherwise(prepare.next(readChampion)));
}
