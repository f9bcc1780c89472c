/**
 * A loopback S3 for GetObject, HeadObject, PutObject, ListObjectsV2 (with ETags, paged by continuation token) and
 * multipart uploads (Create, UploadPart, Complete, Abort; parts of at least 5 MiB except the last), path-style (`/bucket/key`: the AWS SDK uses
 * path-style by itself when AWS_ENDPOINT_URL_S3 is an IP address). Errors are S3's XML documents with S3's status
 * codes: NoSuchKey 404, NoSuchBucket 404, AccessDenied 403, BadDigest 400 (when a PutObject's x-amz-checksum-crc32 does
 * not match its body, as the SDK sends one by default).
 *
 * `authorize` stands in for the caller's IAM permissions, with S3's rule for reads of a missing key: 404 only when the
 * caller may also list the bucket (asked with no prefix, as no list request is made), 403 otherwise.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as zlib from 'node:zlib';
import { LoopbackEmulator, LoopbackRequest, LoopbackResponse } from './loopback-server';

export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  readonly lastModified: Date;
}

export interface RecordedPut {
  readonly bucket: string;
  readonly key: string;
  readonly body: Buffer;
  readonly contentType?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
}

/** One permission check: the IAM action, the bucket, and the key (object actions) or the prefix (ListBucket). */
export interface S3Access {
  readonly action: 's3:GetObject' | 's3:PutObject' | 's3:ListBucket';
  readonly bucket: string;
  readonly key?: string;
  readonly prefix?: string;
}

export class S3Emulator extends LoopbackEmulator {
  public static async start(): Promise<S3Emulator> {
    return new S3Emulator().listen();
  }

  public readonly puts: RecordedPut[] = [];
  public readonly requests: RecordedRequest[] = [];
  /** buckets whose every request answers AccessDenied (as with a bucket policy or KMS key that refuses us) */
  public readonly deniedBuckets = new Set<string>();
  /** the most keys one ListObjectsV2 page holds (S3's is 1000); lower it to make a listing take several pages */
  public listPageSize = 1000;
  /** the caller's permissions; default: everything allowed */
  public authorize: (access: S3Access) => boolean = () => true;
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  /** multipart uploads in progress, by upload id */
  public readonly uploads = new Map<string, { bucket: string; key: string; contentType?: string; parts: Map<number, Buffer> }>();
  /** S3's smallest part but the last (5 MiB); lower it to test multipart uploads with small objects */
  public minimumPartBytes = 5 * 1024 * 1024;

  private constructor() {
    super();
  }

  public reset(): void {
    this.puts.length = 0;
    this.requests.length = 0;
    this.deniedBuckets.clear();
    this.buckets.clear();
    this.authorize = () => true;
    this.listPageSize = 1000;
    this.uploads.clear();
    this.minimumPartBytes = 5 * 1024 * 1024;
  }

  public createBucket(bucket: string): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  /** Seeds an object (not recorded as a put). */
  public putObject(bucket: string, key: string, body: Uint8Array | string, contentType = 'application/octet-stream'): void {
    this.createBucket(bucket);
    this.buckets.get(bucket)?.set(key, { body: Buffer.from(body), contentType, lastModified: new Date() });
  }

  public getObject(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  protected route(request: LoopbackRequest): LoopbackResponse {
    const bucketOnly = /^\/([^/]+)\/?$/.exec(request.rawPath);
    if (bucketOnly !== null && request.method === 'GET' && request.query.get('list-type') === '2') {
      return this.listObjectsV2(decodeURIComponent(bucketOnly[1]), request.query);
    }
    const match = /^\/([^/]+)\/(.+)$/.exec(request.rawPath);
    if (match === null) return s3Error(400, 'InvalidRequest', 'This emulator serves only path-style object requests.', {});
    const bucket = decodeURIComponent(match[1]);
    const key = decodeURIComponent(match[2]);
    this.requests.push({ method: request.method, bucket, key });
    const objects = this.buckets.get(bucket);
    if (this.deniedBuckets.has(bucket)) return s3Error(403, 'AccessDenied', 'Access Denied', {});
    if (objects === undefined) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });

