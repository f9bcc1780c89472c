import { ImageError } from '../../lambda/image/image-error';
import { InferenceError } from '../../lambda/inference/inference-error';
import { classifyEvent, HttpRequestEvent, parseDirectRequest, parseHttpRequest, parseTopK } from '../../lambda/inference/request';

const config = { defaultTopK: 5, maxImageBytes: 1000 };
const JPEG_START = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);

function httpEvent(overrides: Partial<HttpRequestEvent> & { method?: string } = {}): HttpRequestEvent {
  const { method = 'POST', ...rest } = overrides;
  return {
    version: '2.0',
    rawPath: '/',
    headers: {},
    requestContext: { http: { method, path: '/' }, requestId: 'http-request-id' },
    ...rest,
  };
}

function imageEvent(bytes: Buffer, extra: Partial<HttpRequestEvent> = {}): HttpRequestEvent {
  return httpEvent({ body: bytes.toString('base64'), isBase64Encoded: true, headers: { 'content-type': 'image/jpeg' }, ...extra });
}

function jsonEvent(body: string, extra: Partial<HttpRequestEvent> = {}): HttpRequestEvent {
  return httpEvent({ body, isBase64Encoded: false, headers: { 'content-type': 'application/json' }, ...extra });
}

function caught(fn: () => unknown): InferenceError | ImageError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InferenceError || error instanceof ImageError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('classifyEvent', () => {
  test.each([
    ['a payload 2.0 HTTP event', httpEvent(), 'http'],
    ['an S3 notification', { Records: [{ eventSource: 'aws:s3' }] }, 's3'],
    ['the S3 test event', { Service: 'Amazon S3', Event: 's3:TestEvent' }, 's3'],
    ['a JSON request', { s3Uri: 's3://b/k' }, 'direct'],
    ['an API Gateway REST (payload 1.0) event', { httpMethod: 'POST', requestContext: {}, body: '' }, 'unsupported'],
    ['a string', 'hello', 'unsupported'],
    ['null', null, 'unsupported'],
    ['an array', [1], 'unsupported'],
  ])('%s is %s', (_name, event, kind) => {
    expect(classifyEvent(event)).toBe(kind);
  });
});

