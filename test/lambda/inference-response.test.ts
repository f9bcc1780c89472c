import { ImageError } from '../../lambda/image/image-error';
import { InferenceError } from '../../lambda/inference/inference-error';
import { describeError, directErrorResult, httpErrorResponse, topPredictions } from '../../lambda/inference/response';

describe('topPredictions', () => {
  const prediction = { labels: ['a', 'b', 'c', 'd'], probabilities: [0.1, 0.4, 0.1, 0.4], predictedLabel: 'b' };

  test('returns the k most probable labels, highest first, ties in the model order', () => {
    expect(topPredictions(prediction, 3)).toEqual([
      { label: 'b', probability: 0.4 },
      { label: 'd', probability: 0.4 },
      { label: 'a', probability: 0.1 },
    ]);
  });

  test('returns every label when k exceeds their number', () => {
    expect(topPredictions(prediction, 10)).toHaveLength(4);
  });
});

describe('describeError', () => {
  test('an ImageError keeps its status and code and is not retryable', () => {
    expect(describeError(new ImageError('TOO_MANY_PIXELS', 'too big'))).toEqual({
      status: 413, code: 'TOO_MANY_PIXELS', message: 'too big', retryable: false, expected: true,
    });
  });

  test('a 5xx InferenceError is retryable and unexpected', () => {
    expect(describeError(new InferenceError(503, 'ENDPOINT_NOT_FOUND', 'later', { retryAfterSeconds: 60 }))).toEqual({
      status: 503, code: 'ENDPOINT_NOT_FOUND', message: 'later', retryAfterSeconds: 60, retryable: true, expected: false,
    });
  });

  test('an unknown error is a 500 that reveals nothing of it', () => {
    const description = describeError(new TypeError("Cannot read properties of undefined (reading 'secret')"));
    expect(description).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', retryable: true });
    expect(description.message).not.toMatch(/secret|TypeError|at /);
  });
});

describe('error responses', () => {
  test('an HTTP 503 carries Retry-After and the error body', () => {
    const response = httpErrorResponse(describeError(new InferenceError(503, 'ENDPOINT_NOT_IN_SERVICE', 'later', { retryAfterSeconds: 60 })));
    expect(response).toEqual({
      statusCode: 503,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '60' },
      body: JSON.stringify({ error: { code: 'ENDPOINT_NOT_IN_SERVICE', message: 'later' } }),
      isBase64Encoded: false,
    });
  });

  test('an HTTP 405 names the allowed method', () => {
    expect(httpErrorResponse(describeError(new InferenceError(405, 'METHOD_NOT_ALLOWED', 'POST'))).headers.allow).toBe('POST');
  });

  test('a direct invocation error carries the status it would have had', () => {
    expect(directErrorResult(describeError(new InferenceError(404, 'OBJECT_NOT_FOUND', 'gone')))).toEqual({
      error: { code: 'OBJECT_NOT_FOUND', message: 'gone', status: 404 },
    });
  });
});