    if (request.query.has('uploads') || request.query.has('uploadId')) return this.multipart(request, bucket, key);
    switch (request.method) {
      case 'GET':
      case 'HEAD': {
        const object = objects.get(key);
        const denied = !this.authorize({ action: 's3:GetObject', bucket, key })
          || (object === undefined && !this.authorize({ action: 's3:ListBucket', bucket }));
        if (denied) return request.method === 'HEAD' ? { status: 403 } : s3Error(403, 'AccessDenied', 'Access Denied', {});
        if (object === undefined) {
          // HEAD responses have no body; the SDK then names the error NotFound from the status alone.
          return request.method === 'HEAD' ? { status: 404 } : s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
        }
        return {
          status: 200,
          headers: {
            'content-type': object.contentType,
            'content-length': String(object.body.length),
            etag: etag(object.body),
            'last-modified': object.lastModified.toUTCString(),
            'x-amz-request-id': randomUUID(),
          },
          body: request.method === 'GET' ? object.body : undefined,
        };
      }
      case 'PUT': {
        if (!this.authorize({ action: 's3:PutObject', bucket, key })) return s3Error(403, 'AccessDenied', 'Access Denied', {});
        const checksum = request.headers['x-amz-checksum-crc32'];
        if (typeof checksum === 'string' && checksum !== crc32Base64(request.body)) {
          return s3Error(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.', {});
        }
        const contentType = request.headers['content-type'];
        objects.set(key, { body: request.body, contentType: contentType ?? 'binary/octet-stream', lastModified: new Date() });
        this.puts.push({ bucket, key, body: request.body, contentType });
        return { status: 200, headers: { etag: etag(request.body), 'x-amz-request-id': randomUUID() } };
      }
      default:
        return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {});
    }
  }

  private multipart(request: LoopbackRequest, bucket: string, key: string): LoopbackResponse {
    if (!this.authorize({ action: 's3:PutObject', bucket, key })) return s3Error(403, 'AccessDenied', 'Access Denied', {});
    const headers = { 'content-type': 'application/xml', 'x-amz-request-id': randomUUID() };
    const xml = (root: string, fields: Record<string, string>) => `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`
      + `${Object.entries(fields).map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`).join('')}</${root}>`;
    if (request.method === 'POST' && request.query.has('uploads')) {
      const uploadId = randomUUID();
      this.uploads.set(uploadId, { bucket, key, contentType: request.headers['content-type'], parts: new Map() });
      return { status: 200, headers, body: xml('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId }) };
    }
    const uploadId = request.query.get('uploadId') ?? '';
    const upload = this.uploads.get(uploadId);
    if (upload === undefined || upload.bucket !== bucket || upload.key !== key) {
      return s3Error(404, 'NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId });
    }
    if (request.method === 'PUT') {
      const checksum = request.headers['x-amz-checksum-crc32'];
      if (typeof checksum === 'string' && checksum !== crc32Base64(request.body)) {
        return s3Error(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.', {});
      }
      upload.parts.set(Number(request.query.get('partNumber')), request.body);
      return { status: 200, headers: { etag: etag(request.body), 'x-amz-request-id': randomUUID() } };
    }
    if (request.method === 'DELETE') {
      this.uploads.delete(uploadId);
      return { status: 204 };
    }
    // POST ?uploadId: CompleteMultipartUpload, with the parts listed in ascending order
    const listed = [...request.body.toString('utf8').matchAll(/<Part>[\s\S]*?<\/Part>/g)].map(([part]) => ({
      number: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(part)?.[1]),
      eTag: /<ETag>([^<]*)<\/ETag>/.exec(part)?.[1]?.replace(/&quot;/g, '"'),
    }));
    const bodies: Buffer[] = [];
    for (const [index, part] of listed.entries()) {
      const body = upload.parts.get(part.number);
      if (body === undefined || etag(body) !== part.eTag) return s3Error(400, 'InvalidPart', 'One or more of the specified parts could not be found.', {});
      if (index > 0 && part.number <= listed[index - 1].number) return s3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.', {});
      if (index < listed.length - 1 && body.length < this.minimumPartBytes) return s3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {});
      bodies.push(body);
    }
    const body = Buffer.concat(bodies);
    this.buckets.get(bucket)!.set(key, { body, contentType: upload.contentType ?? 'binary/octet-stream', lastModified: new Date() });
    this.puts.push({ bucket, key, body, contentType: upload.contentType });
    this.uploads.delete(uploadId);
    return { status: 200, headers, body: xml('CompleteMultipartUploadResult', { Bucket: bucket, Key: key, ETag: `"${createHash('md5').update(body).digest('hex')}-${listed.length}"` }) };
  }

  private listObjectsV2(bucket: string, query: URLSearchParams): LoopbackResponse {
    const prefix = query.get('prefix') ?? '';
    this.requests.push({ method: 'LIST', bucket, key: prefix });
    if (this.deniedBuckets.has(bucket) || !this.authorize({ action: 's3:ListBucket', bucket, prefix })) {
      return s3Error(403, 'AccessDenied', 'Access Denied', {});
    }
    const objects = this.buckets.get(bucket);
    if (objects === undefined) return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    const maxKeys = Math.min(Number(query.get('max-keys') ?? '1000'), this.listPageSize);
    // Keys in UTF-8 binary order, as S3 lists them; a continuation token is (here) the last key of the previous page.
    const token = query.get('continuation-token');
    const after = token === null ? query.get('start-after') ?? '' : Buffer.from(token, 'base64url').toString('utf8');
    const matching = [...objects.keys()].filter((key) => key.startsWith(prefix) && compareUtf8(key, after) > 0).sort(compareUtf8);
    const page = matching.slice(0, maxKeys);
    const truncated = matching.length > page.length;
    const next = truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1], 'utf8').toString('base64url')}</NextContinuationToken>` : '';
    // With encoding-type=url, S3 percent-encodes the keys' UTF-8 (reserved characters too) and writes a space as '+'.
    const urlEncoded = query.get('encoding-type') === 'url';
    const encode = (key: string) => (urlEncoded ? encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+') : key);
    const contents = page.map((key) => {
      const object = objects.get(key)!;
      return `<Contents><Key>${escapeXml(encode(key))}</Key><Size>${object.body.length}</Size><ETag>${escapeXml(etag(object.body))}</ETag>`
        + `<LastModified>${object.lastModified.toISOString()}</LastModified></Contents>`;
    }).join('');
    return {
      status: 200,
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': randomUUID() },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(bucket)}</Name>`
        + `<Prefix>${escapeXml(encode(prefix))}</Prefix>${urlEncoded ? '<EncodingType>url</EncodingType>' : ''}<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>`
        + `<IsTruncated>${truncated}</IsTruncated>${next}${contents}</ListBucketResult>`,
    };
  }
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function s3Error(status: number, code: string, message: string, fields: Record<string, string>): LoopbackResponse {
  const requestId = randomUUID();
  const extra = Object.entries(fields).map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`).join('');
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${extra}<RequestId>${requestId}</RequestId><HostId>emulator</HostId></Error>`,
  };
}

function etag(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

function crc32Base64(body: Buffer): string {
  const value = zlib.crc32(body);
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString('base64');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
