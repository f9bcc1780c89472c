/**
 * The batch classification function's entry point (lambda/batch/index.ts) with the real AWS SDK S3 client against
 * the loopback S3 emulator, listing in small pages. Batch Transform is played at the S3 boundary by
 * test/emulators/batch-transform-stub.ts; results.csv is read back with csv-parse.
 */
import { parse } from 'csv-parse/sync';
import * as fc from 'fast-check';
import { readJson, runBatchTransform, useS3Emulator, verboseAnswer } from '../emulators/batch-transform-stub';
import { stubAnswer, stubBinaryProbability } from '../emulators/sagemaker-runtime-emulator';
import { handler } from '../../lambda/batch/index';
import type {
  BatchResult, BatchSummary, ConsolidateBatchEvent, ConsolidatedBatch, PreparedBatch, PrepareBatchEvent,
} from '../../lambda/shared/batch-contract';
import { MAX_REQUEST_PAYLOAD_BYTES } from '../../lambda/shared/classifier-output';

const BUCKET = 'photos';
const OUT = 'results-bucket';
const LABELS = ['cat', 'dog', 'fox'];

const emulator = useS3Emulator([BUCKET, OUT], 5);

const prepare = (event: Omit<PrepareBatchEvent, 'action'>) => handler({ action: 'prepare', ...event }) as Promise<PreparedBatch>;
const consolidate = (event: Omit<ConsolidateBatchEvent, 'action'>) => handler({ action: 'consolidate', ...event }) as Promise<ConsolidatedBatch>;
const text = (bucket: string, key: string) => emulator.s3.getObject(bucket, key)!.body.toString('utf8');

/** Seeds `count` small images under `prefix` (in sub-folders too) and returns their keys. */
function seedImages(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `${prefix}${i % 4 === 0 ? 'nested/deeper/' : ''}img-${String(i).padStart(3, '0')}.${['jpg', 'JPEG', 'png', 'Png'][i % 4]}`;
    emulator.s3.putObject(BUCKET, key, `image ${i}`);
    return key;
  });
}

