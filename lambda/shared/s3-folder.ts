/**
 * `s3://bucket/prefix/` folder URIs and object URIs as the evaluation and batch functions take and write them, and
 * the Batch Transform manifest that lists a folder's objects. Pure: no AWS SDK.
 *
 * A folder URI names a key prefix that ends with `/` (or the bucket root). `s3://b/p` is read as the folder
 * `s3://b/p/`, as the AWS CLI reads a destination folder. Keys are taken as written (no percent-decoding).
 */

/** A folder: a bucket and a key prefix that is empty (the bucket root) or ends with `/`. */
export interface S3Folder {
  readonly bucket: string;
  readonly prefix: string;
}

/** An object: a bucket and a key. */
export interface S3Object {
  readonly bucket: string;
  readonly key: string;
}

/** S3's rule for bucket names (3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each end). */
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses a folder URI; returns the problem (naming `field`, the value and the expected form) instead of throwing, so
 * that callers can collect every problem of an event into one error.
 */
export function parseS3Folder(value: unknown, field: string): S3Folder | string {
  const parsed = parseS3Uri(value, field, 's3://bucket/folder/');
  if (typeof parsed === 'string') return parsed;
  const prefix = parsed.key === '' || parsed.key.endsWith('/') ? parsed.key : `${parsed.key}/`;
  if (prefix.startsWith('/') || prefix.includes('//')) {
    return `${field} must not contain an empty folder name ('//'), got ${JSON.stringify(value)}`;
  }
  return { bucket: parsed.bucket, prefix };
}

/** Parses an object URI (`s3://bucket/key`, key non-empty); returns the problem instead of throwing. */
export function parseS3Object(value: unknown, field: string): S3Object | string {
  const parsed = parseS3Uri(value, field, 's3://bucket/key');
  if (typeof parsed === 'string') return parsed;
  if (parsed.key === '' || parsed.key.endsWith('/')) return `${field} must name an object (s3://bucket/key), got the folder ${JSON.stringify(value)}`;
  return parsed;
}

function parseS3Uri(value: unknown, field: string, form: string): S3Object | string {
  if (typeof value !== 'string') return `${field} must be a string like "${form}", got ${value === undefined ? 'nothing' : JSON.stringify(value)}`;
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(value);
  if (match === null) return `${field} must be an S3 URI like "${form}", got ${JSON.stringify(value)}`;
  const [, bucket, key = ''] = match;
  if (!BUCKET_PATTERN.test(bucket)) return `${field} names the bucket ${JSON.stringify(bucket)}, which is not a valid S3 bucket name`;
  return { bucket, key };
}

export function folderUri(folder: S3Folder): string {
  return `s3://${folder.bucket}/${folder.prefix}`;
}

export function objectUri(object: S3Object): string {
  return `s3://${object.bucket}/${object.key}`;
}

/** The sub-folder `name/` of `folder`. */
export function subFolder(folder: S3Folder, name: string): S3Folder {
  return { bucket: folder.bucket, prefix: `${folder.prefix}${name.replace(/\/?$/, '/')}` };
}

/** The object `name` in `folder`. */
export function objectIn(folder: S3Folder, name: string): S3Object {
  return { bucket: folder.bucket, key: `${folder.prefix}${name}` };
}

/** Whether `inner` is `outer` or lies under it. */
export function isWithin(inner: S3Folder, outer: S3Folder): boolean {
  return inner.bucket === outer.bucket && inner.prefix.startsWith(outer.prefix);
}

/** Image files the algorithm reads: JPEG and PNG, by extension, in any case. */
export function isImageKey(key: string): boolean {
  return /\.(jpe?g|png)$/i.test(key);
}

/** An object not sent to the model, and why. */
export interface SkippedObject {
  readonly key: string;
  readonly reason: string;
}

/**
 * The skipped objects of a listing, small enough for a Step Functions state (256 KB): the count, the first
 * SKIPPED_EXAMPLES, and where the whole list is (a JSON array of SkippedObject), or null when nothing was skipped.
 */
export interface SkippedSummary {
  readonly count: number;
  readonly examples: readonly SkippedObject[];
  readonly listUri: string | null;
}

/** How many skipped objects a SkippedSummary carries itself. */
export const SKIPPED_EXAMPLES = 20;

export function skippedSummary(skipped: readonly SkippedObject[], listUri: string | null): SkippedSummary {
  return { count: skipped.length, examples: skipped.slice(0, SKIPPED_EXAMPLES), listUri: skipped.length === 0 ? null : listUri };
}

/**
 * A Batch Transform manifest (S3DataType ManifestFile; also a training channel's manifest): the common prefix, then
 * each object's key relative to it. Batch Transform writes the answer for `<rel key>` to `<output path>/<rel key>.out`.
 */
export type TransformManifest = [{ readonly prefix: string }, ...string[]];

export function transformManifest(folder: S3Folder, relativeKeys: readonly string[]): TransformManifest {
  return [{ prefix: folderUri(folder) }, ...relativeKeys];
}

/** Reads a manifest written by transformManifest; throws naming what is wrong. */
export function parseTransformManifest(text: string, where: string): { readonly folder: S3Folder; readonly relativeKeys: readonly string[] } {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error(`the manifest ${where} is not JSON`);
  }
  if (!Array.isArray(document) || document.length === 0 || typeof document[0] !== 'object' || document[0] === null) {
    throw new Error(`the manifest ${where} must be a JSON array starting with {"prefix": "s3://bucket/folder/"}`);
  }
  const folder = parseS3Folder((document[0] as { prefix?: unknown }).prefix, `the prefix of the manifest ${where}`);
  if (typeof folder === 'string') throw new Error(folder);
  const relativeKeys = document.slice(1);
  const bad = relativeKeys.findIndex((key) => typeof key !== 'string' || key === '');
  if (bad >= 0) throw new Error(`entry ${bad + 1} of the manifest ${where} is not a relative key`);
  return { folder, relativeKeys: relativeKeys as string[] };
}

/** Where Batch Transform writes the answer for the manifest entry `relativeKey`. */
export function transformOutputKey(predictions: S3Folder, relativeKey: string): S3Object {
  return objectIn(predictions, `${relativeKey}.out`);
}

/**
 * Compares strings by Unicode code point, as Python's sorted() does (the order in which the algorithm numbers the
 * class folders); JavaScript's default sort compares UTF-16 code units, which differs beyond the BMP.
 */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
