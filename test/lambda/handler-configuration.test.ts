/**
 * A misconfigured function (bad environment) must not crash at init: every HTTP or direct request gets a 500
 * CONFIGURATION_ERROR without details, the details go to the log, and an S3 notification fails loudly.
 */
import type { Handler } from '../../lambda/inference/handler';
import { useEmulatorEnvironment } from '../emulators/aws-environment';
import { captureLogs, httpEvent, lambdaContext, LANDSCAPE, s3Event } from './handler-fixtures';

let restoreEnvironment: () => void;
let handler: Handler;
let logs: ReturnType<typeof captureLogs>;
let initLines: any[];

beforeAll(async () => {
  restoreEnvironment = useEmulatorEnvironment(
    { sageMakerRuntime: 'http://127.0.0.1:9', s3: 'http://127.0.0.1:9' },
    { ENDPOINT_NAME: 'flowers_endpoint', IMAGE_SIZE: 'large' },
  );
  const init = captureLogs();
  ({ handler } = await import('../../lambda/inference/index'));
  initLines = init.lines();
  init.restore();
});

afterAll(() => restoreEnvironment());
beforeEach(() => { logs = captureLogs(); });
afterEach(() => logs.restore());

test('the cold start logs every problem and does not throw', () => {
  expect(initLines).toEqual([expect.objectContaining({
    level: 'error',
    requestId: 'init',
    event: 'configuration-invalid',
    error: expect.objectContaining({ name: 'ConfigurationError', message: expect.stringMatching(/ENDPOINT_NAME must match.*IMAGE_SIZE must be an integer/) }),
  })]);
});

test('an HTTP request gets 500 CONFIGURATION_ERROR without the details', async () => {
  const context = lambdaContext();
  const result = (await handler(httpEvent({ body: LANDSCAPE, contentType: 'image/jpeg' }), context)) as { statusCode: number; body: string };
  expect(result.statusCode).toBe(500);
  expect(JSON.parse(result.body)).toEqual({ error: { code: 'CONFIGURATION_ERROR', message: 'the function is misconfigured; see its logs' } });
  expect(result.body).not.toContain('IMAGE_SIZE');
  expect(logs.lines()).toContainEqual(expect.objectContaining({
    requestId: context.awsRequestId,
    event: 'configuration-invalid',
    problems: [expect.stringContaining('ENDPOINT_NAME'), expect.stringContaining('IMAGE_SIZE')],
  }));
});

test('a direct invocation gets the error object', async () => {
  expect(await handler({ s3Uri: 's3://photos/a.jpg' }, lambdaContext())).toEqual({
    error: { code: 'CONFIGURATION_ERROR', message: 'the function is misconfigured; see its logs', status: 500 },
  });
});

test('an S3 notification throws, so the event goes to retries and the on-failure destination', async () => {
  await expect(handler(s3Event('uploads', ['inbox/a.jpg']), lambdaContext())).rejects.toMatchObject({ status: 500, code: 'CONFIGURATION_ERROR' });
});
