/**
 * What the BatchClassification state machine and the batch function (lambda/batch/) agree on: the events of its two
 * actions, their results, the files written to the output folder and the error names the state machine catches.
 * Pure: no AWS SDK, no CDK, so the construct, the handler and the command line can import it.
 *
 * A run, in order:
 * 1. `prepare` checks the input and output folders, lists the images under the input folder and writes the
 *    Batch Transform manifest (S3DataType ManifestFile) to `<output>/manifest.json`;
 * 2. the state machine runs Batch Transform on it (ContentType application/x-image, SplitType None, Accept
 *    application/json;verbose, output path `<output>/predictions/`): one `<output>/predictions/<rel key>.out` per image;
 * 3. `consolidate` reads every `.out` and writes `<output>/results.jsonl`, `<output>/results.csv` and
 *    `<output>/summary.json`.
 */
import type { Prediction } from './classifier-output';
import type { SkippedObject, SkippedSummary } from './s3-folder';

/** The files a run writes in its output folder. */
export const BatchOutputName = {
  MANIFEST: 'manifest.json',
  /** the transform's output path (a folder) */
  PREDICTIONS: 'predictions/',
  /** the JSON list of every input object prepare skipped (when any was) */
  SKIPPED: 'skipped.json',
  RESULTS_JSONL: 'results.jsonl',
  RESULTS_CSV: 'results.csv',
  SUMMARY: 'summary.json',
} as const;

/** How many labels each result lists by default, and at most. */
export const DEFAULT_TOP_K = 3;
export const MAX_TOP_K = 100;

export interface PrepareBatchEvent {
  readonly action: 'prepare';
  /** `s3://bucket/folder/`: every JPEG and PNG under it is classified (a missing trailing `/` is added) */
  readonly input: string;
  /** `s3://bucket/folder/`: where the results go; must not lie inside the input folder */
  readonly output: string;
  readonly runId: string;
}

export interface PreparedBatch {
  readonly manifestUri: string;
  /** `<output>/predictions/`: the transform's output path */
  readonly predictionsUri: string;
  readonly imageCount: number;
  /** objects not sent: not JPEG or PNG, or larger than the 6 MiB request limit */
  readonly skipped: SkippedSummary;
}

export interface ConsolidateBatchEvent {
  readonly action: 'consolidate';
  readonly manifestUri: string;
  readonly predictionsUri: string;
  readonly output: string;
  readonly runId: string;
  /** Labels listed per image, 1 to MAX_TOP_K. @default DEFAULT_TOP_K */
  readonly topK?: number;
  /** what prepare skipped (its result's `skipped`) */
  readonly skipped: SkippedSummary;
  /** Read one-probability answers as a binary-mode model's. @default false */
  readonly binaryMode?: boolean;
}

/** One line of results.jsonl (and one row of results.csv). */
export interface BatchResult {
  /** the image's S3 key */
  readonly key: string;
  readonly predictedLabel: string;
  /** the model's probability for the predicted label */
  readonly probability: number;
  /** the topK labels with the highest probability, highest first */
  readonly top: readonly Prediction[];
}

/** An image the transform gave no usable answer for. */
export interface BatchFailure {
  readonly key: string;
  readonly reason: string;
}

/** summary.json. */
export interface BatchSummary {
  readonly schemaVersion: 1;
  readonly runId: string;
  readonly input: string;
  readonly output: string;
  /** images sent to the model (the manifest's entries) */
  readonly imageCount: number;
  readonly classifiedCount: number;
  readonly failureCount: number;
  readonly skippedCount: number;
  /** images per predicted label, labels sorted by code point */
  readonly countsByLabel: Readonly<Record<string, number>>;
  readonly failures: readonly BatchFailure[];
  readonly skipped: readonly SkippedObject[];
  readonly resultsJsonlUri: string;
  readonly resultsCsvUri: string;
}

/** What consolidate returns to the state machine: the summary's counts, small enough for a state (256 KB). */
export interface ConsolidatedBatch {
  readonly imageCount: number;
  readonly classifiedCount: number;
  readonly failureCount: number;
  readonly skippedCount: number;
  readonly countsByLabel: Readonly<Record<string, number>>;
  /** the first failures (all of them are in summary.json) */
  readonly failureExamples: readonly BatchFailure[];
  readonly summaryUri: string;
  readonly resultsJsonlUri: string;
  readonly resultsCsvUri: string;
}

export type BatchEvent = PrepareBatchEvent | ConsolidateBatchEvent;

/** Error names the batch function throws (Step Functions matches them in Catch `ErrorEquals`). */
export const BatchErrorName = {
  /** the run input is wrong (a folder URI, an output inside the input, topK); the message lists every problem and the fix */
  INVALID_BATCH_INPUT: 'InvalidBatchInput',
  /** the input folder holds no JPEG or PNG image to classify */
  NO_IMAGES: 'NoImagesToClassify',
} as const;
