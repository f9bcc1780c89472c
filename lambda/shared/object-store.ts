/**
 * The few S3 operations the evaluation and batch functions need, as an interface (ObjectStore) that their logic is
 * written against, and its implementation over the S3 requests (objectStoreOver). Each handler passes the requests
 * built with its own AWS SDK client (its s3-store.ts), so every command is constructed where the IAM access proof's
 * scan looks for it, and this module stays free of packages.
 */
import type { S3Folder, S3Object } from './s3-folder';

/** An object of a listing. */
export interface ListedObject {
  readonly key: string;
  /** as S3 reports it, quotes included */
  readonly eTag: string;
  readonly size: number;
}

/** A text object written piece by piece: memory stays bounded by one part, whatever the object's size. */
export interface TextWriter {
  write(text: string): Promise<void>;
  /** Finishes the object; nothing is visible in S3 before. */
  close(): Promise<void>;
  /** Gives up: an unfinished multipart upload is aborted, so no part is left billed. */
  abort(): Promise<void>;
}

export interface ObjectStore {
  /** Every object under the folder, one ListObjectsV2 page (up to 1,000 objects) at a time, in S3's key order. */
  listPages(folder: S3Folder): AsyncIterable<readonly ListedObject[]>;
  /** The object's body as UTF-8 text; undefined when there is no such key (other S3 errors are thrown). */
  readText(object: S3Object): Promise<string | undefined>;
  writeText(object: S3Object, body: string, contentType: string): Promise<void>;
  /**
   * A writer that puts the object in one PutObject when it stays below one part, else as a multipart upload (a store
   * made without the multipart requests buffers the whole object for one PutObject).
   */
  textWriter(object: S3Object, contentType: string): TextWriter;
}

/** The S3 requests objectStoreOver sends, with the AWS SDK's input and output shapes (the fields used). */
export interface S3Requests {
  listObjectsV2(input: { Bucket: string; Prefix: string; ContinuationToken?: string; EncodingType: 'url' }): Promise<{
    Contents?: ReadonlyArray<{ Key?: string; ETag?: string; Size?: number }>;
    NextContinuationToken?: string;
  }>;
  getObject(input: { Bucket: string; Key: string }): Promise<{ Body?: { transformToString(encoding?: string): Promise<string> } }>;
  putObject(input: { Bucket: string; Key: string; Body: string | Uint8Array; ContentType: string }): Promise<unknown>;
}

/** The multipart upload requests, for a store that writes objects larger than it wants to hold in memory. */
export interface S3MultipartRequests {
  createMultipartUpload(input: { Bucket: string; Key: string; ContentType: string }): Promise<{ UploadId?: string }>;
  uploadPart(input: { Bucket: string; Key: string; UploadId: string; PartNumber: number; Body: Uint8Array }): Promise<{ ETag?: string }>;
  completeMultipartUpload(input: {
    Bucket: string; Key: string; UploadId: string; MultipartUpload: { Parts: Array<{ ETag: string; PartNumber: number }> };
  }): Promise<unknown>;
  abortMultipartUpload(input: { Bucket: string; Key: string; UploadId: string }): Promise<unknown>;
}

/** The size of each part of a multipart upload (S3's minimum, except for the last part, is 5 MiB). */
export const PART_BYTES = 8 * 1024 * 1024;

export function objectStoreOver(requests: S3Requests, multipart?: S3MultipartRequests, partBytes = PART_BYTES): ObjectStore {
  return {
    async *listPages(folder) {
      let token: string | undefined;
      do {
        // Keys come URL-encoded: an XML listing cannot carry every character a key may hold (a CR arrives as LF).
        const page = await requests.listObjectsV2({ Bucket: folder.bucket, Prefix: folder.prefix, ContinuationToken: token, EncodingType: 'url' });
        yield (page.Contents ?? []).map((object) => ({ key: decodeListedKey(object.Key ?? ''), eTag: object.ETag ?? '', size: object.Size ?? 0 }));
        token = page.NextContinuationToken;
      } while (token !== undefined);
    },
    async readText(object) {
      try {
        const output = await requests.getObject({ Bucket: object.bucket, Key: object.key });
        return output.Body === undefined ? '' : await output.Body.transformToString('utf-8');
      } catch (error) {
        // S3 says NoSuchKey only to a caller that may list the bucket; without s3:ListBucket it is AccessDenied.
        if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async writeText(object, body, contentType) {
      await requests.putObject({ Bucket: object.bucket, Key: object.key, Body: body, ContentType: contentType });
    },
    textWriter: (object, contentType) => new MultipartTextWriter(requests, multipart, object, contentType, multipart === undefined ? Infinity : partBytes),
  };
}

/** A key of a listing asked with EncodingType url: percent-encoded UTF-8, with `+` for a space. */
export function decodeListedKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, '%20'));
}

const encoder = new TextEncoder();

/** Buffers UTF-8 bytes; every full part goes up as it fills. Parts are sent one at a time, in order. */
class MultipartTextWriter implements TextWriter {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private uploadId: string | undefined;
  private readonly parts: Array<{ ETag: string; PartNumber: number }> = [];

  public constructor(private readonly requests: S3Requests, private readonly multipart: S3MultipartRequests | undefined,
    private readonly object: S3Object, private readonly contentType: string, private readonly partBytes: number) {}

  public async write(text: string): Promise<void> {
    const bytes = encoder.encode(text);
    this.chunks.push(bytes);
    this.buffered += bytes.length;
    while (this.buffered >= this.partBytes) await this.uploadPart(this.take(this.partBytes));
  }

  public async close(): Promise<void> {
    const rest = this.take(this.buffered);
    if (this.uploadId === undefined) {
      await this.requests.putObject({ Bucket: this.object.bucket, Key: this.object.key, Body: rest, ContentType: this.contentType });
      return;
    }
    if (rest.length > 0) await this.uploadPart(rest);
    await this.multipart!.completeMultipartUpload({
      Bucket: this.object.bucket, Key: this.object.key, UploadId: this.uploadId, MultipartUpload: { Parts: this.parts },
    });
  }

  public async abort(): Promise<void> {
    if (this.uploadId === undefined) return;
    await this.multipart!.abortMultipartUpload({ Bucket: this.object.bucket, Key: this.object.key, UploadId: this.uploadId });
  }

  private async uploadPart(body: Uint8Array): Promise<void> {
    if (this.uploadId === undefined) {
      const created = await this.multipart!.createMultipartUpload({ Bucket: this.object.bucket, Key: this.object.key, ContentType: this.contentType });
      this.uploadId = created.UploadId!;
    }
    const partNumber = this.parts.length + 1;
    const { ETag } = await this.multipart!.uploadPart({ Bucket: this.object.bucket, Key: this.object.key, UploadId: this.uploadId, PartNumber: partNumber, Body: body });
    this.parts.push({ ETag: ETag!, PartNumber: partNumber });
  }

  /** The first `size` buffered bytes, removed from the buffer. */
  private take(size: number): Uint8Array {
    const out = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.chunks[0];
      const used = Math.min(chunk.length, size - filled);
      out.set(chunk.subarray(0, used), filled);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    this.buffered -= size;
    return out;
  }
}