describe('prepare', () => {
  test('lists every image under the input in pages, skips what the model cannot take, and writes the manifest', async () => {
    const images = seedImages('in/', 23);
    emulator.s3.putObject(BUCKET, 'in/notes.txt', 'text');
    emulator.s3.putObject(BUCKET, 'in/empty.jpg', '');
    emulator.s3.putObject(BUCKET, 'in/huge.jpg', Buffer.alloc(MAX_REQUEST_PAYLOAD_BYTES + 1));
    emulator.s3.putObject(BUCKET, 'in/just-fits.jpg', Buffer.alloc(MAX_REQUEST_PAYLOAD_BYTES));
    emulator.s3.putObject(BUCKET, 'in/folder/', '');
    emulator.s3.putObject(BUCKET, 'inbox/other.jpg', 'not under in/');

    const prepared = await prepare({ input: `s3://${BUCKET}/in`, output: `s3://${OUT}/run-1`, runId: 'run-1' });

    expect(prepared).toEqual({
      manifestUri: `s3://${OUT}/run-1/manifest.json`,
      predictionsUri: `s3://${OUT}/run-1/predictions/`,
      imageCount: 24,
      skipped: {
        count: 3,
        examples: [
          { key: 'in/empty.jpg', reason: 'empty object' },
          { key: 'in/huge.jpg', reason: `${MAX_REQUEST_PAYLOAD_BYTES + 1} bytes, above the ${MAX_REQUEST_PAYLOAD_BYTES} bytes (6 MiB) one request to the model may carry; resize the image` },
          { key: 'in/notes.txt', reason: 'not a JPEG or PNG image (.jpg, .jpeg, .png)' },
        ],
        listUri: `s3://${OUT}/run-1/skipped.json`,
      },
    });
    const manifest = readJson(emulator.s3, prepared.manifestUri) as [{ prefix: string }, ...string[]];
    expect(manifest[0]).toEqual({ prefix: `s3://${BUCKET}/in/` });
    expect(new Set(manifest.slice(1))).toEqual(new Set([...images, 'in/just-fits.jpg'].map((key) => key.slice('in/'.length))));
    expect(readJson(emulator.s3, prepared.skipped.listUri!)).toEqual(prepared.skipped.examples);
    expect(emulator.s3.requests.filter((request) => request.method === 'LIST').length).toBeGreaterThanOrEqual(6);
  });

  test('nothing skipped: no skipped list, listUri null', async () => {
    seedImages('in/', 3);
    const prepared = await prepare({ input: `s3://${BUCKET}/in/`, output: `s3://${OUT}/o/`, runId: 'r' });
    expect(prepared.skipped).toEqual({ count: 0, examples: [], listUri: null });
    expect(emulator.s3.getObject(OUT, 'o/skipped.json')).toBeUndefined();
  });

  test('the whole bucket as input, output in another bucket', async () => {
    seedImages('', 2);
    const prepared = await prepare({ input: `s3://${BUCKET}`, output: `s3://${OUT}/`, runId: 'r' });
    // in S3's key order
    expect(readJson(emulator.s3, prepared.manifestUri)).toEqual([{ prefix: `s3://${BUCKET}/` }, 'img-001.JPEG', 'nested/deeper/img-000.jpg']);
    expect(prepared.predictionsUri).toBe(`s3://${OUT}/predictions/`);
  });

  test.each<[string, Partial<PrepareBatchEvent>, string]>([
    ['an input that is not an S3 URI', { input: 'https://photos.s3.amazonaws.com/in/' }, 'input must be an S3 URI like "s3://bucket/folder/"'],
    ['a missing output', { output: undefined }, 'output must be a string like "s3://bucket/folder/", got nothing'],
    ['the output equal to the input', { output: `s3://${BUCKET}/in` }, `output s3://${BUCKET}/in/ lies inside input s3://${BUCKET}/in/`],
    ['the output inside the input', { output: `s3://${BUCKET}/in/results/` }, 'choose an output folder outside the input folder'],
    ['the output anywhere in a bucket whose root is the input', { input: `s3://${BUCKET}`, output: `s3://${BUCKET}/results/` }, `lies inside input s3://${BUCKET}/`],
    ['the input inside the output\'s predictions', { input: `s3://${OUT}/o/predictions/x/`, output: `s3://${OUT}/o/` }, 'lies inside the output\'s predictions folder'],
    ['an empty folder name', { input: `s3://${BUCKET}/in//x/` }, 'must not contain an empty folder name'],
    ['a run id with a slash', { runId: 'a/b' }, 'runId must be a name of letters, digits and hyphens'],
  ])('refuses %s with InvalidBatchInput naming the fix', async (_name, change, message) => {
    const event = { input: `s3://${BUCKET}/in/`, output: `s3://${OUT}/o/`, runId: 'r', ...change };
    await expect(prepare(event as PrepareBatchEvent)).rejects.toMatchObject({ name: 'InvalidBatchInput', message: expect.stringContaining(message) });
  });

  test('"in" and "inbox" are different folders: an output in s3://b/inbox/ is not inside s3://b/in', async () => {
    seedImages('in/', 1);
    await expect(prepare({ input: `s3://${BUCKET}/in`, output: `s3://${BUCKET}/inbox/`, runId: 'r' })).resolves.toMatchObject({ imageCount: 1 });
  });

  test('an empty input is NoImagesToClassify; so is one with nothing the model can take, naming an example', async () => {
    await expect(prepare({ input: `s3://${BUCKET}/in/`, output: `s3://${OUT}/o/`, runId: 'r' }))
      .rejects.toMatchObject({ name: 'NoImagesToClassify', message: `no image to classify under s3://${BUCKET}/in/: nothing is there; upload .jpg, .jpeg or .png images there, or check the input URI` });
    emulator.s3.putObject(BUCKET, 'in/a.gif', 'gif');
    await expect(prepare({ input: `s3://${BUCKET}/in/`, output: `s3://${OUT}/o/`, runId: 'r' }))
      .rejects.toMatchObject({ name: 'NoImagesToClassify', message: expect.stringContaining('1 object(s) are there, none of them a JPEG or PNG image the model can take (e.g. in/a.gif: not a JPEG') });
  });
});

