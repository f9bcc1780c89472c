/**
 * The `consolidate` action: read Batch Transform's answer for every image of the manifest and write
 * `<output>/results.jsonl`, `<output>/results.csv` and `<output>/summary.json`.
 *
 * Memory stays bounded whatever the number of images: the answers are read a window at a time (WINDOW images, at
 * most READ_CONCURRENCY GetObject calls in flight), each window's lines are appended to the two results files, which
 * go up to S3 part by part (multipart upload), and only the counts and the failures are kept. The manifest's keys
 * are held (about 100 bytes an image).
 */
import {
  BatchErrorName, BatchFailure, BatchOutputName, BatchResult, BatchSummary, ConsolidateBatchEvent, ConsolidatedBatch, DEFAULT_TOP_K, MAX_TOP_K,
} from '../shared/batch-contract';
import { ClassifierOutputError, parseClassifierOutput, predictedProbability, topPredictions } from '../shared/classifier-output';
import { mapWithConcurrency } from '../shared/concurrency';
import type { ObjectStore, TextWriter } from '../shared/object-store';
import {
  compareCodePoints, folderUri, objectIn, objectUri, parseS3Folder, parseS3Object, parseTransformManifest, S3Folder, S3Object, SkippedObject,
  SKIPPED_EXAMPLES, transformOutputKey,
} from '../shared/s3-folder';
import { BatchError } from './batch-error';
import { csvHeader, csvRows, jsonLines } from './results-format';

/** Images whose answers are read before their lines are written. */
export const WINDOW = 1000;
/** GetObject calls in flight at once. */
export const READ_CONCURRENCY = 16;

interface ValidEvent {
  readonly manifest: S3Object;
  readonly predictions: S3Folder;
  readonly output: S3Folder;
  readonly runId: string;
  readonly topK: number;
  readonly binaryMode: boolean;
  readonly skipped: ConsolidateBatchEvent['skipped'];
}

export async function consolidateBatch(event: ConsolidateBatchEvent, store: ObjectStore): Promise<ConsolidatedBatch> {
  const valid = validEvent(event);
  const manifestText = await store.readText(valid.manifest);
  if (manifestText === undefined) {
    throw new BatchError(BatchErrorName.INVALID_BATCH_INPUT, `the manifest ${event.manifestUri} does not exist; pass the manifestUri prepare returned`);
  }
  const manifest = parseTransformManifest(manifestText, event.manifestUri);

  const jsonl = objectIn(valid.output, BatchOutputName.RESULTS_JSONL);
  const csv = objectIn(valid.output, BatchOutputName.RESULTS_CSV);
  const writers = [store.textWriter(jsonl, 'application/x-ndjson'), store.textWriter(csv, 'text/csv; charset=utf-8')];
  const [jsonlWriter, csvWriter] = writers;
  const counts = new Map<string, number>();
  const failures: BatchFailure[] = [];
  try {
    await csvWriter.write(csvHeader(valid.topK));
    for (let start = 0; start < manifest.relativeKeys.length; start += WINDOW) {
      const window = manifest.relativeKeys.slice(start, start + WINDOW);
      const outcomes = await mapWithConcurrency(window, READ_CONCURRENCY, (relativeKey) => readResult(store, valid, manifest.folder, relativeKey));
      const results: BatchResult[] = [];
      for (const outcome of outcomes) {
        if ('reason' in outcome) {
          failures.push(outcome);
        } else {
          results.push(outcome);
          counts.set(outcome.predictedLabel, (counts.get(outcome.predictedLabel) ?? 0) + 1);
        }
      }
      await jsonlWriter.write(jsonLines(results));
      await csvWriter.write(csvRows(results, valid.topK));
    }
    for (const writer of writers) await writer.close();
  } catch (error) {
    await abortAll(writers);
    throw error;
  }

  const countsByLabel = Object.fromEntries([...counts.entries()].sort(([a], [b]) => compareCodePoints(a, b)));
  const skipped = await skippedObjects(store, valid.skipped);
  const imageCount = manifest.relativeKeys.length;
  const summary: BatchSummary = {
    schemaVersion: 1,
    runId: valid.runId,
    input: folderUri(manifest.folder),
    output: folderUri(valid.output),
    imageCount,
    classifiedCount: imageCount - failures.length,
    failureCount: failures.length,
    skippedCount: valid.skipped.count,
    countsByLabel,
    failures,
    skipped,
    resultsJsonlUri: objectUri(jsonl),
    resultsCsvUri: objectUri(csv),
  };
  const summaryObject = objectIn(valid.output, BatchOutputName.SUMMARY);
  await store.writeText(summaryObject, `${JSON.stringify(summary, null, 2)}\n`, 'application/json');
  return {
    imageCount,
    classifiedCount: summary.classifiedCount,
    failureCount: failures.length,
    skippedCount: summary.skippedCount,
    countsByLabel,
    failureExamples: failures.slice(0, SKIPPED_EXAMPLES),
    summaryUri: objectUri(summaryObject),
    resultsJsonlUri: summary.resultsJsonlUri,
    resultsCsvUri: summary.resultsCsvUri,
  };
}

