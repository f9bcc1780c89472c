/**
 * End to end: the real handler (lambda/inference/index.ts) with the real AWS SDK clients, reaching the loopback
 * SageMaker runtime and S3 emulators through AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME and AWS_ENDPOINT_URL_S3.
 */
import { DEFAULT_LABELS, stubAnswer } from '../emulators/sagemaker-runtime-emulator';
import {
  asHttp, decodeJpeg, httpEvent, hugePngHeader, lambdaContext, LANDSCAPE, PORTRAIT_ROTATED, TEXT_FILE, TRUNCATED_JPEG, useHandlerTestBed,
} from './handler-fixtures';

const ENDPOINT = 'flowers-endpoint';
const IMAGE_SIZE = 224;
const MAX_IMAGE_BYTES = 2_000_000;

const bed = useHandlerTestBed({ ENDPOINT_NAME: ENDPOINT, IMAGE_SIZE: String(IMAGE_SIZE), READABLE_BUCKETS: 'photos,dataset', MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES) }, (s3) => {
  s3.putObject('photos', 'garden/landscape.jpg', LANDSCAPE, 'image/jpeg');
  s3.putObject('photos', 'notes.jpg', TEXT_FILE, 'image/jpeg');
  s3.putObject('photos', 'big.jpg', Buffer.concat([LANDSCAPE, Buffer.alloc(MAX_IMAGE_BYTES)]), 'image/jpeg');
  s3.putObject('secret-bucket', 'cat.jpg', LANDSCAPE, 'image/jpeg');
});

describe('a raw image over HTTP', () => {
  test('sends the endpoint a JPEG of exactly IMAGE_SIZE x IMAGE_SIZE with the algorithm content types, and shapes its answer', async () => {
    // WHEN
    const response = asHttp(await bed.handler(httpEvent({ body: LANDSCAPE, contentType: 'image/jpeg' }), lambdaContext()));

    // THEN the endpoint received one well-formed invocation
    expect(bed.sageMaker.invocations).toHaveLength(1);
    const [invocation] = bed.sageMaker.invocations;
    expect(invocation.endpointName).toBe(ENDPOINT);
    expect(invocation.headers['content-type']).toBe('application/x-image');
    expect(invocation.headers.accept).toBe('application/json;verbose');
    expect(invocation.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/us-east-1\/sagemaker\/aws4_request/);
    expect(decodeJpeg(invocation.body)).toMatchObject({ width: IMAGE_SIZE, height: IMAGE_SIZE });

    // AND the caller got the top 5 of the model's answer for exactly those bytes
    const answer = stubAnswer(invocation.body);
    const expected = answer.labels
      .map((label, i) => ({ label, probability: answer.probabilities[i] }))
      .sort((a, b) => b.probability - a.probability);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.json).toEqual({
      predictions: expected,
      predictedLabel: answer.predicted_label,
      model: { endpointName: ENDPOINT, imageSize: IMAGE_SIZE },
      image: { format: 'jpeg', width: 1800, height: 1200, orientation: 1 },
    });
    expect(response.json.predictions[0].label).toBe(answer.predicted_label);
  });

  test('honours topK from the query string; reports the EXIF orientation it applied', async () => {
    const response = asHttp(await bed.handler(httpEvent({ body: PORTRAIT_ROTATED, contentType: 'image/jpeg', query: { topK: '2' } }), lambdaContext()));
    expect(response.statusCode).toBe(200);
    expect(response.json.predictions).toHaveLength(2);
    expect(response.json.image).toEqual({ format: 'jpeg', width: 1800, height: 1200, orientation: 6 });
    expect(DEFAULT_LABELS).toContain(response.json.predictions[0].label);
    expect(decodeJpeg(bed.sageMaker.invocations[0].body)).toMatchObject({ width: IMAGE_SIZE, height: IMAGE_SIZE });
  });

  test('logs JSON lines that carry the Lambda request id', async () => {
    const context = lambdaContext();
    await bed.handler(httpEvent({ body: LANDSCAPE, contentType: 'image/jpeg' }), context);
    const lines = bed.logLines();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatchObject({ requestId: context.awsRequestId, level: expect.any(String), event: expect.any(String) });
    expect(lines).toContainEqual(expect.objectContaining({ event: 'classified', httpRequestId: 'http-req-1', engine: expect.any(String), modelInputBytes: expect.any(Number) }));
  });
});

