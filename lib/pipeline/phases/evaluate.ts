import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { PATHS, PhaseContext } from './context';
import { FailurePhase } from './failure';
import { retryByCause } from './retries';
import { invokeStep, sageMakerTask } from './tasks';
import { createTransformJobTask } from '../../batch/transform-job';
import { EvaluationErrorName } from '../../../lambda/shared/evaluation-contract';
import type { TestSetSource } from '../../../lambda/shared/evaluation-report';

/** The evaluation function may run for 5 minutes (listing a large dataset, a large report): its calls wait a little longer. */
const EVALUATION_CALL_TIMEOUT = Duration.minutes(6);

/** The test set's `source` when the run has none. */
export const NO_TEST_SET = 'none';

/** The paths a run keeps the evaluation's state at. */
export const EVALUATION_PATHS = {
  /** What the evaluation function's `selectTestSet` returned (`source`, `version`, `testManifestUri`, ...), or `{ source: 'none' }`. */
  testSet: '$.testSet',
  /** The training channel's data: `{ type: 'S3Prefix' | 'ManifestFile', uri }`. */
  trainingData: '$.trainingData',
  /** Both models' scores on the test set (`{ challenger: null, champion: null }` without one). */
  scores: '$.scores',
} as const;

/**
 * Test-set selection, before training: the evaluation function lists the dataset's `training/` and `test/` folders
 * and picks the test set: the `test/` folder, or a deterministic hold-out of the training images. A hold-out comes
 * with a training manifest listing the other images: the training channel then reads that manifest (S3DataType
 * ManifestFile) instead of the whole training folder, so that no test image is trained on. With the hold-out turned
 * off and no `test/` folder, or no test image selected (imageCount 0), or a dataset that cannot give a test set
 * (UnusableDataset), there is no test set: the run trains on the whole folder and the gate compares validation
 * accuracies.
 */
export function selectTestSet(ctx: PhaseContext, failure: FailurePhase, train: sfn.IChainable): sfn.IChainable {
  const scope = ctx.scope;
  const holdOut = ctx.config.evaluation.holdOutPercent > 0;
  const select = invokeStep(ctx, 'SelectTestSet', {
    action: 'selectTestSet',
    datasetUri: ctx.config.evaluation.datasetUri,
    runFolderUri: sfn.JsonPath.stringAt('$.run.evaluation.folderUri'),
    ...(holdOut ? { holdOutFraction: ctx.config.evaluation.holdOutPercent / 100 } : {}),
  }, EVALUATION_PATHS.testSet, { fn: ctx.evaluationFunction, timeout: EVALUATION_CALL_TIMEOUT });
  const wholeFolder = new sfn.Pass(scope, 'TrainOnTrainingFolder', {
    parameters: { type: 'S3Prefix', uri: ctx.training.dataset.trainingData.s3Uri },
    resultPath: EVALUATION_PATHS.trainingData,
  }).next(train);
  const noTestSet = new sfn.Pass(scope, 'NoTestSet', {
    comment: 'No test images: the run trains on the whole training folder and the gate compares validation accuracies',
    result: sfn.Result.fromObject({ source: NO_TEST_SET }),
    resultPath: EVALUATION_PATHS.testSet,
  }).next(wholeFolder);
  select.addCatch(noTestSet, { errors: [EvaluationErrorName.UNUSABLE_DATASET], resultPath: '$.testSetError' });
  failure.catchAll(select);
  // A selection with no image (none of a trained class under test/, or a hold-out too small to take any) is no test set.
  const source = (value: TestSetSource) => sfn.Condition.and(
    sfn.Condition.isPresent('$.testSet.source'),
    sfn.Condition.stringEquals('$.testSet.source', value),
    sfn.Condition.isPresent('$.testSet.imageCount'),
    sfn.Condition.isNumeric('$.testSet.imageCount'),
    sfn.Condition.numberGreaterThan('$.testSet.imageCount', 0),
  );
  let choice = new sfn.Choice(scope, 'WhichTestSet').when(source('test-folder'), wholeFolder);
  if (holdOut) {
    const withoutHoldOut = new sfn.Pass(scope, 'TrainWithoutHoldOut', {
      parameters: { type: 'ManifestFile', 'uri.$': '$.testSet.trainingManifestUri' },
      resultPath: EVALUATION_PATHS.trainingData,
    }).next(train);
    choice = choice.when(sfn.Condition.and(
      source('hold-out'),
      sfn.Condition.isPresent('$.testSet.trainingManifestUri'),
      sfn.Condition.isString('$.testSet.trainingManifestUri'),
    ), withoutHoldOut);
  }
  return select.next(choice.otherwise(noTestSet));
}

/**
 * Evaluation, after training: creates the run's model (the very model a promotion deploys), then, with a test set,
 * classifies the test images with Batch Transform and scores the predictions, for the challenger and (in parallel)
 * for the champion unless its record already holds its figures on this test set version. A transform or a score
 * that fails (every image failed) fails the run before the endpoint is touched: the batch run is the proof that the
 * model serves. Without a test set the gate falls back to validation accuracy. Continues to `gate`.
 *
 * `$.stage` tells the failure phase what may exist: 'creating' (the model), 'evaluating' (and transform jobs).
 */
