/**
 * End to end: S3 ObjectCreated notifications through the real handler and SDK clients, against the loopback S3
 * and SageMaker runtime emulators. Results are written next to each image; nothing is dropped silently.
 */
import { InboxBatchError, InboxSummary, PredictionDocument } from '../../lambda/inference/s3-notifications';
import { lambdaContext, LANDSCAPE, PORTRAIT_ROTATED, s3Event, TEXT_FILE, useHandlerTestBed } from './handler-fixtures';

const ENDPOINT = 'flowers-endpoint';
const INBOX_BUCKET = 'uploads';

const bed = useHandlerTestBed({ ENDPOINT_NAME: ENDPOINT, IMAGE_SIZE: '224', INBOX_BUCKET, INBOX_PREFIX: 'inbox/', INBOX_CONCURRENCY: '2', DEFAULT_TOP_K: '3' }, (s3) => {
  s3.putObject(INBOX_BUCKET, 'inbox/garden.jpg', LANDSCAPE, 'image/jpeg');
  s3.putObject(INBOX_BUCKET, 'inbox/holiday 2024/tall+one.jpg', PORTRAIT_ROTATED, 'image/jpeg');
  s3.putObject(INBOX_BUCKET, 'inbox/notes.jpg', TEXT_FILE, 'image/jpeg');
});

const putKeys = () => bed.s3.puts.map((put) => put.key).sort();
const document = (key: string) => JSON.parse(bed.s3.getObject(INBOX_BUCKET, key)?.body.toString() ?? 'null');

test('a batch with one bad object among good ones: results written for the good ones, the bad one reported', async () => {
  // GIVEN two photos, a text file named .jpg, and the function's own earlier output
  const event = s3Event(INBOX_BUCKET, ['inbox/garden.jpg', 'inbox/holiday 2024/tall+one.jpg', 'inbox/notes.jpg', 'inbox/garden.jpg.prediction.json']);

  // WHEN
  const summary = (await bed.handler(event, lambdaContext())) as InboxSummary;

  // THEN both photos were classified and their results written next to them
  expect(bed.sageMaker.invocations).toHaveLength(2);
  expect(putKeys()).toEqual([
    'inbox/garden.jpg.prediction.json',
    'inbox/holiday 2024/tall+one.jpg.prediction.json',
    'inbox/notes.jpg.error.json',
  ]);
  const garden: PredictionDocument = document('inbox/garden.jpg.prediction.json');
  expect(garden).toEqual({
    source: { bucket: INBOX_BUCKET, key: 'inbox/garden.jpg', eTag: 'etag' },
    classifiedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    result: expect.objectContaining({ model: { endpointName: ENDPOINT, imageSize: 224 }, image: expect.objectContaining({ width: 1800, height: 1200 }) }),
  });
  expect(garden.result.predictions).toHaveLength(3);
  expect(bed.s3.puts.find((put) => put.key.endsWith('.prediction.json'))?.contentType).toBe('application/json');

  // AND the text file is reported, in the return value, next to the object and in the log
  expect(summary.succeeded.map((success) => success.key).sort()).toEqual(['inbox/garden.jpg', 'inbox/holiday 2024/tall+one.jpg']);
  expect(summary.failed).toEqual([{
    bucket: INBOX_BUCKET,
    key: 'inbox/notes.jpg',
    status: 400,
    code: 'UNSUPPORTED_IMAGE_TYPE',
    message: expect.any(String),
    retryable: false,
    errorKey: 'inbox/notes.jpg.error.json',
  }]);
  expect(document('inbox/notes.jpg.error.json')).toMatchObject({ error: { code: 'UNSUPPORTED_IMAGE_TYPE', status: 400 } });
  expect(bed.logLines()).toContainEqual(expect.objectContaining({ level: 'error', event: 'inbox-object-failed', key: 'inbox/notes.jpg', code: 'UNSUPPORTED_IMAGE_TYPE' }));

  // AND the function's own output was skipped, not classified
  expect(summary.skipped).toEqual([{ bucket: INBOX_BUCKET, key: 'inbox/garden.jpg.prediction.json', reason: 'written by this function' }]);
});

test('the notifications for its own result files classify nothing and write nothing (no loop)', async () => {
  const summary = (await bed.handler(s3Event(INBOX_BUCKET, ['inbox/a.jpg.prediction.json', 'inbox/b.jpg.error.json']), lambdaContext())) as InboxSummary;
  expect(summary).toEqual({ succeeded: [], failed: [], skipped: [expect.anything(), expect.anything()] });
  expect(bed.s3.puts).toEqual([]);
  expect(bed.sageMaker.invocations).toEqual([]);
});

test('when the endpoint is not there yet, the batch throws after trying every object so Lambda retries it', async () => {
  // GIVEN
  bed.sageMaker.endpoints.clear();
  const event = s3Event(INBOX_BUCKET, ['inbox/garden.jpg', 'inbox/notes.jpg', 'inbox/missing.jpg']);

  // WHEN
  const error = await bed.handler(event, lambdaContext()).catch((e: unknown) => e);

  // THEN
  expect(error).toBeInstanceOf(InboxBatchError);
  const { summary } = error as InboxBatchError;
  expect(summary.failed.map((f) => [f.key, f.status, f.code, f.retryable])).toEqual([
    ['inbox/garden.jpg', 503, 'ENDPOINT_NOT_FOUND', true],
    ['inbox/notes.jpg', 400, 'UNSUPPORTED_IMAGE_TYPE', false],
    ['inbox/missing.jpg', 404, 'OBJECT_NOT_FOUND', false],
  ]);
  expect((error as Error).message).toContain('s3://uploads/inbox/garden.jpg (ENDPOINT_NOT_FOUND)');
  expect(putKeys()).toEqual(['inbox/missing.jpg.error.json', 'inbox/notes.jpg.error.json']);
  expect(bed.logLines()).toContainEqual(expect.objectContaining({ level: 'error', event: 'inbox-batch-failed', failed: 3 }));
});

test('objects outside the inbox prefix are reported as failures and never read', async () => {
  bed.s3.putObject(INBOX_BUCKET, 'private/secret.jpg', LANDSCAPE, 'image/jpeg');
  const summary = (await bed.handler(s3Event(INBOX_BUCKET, ['private/secret.jpg']), lambdaContext())) as InboxSummary;
  expect(summary.failed).toEqual([expect.objectContaining({ key: 'private/secret.jpg', status: 403, code: 'BUCKET_NOT_ALLOWED', retryable: false })]);
  expect(bed.s3.requests).toEqual([]);
});
