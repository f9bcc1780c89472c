/**
 * Whether one S3 object is there, as the check's role sees it. S3 answers HeadObject on a missing key with 404 only
 * to a caller allowed to list the bucket, and with 403 otherwise; whether a `s3:prefix`-conditioned ListBucket grant
 * counts for that is not documented. So a 403 is followed by a ListObjectsV2 with the key as prefix (what the
 * role's conditioned grant allows) to tell "not there" from "not allowed".
 */
import { HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { ObjectLocation } from '../shared/algorithm-check-contract';

export type ObjectStatus =
  | { readonly kind: 'found' }
  | { readonly kind: 'missing'; readonly detail: string }
  | { readonly kind: 'denied'; readonly detail: string }
  | { readonly kind: 'error'; readonly detail: string };

export async function probeObject(client: S3Client, location: ObjectLocation): Promise<ObjectStatus> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return { kind: 'found' };
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404) {
      return { kind: 'missing', detail: errorName(error) === 'NoSuchBucket' ? 'no such bucket' : 'not found' };
    }
    if (status === 403) return listToDisambiguate(client, location);
    if (status === 301) {
      const region = (error as S3ServiceException).$response?.headers?.['x-amz-bucket-region'];
      return { kind: 'error', detail: `the bucket is in another region${region ? ` (${region})` : ''}; SageMaker reads training channels only from the training job's region` };
    }
    return { kind: 'error', detail: describe(error) };
  }
}

async function listToDisambiguate(client: S3Client, location: ObjectLocation): Promise<ObjectStatus> {
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.key, MaxKeys: 1 }));
    // Keys are listed in order: when the key exists it comes first among the keys it is a prefix of.
    if (listed.Contents?.[0]?.Key === location.key) {
      return { kind: 'denied', detail: 'the object exists but HeadObject was denied (403): s3:GetObject on it is missing' };
    }
    return { kind: 'missing', detail: 'not found (HeadObject 403, not listed under its key)' };
  } catch (error) {
    if (httpStatus(error) === 403) {
      return { kind: 'denied', detail: 'access denied (403) to HeadObject and to ListObjectsV2 with the key as prefix: s3:GetObject on the object and s3:ListBucket on the bucket are missing' };
    }
    if (httpStatus(error) === 404) return { kind: 'missing', detail: 'no such bucket' };
    return { kind: 'error', detail: describe(error) };
  }
}

function httpStatus(error: unknown): number | undefined {
  return (error as S3ServiceException | undefined)?.$metadata?.httpStatusCode;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function describe(error: unknown): string {
  const status = httpStatus(error);
  const message = error instanceof Error ? error.message : String(error);
  return `${errorName(error)}${status ? ` (HTTP ${status})` : ''}: ${message}`;
}
