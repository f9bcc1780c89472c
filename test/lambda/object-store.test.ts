/**
 * The shared ObjectStore (lambda/shared/object-store.ts) over the real AWS SDK S3 client and the loopback S3
 * emulator: listing in pages with URL-encoded keys, reads that tell a missing key from a refusal, and the text writer
 * that switches to a multipart upload when the object outgrows one part.
 */
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import * as fc from 'fast-check';
import { useEmulatorEnvironment } from '../emulators/aws-environment';
import { S3Emulator } from '../emulators/s3-emulator';
import { decodeListedKey, ObjectStore, objectStoreOver } from '../../lambda/shared/object-store';

let s3: S3Emulator;
let restoreEnvironment: () => void;
let client: S3Client;

beforeAll(async () => {
  s3 = await S3Emulator.start();
  restoreEnvironment = useEmulatorEnvironment({ s3: s3.url }, { AWS_MAX_ATTEMPTS: '1' });
  client = new S3Client({});
});
afterAll(async () => {
  client.destroy();
  restoreEnvironment();
  await s3.close();
});
beforeEach(() => {
  s3.reset();
  s3.createBucket('b');
});

const requests = () => ({
  listObjectsV2: (input: ConstructorParameters<typeof ListObjectsV2Command>[0]) => client.send(new ListObjectsV2Command(input)),
  getObject: (input: ConstructorParameters<typeof GetObjectCommand>[0]) => client.send(new GetObjectCommand(input)),
  putObject: (input: ConstructorParameters<typeof PutObjectCommand>[0]) => client.send(new PutObjectCommand(input)),
});
const multipart = () => ({
  createMultipartUpload: (input: ConstructorParameters<typeof CreateMultipartUploadCommand>[0]) => client.send(new CreateMultipartUploadCommand(input)),
  uploadPart: (input: ConstructorParameters<typeof UploadPartCommand>[0]) => client.send(new UploadPartCommand(input)),
  completeMultipartUpload: (input: ConstructorParameters<typeof CompleteMultipartUploadCommand>[0]) => client.send(new CompleteMultipartUploadCommand(input)),
  abortMultipartUpload: (input: ConstructorParameters<typeof AbortMultipartUploadCommand>[0]) => client.send(new AbortMultipartUploadCommand(input)),
});

async function listAll(store: ObjectStore, prefix: string): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of store.listPages({ bucket: 'b', prefix })) pages.push(page.map((object) => object.key));
  return pages;
}

describe('listPages', () => {
  test('returns every key under the prefix exactly as stored, page by page, whatever characters it holds', async () => {
    const key = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((k) => !k.includes('\u0000') && !/[\ud800-\udfff]/.test(k));
    await fc.assert(fc.asyncProperty(fc.uniqueArray(key, { minLength: 1, maxLength: 9 }), fc.integer({ min: 1, max: 4 }), async (names, pageSize) => {
      s3.reset();
      s3.createBucket('b');
      s3.listPageSize = pageSize;
      for (const name of names) s3.putObject('b', `p/${name}`, name);
      s3.putObject('b', 'q/outside', 'x');
      const pages = await listAll(objectStoreOver(requests()), 'p/');
      expect(pages.flat().sort()).toEqual(names.map((name) => `p/${name}`).sort());
      expect(pages.length).toBe(Math.max(1, Math.ceil(names.length / pageSize)));
    }), { numRuns: 40 });
  });

  test('an empty folder is one empty page', async () => {
    expect(await listAll(objectStoreOver(requests()), 'nothing/')).toEqual([[]]);
  });

  test('decodeListedKey reads S3\'s URL encoding: %XX UTF-8, + for a space', () => {
    expect(decodeListedKey('a+b%2Bc%28%29%0D%0A%C3%A9')).toBe('a b+c()\r\né');
  });
});

describe('readText', () => {
  test('reads UTF-8, says undefined for a missing key and throws S3\'s refusal', async () => {
    s3.putObject('b', 'k', 'rosé');
    const store = objectStoreOver(requests());
    expect(await store.readText({ bucket: 'b', key: 'k' })).toBe('rosé');
    expect(await store.readText({ bucket: 'b', key: 'missing' })).toBeUndefined();
    s3.authorize = (access) => access.action !== 's3:ListBucket';
    await expect(store.readText({ bucket: 'b', key: 'missing' })).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('textWriter', () => {
  const PART = 1024;

  test('writes the concatenation of any pieces, byte for byte, in one PutObject or a multipart upload of PART-sized parts', async () => {
    const piece = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }), fc.constant('é'.repeat(700)));
    await fc.assert(fc.asyncProperty(fc.array(piece, { maxLength: 20 }), async (pieces) => {
      s3.reset();
      s3.createBucket('b');
      s3.minimumPartBytes = PART;
      const writer = objectStoreOver(requests(), multipart(), PART).textWriter({ bucket: 'b', key: 'out.txt' }, 'text/plain');
      for (const text of pieces) await writer.write(text);
      await writer.close();
      const expected = Buffer.from(pieces.join(''), 'utf8');
      const stored = s3.getObject('b', 'out.txt')!;
      expect(stored.body.equals(expected)).toBe(true);
      expect(stored.contentType).toBe('text/plain');
      expect(s3.uploads.size).toBe(0);
      const partRequests = s3.requests.filter((request) => request.method === 'PUT' && request.key === 'out.txt').length;
      // a single PutObject below one part, else one UploadPart per started part
      expect(partRequests).toBe(expected.length < PART ? 1 : Math.ceil(expected.length / PART));
    }), { numRuns: 40 });
  });

  test('abort leaves neither the object nor an open upload', async () => {
    s3.minimumPartBytes = PART;
    const writer = objectStoreOver(requests(), multipart(), PART).textWriter({ bucket: 'b', key: 'out.txt' }, 'text/plain');
    await writer.write('x'.repeat(3 * PART));
    expect(s3.uploads.size).toBe(1);
    await writer.abort();
    expect(s3.uploads.size).toBe(0);
    expect(s3.getObject('b', 'out.txt')).toBeUndefined();
  });

  test('without the multipart requests, the object is written whole in one PutObject', async () => {
    const writer = objectStoreOver(requests(), undefined, PART).textWriter({ bucket: 'b', key: 'out.txt' }, 'text/plain');
    for (let i = 0; i < 10; i++) await writer.write('y'.repeat(PART));
    await writer.close();
    expect(s3.getObject('b', 'out.txt')!.body.length).toBe(10 * PART);
    expect(s3.requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
  });
});
