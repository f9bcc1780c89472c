/**
 * The inbox: S3 `ObjectCreated` notifications for objects under the inbox prefix. Each image is classified and its
 * result written next to it as `<key>.prediction.json`. Objects the function writes itself (`.prediction.json`,
 * `.error.json`) are skipped, so its own writes never loop.
 *
 * Nothing is dropped silently. Every record ends in exactly one list of the returned InboxSummary:
 * - `succeeded`: the result JSON was written;
 * - `failed` with `retryable: false`: the object itself is bad (not an image, too large, outside the inbox...).
 *   Retrying cannot help; the failure is logged at level error and, for objects inside the inbox, written next to
 *   the object as `<key>.error.json` so the person who dropped it sees why;
 * - `failed` with `retryable: true`: the endpoint, S3 or the function failed. After the whole batch, the handler
 *   throws InboxBatchError so that Lambda's asynchronous retries, and then the function's on-failure destination
 *   or dead-letter queue, see the event (a retry re-classifies the whole event; the writes are idempotent);
 * - `skipped`: our own output objects, folder markers, and non-ObjectCreated events, each with the reason.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ClassifierDependencies, classifyImage } from './classify';
import { ERROR_SUFFIX, InferenceConfig, PREDICTION_SUFFIX } from '../shared/inference-environment';
import { InferenceError } from './inference-error';
import { ClassificationResult, describeError } from './response';
import { formatS3Uri, readObject, S3Location, writeJson } from './s3-source';
import { mapWithConcurrency } from '../shared/concurrency';

/** The parts of an S3 event notification record the function reads. */
export interface S3NotificationRecord {
  readonly eventSource?: string;
  readonly eventName?: string;
  readonly s3?: {
    readonly bucket?: { readonly name?: string };
    readonly object?: { readonly key?: string; readonly size?: number; readonly eTag?: string; readonly versionId?: string };
  };
}

export interface S3NotificationEvent {
  readonly Records?: readonly S3NotificationRecord[];
  /** `s3:TestEvent` when S3 checks a new notification configuration */
  readonly Event?: string;
}

export interface InboxObject extends S3Location {
  readonly eTag?: string;
  readonly versionId?: string;
}

export interface InboxSuccess {
  readonly bucket: string;
  readonly key: string;
  readonly resultKey: string;
  readonly predictedLabel: string;
}

export interface InboxFailure {
  readonly bucket: string;
  readonly key: string;
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  /** where the error was written for the owner to see, if it was */
  readonly errorKey?: string;
}

export interface InboxSkip {
  readonly bucket?: string;
  readonly key?: string;
  readonly reason: string;
}

/** The handler's return value for an S3 notification event. */
export interface InboxSummary {
  readonly succeeded: readonly InboxSuccess[];
  readonly failed: readonly InboxFailure[];
  readonly skipped: readonly InboxSkip[];
}

/** Thrown after a batch in which at least one object failed for a reason a retry may fix. */
export class InboxBatchError extends Error {
  constructor(public readonly summary: InboxSummary) {
    const retryable = summary.failed.filter((failure) => failure.retryable);
    const keys = retryable.slice(0, 5).map((failure) => `${formatS3Uri(failure)} (${failure.code})`).join(', ');
    super(`${retryable.length} of ${summary.failed.length + summary.succeeded.length} inbox object(s) failed and may succeed on retry: ${keys}${retryable.length > 5 ? ', …' : ''}`);
    this.name = 'InboxBatchError';
  }
}

export function resultKeyFor(key: string): string {
  return `${key}${PREDICTION_SUFFIX}`;
}

export function errorKeyFor(key: string): string {
  return `${key}${ERROR_SUFFIX}`;
}

export function isOwnOutput(key: string): boolean {
  return key.endsWith(PREDICTION_SUFFIX) || key.endsWith(ERROR_SUFFIX);
}

