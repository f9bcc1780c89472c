import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { VALIDATION_ACCURACY_METRIC } from '../../private/algorithm-facts';
import { PhaseContext } from './context';
import { FailurePhase } from './failure';
import { invokeStep, notify } from './tasks';

/**
 * The gate: the trained model's validation accuracy must reach the floor and beat the champion's by the minimum
 * improvement; then `promote` follows. Otherwise the owner is told both figures and the run succeeds unpromoted.
 * The step also publishes the run's figures as CloudWatch metrics (never failing for them).
 */
export function gate(ctx: PhaseContext, failure: FailurePhase, promote: sfn.IChainable): sfn.IChainable {
  const evaluate = invokeStep(ctx, 'EvaluateModel', {
    action: 'evaluate',
    metricName: VALIDATION_ACCURACY_METRIC.Name,
    // The dimension of the run's CloudWatch metrics (lambda/shared/run-metrics-contract.ts).
    endpointName: ctx.endpoint.endpointName,
    // The whole description: FinalMetricDataList is optional in it, and a path to it would fail the run when absent.
    training: sfn.JsonPath.objectAt('$.training'),
    champion: sfn.JsonPath.stringAt('$.champion.record'),
    minimumAccuracy: ctx.minimumAccuracy,
    minimumImprovement: ctx.minimumImprovement,
  }, '$.gate');
  failure.catchAll(evaluate);
  const notPromoted = notify(ctx, 'NotifyNotPromoted', 'Image classifier retrained, not promoted',
    "States.Format('Run {} trained {} but did not promote it: {}', $.run.runId, $.training.TrainingJobName, $.gate.reason)");
  notPromoted.addCatch(failure.notificationFailed, { resultPath: '$.notifyError' });
  notPromoted.next(new sfn.Succeed(ctx.scope, 'NotPromoted'));
  return evaluate.next(new sfn.Choice(ctx.scope, 'Promote')
    .when(sfn.Condition.booleanEquals('$.gate.promote', true), promote)
    .otherwise(notPromoted));
}
