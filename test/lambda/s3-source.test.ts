import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { assertReadable, isReadable, parseS3Uri, readObject, writeJson } from '../../lambda/inference/s3-source';
import { S3Emulator } from '../emulators/s3-emulator';

describe('parseS3Uri', () => {
  test.each([
    ['s3://photos/a.jpg', { bucket: 'photos', key: 'a.jpg' }],
    ['s3://my.bucket-1/deep/path/with space+plus.png', { bucket: 'my.bucket-1', key: 'deep/path/with space+plus.png' }],
    ['S3://photos/a%20b.jpg', { bucket: 'photos', key: 'a%20b.jpg' }],
    ['s3://photos//leading-slash-key', { bucket: 'photos', key: '/leading-slash-key' }],
  ])('reads %s', (uri, location) => {
    expect(parseS3Uri(uri)).toEqual(location);
  });

  test.each([
    ['a bucket without key', 's3://photos', /must look like/],
    ['an empty key', 's3://photos/', /must name an object key/],
    ['no bucket', 's3:///a.jpg', /invalid bucket ""/],
    ['an upper-case bucket', 's3://Photos/a.jpg', /invalid bucket "Photos"/],
    ['a two-letter bucket', 's3://ab/a.jpg', /invalid bucket/],
    ['a bucket with ..', 's3://a..b/a.jpg', /invalid bucket/],
    ['an https URL', 'https://photos.s3.amazonaws.com/a.jpg', /must look like/],
    ['a local path', '/tmp/a.jpg', /must look like/],
    ['an empty string', '', /must look like/],
    ['a key over 1024 bytes', `s3://photos/${'é'.repeat(513)}`, /longer than 1024 bytes/],
  ])('rejects %s with 400 INVALID_S3_URI', (_name, uri, message) => {
    expect(() => parseS3Uri(uri)).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_S3_URI', message: expect.stringMatching(message) }));
  });

  test.each([[undefined, 'nothing'], [null, 'null'], [42, 'number'], [{ bucket: 'photos' }, 'object']])('rejects %p as s3Uri, naming its type', (value, shown) => {
    expect(() => parseS3Uri(value)).toThrow(expect.objectContaining({
      status: 400, code: 'INVALID_S3_URI', message: `s3Uri must be a string like "s3://bucket/key", got ${shown}`,
    }));
  });

  test('the scheme must start the text', () => {
    expect(() => parseS3Uri('xs3://photos/a.jpg')).toThrow(expect.objectContaining({ message: 's3Uri must look like "s3://bucket/key", got "xs3://photos/a.jpg"' }));
  });

  test('a key of exactly 1024 bytes is accepted', () => {
    expect(parseS3Uri(`s3://photos/${'é'.repeat(512)}`).key).toHaveLength(512);
  });

  test('what the messages quote is cut at 200 characters', () => {
    const uri = `http://${'x'.repeat(193)}`; // 200 characters
    expect(() => parseS3Uri(uri)).toThrow(expect.objectContaining({ message: `s3Uri must look like "s3://bucket/key", got "${uri}"` }));
    expect(() => parseS3Uri(`${uri}y`)).toThrow(expect.objectContaining({ message: `s3Uri must look like "s3://bucket/key", got "${uri}…"` }));
  });
});

describe('isReadable', () => {
  const config = { readableBuckets: ['photos', 'dataset'], inbox: { bucket: 'uploads', prefix: 'inbox/', concurrency: 2 } };

  test.each([
    [{ bucket: 'photos', key: 'any/key.jpg' }, true],
    [{ bucket: 'dataset', key: 'x.png' }, true],
    [{ bucket: 'uploads', key: 'inbox/a.jpg' }, true],
    [{ bucket: 'uploads', key: 'elsewhere/a.jpg' }, false],
    [{ bucket: 'photos-2', key: 'a.jpg' }, false],
    [{ bucket: 'someone-elses-bucket', key: 'a.jpg' }, false],
    [{ bucket: 'photos-2', key: 'inbox/a.jpg' }, false], // the inbox prefix in another bucket
  ])('%p → %p', (location, readable) => {
    expect(isReadable(location, config)).toBe(readable);
  });

  test('assertReadable lets a readable location through', () => {
    expect(() => assertReadable({ bucket: 'uploads', key: 'inbox/a.jpg' }, config)).not.toThrow();
  });

  test('with no buckets and no inbox nothing is readable; the refusal is 403 BUCKET_NOT_ALLOWED', () => {
    expect(() => assertReadable({ bucket: 'photos', key: 'a.jpg' }, { readableBuckets: [] })).toThrow(
      expect.objectContaining({ status: 403, code: 'BUCKET_NOT_ALLOWED', message: 'this function may not read "s3://photos/a.jpg"' }),
    );
  });
});

