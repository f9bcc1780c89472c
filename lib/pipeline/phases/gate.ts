import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { VALIDATION_ACCURACY_METRIC } from '../../private/algorithm-facts';
import { PhaseContext } from './context';
import { EVALUATION_PATHS } from './evaluate';
import { FailurePhase } from './failure';
import { invokeStep, notify, putChampion, sageMakerCall } from './tasks';

/**
 * The gate. With a test set: the challenger's test accuracy must reach the floor, and its chosen figure (accuracy
 * or macro F1, the run's `promotionMetric`) must beat the champion's on the same images by the minimum improvement.
 * Without one: the same with the validation accuracies. Then `promote` follows. Otherwise the run deletes the model
 * it created for the evaluation, keeps the champion's new test-set figures in its record (so that the next run on
 * this test set does not score it again), tells the owner both figures and succeeds unpromoted.
 * The step also publishes the run's figures as CloudWatch metrics (never failing for them).
 */
export function gate(ctx: PhaseContext, failure: FailurePhase, promote: sfn.IChainable): sfn.IChainable {
  const scope = ctx.scope;
  const evaluate = invokeStep(ctx, 'EvaluateModel', {
    action: 'evaluate',
    metricName: VALIDATION_ACCURACY_METRIC.Name,
    // The dimension of the run's CloudWatch metrics (lambda/shared/run-metrics-contract.ts).
    endpointName: ctx.endpoint.endpointName,
    // The whole description: FinalMetricDataList is optional in it, and a path to it would fail the run when absent.
    training: sfn.JsonPath.objectAt('$.training'),
    champion: sfn.JsonPath.stringAt('$.champion.record'),
    minimumAccuracy: ctx.minimumAccuracy,
    minimumImprovement: sfn.JsonPath.numberAt('$.run.promotion.minimumImprovement'),
    metric: sfn.JsonPath.stringAt('$.run.promotion.metric'),
    testSet: sfn.JsonPath.objectAt(EVALUATION_PATHS.testSet),
    scores: sfn.JsonPath.objectAt(EVALUATION_PATHS.scores),
  }, '$.gate');
  failure.catchAll(evaluate);
  // The execution's output carries the evaluation's summary (null without a test set).
  const recordEvaluation = new sfn.Pass(scope, 'RecordEvaluation', { inputPath: '$.gate.evaluation', resultPath: '$.evaluation' });

  const notPromoted = notify(ctx, 'NotifyNotPromoted', 'Image classifier retrained, not promoted',
    "States.Format('Run {} trained {} but did not promote it: {}.{}', $.run.runId, $.training.TrainingJobName, $.gate.reason, $.gate.reportLink)");
  notPromoted.addCatch(failure.notificationFailed, { resultPath: '$.notifyError' });
  notPromoted.next(new sfn.Succeed(scope, 'NotPromoted'));
  // The model served only the evaluation; already gone is as good as deleted.
  const deleteModel = sageMakerCall(ctx, 'DeleteUnpromotedModel', 'deleteModel', { ModelName: sfn.JsonPath.stringAt('$.run.names.model') }, ctx.arns.models);
  deleteModel.addCatch(new sfn.Choice(scope, 'IsUnpromotedModelGone')
    .when(sfn.Condition.and(
      sfn.Condition.isPresent('$.error.Cause'),
      sfn.Condition.stringMatches('$.error.Cause', '*Could not find*'),
    ), notPromoted)
    .otherwise(failure.start), { resultPath: '$.error' });
  deleteModel.next(notPromoted);
  // Keeping the champion's figures saves the next run a transform job; if the write fails, the next run scores it again.
  const rescored = putChampion(ctx, 'RecordChampionScores', '$.gate.rescoredChampion');
  rescored.addCatch(deleteModel, { resultPath: '$.recordError' });
  rescored.next(deleteModel);
  const unpromoted = new sfn.Choice(scope, 'IsChampionRescored')
    .when(sfn.Condition.not(sfn.Condition.isNull('$.gate.rescoredChampion')), rescored)
    .otherwise(deleteModel);

  return evaluate.next(recordEvaluation).next(new sfn.Choice(scope, 'Promote')
    .when(sfn.Condition.booleanEquals('$.gate.promote', true), promote)
    .otherwise(unpromoted));
}
