/**
 * The `score` action: read Batch Transform's answer for every image of the test manifest, take each image's true
 * label from its class folder, compute the figures (metrics.ts) and write the report as JSON and as one HTML page.
 *
 * An image whose `.out` is missing, unparsable, or names labels other than the model's other answers is a failure:
 * listed in the report, counted in no figure. If every image failed the model does not serve, and the action throws
 * AllTestImagesFailed so the run fails before the endpoint is touched.
 */
import { ClassifierOutputError, parseClassifierOutput, predictedProbability } from '../shared/classifier-output';
import { mapWithConcurrency } from '../shared/concurrency';
import { EvaluationErrorName, reportObjectNames, ScoreEvent, ScoreResult } from '../shared/evaluation-contract';
import {
  EVALUATION_REPORT_SCHEMA_VERSION, EVALUATION_ROLES, EvaluationReport, MisclassifiedImage, ScoringFailure, testSetProblems,
} from '../shared/evaluation-report';
import type { ObjectStore } from '../shared/object-store';
import {
  compareCodePoints, objectIn, objectUri, parseS3Folder, parseS3Object, parseTransformManifest, S3Folder, S3Object, transformOutputKey,
} from '../shared/s3-folder';
import { EvaluationError } from './evaluation-error';
import { classificationMetrics } from './metrics';
import { renderReportHtml } from './report-html';

/** GetObject calls in flight at once while reading the answers. */
export const OUTPUT_READ_CONCURRENCY = 16;
/** How many failure reasons the AllTestImagesFailed message quotes. */
const QUOTED_FAILURES = 3;

interface ValidEvent extends ScoreEvent {
  readonly testManifest: S3Object;
  readonly predictions: S3Folder;
  readonly reportFolder: S3Folder;
}

/** What one test image gave: a scored answer, or a failure. */
export type ImageOutcome =
  | { readonly key: string; readonly trueLabel: string; readonly predictedLabel: string; readonly probability: number; readonly labels: string }
  | { readonly key: string; readonly failure: string };

export async function scoreModel(event: ScoreEvent, store: ObjectStore): Promise<ScoreResult> {
  const valid = validEvent(event);
  const manifestText = await store.readText(valid.testManifest);
  if (manifestText === undefined) {
    throw new EvaluationError(EvaluationErrorName.INVALID_EVENT, `the test manifest ${event.testManifestUri} does not exist; pass the testManifestUri selectTestSet returned`);
  }
  const manifest = parseTransformManifest(manifestText, event.testManifestUri);
  if (manifest.relativeKeys.length === 0) {
    throw new EvaluationError(EvaluationErrorName.INVALID_EVENT, `the test manifest ${event.testManifestUri} lists no image; score only a test set with images (imageCount > 0)`);
  }

  const outcomes = await mapWithConcurrency(manifest.relativeKeys, OUTPUT_READ_CONCURRENCY, (relativeKey) =>
    readOutcome(store, valid, manifest.folder, relativeKey));
  const report = evaluationReport(valid, outcomes);
  const names = reportObjectNames(valid.role, valid.modelName);
  const json = objectIn(valid.reportFolder, names.json);
  const html = objectIn(valid.reportFolder, names.html);
  await Promise.all([
    store.writeText(json, `${JSON.stringify(report, null, 2)}\n`, 'application/json'),
    store.writeText(html, renderReportHtml(report), 'text/html; charset=utf-8'),
  ]);
  return {
    accuracy: report.accuracy,
    macroF1: report.macroF1,
    reportJsonUri: objectUri(json),
    reportHtmlUri: objectUri(html),
    imageCount: manifest.relativeKeys.length,
    failureCount: report.failures.length,
  };
}

/**
 * The report from the outcomes. The classes are the model's labels (those of its answers) and any true label it does
 * not know, sorted by code point as the algorithm orders them. The labels of the first answer are the model's; an
 * answer with other labels is a failure.
 */
