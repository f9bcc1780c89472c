/**
 * The emulators answer as the real services do, judged by the real AWS SDK clients: each error arrives as the
 * SDK's modelled exception with its fields, and a success deserializes. If an emulator drifted from the protocol,
 * the handler tests built on it would prove nothing.
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient, ServiceUnavailable, ValidationError } from '@aws-sdk/client-sagemaker-runtime';
import { useEmulatorEnvironment } from './aws-environment';
import { S3Emulator } from './s3-emulator';
import { SageMakerRuntimeEmulator, stubAnswer } from './sagemaker-runtime-emulator';

let sageMaker: SageMakerRuntimeEmulator;
let s3: S3Emulator;
let restoreEnvironment: () => void;
let runtimeClient: SageMakerRuntimeClient;
let s3Client: S3Client;

beforeAll(async () => {
  [sageMaker, s3] = await Promise.all([SageMakerRuntimeEmulator.start(), S3Emulator.start()]);
  restoreEnvironment = useEmulatorEnvironment({ sageMakerRuntime: sageMaker.url, s3: s3.url });
  runtimeClient = new SageMakerRuntimeClient({ maxAttempts: 1 });
  s3Client = new S3Client({ maxAttempts: 1 });
});

afterAll(async () => {
  runtimeClient.destroy();
  s3Client.destroy();
  restoreEnvironment();
  await Promise.all([sageMaker.close(), s3.close()]);
});

beforeEach(() => {
  sageMaker.reset();
  s3.reset();
});

const invoke = (endpointName: string, body: Uint8Array) =>
  runtimeClient.send(new InvokeEndpointCommand({ EndpointName: endpointName, Body: body, ContentType: 'application/x-image', Accept: 'application/json;verbose' }));

describe('SageMakerRuntimeEmulator', () => {
  test('answers the verbose shape derived from the received bytes and records the request', async () => {
    // GIVEN
    sageMaker.endpoints.set('flowers', 'InService');
    const body = Buffer.from('some image bytes');
    // WHEN
    const output = await invoke('flowers', body);
    // THEN
    expect(JSON.parse(Buffer.from(output.Body ?? []).toString())).toEqual(stubAnswer(body));
    expect(output.InvokedProductionVariant).toBe('AllTraffic');
    expect(sageMaker.invocations).toHaveLength(1);
    expect(sageMaker.invocations[0]).toMatchObject({ endpointName: 'flowers', body });
    expect(sageMaker.invocations[0].headers).toMatchObject({ 'content-type': 'application/x-image', accept: 'application/json;verbose' });
  });

  test('the stub probabilities sum to 1 and predicted_label is the most probable label', () => {
    const answer = stubAnswer(Buffer.from([1, 2, 3]));
    expect(answer.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(answer.predicted_label).toBe(answer.labels[answer.probabilities.indexOf(Math.max(...answer.probabilities))]);
    expect(stubAnswer(Buffer.from([1, 2, 4]))).not.toEqual(answer);
  });

  test('answers only the probabilities for Accept: application/json, and refuses other content types', async () => {
    sageMaker.endpoints.set('flowers', 'InService');
    const body = Buffer.from('bytes');
    const plain = await runtimeClient.send(new InvokeEndpointCommand({ EndpointName: 'flowers', Body: body, ContentType: 'application/x-image', Accept: 'application/json' }));
    expect(JSON.parse(Buffer.from(plain.Body ?? []).toString())).toEqual({ probabilities: stubAnswer(body).probabilities });
    const png = await runtimeClient.send(new InvokeEndpointCommand({ EndpointName: 'flowers', Body: body, ContentType: 'image/png' })).catch((e: unknown) => e);
    expect(png).toMatchObject({ name: 'ModelError', OriginalStatusCode: 415 });
  });

  test('an unknown endpoint is a ValidationError "not found"', async () => {
    const error = await invoke('missing', Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('Endpoint missing of account 123456789012 not found.');
    expect((error as ValidationError).$metadata.httpStatusCode).toBe(400);
  });

  test('an endpoint that is not InService is a ValidationError naming its status', async () => {
    sageMaker.endpoints.set('flowers', 'Creating');
    const error = await invoke('flowers', Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/not in service.*Creating/);
  });

  test('a container failure is a ModelError with the original status and message', async () => {
    sageMaker.endpoints.set('flowers', 'InService');
    sageMaker.behaviour = { kind: 'model-error', originalStatusCode: 400, originalMessage: 'cannot identify image file' };
    const error = await invoke('flowers', Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ OriginalStatusCode: 400, OriginalMessage: 'cannot identify image file', $metadata: { httpStatusCode: 424 } });
    expect((error as ModelError).message).toContain('Received client error (400)');
    expect((error as ModelError).LogStreamArn).toMatch(/^arn:aws:logs:/);
  });

  test('ServiceUnavailable arrives as the modelled 503', async () => {
    sageMaker.endpoints.set('flowers', 'InService');
    sageMaker.behaviour = { kind: 'service-unavailable' };
    const error = await invoke('flowers', Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailable);
  });
});

describe('S3Emulator', () => {
  test('GetObject returns the seeded bytes; keys with spaces and plus signs survive the URL encoding', async () => {
    s3.putObject('photos', 'in box/a+b c.jpg', Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg');
    const output = await s3Client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'in box/a+b c.jpg' }));
    expect(output.ContentType).toBe('image/jpeg');
    expect(output.ContentLength).toBe(3);
    expect(Buffer.from(await output.Body!.transformToByteArray())).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  test('a missing key is NoSuchKey (404) and a missing bucket NoSuchBucket (404)', async () => {
    s3.createBucket('photos');
    const noKey = await s3Client.send(new GetObjectCommand({ Bucket: 'photos', Key: 'nope.jpg' })).catch((e: unknown) => e);
    expect(noKey).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    const noBucket = await s3Client.send(new GetObjectCommand({ Bucket: 'other', Key: 'nope.jpg' })).catch((e: unknown) => e);
    expect(noBucket).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
    const head = await s3Client.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'nope.jpg' })).catch((e: unknown) => e);
    expect(head).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
  });

  test('a denied bucket is AccessDenied (403)', async () => {
    s3.putObject('secret', 'a.jpg', 'x');
    s3.deniedBuckets.add('secret');
    const error = await s3Client.send(new GetObjectCommand({ Bucket: 'secret', Key: 'a.jpg' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  test('ListObjectsV2 lists the keys under a prefix in order, up to MaxKeys', async () => {
    s3.reset();
    for (const key of ['m/b.tar.gz', 'm/a.tar.gz.part', 'm/a.tar.gz', 'other/a.tar.gz']) s3.putObject('models', key, 'x');
    const listed = await s3Client.send(new ListObjectsV2Command({ Bucket: 'models', Prefix: 'm/a.tar.gz', MaxKeys: 1 }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['m/a.tar.gz']);
    expect(listed.IsTruncated).toBe(true);
    const all = await s3Client.send(new ListObjectsV2Command({ Bucket: 'models', Prefix: 'm/' }));
    expect(all.Contents?.map((object) => object.Key)).toEqual(['m/a.tar.gz', 'm/a.tar.gz.part', 'm/b.tar.gz']);
    const none = await s3Client.send(new ListObjectsV2Command({ Bucket: 'models', Prefix: 'z' }));
    expect(none.Contents ?? []).toEqual([]);
  });

  test('ListObjectsV2 pages by continuation token in UTF-8 order, with each object\'s size and ETag', async () => {
    s3.reset();
    s3.listPageSize = 2;
    const keys = ['p/é.jpg', 'p/z.jpg', 'p/a.jpg', 'p/😀.jpg', 'p/B.jpg'];
    for (const key of keys) s3.putObject('data', key, `body of ${key}`);
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await s3Client.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'p/', ContinuationToken: token }));
      pages.push((page.Contents ?? []).map((object) => object.Key!));
      for (const object of page.Contents ?? []) {
        expect(object.Size).toBe(Buffer.byteLength(`body of ${object.Key}`));
        const head = await s3Client.send(new HeadObjectCommand({ Bucket: 'data', Key: object.Key }));
        expect(object.ETag).toBe(head.ETag);
      }
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token !== undefined);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect(pages.flat()).toEqual(['p/B.jpg', 'p/a.jpg', 'p/z.jpg', 'p/é.jpg', 'p/😀.jpg']);
  });

  test('authorize: a read of a missing key is 404 only with an unconditioned list permission, 403 otherwise', async () => {
    s3.reset();
    s3.putObject('models', 'm/a.tar.gz', 'x');
    s3.authorize = (access) => access.action === 's3:GetObject' || (access.action === 's3:ListBucket' && access.prefix === 'm/missing.tar.gz');
    const head = await s3Client.send(new HeadObjectCommand({ Bucket: 'models', Key: 'm/missing.tar.gz' })).catch((e: unknown) => e);
    expect(head).toMatchObject({ $metadata: { httpStatusCode: 403 } });
    // The conditioned grant allows the list with exactly that prefix, and nothing else.
    await expect(s3Client.send(new ListObjectsV2Command({ Bucket: 'models', Prefix: 'm/missing.tar.gz' }))).resolves.toBeDefined();
    await expect(s3Client.send(new ListObjectsV2Command({ Bucket: 'models', Prefix: 'm/' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    s3.authorize = (access) => access.action !== 's3:GetObject';
    await expect(s3Client.send(new HeadObjectCommand({ Bucket: 'models', Key: 'm/a.tar.gz' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    s3.authorize = () => true;
    await expect(s3Client.send(new HeadObjectCommand({ Bucket: 'models', Key: 'm/missing.tar.gz' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    s3.reset();
  });

  test('PutObject stores and records the body, and its CRC32 checksum is verified', async () => {
    s3.createBucket('photos');
    await s3Client.send(new PutObjectCommand({ Bucket: 'photos', Key: 'r.json', Body: '{"a":1}', ContentType: 'application/json' }));
    expect(s3.puts).toEqual([{ bucket: 'photos', key: 'r.json', body: Buffer.from('{"a":1}'), contentType: 'application/json' }]);
    expect(s3.getObject('photos', 'r.json')?.body.toString()).toBe('{"a":1}');
    const bad = await s3Client
      .send(new PutObjectCommand({ Bucket: 'photos', Key: 'r.json', Body: 'x', ChecksumCRC32: 'AAAAAA==' }))
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
  });
});
