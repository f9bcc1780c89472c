/**
 * The `prepare` action: check the run's input and output folders, list every image under the input folder and
 * write the Batch Transform manifest (and the list of skipped objects) to the output folder.
 */
import { BatchErrorName, BatchOutputName, PreparedBatch, PrepareBatchEvent } from '../shared/batch-contract';
import { MAX_REQUEST_PAYLOAD_BYTES } from '../shared/classifier-output';
import type { ObjectStore } from '../shared/object-store';
import {
  folderUri, isImageKey, isWithin, objectIn, objectUri, parseS3Folder, S3Folder, SkippedObject, skippedSummary, subFolder, transformManifest,
} from '../shared/s3-folder';
import { BatchError } from './batch-error';

/** A run id as the state machine makes it: a SageMaker-style name (it becomes part of the transform job's name). */
const RUN_ID_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

export interface BatchFolders {
  readonly input: S3Folder;
  readonly output: S3Folder;
}

export async function prepareBatch(event: PrepareBatchEvent, store: ObjectStore): Promise<PreparedBatch> {
  const { input, output } = batchFolders(event);
  const relativeKeys: string[] = [];
  const skipped: SkippedObject[] = [];
  let listed = 0;
  for await (const page of store.listPages(input)) {
    for (const object of page) {
      listed += 1;
      const reason = skipReason(object.key, object.size);
      if (reason === undefined) relativeKeys.push(object.key.slice(input.prefix.length));
      else if (reason !== FOLDER_MARKER) skipped.push({ key: object.key, reason });
    }
  }
  if (relativeKeys.length === 0) {
    const seen = listed === 0 ? 'nothing is there' : `${skipped.length} object(s) are there, none of them a JPEG or PNG image the model can take`
      + (skipped.length > 0 ? ` (e.g. ${skipped[0].key}: ${skipped[0].reason})` : '');
    throw new BatchError(BatchErrorName.NO_IMAGES, `no image to classify under ${folderUri(input)}: ${seen}; upload .jpg, .jpeg or .png images there, or check the input URI`);
  }

  const manifest = objectIn(output, BatchOutputName.MANIFEST);
  const skippedList = objectIn(output, BatchOutputName.SKIPPED);
  await Promise.all([
    store.writeText(manifest, JSON.stringify(transformManifest(input, relativeKeys)), 'application/json'),
    skipped.length === 0 ? undefined : store.writeText(skippedList, JSON.stringify(skipped), 'application/json'),
  ]);
  return {
    manifestUri: objectUri(manifest),
    predictionsUri: folderUri(subFolder(output, BatchOutputName.PREDICTIONS)),
    imageCount: relativeKeys.length,
    skipped: skippedSummary(skipped, objectUri(skippedList)),
  };
}

const FOLDER_MARKER = 'folder marker';

/** Why an object is not sent to the model, or undefined when it is. */
function skipReason(key: string, size: number): string | undefined {
  if (key.endsWith('/')) return FOLDER_MARKER;
  if (!isImageKey(key)) return 'not a JPEG or PNG image (.jpg, .jpeg, .png)';
  if (size === 0) return 'empty object';
  if (size > MAX_REQUEST_PAYLOAD_BYTES) {
    return `${size} bytes, above the ${MAX_REQUEST_PAYLOAD_BYTES} bytes (6 MiB) one request to the model may carry; resize the image`;
  }
  return undefined;
}

/**
 * The run's folders, checked: both `s3://bucket/folder/` URIs (a missing trailing `/` is added), the output not
 * inside the input (its results would be classified by the next run) and the input not inside the output's
 * predictions folder. Throws InvalidBatchInput listing every problem.
 */
export function batchFolders(event: { readonly input?: unknown; readonly output?: unknown; readonly runId?: unknown }): BatchFolders {
  const problems: string[] = [];
  const input = parseS3Folder(event.input, 'input');
  const output = parseS3Folder(event.output, 'output');
  for (const parsed of [input, output]) if (typeof parsed === 'string') problems.push(parsed);
  if (typeof input !== 'string' && typeof output !== 'string') {
    if (isWithin(output, input)) {
      problems.push(`output ${folderUri(output)} lies inside input ${folderUri(input)}, so the next run would classify this run's results; `
        + 'choose an output folder outside the input folder');
    } else if (isWithin(input, subFolder(output, BatchOutputName.PREDICTIONS))) {
      problems.push(`input ${folderUri(input)} lies inside the output's predictions folder; choose another output folder`);
    }
  }
  if (typeof event.runId !== 'string' || !RUN_ID_PATTERN.test(event.runId)) {
    problems.push(`runId must be a name of letters, digits and hyphens (at most 63), got ${JSON.stringify(event.runId)}`);
  }
  if (problems.length > 0) throw new BatchError(BatchErrorName.INVALID_BATCH_INPUT, `invalid batch run: ${problems.join('; ')}`);
  return { input: input as S3Folder, output: output as S3Folder };
}