describe('readObject and writeJson, through the AWS SDK against a loopback S3', () => {
  let s3: S3Emulator;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await S3Emulator.start();
    client = clientFor(s3.url);
  });
  afterAll(async () => {
    client.destroy();
    await s3.close();
  });
  beforeEach(() => s3.reset());

  test('reads an object of exactly the limit', async () => {
    s3.putObject('photos', 'a.jpg', Buffer.alloc(10, 7));
    await expect(readObject(client, { bucket: 'photos', key: 'a.jpg' }, 10)).resolves.toEqual(new Uint8Array(10).fill(7));
  });

  test('refuses an object one byte over the limit as 413 OBJECT_TOO_LARGE, naming its size and the limit', async () => {
    s3.putObject('photos', 'a.jpg', Buffer.alloc(11));
    await expect(readObject(client, { bucket: 'photos', key: 'a.jpg' }, 10)).rejects.toThrow(expect.objectContaining({
      status: 413, code: 'OBJECT_TOO_LARGE', message: 's3://photos/a.jpg is 11 bytes, above the limit of 10',
    }));
  });

  test.each([
    ['a missing key', () => s3.createBucket('photos'), 'NoSuchKey'],
    ['a missing bucket', () => undefined, 'NoSuchBucket'],
  ])('%s is 404 OBJECT_NOT_FOUND, with the SDK error as its cause', async (_name, seed, sdkError) => {
    seed();
    const error = await readObject(client, { bucket: 'photos', key: 'a.jpg' }, 10).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 404, code: 'OBJECT_NOT_FOUND', message: 's3://photos/a.jpg does not exist' });
    expect((error as Error).cause).toMatchObject({ name: sdkError });
  });

  test('a failure that is not an Error (a client plugin throwing text) is 502 S3_ERROR without a name', async () => {
    const failing = clientFor(s3.url);
    failing.middlewareStack.add(() => async () => {
      throw 'plugin failure'; // eslint-disable-line no-throw-literal
    }, { step: 'initialize' });
    try {
      await expect(readObject(failing, { bucket: 'photos', key: 'a.jpg' }, 10)).rejects.toThrow(expect.objectContaining({
        status: 502, code: 'S3_ERROR', message: 'could not read s3://photos/a.jpg',
      }));
    } finally {
      failing.destroy();
    }
  });

  test('a refused read is 502 S3_ERROR naming the S3 error, with the SDK error as its cause', async () => {
    s3.putObject('photos', 'a.jpg', 'x');
    s3.deniedBuckets.add('photos');
    const error = await readObject(client, { bucket: 'photos', key: 'a.jpg' }, 10).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 502, code: 'S3_ERROR', message: 'could not read s3://photos/a.jpg (AccessDenied)' });
    expect((error as Error).cause).toMatchObject({ name: 'AccessDenied' });
  });

  test('writes the document as indented JSON with a final newline and its content type', async () => {
    s3.createBucket('results');
    await writeJson(client, { bucket: 'results', key: 'out/a.json' }, { label: 'cat', p: [1] });
    expect(s3.puts).toEqual([{ bucket: 'results', key: 'out/a.json', contentType: 'application/json', metadata: {}, body: Buffer.from('{\n  "label": "cat",\n  "p": [\n    1\n  ]\n}\n') }]);
  });

  test.each([
    ['a missing bucket', 'could not write s3://results/a.json (NoSuchBucket)', () => undefined],
    ['a refused write', 'could not write s3://results/a.json (AccessDenied)', () => s3.deniedBuckets.add('results')],
  ])('%s is 502 S3_ERROR (a write never answers 404)', async (_name, message, seed) => {
    s3.createBucket('other');
    seed();
    if (message.includes('AccessDenied')) s3.createBucket('results');
    await expect(writeJson(client, { bucket: 'results', key: 'a.json' }, {})).rejects.toThrow(expect.objectContaining({ status: 502, code: 'S3_ERROR', message }));
  });
});

describe('readObject against S3 answers the loopback emulator does not give', () => {
  /** A bare HTTP server answering every request with `answer`; the SDK sees it as S3. */
  async function withServer(answer: (res: http.ServerResponse) => void, use: (client: S3Client) => Promise<void>): Promise<void> {
    const server = http.createServer((req, res) => req.resume().on('end', () => answer(res)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = clientFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      await use(client);
    } finally {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  test('an object sent without Content-Length (chunked) is still refused once it is over the limit', async () => {
    await withServer((res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(Buffer.alloc(11));
    }, async (client) => {
      await expect(readObject(client, { bucket: 'photos', key: 'a.jpg' }, 10)).rejects.toThrow(expect.objectContaining({
        status: 413, code: 'OBJECT_TOO_LARGE', message: 's3://photos/a.jpg is 11 bytes, above the limit of 10',
      }));
      await expect(readObject(client, { bucket: 'photos', key: 'a.jpg' }, 11)).resolves.toHaveLength(11);
    });
  });

  test('an object S3 says is over the limit is refused before its body is read, and its connection closed', async () => {
    let closed: Promise<void> = Promise.resolve();
    await withServer((res) => {
      // announces a million bytes, sends ten, then waits: only a refusal before reading the body can answer now
      closed = new Promise((resolve) => res.on('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '1000000' });
      res.write(Buffer.alloc(10));
    }, async (client) => {
      await expect(within(2000, readObject(client, { bucket: 'photos', key: 'a.jpg' }, 10))).rejects.toThrow(expect.objectContaining({
        status: 413, code: 'OBJECT_TOO_LARGE', message: 's3://photos/a.jpg is 1000000 bytes, above the limit of 10',
      }));
      await within(2000, closed);
    });
  });

  test.each([
    // The SDK names a bare 404 NotFound (as for HeadObject), any other bare status Unknown.
    [404, 404, 'OBJECT_NOT_FOUND', 's3://photos/a.jpg does not exist'],
    [403, 502, 'S3_ERROR', 'could not read s3://photos/a.jpg (Unknown)'],
    [500, 502, 'S3_ERROR', 'could not read s3://photos/a.jpg (Unknown)'],
  ])('a bare %d without an error document is %d %s', async (httpStatus, status, code, message) => {
    await withServer((res) => {
      res.writeHead(httpStatus, { 'content-length': '0' });
      res.end();
    }, async (client) => {
      await expect(readObject(client, { bucket: 'photos', key: 'a.jpg' }, 10)).rejects.toThrow(expect.objectContaining({ status, code, message }));
    });
  });
});

/** `promise`, or a rejection once `ms` have passed (so a test of something that must not wait ends either way). */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function clientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint, forcePathStyle: true, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'AKIAEMULATOREXAMPLE', secretAccessKey: 'emulator-secret-access-key' },
  });
}
