import {
  InternalFailure, ModelError, ModelNotReadyException, SageMakerRuntimeClient, ServiceUnavailable, ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import {
  BINARY_THRESHOLD, endpointFailure, invokeEndpoint, MAX_INVOKE_PAYLOAD_BYTES, parseEndpointResponse,
} from '../../lambda/inference/invoke-endpoint';
import { ClassifierOutputError } from '../../lambda/shared/classifier-output';
import { SageMakerRuntimeEmulator, stubAnswer } from '../emulators/sagemaker-runtime-emulator';

const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const metadata = { $metadata: {} };

describe('parseEndpointResponse', () => {
  test('a malformed answer\'s 502 keeps the parser\'s error as its cause, for the log', () => {
    let thrown: unknown;
    try {
      parseEndpointResponse(encode('<html>oops</html>'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ status: 502, code: 'MALFORMED_ENDPOINT_RESPONSE' });
    expect((thrown as Error).cause).toBeInstanceOf(ClassifierOutputError);
    expect(((thrown as Error).cause as Error).message).toBe('17 bytes that are not JSON');
  });

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

describe('invokeEndpoint, through the AWS SDK against a loopback SageMaker runtime', () => {
  let runtime: SageMakerRuntimeEmulator;
  let client: SageMakerRuntimeClient;
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
  beforeAll(async () => {
    runtime = await SageMakerRuntimeEmulator.start(['cat', 'dog']);
    client = new SageMakerRuntimeClient({
      endpoint: runtime.url, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: 'AKIAEMULATOREXAMPLE', secretAccessKey: 'emulator-secret-access-key' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await runtime.close();
  });
  beforeEach(() => runtime.reset());

  test('sends the image as application/x-image, asks for the verbose answer and returns it validated', async () => {
    runtime.endpoints.set('flowers', 'InService');
    const answer = stubAnswer(jpeg, ['cat', 'dog']);
    await expect(invokeEndpoint(client, 'flowers', jpeg)).resolves.toEqual({
      probabilities: answer.probabilities, labels: answer.labels, predictedLabel: answer.predicted_label,
    });
    expect(runtime.invocations).toHaveLength(1);
    expect(runtime.invocations[0]).toMatchObject({ endpointName: 'flowers', headers: { 'content-type': 'application/x-image', accept: 'application/json;verbose' } });
    expect(runtime.invocations[0].body).toEqual(Buffer.from(jpeg));
  });

  test('reads a binary-mode answer only when told the model is binary', async () => {
    runtime.endpoints.set('flowers', 'InService');
    runtime.behaviour = { kind: 'binary', probability: 0.75 };
    await expect(invokeEndpoint(client, 'flowers', jpeg, true)).resolves.toEqual({ probabilities: [0.25, 0.75], labels: ['cat', 'dog'], predictedLabel: 'dog' });
    await expect(invokeEndpoint(client, 'flowers', jpeg)).rejects.toThrow(expect.objectContaining({ status: 502, code: 'MALFORMED_ENDPOINT_RESPONSE' }));
  });

  test('an empty answer is 502 MALFORMED_ENDPOINT_RESPONSE', async () => {
    runtime.endpoints.set('flowers', 'InService');
    runtime.behaviour = { kind: 'malformed', body: '' };
    await expect(invokeEndpoint(client, 'flowers', jpeg)).rejects.toThrow(expect.objectContaining({
      status: 502, code: 'MALFORMED_ENDPOINT_RESPONSE', message: 'the endpoint answered with an unexpected response: 0 bytes that are not JSON',
    }));
  });

  test('a missing endpoint is 503 ENDPOINT_NOT_FOUND, a busy one 503 ENDPOINT_BUSY', async () => {
    await expect(invokeEndpoint(client, 'flowers', jpeg)).rejects.toThrow(expect.objectContaining({ status: 503, code: 'ENDPOINT_NOT_FOUND', retryAfterSeconds: 60 }));
    runtime.endpoints.set('flowers', 'InService');
    runtime.behaviour = { kind: 'service-unavailable' };
    await expect(invokeEndpoint(client, 'flowers', jpeg)).rejects.toThrow(expect.objectContaining({ status: 503, code: 'ENDPOINT_BUSY', retryAfterSeconds: 5 }));
  });

  test('an image over the 6,291,456-byte limit is refused as 413 without being sent; one at the limit is sent', async () => {
    runtime.endpoints.set('flowers', 'InService');
    await expect(invokeEndpoint(client, 'flowers', new Uint8Array(MAX_INVOKE_PAYLOAD_BYTES + 1))).rejects.toThrow(expect.objectContaining({
      status: 413, code: 'OBJECT_TOO_LARGE', message: "the preprocessed image is 6291457 bytes, above the endpoint's limit of 6291456",
    }));
    expect(runtime.invocations).toHaveLength(0);
    await expect(invokeEndpoint(client, 'flowers', new Uint8Array(MAX_INVOKE_PAYLOAD_BYTES))).resolves.toMatchObject({ labels: ['cat', 'dog'] });
    expect(runtime.invocations).toHaveLength(1);
  });
});

describe('parseEndpointResponse messages', () => {
  const why = (body: unknown, binaryMode = false) => {
    try {
      parseEndpointResponse(typeof body === 'string' ? encode(body) : encode(body), binaryMode);
    } catch (error) {
      expect(error).toMatchObject({ status: 502, code: 'MALFORMED_ENDPOINT_RESPONSE' });
      return (error as Error).message.replace('the endpoint answered with an unexpected response: ', '');
    }
    throw new Error('accepted');
  };

  test.each([
    ['{', '1 bytes that are not JSON'],
    ['null', 'not a JSON object'],
    ['"text"', 'not a JSON object'],
    [{ probabilities: 0.5, labels: ['a'], predicted_label: 'a' }, '"probabilities" is not a non-empty array'],
    [{ probabilities: [0.5], labels: 'a', predicted_label: 'a' }, '"labels" is not an array (was the model asked for application/json;verbose?)'],
    [{ probabilities: [0.5, 0.5], labels: ['a', 'b', 'c'], predicted_label: 'a' }, '3 labels for 2 probabilities'],
    [{ probabilities: [1], labels: ['a', 'b', 'c'], predicted_label: 'a' }, '3 labels for 1 probabilities'],
    [{ probabilities: [0.5, 0.5], labels: ['a'], predicted_label: 'a' }, '1 labels for 2 probabilities'],
    [{ probabilities: [0.5, 0.2, 1.01], labels: ['a', 'b', 'c'], predicted_label: 'a' }, 'probabilities[2] is not a number in [0, 1]'],
    [{ probabilities: [0.5, 0.5], labels: ['a', null], predicted_label: 'a' }, 'labels[1] is not a string'],
    [{ probabilities: [0.5, 0.5], labels: [1, 'b'], predicted_label: 'b' }, 'labels[0] is not a string'],
    [{ probabilities: [0.2, 0.3, 0.5], labels: ['a', 'b'], predicted_label: 'a' }, '2 labels for 3 probabilities'],
    [{ probabilities: [0.5, 0.5], labels: ['a', 'b'] }, '"predicted_label" is not one of the labels'],
  ])('%j: %s', (body, message) => {
    expect(why(body)).toBe(message);
  });

  test.each([
    [{ probabilities: [0.5], labels: ['a', 'b', 'c'] }, 'a binary-mode answer needs "labels" with the two class names (was the model asked for application/json;verbose?)'],
    [{ probabilities: 2, labels: ['a', 'b'] }, 'the binary-mode probability is not a number in [0, 1]'],
    [{ probabilities: [0.5], labels: ['a', 'a'] }, 'the binary-mode labels are the same "a" twice'],
  ])('binary mode %j: %s', (body, message) => {
    expect(why(body, true)).toBe(message);
  });

  test('reads the bytes of a view into a larger buffer, not the whole buffer', () => {
    const document = encode({ probabilities: [1], labels: ['a'], predicted_label: 'a' });
    const larger = Buffer.concat([Buffer.from('xx'), document, Buffer.from('yy')]);
    expect(parseEndpointResponse(larger.subarray(2, 2 + document.length))).toEqual({ probabilities: [1], labels: ['a'], predictedLabel: 'a' });
  });

  test('a probability exactly at the threshold is the first label, the next float up the second', () => {
    const at = (p: number) => parseEndpointResponse(encode({ probabilities: [p], labels: ['a', 'b'] }), true).predictedLabel;
    expect([at(BINARY_THRESHOLD), at(BINARY_THRESHOLD + Number.EPSILON / 2)]).toEqual(['a', 'b']);
  });
});

describe('endpointFailure, each branch', () => {
  const validation = (message: string) => new ValidationError({ message, ...metadata });

  test.each([
    'Endpoint flowers of account 123456789012 not found.',
    'ENDPOINT FLOWERS NOT FOUND',
  ])('ValidationError %p is 503 ENDPOINT_NOT_FOUND', (message) => {
    expect(endpointFailure(validation(message), 'flowers')).toMatchObject({
      status: 503, code: 'ENDPOINT_NOT_FOUND', retryAfterSeconds: 60,
      message: 'endpoint "flowers" does not exist yet (it may still be being created); retry later',
    });
  });

  test.each([
    'Endpoint flowers is not in service.', 'Endpoint flowers is NOT IN SERVICE', 'The endpoint is not InService yet',
    ...['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'OutOfService', 'Deleting', 'Failed'].map((status) => `Endpoint status: ${status}.`),
    'endpoint status creating',
  ])('ValidationError %p is 503 ENDPOINT_NOT_IN_SERVICE', (message) => {
    expect(endpointFailure(validation(message), 'flowers')).toMatchObject({
      status: 503, code: 'ENDPOINT_NOT_IN_SERVICE', retryAfterSeconds: 60, message: 'endpoint "flowers" is not in service; retry later',
    });
  });

  test.each([
    'Model notfound in the request', 'InServiceable', 'endpoint statusCreating', 'status: Created', 'Endpoint status: Failedover',
  ])('ValidationError %p is neither: 502 ENDPOINT_ERROR', (message) => {
    expect(endpointFailure(validation(message), 'flowers')).toMatchObject({ status: 502, code: 'ENDPOINT_ERROR', message: 'endpoint "flowers" failed (ValidationError)' });
  });

  test('only a ValidationError is read for "not found" or a status', () => {
    for (const message of ['Endpoint flowers not found.', 'Endpoint flowers is not in service']) {
      expect(endpointFailure(new InternalFailure({ message, ...metadata }), 'flowers')).toMatchObject({ status: 502, code: 'ENDPOINT_ERROR', message: 'endpoint "flowers" failed (InternalFailure)' });
    }
  });

  test('a ModelError with an empty original message, and without a status, uses its own message', () => {
    const modelError = new ModelError({ message: 'container crashed', OriginalMessage: '', ...metadata });
    expect(endpointFailure(modelError, 'flowers')).toMatchObject({ status: 502, code: 'MODEL_ERROR', message: 'the model failed: container crashed' });
    expect(endpointFailure(modelError, 'flowers').retryAfterSeconds).toBeUndefined();
  });

  test('a model message of exactly 1000 characters is kept whole', () => {
    const modelError = new ModelError({ message: 'm', OriginalMessage: 'x'.repeat(1000), OriginalStatusCode: 500, ...metadata });
    expect(endpointFailure(modelError, 'flowers').message).toBe(`the model failed (status 500): ${'x'.repeat(1000)}`);
    expect(endpointFailure(modelError, 'flowers').cause).toBe(modelError);
  });

  test('the busy message names the error; other failures name theirs, or say the endpoint could not be reached', () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    expect(endpointFailure(throttled, 'flowers').message).toBe('endpoint "flowers" is busy or briefly unavailable (ThrottlingException); retry later');
    expect(endpointFailure(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 'flowers').message).toBe('endpoint "flowers" failed (TimeoutError)');
    expect(endpointFailure(new Error('socket hang up'), 'flowers')).toMatchObject({ status: 502, code: 'ENDPOINT_ERROR', message: 'endpoint "flowers" failed (it could not be reached)' });
    expect(endpointFailure('not an error', 'flowers')).toMatchObject({ status: 502, code: 'ENDPOINT_ERROR', message: 'endpoint "flowers" failed (it could not be reached)', cause: 'not an error' });
    expect(endpointFailure(new Error('x'), 'flowers').retryAfterSeconds).toBeUndefined();
  });
});