describe('consolidate', () => {
  async function preparedRun(count: number): Promise<{ prepared: PreparedBatch; images: string[] }> {
    const images = seedImages('in/', count);
    emulator.s3.putObject(BUCKET, 'in/readme.md', 'x');
    const prepared = await prepare({ input: `s3://${BUCKET}/in/`, output: `s3://${OUT}/o/`, runId: 'run-7' });
    return { prepared, images };
  }

  const consolidateEvent = (prepared: PreparedBatch, topK?: number): Omit<ConsolidateBatchEvent, 'action'> => ({
    manifestUri: prepared.manifestUri, predictionsUri: prepared.predictionsUri, output: `s3://${OUT}/o/`, runId: 'run-7', topK, skipped: prepared.skipped,
  });

  test('writes one JSON line and one CSV row per answered image, the summary with counts and failures, and returns the counts', async () => {
    const { prepared, images } = await preparedRun(37);
    const missing = new Set(['img-005.JPEG', 'nested/deeper/img-008.jpg']);
    runBatchTransform(emulator.s3, prepared.manifestUri, prepared.predictionsUri, (relativeKey, body) => {
      if (missing.has(relativeKey)) return undefined;
      if (relativeKey === 'img-010.png') return '{"probabilities": [0.5, 0.5], "labels": ["cat"]}';
      return JSON.stringify(stubAnswer(body, LABELS));
    });

    const result = await consolidate(consolidateEvent(prepared, 2));

    const manifestKeys = (readJson(emulator.s3, prepared.manifestUri) as string[]).slice(1).map((key) => `in/${key}`);
    const answered = manifestKeys.filter((key) => !['in/img-005.JPEG', 'in/nested/deeper/img-008.jpg', 'in/img-010.png'].includes(key));
    const expected = answered.map((key): BatchResult => {
      const answer = stubAnswer(emulator.s3.getObject(BUCKET, key)!.body, LABELS);
      const top = answer.labels.map((label, i) => ({ label, probability: answer.probabilities[i] })).sort((a, b) => b.probability - a.probability).slice(0, 2);
      return { key, predictedLabel: answer.predicted_label, probability: Math.max(...answer.probabilities), top };
    });
    const lines = text(OUT, 'o/results.jsonl').trimEnd().split('\n').map((line) => JSON.parse(line) as BatchResult);
    expect(lines).toEqual(expected);
    expect(emulator.s3.getObject(OUT, 'o/results.jsonl')!.contentType).toBe('application/x-ndjson');

    const rows = parse(text(OUT, 'o/results.csv'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['key', 'predicted_label', 'probability', 'top_1_label', 'top_1_probability', 'top_2_label', 'top_2_probability']);
    expect(rows.map((row) => [row.key, row.predicted_label, Number(row.probability), row.top_2_label]))
      .toEqual(expected.map((line) => [line.key, line.predictedLabel, line.probability, line.top[1].label]));

    const counts: Record<string, number> = {};
    for (const line of expected) counts[line.predictedLabel] = (counts[line.predictedLabel] ?? 0) + 1;
    const summary = readJson(emulator.s3, `s3://${OUT}/o/summary.json`) as BatchSummary;
    expect(summary).toMatchObject({
      schemaVersion: 1, runId: 'run-7', input: `s3://${BUCKET}/in/`, output: `s3://${OUT}/o/`,
      imageCount: 37, classifiedCount: 34, failureCount: 3, skippedCount: 1, countsByLabel: counts,
      skipped: [{ key: 'in/readme.md', reason: expect.stringContaining('not a JPEG or PNG') }],
    });
    expect(Object.keys(summary.countsByLabel)).toEqual([...Object.keys(counts)].sort());
    expect(summary.failures).toEqual(expect.arrayContaining([
      { key: 'in/img-005.JPEG', reason: `no answer: s3://${OUT}/o/predictions/img-005.JPEG.out does not exist (see the transform job's logs)` },
      { key: 'in/img-010.png', reason: expect.stringContaining('1 labels for 2 probabilities') },
    ]));
    expect(result).toEqual({
      imageCount: 37, classifiedCount: 34, failureCount: 3, skippedCount: 1, countsByLabel: counts,
      failureExamples: summary.failures, summaryUri: `s3://${OUT}/o/summary.json`,
      resultsJsonlUri: `s3://${OUT}/o/results.jsonl`, resultsCsvUri: `s3://${OUT}/o/results.csv`,
    });
    expect(images).toHaveLength(37);
  });

  test('CSV cells survive any label and key: commas, quotes, line breaks, non-ASCII; formulas are neutralised', async () => {
    const awkward = fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom('a,b', 'say "hi"', 'line\nbreak', 'crlf\r\nx', 'rosé 🌹', '=HYPERLINK("x")', '+1', '-2', '@sum', ' padded '));
    await fc.assert(fc.asyncProperty(fc.uniqueArray(awkward, { minLength: 2, maxLength: 4 }), fc.uniqueArray(awkward, { minLength: 1, maxLength: 4 }), async (labels, names) => {
      emulator.s3.reset();
      emulator.s3.createBucket(BUCKET);
      emulator.s3.createBucket(OUT);
      names.forEach((name, i) => emulator.s3.putObject(BUCKET, `in/${i}/${name}.jpg`, `image ${name}`));
      const prepared = await prepare({ input: `s3://${BUCKET}/in/`, output: `s3://${OUT}/o/`, runId: 'r' });
      runBatchTransform(emulator.s3, prepared.manifestUri, prepared.predictionsUri, (key) => verboseAnswer(labels, labels[key.length % labels.length], 0.7));
      await consolidate({ ...consolidateEvent(prepared, 1), runId: 'r' });
      const lines = text(OUT, 'o/results.jsonl').trimEnd().split('\n').map((line) => JSON.parse(line) as BatchResult);
      const rows = parse(text(OUT, 'o/results.csv'), { columns: true }) as Record<string, string>[];
      const neutralised = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);
      expect(rows.map((row) => [row.key, row.predicted_label, row.top_1_label]))
        .toEqual(lines.map((line) => [neutralised(line.key), neutralised(line.predictedLabel), neutralised(line.top[0].label)]));
      expect(new Set(lines.map((line) => line.key))).toEqual(new Set(names.map((name, i) => `in/${i}/${name}.jpg`)));
    }), { numRuns: 25 });
  });

  test('binary mode: one probability per answer, both labels in top-k, the second predicted above 0.5', async () => {
    const { prepared } = await preparedRun(12);
    runBatchTransform(emulator.s3, prepared.manifestUri, prepared.predictionsUri, (_key, body) =>
      JSON.stringify({ probabilities: [stubBinaryProbability(body)], labels: ['fake', 'real'], predicted_label: 'fake' }));
    const result = await consolidate({ ...consolidateEvent(prepared, 5), binaryMode: true });
    expect(result.failureCount).toBe(0);
    const rows = parse(text(OUT, 'o/results.csv'), { columns: true }) as Record<string, string>[];
    for (const row of rows) {
      const p = stubBinaryProbability(emulator.s3.getObject(BUCKET, row.key)!.body);
      expect(row.predicted_label).toBe(p > 0.5 ? 'real' : 'fake');
      expect([row.top_1_label, row.top_2_label].sort()).toEqual(['fake', 'real']);
      expect([row.top_3_label, row.top_3_probability]).toEqual(['', '']);
    }
    const withoutBinary = await consolidate(consolidateEvent(prepared, 5));
    expect(withoutBinary.failureExamples[0].reason).toContain('run BatchClassification with binaryMode: true');
  });

  test.each<[string, Partial<ConsolidateBatchEvent>, string]>([
    ['topK 0', { topK: 0 }, 'topK must be a whole number from 1 to 100, got 0'],
    ['topK 2.5', { topK: 2.5 }, 'topK must be a whole number from 1 to 100, got 2.5'],
    ['a manifest folder', { manifestUri: `s3://${OUT}/o/` }, 'manifestUri must name an object'],
    ['no skipped', { skipped: undefined }, 'skipped must be the "skipped" that prepare returned'],
    ['binaryMode as a string', { binaryMode: 'true' as never }, 'binaryMode must be true or false'],
  ])('refuses %s with InvalidBatchInput', async (_name, change, message) => {
    const event = { manifestUri: `s3://${OUT}/o/manifest.json`, predictionsUri: `s3://${OUT}/o/predictions/`, output: `s3://${OUT}/o/`, runId: 'r',
      skipped: { count: 0, examples: [], listUri: null }, ...change };
    await expect(consolidate(event as ConsolidateBatchEvent)).rejects.toMatchObject({ name: 'InvalidBatchInput', message: expect.stringContaining(message) });
  });

  test('a missing manifest names the fix', async () => {
    await expect(consolidate({ manifestUri: `s3://${OUT}/nothing.json`, predictionsUri: `s3://${OUT}/p/`, output: `s3://${OUT}/o/`, runId: 'r', skipped: { count: 0, examples: [], listUri: null } }))
      .rejects.toMatchObject({ name: 'InvalidBatchInput', message: expect.stringContaining('pass the manifestUri prepare returned') });
  });

  test('an S3 failure while reading the answers aborts the results and leaves no partial file', async () => {
    const { prepared } = await preparedRun(4);
    runBatchTransform(emulator.s3, prepared.manifestUri, prepared.predictionsUri, (_key, body) => JSON.stringify(stubAnswer(body, LABELS)));
    emulator.s3.authorize = (access) => !(access.action === 's3:GetObject' && access.key!.endsWith('img-002.png.out'));
    await expect(consolidate(consolidateEvent(prepared))).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(emulator.s3.getObject(OUT, 'o/results.jsonl')).toBeUndefined();
    expect(emulator.s3.getObject(OUT, 'o/summary.json')).toBeUndefined();
  });

  test('an unknown action', async () => {
    await expect(handler({ action: 'run' } as never)).rejects.toMatchObject({ name: 'InvalidBatchInput', message: expect.stringContaining('"prepare" or "consolidate"') });
  });
});