export function evaluationReport(event: Omit<ScoreEvent, 'action'>, outcomes: readonly ImageOutcome[]): EvaluationReport {
  const failures: ScoringFailure[] = [];
  const scored: Array<Extract<ImageOutcome, { trueLabel: string }>> = [];
  let modelLabels: string | undefined;
  for (const outcome of outcomes) {
    if ('failure' in outcome) {
      failures.push({ key: outcome.key, reason: outcome.failure });
    } else if ((modelLabels ??= outcome.labels) !== outcome.labels) {
      failures.push({ key: outcome.key, reason: `the answer's labels ${outcome.labels} differ from the model's other answers (${modelLabels})` });
    } else {
      scored.push(outcome);
    }
  }
  if (scored.length === 0) {
    const quoted = failures.slice(0, QUOTED_FAILURES).map((failure) => `${failure.key}: ${failure.reason}`).join('; ');
    throw new EvaluationError(EvaluationErrorName.ALL_TEST_IMAGES_FAILED,
      `model ${event.modelName} gave no usable answer for any of the ${failures.length} test images, so it does not serve (${quoted}); `
      + `see the transform job's logs in CloudWatch (/aws/sagemaker/TransformJobs)`);
  }
  const classes = [...new Set([...(JSON.parse(modelLabels!) as string[]), ...scored.map((outcome) => outcome.trueLabel)])].sort(compareCodePoints);
  const metrics = classificationMetrics(scored, classes);
  const misclassified: MisclassifiedImage[] = scored
    .filter((outcome) => outcome.predictedLabel !== outcome.trueLabel)
    .map(({ key, trueLabel, predictedLabel, probability }) => ({ key, trueLabel, predictedLabel, probability }));
  return {
    schemaVersion: EVALUATION_REPORT_SCHEMA_VERSION,
    runId: event.runId,
    modelName: event.modelName,
    role: event.role,
    testSet: { version: event.testSet.version, source: event.testSet.source, imageCount: event.testSet.imageCount },
    classes,
    accuracy: metrics.accuracy,
    macroF1: metrics.macroF1,
    perClass: metrics.perClass,
    confusionMatrix: metrics.confusionMatrix,
    misclassified,
    failures,
  };
}

async function readOutcome(store: ObjectStore, event: ValidEvent, imageFolder: S3Folder, relativeKey: string): Promise<ImageOutcome> {
  const key = `${imageFolder.prefix}${relativeKey}`;
  const slash = relativeKey.indexOf('/');
  if (slash <= 0) return { key, failure: `not in a class folder (<class>/<image>), so its true label is unknown` };
  const output = transformOutputKey(event.predictions, relativeKey);
  const text = await store.readText(output);
  if (text === undefined) return { key, failure: `no answer: ${objectUri(output)} does not exist` };
  try {
    const answer = parseClassifierOutput(text, { binaryMode: event.binaryMode, binaryModeFix: 'score it with binaryMode: true' });
    return {
      key,
      trueLabel: relativeKey.slice(0, slash),
      predictedLabel: answer.predictedLabel,
      probability: predictedProbability(answer),
      labels: JSON.stringify(answer.labels),
    };
  } catch (error) {
    if (error instanceof ClassifierOutputError) return { key, failure: `unexpected answer in ${objectUri(output)}: ${error.message}` };
    throw error;
  }
}

function validEvent(event: ScoreEvent): ValidEvent {
  const problems: string[] = [];
  const testManifest = parseS3Object(event.testManifestUri, 'testManifestUri');
  const predictions = parseS3Folder(event.predictionsUri, 'predictionsUri');
  const reportFolder = parseS3Folder(event.reportPrefixUri, 'reportPrefixUri');
  for (const parsed of [testManifest, predictions, reportFolder]) if (typeof parsed === 'string') problems.push(parsed);
  for (const field of ['runId', 'modelName'] as const) {
    // The model name becomes part of the report's key: a SageMaker name never holds '/'.
    if (typeof event[field] !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(event[field])) {
      problems.push(`${field} must be a SageMaker-style name (letters, digits, hyphens), got ${JSON.stringify(event[field])}`);
    }
  }
  if (!EVALUATION_ROLES.includes(event.role)) problems.push(`role must be one of ${EVALUATION_ROLES.join(', ')}, got ${JSON.stringify(event.role)}`);
  problems.push(...testSetProblems(event.testSet, 'testSet'));
  if (event.binaryMode !== undefined && typeof event.binaryMode !== 'boolean') problems.push(`binaryMode must be true or false, got ${JSON.stringify(event.binaryMode)}`);
  if (problems.length > 0) throw new EvaluationError(EvaluationErrorName.INVALID_EVENT, `invalid score event: ${problems.join('; ')}`);
  return { ...event, testManifest: testManifest as S3Object, predictions: predictions as S3Folder, reportFolder: reportFolder as S3Folder };
}