export function evaluate(ctx: PhaseContext, failure: FailurePhase, gate: sfn.IChainable): sfn.IChainable {
  const scope = ctx.scope;
  const stage = (id: string, value: string) => new sfn.Pass(scope, id, { result: sfn.Result.fromString(value), resultPath: PATHS.stage });
  const createModel = sageMakerTask(ctx, 'CreateModel', 'createModel', ctx.endpoint.renderCreateModelRequest({
    modelName: sfn.JsonPath.stringAt('$.run.names.model'),
    modelDataUrl: sfn.JsonPath.stringAt('$.training.ModelArtifacts.S3ModelArtifacts'),
  }), failure.start);

  const plan = invokeStep(ctx, 'PlanEvaluation', {
    action: 'planEvaluation',
    champion: sfn.JsonPath.stringAt('$.champion.record'),
    testSet: sfn.JsonPath.objectAt(EVALUATION_PATHS.testSet),
  }, '$.plan');
  failure.catchAll(plan);

  const challenger = transformState(ctx, 'TransformChallenger', 'challenger', '$.run.names.model')
    .next(scoreState(ctx, 'ScoreChallenger', 'challenger', '$.run.names.model'));
  const champion = new sfn.Choice(scope, 'IsChampionToBeScored')
    .when(sfn.Condition.booleanEquals('$.plan.scoreChampion', true),
      transformState(ctx, 'TransformChampion', 'champion', '$.plan.championModelName')
        .next(scoreState(ctx, 'ScoreChampion', 'champion', '$.plan.championModelName')))
    // Its figures on this version from its record, or null when nothing serves.
    .otherwise(new sfn.Pass(scope, 'UseRecordedChampionScore', { inputPath: '$.plan.recorded' }));
  const onTestSet = new sfn.Parallel(scope, 'EvaluateOnTestSet', {
    comment: 'The challenger and the champion classify the same test images at the same time',
    resultSelector: { 'challenger.$': '$[0]', 'champion.$': '$[1]' },
    resultPath: EVALUATION_PATHS.scores,
  });
  onTestSet.branch(challenger);
  onTestSet.branch(champion);
  failure.catchAll(onTestSet);

  const noScores = new sfn.Pass(scope, 'NoTestSetScores', {
    comment: 'No test images: the gate compares validation accuracies',
    result: sfn.Result.fromObject({ challenger: null, champion: null }),
    resultPath: EVALUATION_PATHS.scores,
  }).next(gate);
  const withTestSet = stage('MarkEvaluating', 'evaluating').next(plan).next(onTestSet)
    // The transform jobs have ended: what remains of the run is its model.
    .next(stage('MarkEvaluated', 'creating')).next(gate);
  return stage('BeginEvaluation', 'creating').next(createModel).next(new sfn.Choice(scope, 'HasTestSet')
    .when(sfn.Condition.stringEquals('$.testSet.source', NO_TEST_SET), noScores)
    .otherwise(withTestSet));
}

/** The model each transform job of a run classifies the test set with. */
type ScoredModel = 'challenger' | 'champion';
/**
 * createTransformJob.sync of one model on the run's test manifest, as every Batch Transform job of this package runs
 * (lib/batch/transform-job.ts: one image per request, the verbose JSON answer, one output object per image). An API
 * error a retry can fix is retried; any other error ends the branch, and so the Parallel state, into the failure phase.
 */
function transformState(ctx: PhaseContext, id: string, model: ScoredModel, modelNamePath: string): sfn.CustomState {
  const state = createTransformJobTask(ctx.scope, id, {
    transformJobName: sfn.JsonPath.stringAt(`$.run.names.transformJobs.${model}`),
    modelName: sfn.JsonPath.stringAt(modelNamePath),
    manifestUri: sfn.JsonPath.stringAt('$.testSet.testManifestUri'),
    outputUri: sfn.JsonPath.stringAt(`$.run.evaluation.predictions.${model}`),
    instanceType: ctx.evaluation.instanceType,
    instanceCount: 1,
    encryptionKey: ctx.evaluation.encryptionKey,
    // The failure phase stops a job still running when its task gives up.
    maxRuntime: ctx.evaluation.maxRuntime,
    resultPath: `$.transformJobs.${model}`,
  });
  // Inside a Parallel branch a Catch cannot leave the branch: errors that are not retried end the branch (and so
  // the Parallel state, whose Catch enters the failure phase) through a Fail state of the branch.
  const branchFailed = new sfn.Fail(ctx.scope, `${id}Failed`, { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  retryByCause(ctx.scope, id, state, branchFailed, Duration.seconds(30));
  state.addCatch(branchFailed, { resultPath: PATHS.error });
  return state;
}

/** The evaluation function scores one model's predictions; its figures and report URIs are the branch's output. */
function scoreState(ctx: PhaseContext, id: string, model: ScoredModel, modelNamePath: string): sfn.IChainable {
  return invokeStep(ctx, id, {
    action: 'score',
    testManifestUri: sfn.JsonPath.stringAt('$.testSet.testManifestUri'),
    predictionsUri: sfn.JsonPath.stringAt(`$.run.evaluation.predictions.${model}`),
    runId: sfn.JsonPath.stringAt('$.run.runId'),
    modelName: sfn.JsonPath.stringAt(modelNamePath),
    role: model,
    testSet: {
      version: sfn.JsonPath.stringAt('$.testSet.version'),
      source: sfn.JsonPath.stringAt('$.testSet.source'),
      imageCount: sfn.JsonPath.numberAt('$.testSet.imageCount'),
    },
    reportPrefixUri: sfn.JsonPath.stringAt('$.run.evaluation.reportsUri'),
  }, '$.score', { fn: ctx.evaluationFunction, outputPath: '$.score', timeout: EVALUATION_CALL_TIMEOUT });
}