/** Keys in S3 notifications are URL-encoded with `+` for spaces. */
export function decodeNotificationKey(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

export interface InboxPlan {
  readonly objects: readonly InboxObject[];
  readonly failed: readonly InboxFailure[];
  readonly skipped: readonly InboxSkip[];
}

/** Sorts the records into objects to classify, records that are already failures, and records to skip. Pure. */
export function planInbox(event: S3NotificationEvent, inbox: InferenceConfig['inbox']): InboxPlan {
  const objects: InboxObject[] = [];
  const failed: InboxFailure[] = [];
  const skipped: InboxSkip[] = [];
  if (event.Event === 's3:TestEvent') skipped.push({ reason: 's3:TestEvent' });
  for (const record of event.Records ?? []) {
    const bucket = record.s3?.bucket?.name;
    const rawKey = record.s3?.object?.key;
    if (record.eventSource !== 'aws:s3' || !record.eventName?.startsWith('ObjectCreated:')) {
      skipped.push({ bucket, key: rawKey, reason: `not an S3 ObjectCreated event (${record.eventSource ?? '?'} ${record.eventName ?? '?'})` });
      continue;
    }
    if (bucket === undefined || rawKey === undefined) {
      failed.push(failure(bucket ?? '', rawKey ?? '', new InferenceError(400, 'UNSUPPORTED_EVENT', 'the S3 record names no bucket or key')));
      continue;
    }
    let key: string;
    try {
      key = decodeNotificationKey(rawKey);
    } catch {
      failed.push(failure(bucket, rawKey, new InferenceError(400, 'UNSUPPORTED_EVENT', 'the S3 record holds a key that is not URL-encoded')));
      continue;
    }
    if (isOwnOutput(key)) {
      skipped.push({ bucket, key, reason: 'written by this function' });
    } else if (key.endsWith('/')) {
      skipped.push({ bucket, key, reason: 'folder marker' });
    } else if (inbox === undefined || bucket !== inbox.bucket || !key.startsWith(inbox.prefix)) {
      failed.push(failure(bucket, key, new InferenceError(403, 'BUCKET_NOT_ALLOWED', `${formatS3Uri({ bucket, key })} is not in this function's inbox`)));
    } else {
      const { eTag, versionId } = record.s3?.object ?? {};
      objects.push({ bucket, key, ...(eTag === undefined ? {} : { eTag }), ...(versionId === undefined ? {} : { versionId }) });
    }
  }
  return { objects, failed, skipped };
}

/** The document written to `<key>.prediction.json`. */
export interface PredictionDocument {
  readonly source: InboxObject;
  readonly classifiedAt: string;
  readonly result: ClassificationResult;
}

/** The document written to `<key>.error.json`. */
export interface ErrorDocument {
  readonly source: InboxObject;
  readonly failedAt: string;
  readonly error: { readonly code: string; readonly message: string; readonly status: number };
}

export async function processInbox(event: S3NotificationEvent, deps: ClassifierDependencies): Promise<InboxSummary> {
  const { config } = deps;
  const plan = planInbox(event, config.inbox);
  const outcomes = await mapWithConcurrency(plan.objects, config.inbox?.concurrency ?? 1, (object) => processObject(object, deps));
  const succeeded = outcomes.filter((outcome): outcome is InboxSuccess => 'resultKey' in outcome);
  const failed = [...plan.failed, ...outcomes.filter((outcome): outcome is InboxFailure => 'code' in outcome)];
  for (const failure of plan.failed) deps.log.error('inbox-object-failed', { ...failure });
  for (const skip of plan.skipped) deps.log.info('inbox-object-skipped', { ...skip });
  return { succeeded, failed, skipped: plan.skipped };
}

async function processObject(object: InboxObject, deps: ClassifierDependencies): Promise<InboxSuccess | InboxFailure> {
  const log = deps.log.child({ s3Uri: formatS3Uri(object) });
  try {
    const bytes = await readObject(deps.s3(), object, deps.config.maxImageBytes);
    const result = await classifyImage(bytes, deps.config.defaultTopK, { ...deps, log });
    const resultKey = resultKeyFor(object.key);
    const document: PredictionDocument = { source: object, classifiedAt: new Date().toISOString(), result };
    await writeJson(deps.s3(), { bucket: object.bucket, key: resultKey }, document);
    return { bucket: object.bucket, key: object.key, resultKey, predictedLabel: result.predictedLabel };
  } catch (error) {
    const outcome = failure(object.bucket, object.key, error);
    log.error('inbox-object-failed', { ...outcome, error });
    return outcome.retryable ? outcome : recordError(object, outcome, deps.s3(), log);
  }
}

/** Writes `<key>.error.json` for a permanent failure; if even that fails, the failure becomes retryable. */
async function recordError(object: InboxObject, outcome: InboxFailure, s3: S3Client, log: ClassifierDependencies['log']): Promise<InboxFailure> {
  const errorKey = errorKeyFor(object.key);
  const document: ErrorDocument = {
    source: object,
    failedAt: new Date().toISOString(),
    error: { code: outcome.code, message: outcome.message, status: outcome.status },
  };
  try {
    await writeJson(s3, { bucket: object.bucket, key: errorKey }, document);
    return { ...outcome, errorKey };
  } catch (error) {
    log.error('inbox-error-document-not-written', { errorKey, error });
    return { ...outcome, retryable: true };
  }
}

function failure(bucket: string, key: string, error: unknown): InboxFailure {
  const { status, code, message, retryable } = describeError(error);
  return { bucket, key, status, code, message, retryable };
}
