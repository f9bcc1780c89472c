import { createLogger, serializeError } from '../../lambda/shared/log';

describe('createLogger', () => {
  test('writes one JSON object a line with level, time, request id, event and fields', () => {
    const lines: string[] = [];
    const log = createLogger('req-1', (line) => lines.push(line)).child({ s3Uri: 's3://b/k' });
    log.warn('request-rejected', { status: 400 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0])).toEqual({
      level: 'warn', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), requestId: 'req-1', event: 'request-rejected', s3Uri: 's3://b/k', status: 400,
    });
  });

  test('serializes errors with their name, message, SDK metadata and cause', () => {
    const lines: string[] = [];
    const cause = Object.assign(new Error('Endpoint x not found'), { name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400, requestId: 'aws-1' } });
    createLogger('req-2', (line) => lines.push(line)).error('request-failed', { error: new Error('wrapped', { cause }) });
    const { error } = JSON.parse(lines[0]);
    expect(error).toMatchObject({ name: 'Error', message: 'wrapped', cause: { name: 'ValidationError', fault: 'client', httpStatusCode: 400, awsRequestId: 'aws-1' } });
    expect(error.stack).toContain('wrapped');
  });

  test('survives fields that JSON cannot represent', () => {
    const lines: string[] = [];
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    createLogger('req-3', (line) => lines.push(line)).info('x', { circular, big: BigInt(1) });
    expect(JSON.parse(lines[0])).toMatchObject({ requestId: 'req-3', event: 'x', note: 'fields not serializable' });
  });
});

describe('serializeError', () => {
  test('describes a thrown non-error', () => {
    expect(serializeError('plain string')).toEqual({ value: 'plain string' });
  });
});
