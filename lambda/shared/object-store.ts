/**
 * The few S3 operations the evaluation and batch functions need, as an interface: the logic that lists, reads and
 * writes is written against it and runs unchanged on the AWS SDK (each handler's s3-store.ts) and in tests.
 * Types only.
 */
import type { S3Folder, S3Object } from './s3-folder';

/** An object of a listing. */
export interface ListedObject {
  readonly key: string;
  /** as S3 reports it, quotes included */
  readonly eTag: string;
  readonly size: number;
}

export interface ObjectStore {
  /** Every object under the folder, one ListObjectsV2 page (up to 1,000 objects) at a time, in S3's key order. */
  listPages(folder: S3Folder): AsyncIterable<readonly ListedObject[]>;
  /** The object's body as UTF-8 text; undefined when there is no such key (other S3 errors are thrown). */
  readText(object: S3Object): Promise<string | undefined>;
  writeText(object: S3Object, body: string, contentType: string): Promise<void>;
}