async function readResult(store: ObjectStore, event: ValidEvent, imageFolder: S3Folder, relativeKey: string): Promise<BatchResult | BatchFailure> {
  const key = `${imageFolder.prefix}${relativeKey}`;
  const output = transformOutputKey(event.predictions, relativeKey);
  const text = await store.readText(output);
  if (text === undefined) return { key, reason: `no answer: ${objectUri(output)} does not exist (see the transform job's logs)` };
  try {
    const answer = parseClassifierOutput(text, { binaryMode: event.binaryMode, binaryModeFix: 'run BatchClassification with binaryMode: true' });
    return { key, predictedLabel: answer.predictedLabel, probability: predictedProbability(answer), top: topPredictions(answer, event.topK) };
  } catch (error) {
    if (error instanceof ClassifierOutputError) return { key, reason: `unexpected answer in ${objectUri(output)}: ${error.message}` };
    throw error;
  }
}

/** The whole skipped list when prepare wrote one, else the examples it returned. */
async function skippedObjects(store: ObjectStore, skipped: ConsolidateBatchEvent['skipped']): Promise<readonly SkippedObject[]> {
  if (skipped.listUri === null) return skipped.examples;
  const location = parseS3Object(skipped.listUri, 'skipped.listUri') as S3Object;
  const text = await store.readText(location);
  return text === undefined ? skipped.examples : JSON.parse(text) as SkippedObject[];
}

async function abortAll(writers: readonly TextWriter[]): Promise<void> {
  // The first error is the one to report; an abort that fails too leaves an incomplete upload, which S3 lifecycle
  // rules (AbortIncompleteMultipartUpload) remove.
  await Promise.allSettled(writers.map((writer) => writer.abort()));
}

function validEvent(event: ConsolidateBatchEvent): ValidEvent {
  const problems: string[] = [];
  const manifest = parseS3Object(event.manifestUri, 'manifestUri');
  const predictions = parseS3Folder(event.predictionsUri, 'predictionsUri');
  const output = parseS3Folder(event.output, 'output');
  for (const parsed of [manifest, predictions, output]) if (typeof parsed === 'string') problems.push(parsed);
  const topK = event.topK ?? DEFAULT_TOP_K;
  if (!Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) problems.push(`topK must be a whole number from 1 to ${MAX_TOP_K}, got ${JSON.stringify(event.topK)}`);
  if (typeof event.runId !== 'string' || event.runId === '') problems.push(`runId must be the run's id, got ${JSON.stringify(event.runId)}`);
  if (event.binaryMode !== undefined && typeof event.binaryMode !== 'boolean') problems.push(`binaryMode must be true or false, got ${JSON.stringify(event.binaryMode)}`);
  const skipped = event.skipped as Partial<ConsolidateBatchEvent['skipped']> | undefined;
  const skippedOk = typeof skipped === 'object' && skipped !== null && Number.isSafeInteger(skipped.count) && Array.isArray(skipped.examples)
    && (skipped.listUri === null || typeof parseS3Object(skipped.listUri, 'skipped.listUri') !== 'string');
  if (!skippedOk) problems.push(`skipped must be the "skipped" that prepare returned ({count, examples, listUri}), got ${JSON.stringify(event.skipped)}`);
  if (problems.length > 0) throw new BatchError(BatchErrorName.INVALID_BATCH_INPUT, `invalid consolidate event: ${problems.join('; ')}`);
  return {
    manifest: manifest as S3Object,
    predictions: predictions as S3Folder,
    output: output as S3Folder,
    runId: event.runId,
    topK,
    binaryMode: event.binaryMode ?? false,
    skipped: event.skipped,
  };
}
