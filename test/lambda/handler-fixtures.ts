/** Inputs and helpers shared by the end-to-end handler tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as jpeg from 'jpeg-js';
import type { Handler, HandlerResult, LambdaContext } from '../../lambda/inference/handler';
import type { HttpResponse } from '../../lambda/inference/response';
import { useEmulatorEnvironment } from '../emulators/aws-environment';
import { S3Emulator } from '../emulators/s3-emulator';
import { SageMakerRuntimeEmulator } from '../emulators/sagemaker-runtime-emulator';

const PHOTOS = path.join(__dirname, '..', 'fixtures', 'exif-orientation');

export interface HandlerTestBed {
  /** the real exported handler of lambda/inference/index.ts */
  readonly handler: Handler;
  readonly sageMaker: SageMakerRuntimeEmulator;
  readonly s3: S3Emulator;
  /** the handler's log lines in the current test, parsed */
  logLines(): any[];
}

/**
 * Registers jest hooks that start both emulators, point the AWS SDK at them, set the function's `environment` and
 * then load the handler module (it reads the environment and creates its clients at load, as at a cold start).
 * Before each test the emulators are reset: the endpoint ENDPOINT_NAME is InService, S3 holds what `seed` puts,
 * and the handler's logs are captured.
 */
/** `labels`: the stub model's labels (default DEFAULT_LABELS; two for a binary-mode model). */
export function useHandlerTestBed(environment: Readonly<Record<string, string>>, seed: (s3: S3Emulator) => void,
  labels?: readonly string[]): HandlerTestBed {
  let started: { handler: Handler; sageMaker: SageMakerRuntimeEmulator; s3: S3Emulator } | undefined;
  let restoreEnvironment = (): void => {};
  let logs: ReturnType<typeof captureLogs> | undefined;
  const get = () => {
    if (started === undefined) throw new Error('the test bed starts in beforeAll');
    return started;
  };

  beforeAll(async () => {
    const [sageMaker, s3] = await Promise.all([SageMakerRuntimeEmulator.start(labels), S3Emulator.start()]);
    restoreEnvironment = useEmulatorEnvironment({ sageMakerRuntime: sageMaker.url, s3: s3.url }, environment);
    const { handler } = await import('../../lambda/inference/index');
    started = { handler, sageMaker, s3 };
  });
  afterAll(async () => {
    restoreEnvironment();
    await Promise.all([started?.sageMaker.close(), started?.s3.close()]);
  });
  beforeEach(() => {
    const { sageMaker, s3 } = get();
    sageMaker.reset();
    sageMaker.endpoints.set(environment.ENDPOINT_NAME, 'InService');
    s3.reset();
    seed(s3);
    logs = captureLogs();
  });
  afterEach(() => logs?.restore());

  return {
    handler: (event, context) => get().handler(event, context),
    get sageMaker() { return get().sageMaker; },
    get s3() { return get().s3; },
    logLines: () => logs?.lines() ?? [],
  };
}

/** A real 1800x1200 camera JPEG. */
export const LANDSCAPE = fs.readFileSync(path.join(PHOTOS, 'Landscape_1.jpg'));
/** A real 1200x1800 camera JPEG stored rotated, with EXIF orientation 6. */
export const PORTRAIT_ROTATED = fs.readFileSync(path.join(PHOTOS, 'Portrait_6.jpg'));
/** The first half of a real JPEG. */
export const TRUNCATED_JPEG = LANDSCAPE.subarray(0, Math.floor(LANDSCAPE.length / 2));
/** A text file, as if someone named notes.txt photo.jpg. */
export const TEXT_FILE = Buffer.from('These are my notes, not a photo.\n');

/** A PNG whose IHDR declares 100000 x 100000 pixels (10 gigapixels), with valid CRCs and an empty image stream. */
export function hugePngHeader(width = 100_000, height = 100_000): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(0))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function httpEvent(options: { body?: Buffer | string; contentType?: string; method?: string; query?: Record<string, string> } = {}): unknown {
  const { body, contentType, method = 'POST', query } = options;
  const binary = Buffer.isBuffer(body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { host: 'abc.lambda-url.us-east-1.on.aws', ...(contentType === undefined ? {} : { 'content-type': contentType }) },
    ...(query === undefined ? {} : { queryStringParameters: query }),
    requestContext: { http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' }, requestId: 'http-req-1' },
    ...(body === undefined ? {} : { body: binary ? body.toString('base64') : body, isBase64Encoded: binary }),
  };
}

export function s3Event(bucket: string, keys: readonly string[]): unknown {
  return {
    Records: keys.map((key) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: { s3SchemaVersion: '1.0', bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key: encodeS3EventKey(key), size: 1, eTag: 'etag' } },
    })),
  };
}

/** S3 notifications URL-encode keys with + for spaces. */
function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

let invocation = 0;
export function lambdaContext(): LambdaContext {
  invocation += 1;
  return { awsRequestId: `lambda-req-${invocation}` };
}

export function asHttp(result: HandlerResult): HttpResponse & { json: any } {
  const response = result as HttpResponse;
  return { ...response, json: JSON.parse(response.body) };
}

export function decodeJpeg(bytes: Uint8Array): { width: number; height: number } {
  return jpeg.decode(bytes, { useTArray: true });
}

/** Captures the handler's stdout log lines (and keeps them out of the test output). */
export function captureLogs(): { lines: () => any[]; restore: () => void } {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return {
    lines: () => written.join('').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line)),
    restore: () => spy.mockRestore(),
  };
}