describe('an S3 object', () => {
  test('over HTTP as {"s3Uri"}: reads the object and classifies it', async () => {
    const body = JSON.stringify({ s3Uri: 's3://photos/garden/landscape.jpg', topK: 3 });
    const response = asHttp(await bed.handler(httpEvent({ body, contentType: 'application/json' }), lambdaContext()));
    expect(response.statusCode).toBe(200);
    expect(response.json.predictions).toHaveLength(3);
    expect(response.json.image).toMatchObject({ width: 1800, height: 1200 });
    expect(bed.s3.requests).toEqual([{ method: 'GET', bucket: 'photos', key: 'garden/landscape.jpg' }]);
  });

  test('as a direct invocation: returns the result object itself, not an HTTP envelope', async () => {
    const result = await bed.handler({ s3Uri: 's3://photos/garden/landscape.jpg', topK: 1 }, lambdaContext());
    expect(result).not.toHaveProperty('statusCode');
    expect(result).toMatchObject({
      predictions: [{ label: expect.any(String), probability: expect.any(Number) }],
      predictedLabel: expect.any(String),
      model: { endpointName: ENDPOINT, imageSize: IMAGE_SIZE },
    });
  });

  test('as a direct invocation: an error is {"error": {code, message, status}}', async () => {
    const result = await bed.handler({ s3Uri: 's3://photos/missing.jpg' }, lambdaContext());
    expect(result).toEqual({ error: { code: 'OBJECT_NOT_FOUND', message: 's3://photos/missing.jpg does not exist', status: 404 } });
  });
});

describe('bad requests never throw and name the problem', () => {
  const image = (body: Buffer) => httpEvent({ body, contentType: 'image/jpeg' });
  const json = (body: string) => httpEvent({ body, contentType: 'application/json' });

  test.each([
    ['zero bytes', 400, 'EMPTY_IMAGE', image(Buffer.alloc(0))],
    ['a truncated JPEG', 400, 'CORRUPT_IMAGE', image(TRUNCATED_JPEG)],
    ['a text file sent as a JPEG', 400, 'UNSUPPORTED_IMAGE_TYPE', image(TEXT_FILE)],
    ['a PNG header claiming 100000 x 100000 pixels', 413, 'TOO_MANY_PIXELS', image(hugePngHeader())],
    ['more bytes than MAX_IMAGE_BYTES', 413, 'IMAGE_TOO_LARGE', image(Buffer.concat([LANDSCAPE, Buffer.alloc(MAX_IMAGE_BYTES)]))],
    ['malformed JSON', 400, 'MALFORMED_JSON', json('{"s3Uri": "s3://photos/garden/landscape.jpg",')],
    ['a JSON body without s3Uri', 400, 'INVALID_REQUEST', json('{"url": "https://example.com/a.jpg"}')],
    ['an s3Uri that is not an S3 URI', 400, 'INVALID_S3_URI', json('{"s3Uri": "photos/garden/landscape.jpg"}')],
    ['an s3Uri without a key', 400, 'INVALID_S3_URI', json('{"s3Uri": "s3://photos/"}')],
    ['an s3Uri with an invalid bucket name', 400, 'INVALID_S3_URI', json('{"s3Uri": "s3://Photos_Bucket/a.jpg"}')],
    ['a topK of 0', 400, 'INVALID_TOP_K', json('{"s3Uri": "s3://photos/garden/landscape.jpg", "topK": 0}')],
    ['a topK query parameter that is not a number', 400, 'INVALID_TOP_K', httpEvent({ body: LANDSCAPE, contentType: 'image/jpeg', query: { topK: 'five' } })],
    ['an s3Uri of a bucket the function was not given', 403, 'BUCKET_NOT_ALLOWED', json('{"s3Uri": "s3://secret-bucket/cat.jpg"}')],
    ['an s3Uri of a missing key', 404, 'OBJECT_NOT_FOUND', json('{"s3Uri": "s3://photos/garden/missing.jpg"}')],
    ['an s3Uri of a text file named .jpg', 400, 'UNSUPPORTED_IMAGE_TYPE', json('{"s3Uri": "s3://photos/notes.jpg"}')],
    ['an s3Uri of an object above MAX_IMAGE_BYTES', 413, 'OBJECT_TOO_LARGE', json('{"s3Uri": "s3://photos/big.jpg"}')],
    ['a GET', 405, 'METHOD_NOT_ALLOWED', httpEvent({ method: 'GET' })],
    ['an API Gateway payload 1.0 event', 400, 'UNSUPPORTED_EVENT', { httpMethod: 'POST', requestContext: {}, body: '' }],
  ])('%s → %i %s', async (_name, status, code, event) => {
    const response = asHttp(await bed.handler(event, lambdaContext()));
    expect(response.statusCode).toBe(status);
    expect(response.json).toEqual({ error: { code, message: expect.any(String) } });
    expect(response.body).not.toMatch(/\n\s+at /); // no stack trace
    expect(bed.sageMaker.invocations).toHaveLength(0);
  });

  test('a bucket the function was not given is refused before S3 is asked', async () => {
    await bed.handler(httpEvent({ body: '{"s3Uri": "s3://secret-bucket/cat.jpg"}', contentType: 'application/json' }), lambdaContext());
    expect(bed.s3.requests).toEqual([]);
  });

  test('an S3 failure other than a missing key is a 502 S3_ERROR, logged with the request id', async () => {
    bed.s3.deniedBuckets.add('photos');
    const context = lambdaContext();
    const response = asHttp(await bed.handler(httpEvent({ body: '{"s3Uri": "s3://photos/garden/landscape.jpg"}', contentType: 'application/json' }), context));
    expect(response.statusCode).toBe(502);
    expect(response.json.error.code).toBe('S3_ERROR');
    expect(bed.logLines()).toContainEqual(expect.objectContaining({
      level: 'error', requestId: context.awsRequestId, event: 'request-failed', error: expect.objectContaining({ cause: expect.objectContaining({ name: 'AccessDenied' }) }),
    }));
  });
});

