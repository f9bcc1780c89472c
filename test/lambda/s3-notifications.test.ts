import { decodeNotificationKey, planInbox, S3NotificationRecord } from '../../lambda/inference/s3-notifications';
import { mapWithConcurrency } from '../../lambda/shared/concurrency';

const inbox = { bucket: 'uploads', prefix: 'inbox/', concurrency: 2 };

function record(key: string, overrides: Partial<S3NotificationRecord> & { bucket?: string } = {}): S3NotificationRecord {
  const { bucket = 'uploads', ...rest } = overrides;
  return {
    eventSource: 'aws:s3',
    eventName: 'ObjectCreated:Put',
    s3: { bucket: { name: bucket }, object: { key, size: 10, eTag: 'abc' } },
    ...rest,
  };
}

describe('decodeNotificationKey', () => {
  test('turns + into spaces and percent escapes into characters', () => {
    expect(decodeNotificationKey('inbox/my+photo%2B1%C3%A9.jpg')).toBe('inbox/my photo+1é.jpg');
  });
});

describe('planInbox', () => {
  test('classifies images under the prefix, keeping eTag and versionId', () => {
    const plan = planInbox({ Records: [record('inbox/a+b.jpg'), record('inbox/sub/c.png', { s3: { bucket: { name: 'uploads' }, object: { key: 'inbox/sub/c.png', versionId: 'v1' } } })] }, inbox);
    expect(plan).toEqual({
      objects: [
        { bucket: 'uploads', key: 'inbox/a b.jpg', eTag: 'abc' },
        { bucket: 'uploads', key: 'inbox/sub/c.png', versionId: 'v1' },
      ],
      failed: [],
      skipped: [],
    });
  });

  test('skips its own outputs, folder markers, other event types and the S3 test event, saying why', () => {
    const plan = planInbox({
      Event: 's3:TestEvent',
      Records: [
        record('inbox/a.jpg.prediction.json'),
        record('inbox/a.jpg.error.json'),
        record('inbox/folder/'),
        record('inbox/gone.jpg', { eventName: 'ObjectRemoved:Delete' }),
        record('inbox/q.jpg', { eventSource: 'aws:sqs' }),
      ],
    }, inbox);
    expect(plan.objects).toEqual([]);
    expect(plan.failed).toEqual([]);
    expect(plan.skipped.map((skip) => skip.reason)).toEqual([
      's3:TestEvent',
      'written by this function',
      'written by this function',
      'folder marker',
      'not an S3 ObjectCreated event (aws:s3 ObjectRemoved:Delete)',
      'not an S3 ObjectCreated event (aws:sqs ObjectCreated:Put)',
    ]);
  });

  test('reports objects outside the inbox as 403 failures rather than dropping them', () => {
    const plan = planInbox({ Records: [record('elsewhere/a.jpg'), record('inbox/a.jpg', { bucket: 'other-bucket' })] }, inbox);
    expect(plan.objects).toEqual([]);
    expect(plan.failed).toEqual([
      expect.objectContaining({ bucket: 'uploads', key: 'elsewhere/a.jpg', status: 403, code: 'BUCKET_NOT_ALLOWED', retryable: false }),
      expect.objectContaining({ bucket: 'other-bucket', key: 'inbox/a.jpg', status: 403, code: 'BUCKET_NOT_ALLOWED', retryable: false }),
    ]);
  });

  test('with no inbox configured every object is a failure', () => {
    expect(planInbox({ Records: [record('inbox/a.jpg')] }, undefined).failed).toHaveLength(1);
  });

  test('reports a record with a badly encoded key or no key', () => {
    const plan = planInbox({ Records: [record('inbox/%E0%A4%A.jpg'), { eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'uploads' } } }] }, inbox);
    expect(plan.failed.map((failure) => [failure.code, failure.status])).toEqual([['UNSUPPORTED_EVENT', 400], ['UNSUPPORTED_EVENT', 400]]);
  });
});

describe('mapWithConcurrency', () => {
  test('never runs more than the limit at once and keeps the order of results', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([30, 10, 20, 5, 15, 1], 2, async (delay, index) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, delay));
      running -= 1;
      return index;
    });
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  test('handles an empty list', async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});
