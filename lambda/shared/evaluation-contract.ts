/**
 * What the retraining pipeline's evaluation phase and the evaluation function (lambda/evaluation/) agree on: the
 * events of its two actions, their results, the error names the state machine catches and where reports are written.
 * Pure: no AWS SDK, no CDK, so the constructs, the handler and the command line can import it.
 *
 * The phase, in order:
 * 1. `selectTestSet` lists the dataset, chooses the fixed test set (the `test/` folder, else a deterministic hold-out
 *    from `training/`), writes the Batch Transform manifest of the test images (and, for a hold-out, the training
 *    channel's manifest of the other images) under the run's folder;
 * 2. the state machine trains (on the training manifest when there is one), then runs Batch Transform on the test
 *    manifest (ContentType application/x-image, SplitType None, Accept application/json;verbose) for the challenger,
 *    and for the champion unless its record holds a score on this test-set version;
 * 3. `score` reads the transform's `.out` objects, computes the figures and writes the report (JSON and HTML).
 */
import type { EvaluationRole, TestSetIdentity, TestSetSource } from './evaluation-report';
import type { SkippedSummary } from './s3-folder';

/** The fraction of `training/` held out as the test set when the dataset has no `test/` folder. */
export const DEFAULT_HOLD_OUT_FRACTION = 0.1;

/** Names of the manifests selectTestSet writes in the run folder. */
export const TEST_MANIFEST_NAME = 'test.manifest';
export const TRAINING_MANIFEST_NAME = 'training.manifest';
/** The JSON list of every object selectTestSet skipped, in the run folder (when any was). */
export const TEST_SET_SKIPPED_NAME = 'test-set-skipped.json';

export interface SelectTestSetEvent {
  readonly action: 'selectTestSet';
  /** `s3://bucket/<dataset prefix>/`: the folder holding `training/<class>/<image>` and optionally `test/<class>/<image>` */
  readonly datasetUri: string;
  /** `s3://bucket/<folder>/`: the run's own folder, where the manifests are written */
  readonly runFolderUri: string;
  /**
   * The share of training images held out when there is no `test/` folder, in (0, 1). Changing it changes the test set
   * (and its version).
   * @default DEFAULT_HOLD_OUT_FRACTION (0.1)
   */
  readonly holdOutFraction?: number;
}

export interface TestSetSelection {
  readonly source: TestSetSource;
  /** hex SHA-256 over the sorted test keys and their ETags: equal versions mean the same images, byte for byte */
  readonly version: string;
  /**
   * The number of test images. 0 when none qualifies (no `test/` image of a trained class, or a hold-out that took
   * none of a small dataset): there is then no test set, and the gate falls back to the validation accuracy.
   */
  readonly imageCount: number;
  /** the classes the model is trained on (the `training/` class folders), sorted by code point */
  readonly classes: readonly string[];
  /** classes of `classes` that have no test image: their recall cannot be measured */
  readonly classesWithoutTestImages: readonly string[];
  /** `s3://…/test.manifest`: the transform input (S3DataType ManifestFile) */
  readonly testManifestUri: string;
  /** `s3://…/training.manifest` for the training channel (S3DataType ManifestFile) on a hold-out; null when `test/` is used */
  readonly trainingManifestUri: string | null;
  /** objects that are in neither set: not images, not in a class folder, or of a test class with no training images */
  readonly skipped: SkippedSummary;
}

export interface ScoreEvent {
  readonly action: 'score';
  /** the manifest selectTestSet wrote */
  readonly testManifestUri: string;
  /** the transform's output path: `<predictionsUri><rel key>.out` for each manifest entry */
  readonly predictionsUri: string;
  readonly runId: string;
  /** the SageMaker model that was scored */
  readonly modelName: string;
  readonly role: EvaluationRole;
  readonly testSet: TestSetIdentity;
  /** `s3://bucket/<folder>/`: where `<role>-<modelName>.json` and `.html` are written */
  readonly reportPrefixUri: string;
  /** Read one-probability answers as a binary-mode model's. @default false */
  readonly binaryMode?: boolean;
}

export interface ScoreResult {
  readonly accuracy: number;
  readonly macroF1: number;
  readonly reportJsonUri: string;
  readonly reportHtmlUri: string;
  /** test images in the manifest */
  readonly imageCount: number;
  /** test images without a usable answer (listed in the report, counted in no figure) */
  readonly failureCount: number;
}

export type EvaluationEvent = SelectTestSetEvent | ScoreEvent;

/** Error names the evaluation function throws (Step Functions matches them in Catch/Retry `ErrorEquals`). */
export const EvaluationErrorName = {
  /** the event is malformed (a bug in the state machine, or a bad run input); the message lists every problem */
  INVALID_EVENT: 'InvalidEvaluationEvent',
  /** the dataset cannot give a test set: no training images, or a class that would have none left to train on */
  UNUSABLE_DATASET: 'UnusableDataset',
  /** no test image has a usable answer: the model does not serve (the run must fail before the endpoint is touched) */
  ALL_TEST_IMAGES_FAILED: 'AllTestImagesFailed',
} as const;

/** The report objects of one model in one run: `<reportPrefixUri><role>-<modelName>.json` and `.html`. */
export function reportObjectNames(role: EvaluationRole, modelName: string): { readonly json: string; readonly html: string } {
  return { json: `${role}-${modelName}.json`, html: `${role}-${modelName}.html` };
}