describe('endpoint failures', () => {
  const classifyLandscape = async () => asHttp(await bed.handler(httpEvent({ body: LANDSCAPE, contentType: 'image/jpeg' }), lambdaContext()));

  test('an endpoint that does not exist yet → 503 ENDPOINT_NOT_FOUND with Retry-After', async () => {
    bed.sageMaker.endpoints.clear();
    const response = await classifyLandscape();
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('60');
    expect(response.json.error.code).toBe('ENDPOINT_NOT_FOUND');
    expect(response.json.error.message).not.toContain('123456789012');
  });

  test('an endpoint that is still being created → 503 ENDPOINT_NOT_IN_SERVICE with Retry-After', async () => {
    bed.sageMaker.endpoints.set(ENDPOINT, 'Creating');
    const response = await classifyLandscape();
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('60');
    expect(response.json.error.code).toBe('ENDPOINT_NOT_IN_SERVICE');
  });

  test('a ModelError → 502 MODEL_ERROR with the model message', async () => {
    bed.sageMaker.behaviour = { kind: 'model-error', originalStatusCode: 500, originalMessage: 'Input tensor has wrong shape' };
    const response = await classifyLandscape();
    expect(response.statusCode).toBe(502);
    expect(response.json.error).toEqual({ code: 'MODEL_ERROR', message: 'the model failed (status 500): Input tensor has wrong shape' });
  });

  test.each([
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['the non-verbose answer', '{"probabilities": [0.2, 0.8]}'],
    ['mismatched arrays', '{"probabilities": [0.2, 0.8], "labels": ["a"], "predicted_label": "a"}'],
    ['a binary-mode answer to a function not told so', '{"probabilities": [0.8], "labels": ["a", "b"], "predicted_label": "a"}'],
  ])('a malformed answer (%s) → 502 MALFORMED_ENDPOINT_RESPONSE', async (_name, body) => {
    bed.sageMaker.behaviour = { kind: 'malformed', body };
    const response = await classifyLandscape();
    expect(response.statusCode).toBe(502);
    expect(response.json.error.code).toBe('MALFORMED_ENDPOINT_RESPONSE');
  });

  test('a ServiceUnavailable endpoint → 503 ENDPOINT_BUSY after the SDK retries', async () => {
    bed.sageMaker.behaviour = { kind: 'service-unavailable' };
    const response = await classifyLandscape();
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json.error.code).toBe('ENDPOINT_BUSY');
    expect(bed.sageMaker.invocations.length).toBeGreaterThan(1);
  });
});
