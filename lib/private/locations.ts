import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** An object (or, with a key ending in `/`, a folder) in S3. The bucket name may be a token. */
export interface S3ObjectLocation {
  readonly bucketName: string;
  readonly key: string;
}

/** A container image in ECR; the parts are what IAM needs to scope image pulls. */
export interface ImageUri {
  readonly account: string;
  readonly region: string;
  readonly repository: string;
  readonly uri: string;
}

export function s3Uri(location: S3ObjectLocation): string {
  return `s3://${location.bucketName}/${location.key}`;
}

/** ARN of the object, or of everything below the folder when the key ends with `/`. */
export function s3ObjectArn(scope: Construct, location: S3ObjectLocation): string {
  // A folder is read whole ('*'): its files are named by whoever published it (JumpStart), not known here.
  const key = location.key.endsWith('/') ? `${location.key}*` : location.key;
  return `arn:${Stack.of(scope).partition}:s3:::${location.bucketName}/${key}`;
}

/** Parses a literal `s3://bucket/key` URI; `undefined` for tokens and anything else. */
export function parseS3Uri(uri: string): S3ObjectLocation | undefined {
  if (Token.isUnresolved(uri)) return undefined;
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  return match ? { bucketName: match[1], key: match[2] } : undefined;
}

/** Parses a literal ECR image URI; `undefined` for tokens and anything else. */
export function parseImageUri(uri: string): ImageUri | undefined {
  if (Token.isUnresolved(uri) || uri.length > 255) return undefined;
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[a-z0-9.]+\/([a-z0-9._/-]+)(:[\w.-]+|@sha256:[0-9a-f]{64})$/.exec(uri);
  return match ? { account: match[1], region: match[2], repository: match[3], uri } : undefined;
}

/**
 * Whether `prefix` is a tidy S3 key prefix: segments of letters, digits and `! - _ . '` separated by single `/`, no
 * leading or trailing `/`, no `.` or `..` segment. S3 also calls `*`, `(` and `)` safe, but the prefix ends up in IAM
 * ARNs, where `*` is a wildcard that would widen every grant, and in cdk-nag finding ids, which parentheses break.
 */
export function isSafeKeyPrefix(prefix: string): boolean {
  return /^[A-Za-z0-9!_.'-]+(\/[A-Za-z0-9!_.'-]+)*$/.test(prefix)
    && !prefix.split('/').some((segment) => segment === '.' || segment === '..');
}

/** Longest dataset key prefix a `DatasetBucket` takes. */
const MAX_DATASET_PREFIX_LENGTH = 512;

/**
 * The problem with `prefix` as a dataset's key prefix, naming `path`; `undefined` for a usable prefix, `''` (the
 * bucket's root) or a token.
 */
export function datasetPrefixProblem(prefix: string, path: string): string | undefined {
  if (Token.isUnresolved(prefix) || prefix === '') return undefined;
  if (prefix.length > MAX_DATASET_PREFIX_LENGTH) return `${path} must be at most ${MAX_DATASET_PREFIX_LENGTH} characters, got ${prefix.length}`;
  if (isSafeKeyPrefix(prefix)) return undefined;
  return `${path} must be an S3 key prefix of letters, digits and ! - _ . ' in segments separated by single '/', `
    + `with no leading or trailing '/' and no '.' or '..' segment (for example 'datasets/flowers'), got '${prefix}'`;
}
