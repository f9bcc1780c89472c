import { ImageError } from '../../lambda/image/image-error';
import { InferenceError } from '../../lambda/inference/inference-error';
import { classifyEvent, HttpRequestEvent, looksLikeHttp, parseDirectRequest, parseHttpRequest, parseTopK } from '../../lambda/inference/request';

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

describe('each accepted and refused event shape, field and message', () => {
  test.each([
    ['payload 2.0 without requestContext.http.method', { version: '2.0', requestContext: {} }, 'unsupported'],
    ['an http method without version 2.0', { requestContext: { http: { method: 'POST' } } }, 'unsupported'],
    ['version 1.0 with an http method', { version: '1.0', requestContext: { http: { method: 'POST' } } }, 'unsupported'],
    ['a numeric http method', { version: '2.0', requestContext: { http: { method: 1 } } }, 'unsupported'],
    ['requestContext alone', { requestContext: {} }, 'unsupported'],
    ['httpMethod alone', { httpMethod: 'POST' }, 'unsupported'],
    ['an S3 event of no records', { Records: [] }, 's3'],
    ['another test event', { Event: 's3:ObjectCreated:Put' }, 'direct'],
    ['an empty object', {}, 'direct'],
  ])('%s is %s', (_name, event, kind) => {
    expect(classifyEvent(event)).toBe(kind);
  });

  test('looksLikeHttp: any object with requestContext or httpMethod, nothing else', () => {
    expect([{ requestContext: 1 }, { httpMethod: 'GET' }].map(looksLikeHttp)).toEqual([true, true]);
    expect([{}, null, 'requestContext', { RequestContext: {} }].map(looksLikeHttp)).toEqual([false, false, false, false]);
  });

  test('any method but POST is 405, naming it; the method\'s case does not matter', () => {
    expect(caught(() => parseHttpRequest(httpEvent({ method: 'put' }), config))).toMatchObject({
      status: 405, code: 'METHOD_NOT_ALLOWED', message: 'use POST with the image as the body or {"s3Uri": "s3://bucket/key"}; got PUT',
    });
    expect(parseHttpRequest(imageEvent(JPEG_START, { method: 'post' } as Partial<HttpRequestEvent>), config).topK).toBe(5);
  });

  test('an empty body names both accepted forms', () => {
    expect(caught(() => parseHttpRequest(httpEvent({ body: '' }), config)).message)
      .toBe('the request body is empty; send the image bytes or {"s3Uri": "s3://bucket/key"}');
  });

  test('an image of exactly maxImageBytes is taken; one byte more is 413, naming both sizes', () => {
    const at = Buffer.concat([JPEG_START, Buffer.alloc(config.maxImageBytes - JPEG_START.length)]);
    expect(parseHttpRequest(imageEvent(at), config).source).toEqual({ type: 'bytes', bytes: at });
    expect(caught(() => parseHttpRequest(imageEvent(Buffer.concat([at, Buffer.alloc(1)])), config)).message)
      .toBe('the image is 1001 bytes, above the limit of 1000');
  });

  test('a JSON body is not held to the image size limit', () => {
    const body = `{"s3Uri": "s3://photos/${'k'.repeat(900)}", "topK": 1}`;
    expect(parseHttpRequest(jsonEvent(`${body}${' '.repeat(200)}`), config).topK).toBe(1);
  });

  test.each([
    ['a JSON string', '"s3://photos/a.jpg"'],
    ['null', 'null'],
    ['an array', '[{"s3Uri": "s3://photos/a.jpg"}]'],
  ])('a JSON document that is %s is refused, showing the form expected', (_name, body) => {
    expect(caught(() => parseHttpRequest(jsonEvent(body), config))).toMatchObject({
      status: 400, code: 'INVALID_REQUEST', message: 'the request must be a JSON object like {"s3Uri": "s3://bucket/key", "topK": 5}',
    });
  });

  test('the direct event must be an object with s3Uri, each problem named', () => {
    expect(caught(() => parseDirectRequest('s3://photos/a.jpg', config)).message).toBe('the request must be a JSON object like {"s3Uri": "s3://bucket/key", "topK": 5}');
    expect(caught(() => parseDirectRequest({ topK: 1 }, config)).message).toBe('the JSON request needs "s3Uri": "s3://bucket/key"');
    expect(caught(() => parseDirectRequest({}, config)).message).toBe('the JSON request needs "s3Uri": "s3://bucket/key"');
    expect(parseDirectRequest({ s3Uri: 's3://photos/a.jpg', topK: undefined }, { defaultTopK: 7 }).topK).toBe(7);
  });

  test('a bad topK in the body names "topK"; in the query, the query parameter', () => {
    expect(caught(() => parseDirectRequest({ s3Uri: 's3://photos/a.jpg', topK: 0 }, config)).message).toBe('"topK" must be an integer in [1, 1000], got 0');
    expect(caught(() => parseHttpRequest(imageEvent(JPEG_START, { queryStringParameters: { topK: '0' } }), config)).message)
      .toBe('the topK query parameter must be an integer in [1, 1000], got "0"');
  });

  test.each([' 12', '12 ', '1e2', '0x10', '+5', '12345678', '٣'])('the query parameter topK=%p is refused: digits only', (topK) => {
    expect(() => parseTopK(topK, 'q', true)).toThrow(expect.objectContaining({ code: 'INVALID_TOP_K' }));
  });

  test.each([
    [1000, 1000], [999, 999], ['999', undefined], [1001, undefined], [0, undefined], [-1, undefined], [NaN, undefined], [Infinity, undefined],
  ])('a JSON topK %p → %p', (value, accepted) => {
    if (accepted === undefined) expect(() => parseTopK(value, 'topK')).toThrow(InferenceError);
    else expect(parseTopK(value, 'topK')).toBe(accepted);
  });

  test.each([
    ['abc', 'got "abc"'], [2.5, 'got 2.5'], [true, 'got boolean'], [null, 'got object'], [[3], 'got object'], [undefined, 'got undefined'],
    ['x'.repeat(100), `got "${'x'.repeat(49)}`],
  ])('the refusal of topK %p shows it: %s', (value, shown) => {
    expect(caught(() => parseTopK(value, 'topK')).message).toBe(`topK must be an integer in [1, 1000], ${shown}`);
  });

  describe('what makes a body JSON', () => {
    const request = (body: string, headers: Record<string, string>) =>
      parseHttpRequest(httpEvent({ body: Buffer.from(body).toString('base64'), isBase64Encoded: true, headers }), config);

    test.each([
      ['application/json', { 'content-type': 'application/json' }],
      ['Application/JSON with parameters and spaces', { 'Content-Type': ' Application/JSON ; charset=utf-8' }],
      ['a +json media type', { 'content-type': 'application/vnd.api+json' }],
    ])('a body sent as %s is JSON, whatever it starts with', (_name, headers) => {
      expect(caught(() => request('[1]', headers))).toMatchObject({ code: 'INVALID_REQUEST' });
    });

    test.each([
      ['another header says JSON', { accept: 'application/json', 'content-type': 'image/jpeg' }],
      ['a media type that only contains json', { 'content-type': 'application/jsonp' }],
      ['a +json parameter', { 'content-type': 'image/jpeg; profile=x+json' }],
      ['no content type', {}],
    ])('a body not starting with { is the image when %s', (_name, headers) => {
      expect(request('[1]', headers).source).toEqual({ type: 'bytes', bytes: Buffer.from('[1]') });
    });

    test('a body whose first non-blank character is { is JSON; blanks are space, tab, CR and LF', () => {
      for (const blank of [' ', '\t', '\r', '\n']) {
        expect(request(`${blank}{"s3Uri": "s3://photos/a.jpg"}`, { 'content-type': 'image/jpeg' }).source).toMatchObject({ type: 's3' });
      }
      expect(request('\f{"s3Uri": "s3://photos/a.jpg"}', {}).source).toMatchObject({ type: 'bytes' });
      expect(request(' \t\r\n', {}).source).toEqual({ type: 'bytes', bytes: Buffer.from(' \t\r\n') });
    });

    test('malformed JSON is 400 MALFORMED_JSON with the parser\'s reason', () => {
      expect(caught(() => request('{"s3Uri": ', {})).message).toMatch(/^the request body is not valid JSON: \S.*JSON/);
    });

    test('a text body (not base64) is read as UTF-8', () => {
      expect(parseHttpRequest(jsonEvent('{"s3Uri": "s3://photos/é.jpg"}'), config).source).toEqual({ type: 's3', location: { bucket: 'photos', key: 'é.jpg' } });
    });
  });
});
