/**
 * How errors reach the caller (lambda/inference/response.ts): the status, code and retry advice of each kind, the HTTP
 * headers that go with them, the direct invocation's result, and the order of tied predictions.
 * Kept apart from inference-response.test.ts.
 */
import { ImageError } from '../../lambda/image/image-error';
import { InferenceError } from '../../lambda/inference/inference-error';
import { describeError, directErrorResult, httpErrorResponse, topPredictions } from '../../lambda/inference/response';

describe('describeError', () => {
  test.each([
    [499, false, true],
    [500, true, false],
    [502, true, false],
    [400, false, true],
  ])('an InferenceError with status %i: retryable %s, expected %s', (status, retryable, expected) => {
    expect(describeError(new InferenceError(status, 'S3_ERROR', 'm'))).toEqual({
      status, code: 'S3_ERROR', message: 'm', retryAfterSeconds: undefined, retryable, expected,
    });
  });

  test('an ImageError is the caller\'s, never retryable', () => {
    expect(describeError(new ImageError('TOO_MANY_PIXELS', 'too big'))).toEqual({ status: 413, code: 'TOO_MANY_PIXELS', message: 'too big', retryable: false, expected: true });
  });

  test('anything else is a 500 that says nothing of the internals, and may succeed later', () => {
    for (const error of [new Error('secret detail'), 'thrown text', undefined]) {
      expect(describeError(error)).toEqual({
        status: 500, code: 'INTERNAL_ERROR', message: 'the function failed unexpectedly; see its logs', retryable: true, expected: false,
      });
    }
  });
});

describe('error responses', () => {
  const busy = describeError(new InferenceError(503, 'ENDPOINT_BUSY', 'busy', { retryAfterSeconds: 5 }));
  const refused = describeError(new InferenceError(405, 'METHOD_NOT_ALLOWED', 'use POST'));
  const notFound = describeError(new InferenceError(404, 'OBJECT_NOT_FOUND', 'gone'));

  test('HTTP: Retry-After only when there is one, Allow only on 405, never cached', () => {
    expect(httpErrorResponse(busy)).toEqual({
      statusCode: 503, isBase64Encoded: false, body: '{"error":{"code":"ENDPOINT_BUSY","message":"busy"}}',
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '5' },
    });
    expect(httpErrorResponse(refused).headers).toEqual({ 'content-type': 'application/json', 'cache-control': 'no-store', allow: 'POST' });
    expect(httpErrorResponse(notFound).headers).toEqual({ 'content-type': 'application/json', 'cache-control': 'no-store' });
  });

  test('direct invocation: the status in the body, and retryAfterSeconds only when there is one', () => {
    expect(directErrorResult(busy)).toEqual({ error: { code: 'ENDPOINT_BUSY', message: 'busy', status: 503, retryAfterSeconds: 5 } });
    expect(Object.keys(directErrorResult(notFound).error)).toEqual(['code', 'message', 'status']);
  });
});

test('tied predictions keep the model\'s label order', () => {
  const prediction = { labels: ['a', 'b', 'c', 'd'], probabilities: [0.1, 0.3, 0.3, 0.3], predictedLabel: 'b' };
  expect(topPredictions(prediction, 4).map((p) => p.label)).toEqual(['b', 'c', 'd', 'a']);
  expect(topPredictions(prediction, 2)).toEqual([{ label: 'b', probability: 0.3 }, { label: 'c', probability: 0.3 }]);
});