describe('parseHttpRequest', () => {
  test('takes a base64 body as the image, with the default topK', () => {
    const request = parseHttpRequest(imageEvent(JPEG_START), config);
    expect(request).toEqual({ source: { type: 'bytes', bytes: JPEG_START }, topK: 5 });
  });

  test('takes topK from the query string', () => {
    expect(parseHttpRequest(imageEvent(JPEG_START, { queryStringParameters: { topK: '2' } }), config).topK).toBe(2);
  });

  test('reads a JSON body as an S3 request; the body topK wins over the query string', () => {
    const request = parseHttpRequest(jsonEvent('{"s3Uri": "s3://photos/a/b.jpg", "topK": 3}', { queryStringParameters: { topK: '2' } }), config);
    expect(request).toEqual({ source: { type: 's3', location: { bucket: 'photos', key: 'a/b.jpg' } }, topK: 3 });
  });

  test('reads JSON sent base64-encoded with a non-JSON content type (curl -d)', () => {
    const body = Buffer.from(' \n{"s3Uri":"s3://photos/x.png"}').toString('base64');
    const request = parseHttpRequest(httpEvent({ body, isBase64Encoded: true, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), config);
    expect(request.source).toEqual({ type: 's3', location: { bucket: 'photos', key: 'x.png' } });
  });

  test('rejects a GET with 405', () => {
    expect(caught(() => parseHttpRequest(httpEvent({ method: 'GET' }), config))).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
  });

  test.each([
    ['no body', httpEvent()],
    ['an empty base64 body', imageEvent(Buffer.alloc(0))],
  ])('rejects %s as EMPTY_IMAGE (400)', (_name, event) => {
    expect(caught(() => parseHttpRequest(event, config))).toMatchObject({ status: 400, code: 'EMPTY_IMAGE' });
  });

  test('rejects an image above maxImageBytes with 413 before decoding it', () => {
    const error = caught(() => parseHttpRequest(imageEvent(Buffer.concat([JPEG_START, Buffer.alloc(1000)])), config));
    expect(error).toMatchObject({ status: 413, code: 'IMAGE_TOO_LARGE' });
  });

  test.each([
    ['a truncated object', '{"s3Uri": "s3://photos/a.jpg"'],
    ['single quotes', "{'s3Uri': 's3://photos/a.jpg'}"],
  ])('rejects malformed JSON (%s) with 400 MALFORMED_JSON', (_name, body) => {
    expect(caught(() => parseHttpRequest(jsonEvent(body), config))).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
  });

  test.each([
    ['an array', '[]', 'INVALID_REQUEST'],
    ['a number', '42', 'INVALID_REQUEST'],
    ['no s3Uri', '{"topK": 2}', 'INVALID_REQUEST'],
    ['a misspelt field', '{"s3uri": "s3://photos/a.jpg"}', 'INVALID_REQUEST'],
    ['a misspelt optional field beside a valid s3Uri', '{"s3Uri": "s3://photos/a.jpg", "topk": 2}', 'INVALID_REQUEST'],
    ['an extra field beside a valid request', '{"s3Uri": "s3://photos/a.jpg", "topK": 2, "region": "eu-west-1"}', 'INVALID_REQUEST'],
    ['an s3Uri that is not a string', '{"s3Uri": 7}', 'INVALID_S3_URI'],
    ['an https URL', '{"s3Uri": "https://photos.s3.amazonaws.com/a.jpg"}', 'INVALID_S3_URI'],
    ['topK 0', '{"s3Uri": "s3://photos/a.jpg", "topK": 0}', 'INVALID_TOP_K'],
    ['topK 2.5', '{"s3Uri": "s3://photos/a.jpg", "topK": 2.5}', 'INVALID_TOP_K'],
    ['topK as a string', '{"s3Uri": "s3://photos/a.jpg", "topK": "3"}', 'INVALID_TOP_K'],
  ])('rejects a JSON body with %s (400 %s)', (_name, body, code) => {
    expect(caught(() => parseHttpRequest(jsonEvent(body), config))).toMatchObject({ status: 400, code });
  });

  test.each([['0'], ['-1'], ['abc'], ['1001'], ['']])('rejects the query parameter topK=%s', (topK) => {
    const error = caught(() => parseHttpRequest(imageEvent(JPEG_START, { queryStringParameters: { topK } }), config));
    expect(error).toMatchObject({ status: 400, code: 'INVALID_TOP_K' });
    expect(error.message).toContain('the topK query parameter');
  });
});

describe('parseDirectRequest', () => {
  test('reads the event as the JSON request', () => {
    expect(parseDirectRequest({ s3Uri: 's3://photos/k.jpg', topK: 1 }, config)).toEqual({
      source: { type: 's3', location: { bucket: 'photos', key: 'k.jpg' } },
      topK: 1,
    });
  });

  test('names each unknown field beside a valid request, and the allowed ones', () => {
    const error = caught(() => parseDirectRequest({ s3Uri: 's3://photos/k.jpg', topk: 1, extra: true }, config));
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST', message: 'unknown field(s) "topk", "extra"; allowed: "s3Uri", "topK"' });
  });

  test('rejects an event without s3Uri', () => {
    expect(caught(() => parseDirectRequest({ image: 'abc' }, config))).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
  });
});

describe('parseTopK', () => {
  test('accepts the bounds', () => {
    expect(parseTopK(1, 'topK')).toBe(1);
    expect(parseTopK('1000', 'topK', true)).toBe(1000);
    expect(() => parseTopK('1000', 'topK')).toThrow(InferenceError);
  });
});
