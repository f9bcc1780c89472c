import { ModelError, ModelNotReadyException, ServiceUnavailable, ValidationError, InternalFailure } from '@aws-sdk/client-sagemaker-runtime';
import { endpointFailure, parseEndpointResponse } from '../../lambda/inference/invoke-endpoint';

const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const metadata = { $metadata: {} };

describe('parseEndpointResponse', () => {
  test('reads the verbose answer', () => {
    const body = encode({ probabilities: [0.1, 0.9], labels: ['cat', 'dog'], predicted_label: 'dog' });
    expect(parseEndpointResponse(body)).toEqual({ probabilities: [0.1, 0.9], labels: ['cat', 'dog'], predictedLabel: 'dog' });
  });

  test.each([
    ['exactly 0 and 1', [0, 1]],
    ['exactly 1 and 0', [1, 0]],
  ])('accepts probabilities of %s (the closed interval)', (_name, probabilities) => {
    const body = encode({ probabilities, labels: ['cat', 'dog'], predicted_label: 'dog' });
    expect(parseEndpointResponse(body).probabilities).toEqual(probabilities);
  });

  test.each([
    ['an empty body', '', /not JSON/],
    ['HTML', '<html>oops</html>', /not JSON/],
    ['a JSON array', [0.1, 0.9], /not a JSON object/],
    ['the non-verbose answer (probabilities only)', { probabilities: [0.1, 0.9] }, /"labels" is not an array/],
    ['no probabilities', { labels: ['a'], predicted_label: 'a' }, /"probabilities" is not a non-empty array/],
    ['empty arrays', { probabilities: [], labels: [], predicted_label: 'a' }, /non-empty/],
    ['lengths that differ', { probabilities: [0.5, 0.5], labels: ['a'], predicted_label: 'a' }, /1 labels for 2 probabilities/],
    ['a probability below 0', { probabilities: [-0.001, 1], labels: ['a', 'b'], predicted_label: 'a' }, /probabilities\[0\]/],
    ['a probability below 0', { probabilities: [-0.001, 1], labels: ['a', 'b'], predicted_label: 'a' }, /probabilities\[0\]/],
    ['a probability above 1', { probabilities: [1.5, 0], labels: ['a', 'b'], predicted_label: 'a' }, /probabilities\[0\]/],
    ['a probability that is a string', { probabilities: [0.5, '0.5'], labels: ['a', 'b'], predicted_label: 'a' }, /probabilities\[1\]/],
    ['a numeric label', { probabilities: [0.5, 0.5], labels: ['a', 2], predicted_label: 'a' }, /labels\[1\]/],
    ['a predicted label not among the labels', { probabilities: [0.5, 0.5], labels: ['a', 'b'], predicted_label: 'c' }, /predicted_label/],
    ['a numeric predicted label', { probabilities: [0.5, 0.5], labels: ['a', 'b'], predicted_label: 1 }, /predicted_label/],
  ])('rejects %s as 502 MALFORMED_ENDPOINT_RESPONSE', (_name, body, message) => {
    expect(() => parseEndpointResponse(encode(body))).toThrow(
      expect.objectContaining({ status: 502, code: 'MALFORMED_ENDPOINT_RESPONSE', message: expect.stringMatching(message) }),
    );
  });
});

describe('endpointFailure', () => {
  test('"not found" is 503 ENDPOINT_NOT_FOUND with Retry-After, without the account id', () => {
    const error = endpointFailure(new ValidationError({ message: 'Endpoint flowers of account 123456789012 not found.', ...metadata }), 'flowers');
    expect(error).toMatchObject({ status: 503, code: 'ENDPOINT_NOT_FOUND', retryAfterSeconds: 60 });
    expect(error.message).not.toContain('123456789012');
  });

  test('"not in service" is 503 ENDPOINT_NOT_IN_SERVICE with Retry-After', () => {
    const error = endpointFailure(new ValidationError({ message: 'Endpoint flowers is not in service. Current status: Creating.', ...metadata }), 'flowers');
    expect(error).toMatchObject({ status: 503, code: 'ENDPOINT_NOT_IN_SERVICE', retryAfterSeconds: 60 });
  });

  test('another ValidationError is 502 ENDPOINT_ERROR', () => {
    const error = endpointFailure(new ValidationError({ message: '1 validation error detected: Value at contentType failed', ...metadata }), 'flowers');
    expect(error).toMatchObject({ status: 502, code: 'ENDPOINT_ERROR' });
  });

  test('ModelError is 502 MODEL_ERROR carrying the model status and message', () => {
    const modelError = new ModelError({ message: 'Received client error (400) from primary', OriginalStatusCode: 400, OriginalMessage: 'bad image', ...metadata });
    expect(endpointFailure(modelError, 'flowers')).toMatchObject({ status: 502, code: 'MODEL_ERROR', message: 'the model failed (status 400): bad image' });
  });

  test('ModelError without an original message uses its own message, cut to 1000 characters', () => {
    const modelError = new ModelError({ message: 'x'.repeat(5000), ...metadata });
    expect(endpointFailure(modelError, 'flowers').message).toBe(`the model failed: ${'x'.repeat(1000)}…`);
  });

  test.each([
    ['ServiceUnavailable', new ServiceUnavailable({ message: 'down', ...metadata })],
    ['ModelNotReadyException', new ModelNotReadyException({ message: 'loading', ...metadata })],
    // The runtime API throttles with an unmodelled ThrottlingException: the SDK raises a plain error of that name.
    ['ThrottlingException', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', ...metadata })],
  ])('%s is 503 ENDPOINT_BUSY', (_name, error) => {
    expect(endpointFailure(error, 'flowers')).toMatchObject({ status: 503, code: 'ENDPOINT_BUSY', retryAfterSeconds: 5 });
  });

  test.each([
    ['InternalFailure', new InternalFailure({ message: 'boom', ...metadata }), /InternalFailure/],
    ['a network error', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), /could not be reached/],
  ])('%s is 502 ENDPOINT_ERROR', (_name, error, message) => {
    expect(endpointFailure(error, 'flowers')).toMatchObject({ status: 502, code: 'ENDPOINT_ERROR', message: expect.stringMatching(message) });
  });

  test('keeps the SDK error as the cause, for the logs', () => {
    const cause = new ServiceUnavailable({ message: 'down', ...metadata });
    expect(endpointFailure(cause, 'flowers').cause).toBe(cause);
  });
});
