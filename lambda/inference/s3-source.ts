/**
 * Images stored in S3: parsing `s3://bucket/key`, deciding whether the function may read a location, and reading
 * or writing an object with the AWS SDK, with S3's errors turned into InferenceErrors.
 */
import type { S3Client } from '@aws-sdk/client-s3';

type S3Sdk = typeof import('@aws-sdk/client-s3');
let s3Sdk: S3Sdk | undefined;

/**
 * @aws-sdk/client-s3, loaded on first use: it is the largest module the function loads (tens of ms of a cold start,
 * bench/README.md), and a request that carries its image needs no S3.
 */
export function loadS3Sdk(): S3Sdk {
  s3Sdk ??= require('@aws-sdk/client-s3') as S3Sdk;
  return s3Sdk;
}
import { BUCKET_NAME_PATTERN, InferenceConfig } from '../shared/inference-environment';
import { InferenceError } from './inference-error';

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** S3 keys are at most 1024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

/**
 * Parses `s3://bucket/key`. The key is taken as written (no percent-decoding), as the AWS CLI prints it.
 * Throws InferenceError 400 INVALID_S3_URI naming what is wrong.
 */
export function parseS3Uri(uri: unknown): S3Location {
  if (typeof uri !== 'string') {
    throw new InferenceError(400, 'INVALID_S3_URI', `s3Uri must be a string like "s3://bucket/key", got ${describe(uri)}`);
  }
  // `(.*)` with the s flag takes the rest of the text, whatever it holds.
  const match = /^s3:\/\/([^/]*)\/(.*)/is.exec(uri);
  if (match === null) {
    throw new InferenceError(400, 'INVALID_S3_URI', `s3Uri must look like "s3://bucket/key", got ${JSON.stringify(truncate(uri))}`);
  }
  const [, bucket, key] = match;
  if (!BUCKET_NAME_PATTERN.test(bucket) || bucket.includes('..')) {
    throw new InferenceError(400, 'INVALID_S3_URI', `s3Uri names an invalid bucket ${JSON.stringify(truncate(bucket))}`);
  }
  if (key === '') {
    throw new InferenceError(400, 'INVALID_S3_URI', `s3Uri must name an object key after the bucket, got ${JSON.stringify(truncate(uri))}`);
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new InferenceError(400, 'INVALID_S3_URI', `s3Uri key is longer than ${MAX_KEY_BYTES} bytes`);
  }
  return { bucket, key };
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/**
 * Whether the function may read the location: any key of a readable bucket, or a key under the inbox prefix.
 * This mirrors the IAM policy the construct writes, so a refusal here is a 403 the caller can understand rather
 * than an opaque AccessDenied from S3.
 */
export function isReadable(location: S3Location, config: Pick<InferenceConfig, 'readableBuckets' | 'inbox'>): boolean {
  if (config.readableBuckets.includes(location.bucket)) return true;
  return config.inbox !== undefined && location.bucket === config.inbox.bucket && location.key.startsWith(config.inbox.prefix);
}

/** Throws InferenceError 403 BUCKET_NOT_ALLOWED unless isReadable. */
export function assertReadable(location: S3Location, config: Pick<InferenceConfig, 'readableBuckets' | 'inbox'>): void {
  if (!isReadable(location, config)) {
    throw new InferenceError(403, 'BUCKET_NOT_ALLOWED', `this function may not read ${JSON.stringify(truncate(formatS3Uri(location)))}`);
  }
}

/**
 * Reads an object, refusing it (413 OBJECT_TOO_LARGE) before download when S3 reports more than maxBytes.
 * NoSuchKey/NoSuchBucket become 404 OBJECT_NOT_FOUND; any other S3 failure is a 502 S3_ERROR.
 */
export async function readObject(s3: S3Client, location: S3Location, maxBytes: number): Promise<Uint8Array> {
  const uri = formatS3Uri(location);
  try {
    const output = await s3.send(new (loadS3Sdk().GetObjectCommand)({ Bucket: location.bucket, Key: location.key }));
    if (output.ContentLength !== undefined && output.ContentLength > maxBytes) {
      destroyBody(output.Body);
      throw new InferenceError(413, 'OBJECT_TOO_LARGE', `${uri} is ${output.ContentLength} bytes, above the limit of ${maxBytes}`);
    }
    // Stryker disable next-line StringLiteral: the SDK always gives GetObject a body stream; this only satisfies the type
    if (output.Body === undefined) throw new Error(`GetObject returned no body for ${uri}`);
    const bytes = await output.Body.transformToByteArray();
    if (bytes.length > maxBytes) {
      throw new InferenceError(413, 'OBJECT_TOO_LARGE', `${uri} is ${bytes.length} bytes, above the limit of ${maxBytes}`);
    }
    return bytes;
  } catch (error) {
    if (error instanceof InferenceError) throw error;
    throw s3Failure(error, 'read', uri);
  }
}

/** Writes a JSON document; any failure is a 502 S3_ERROR. */
export async function writeJson(s3: S3Client, location: S3Location, document: unknown): Promise<void> {
  try {
    await s3.send(new (loadS3Sdk().PutObjectCommand)({
      Bucket: location.bucket,
      Key: location.key,
      Body: `${JSON.stringify(document, undefined, 2)}\n`,
      ContentType: 'application/json',
    }));
  } catch (error) {
    throw s3Failure(error, 'write', formatS3Uri(location));
  }
}

function s3Failure(error: unknown, verb: 'read' | 'write', uri: string): InferenceError {
  const name = error instanceof Error ? error.name : '';
  // NotFound: the SDK's name for a 404 that carries no error document.
  if (verb === 'read' && (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound')) {
    return new InferenceError(404, 'OBJECT_NOT_FOUND', `${uri} does not exist`, { cause: error });
  }
  return new InferenceError(502, 'S3_ERROR', `could not ${verb} ${uri}${name === '' ? '' : ` (${name})`}`, { cause: error });
}

function destroyBody(body: unknown): void {
  const stream = body as { destroy?: () => void } | undefined;
  if (typeof stream?.destroy === 'function') stream.destroy();
}

function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  return value === null ? 'null' : typeof value;
}
