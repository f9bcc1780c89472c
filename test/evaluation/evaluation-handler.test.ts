/**
 * The evaluation function's entry point (lambda/evaluation/index.ts) with the real AWS SDK S3 client against the
 * loopback S3 emulator, listing in small pages. Batch Transform is played at the S3 boundary (its manifest in,
 * `<output>/<rel key>.out` out) by test/emulators/batch-transform-stub.ts.
 */
import { createHash } from 'crypto';
import { readJson, runBatchTransform, useS3Emulator, verboseAnswer } from '../emulators/batch-transform-stub';
import { handler } from '../../lambda/evaluation/index';
import type { ScoreEvent, ScoreResult, SelectTestSetEvent, TestSetSelection } from '../../lambda/shared/evaluation-contract';
import { parseEvaluationReport } from '../../lambda/shared/evaluation-report';

const BUCKET = 'dataset-bucket';
const RUN_FOLDER = `s3://${BUCKET}/runs/20260101-000000-abcdef01/`;

const emulator = useS3Emulator([BUCKET], 7);

const select = (event: Omit<SelectTestSetEvent, 'action'>) => handler({ action: 'selectTestSet', ...event }) as Promise<TestSetSelection>;
const score = (event: Omit<ScoreEvent, 'action'>) => handler({ action: 'score', ...event }) as Promise<ScoreResult>;

/** The hold-out rule as documented: SHA-256 of the key relative to training/, first 52 bits / 2^52, below the fraction. */
const heldOut = (relativeKey: string, fraction: number) =>
  parseInt(createHash('sha256').update(relativeKey).digest('hex').slice(0, 13), 16) / 2 ** 52 < fraction;

function seedTraining(classes: Record<string, number>, prefix = 'dataset/'): string[] {
  const keys: string[] = [];
  for (const [label, count] of Object.entries(classes)) {
    for (let i = 0; i < count; i++) {
      const relative = `${label}/img-${i}.${i % 3 === 0 ? 'JPG' : i % 3 === 1 ? 'jpeg' : 'png'}`;
      emulator.s3.putObject(BUCKET, `${prefix}training/${relative}`, `bytes of ${relative}`);
      keys.push(relative);
    }
  }
  return keys;
}

describe('selectTestSet without a test/ folder: the deterministic hold-out', () => {
  test('writes a test manifest and a training manifest that split the images by the hash rule, listing in pages', async () => {
    const images = seedTraining({ daisy: 40, roses: 40, tulips: 40 });
    emulator.s3.putObject(BUCKET, 'dataset/training/README.txt', 'not an image');
    emulator.s3.putObject(BUCKET, 'dataset/training/stray.jpg', 'not in a class folder');
    emulator.s3.putObject(BUCKET, 'dataset/training/roses/', '');
    emulator.s3.putObject(BUCKET, 'dataset/validation/roses/v.jpg', 'not listed');

    const selection = await select({ datasetUri: `s3://${BUCKET}/dataset`, runFolderUri: RUN_FOLDER, holdOutFraction: 0.25 });

    const expectedTest = images.filter((key) => heldOut(key, 0.25));
    expect(expectedTest.length).toBeGreaterThan(10);
    const testManifest = readJson(emulator.s3, selection.testManifestUri) as string[];
    const trainingManifest = readJson(emulator.s3, selection.trainingManifestUri!) as string[];
    expect(testManifest[0]).toEqual({ prefix: `s3://${BUCKET}/dataset/training/` });
    expect(trainingManifest[0]).toEqual({ prefix: `s3://${BUCKET}/dataset/training/` });
    expect(new Set(testManifest.slice(1))).toEqual(new Set(expectedTest));
    expect(new Set(trainingManifest.slice(1))).toEqual(new Set(images.filter((key) => !expectedTest.includes(key))));
    expect(selection).toMatchObject({
      source: 'hold-out',
      imageCount: expectedTest.length,
      classes: ['daisy', 'roses', 'tulips'],
      classesWithoutTestImages: [],
      testManifestUri: `${RUN_FOLDER}test.manifest`,
      trainingManifestUri: `${RUN_FOLDER}training.manifest`,
    });
    expect(selection.skipped.count).toBe(2);
    expect(selection.skipped.examples.map((entry) => entry.key).sort()).toEqual(['dataset/training/README.txt', 'dataset/training/stray.jpg']);
    expect(readJson(emulator.s3, selection.skipped.listUri!)).toEqual(selection.skipped.examples);
    // more than one page was listed
    expect(emulator.s3.requests.filter((request) => request.method === 'LIST' && request.key === 'dataset/training/').length).toBeGreaterThan(10);
  });

  test('is stable as data grows: new images never move an existing image, and the version changes only with the test images', async () => {
    const before = seedTraining({ a: 30, b: 30 });
    const first = await select({ datasetUri: `s3://${BUCKET}/dataset/`, runFolderUri: RUN_FOLDER });
    const firstTest = new Set((readJson(emulator.s3, first.testManifestUri) as string[]).slice(1));
    expect(await select({ datasetUri: `s3://${BUCKET}/dataset/`, runFolderUri: RUN_FOLDER })).toEqual(first);

    for (let i = 0; i < 60; i++) emulator.s3.putObject(BUCKET, `dataset/training/${i % 2 ? 'a' : 'c'}/new-${i}.jpg`, `new ${i}`);
    const second = await select({ datasetUri: `s3://${BUCKET}/dataset/`, runFolderUri: RUN_FOLDER });
    const secondTest = new Set((readJson(emulator.s3, second.testManifestUri) as string[]).slice(1));
    for (const key of before) expect(secondTest.has(key)).toBe(firstTest.has(key));
    expect(second.classes).toEqual(['a', 'b', 'c']);
    expect(second.version === first.version).toBe([...secondTest].every((key) => firstTest.has(key)));

    // Rewriting a training-only image keeps the version; rewriting a test image changes it.
    const trainingOnly = before.find((key) => !firstTest.has(key))!;
    emulator.s3.putObject(BUCKET, `dataset/training/${trainingOnly}`, 'other bytes');
    expect((await select({ datasetUri: `s3://${BUCKET}/dataset/`, runFolderUri: RUN_FOLDER })).version).toBe(second.version);
    const tested = [...secondTest][0];
    emulator.s3.putObject(BUCKET, `dataset/training/${tested}`, 'other bytes');
    expect((await select({ datasetUri: `s3://${BUCKET}/dataset/`, runFolderUri: RUN_FOLDER })).version).not.toBe(second.version);
  });

  test('a class whose every image is held out fails with UnusableDataset naming the class and the fix', async () => {
    const lone = Array.from({ length: 200 }, (_, i) => `solo/x-${i}.jpg`).find((key) => heldOut(key, 0.1))!;
    seedTraining({ many: 20 });
    emulator.s3.putObject(BUCKET, `dataset/training/${lone}`, 'the only image');
    await expect(select({ datasetUri: `s3://${BUCKET}/dataset/`, runFolderUri: RUN_FOLDER })).rejects.toMatchObject({
      name: 'UnusableDataset',
      message: expect.stringMatching(/took every image of the class\(es\) "solo".*add images to dataset\/training\/<class>\/, or put test images in dataset\/test\/<class>\//),
    });
  });

  test('no training image fails with UnusableDataset', async () => {
    emulator.s3.putObject(BUCKET, 'dataset/training/notes.txt', 'x');
    await expect(select({ datasetUri: `s3://${BUCKET}/dataset/`, runFolderUri: RUN_FOLDER }))
      .rejects.toMatchObject({ name: 'UnusableDataset', message: expect.stringContaining('no image under dataset/training/') });
  });
});

describe('selectTestSet with a test/ folder', () => {
  test('uses test/ as it is, trains on all of training/, reports classes without test images and skips unknown classes', async () => {
    seedTraining({ cat: 5, dog: 5, eel: 3 });
    for (const key of ['cat/1.jpg', 'cat/2.png', 'dog/1.jpg', 'yak/1.jpg', 'notes.md']) emulator.s3.putObject(BUCKET, `dataset/test/${key}`, key);
    const selection = await select({ datasetUri: `s3://${BUCKET}/dataset/`, runFolderUri: RUN_FOLDER });
    expect(selection).toMatchObject({
      source: 'test-folder',
      imageCount: 3,
      classes: ['cat', 'dog', 'eel'],
      classesWithoutTestImages: ['eel'],
      trainingManifestUri: null,
    });
    expect(readJson(emulator.s3, selection.testManifestUri)).toEqual([{ prefix: `s3://${BUCKET}/dataset/test/` }, 'cat/1.jpg', 'cat/2.png', 'dog/1.jpg']);
    expect(emulator.s3.getObject(BUCKET, 'runs/20260101-000000-abcdef01/training.manifest')).toBeUndefined();
    expect(selection.skipped.examples).toEqual([
      { key: 'dataset/test/notes.md', reason: expect.stringContaining('not a JPEG or PNG') },
      { key: 'dataset/test/yak/1.jpg', reason: 'class "yak" has no training image, so the model cannot learn it' },
    ]);
    const etag = (key: string) => `"${createHash('md5').update(key).digest('hex')}"`;
    const expected = createHash('sha256')
      .update(['cat/1.jpg', 'cat/2.png', 'dog/1.jpg'].map((key) => `dataset/test/${key}\t${etag(key)}\n`).join(''))
      .digest('hex');
    expect(selection.version).toBe(expected);
  });
});

describe('selectTestSet refuses a bad event with every problem named', () => {
  test.each<[string, Partial<SelectTestSetEvent>, RegExp]>([
    ['a dataset that is not an S3 URI', { datasetUri: '/local/folder' }, /datasetUri must be an S3 URI like "s3:\/\/bucket\/folder\/", got "\/local\/folder"/],
    ['a missing run folder', { runFolderUri: undefined }, /runFolderUri must be a string like "s3:\/\/bucket\/folder\/", got nothing/],
    ['a run folder inside training/', { runFolderUri: `s3://${BUCKET}/dataset/training/runs/` }, /lies inside the dataset's training\/ or test\/ folder/],
    ['a hold-out fraction of 1', { holdOutFraction: 1 }, /holdOutFraction must be a number between 0 and 1 \(exclusive\), got 1/],
    ['a bucket name in capitals', { datasetUri: 's3://My_Bucket/dataset/' }, /not a valid S3 bucket name/],
  ])('%s', async (_name, change, message) => {
    const event = { datasetUri: `s3://${BUCKET}/dataset/`, runFolderUri: RUN_FOLDER, ...change };
    await expect(select(event as SelectTestSetEvent)).rejects.toMatchObject({ name: 'InvalidEvaluationEvent', message: expect.stringMatching(message) });
  });

  test('several problems in one message', async () => {
    const error = await select({ datasetUri: 'http://x', runFolderUri: 's3://', holdOutFraction: -1 }).catch((e: Error) => e);
    expect((error as Error).message.split('; ')).toHaveLength(3);
  });

  test('an unknown action', async () => {
    await expect(handler({ action: 'train' } as never)).rejects.toMatchObject({ name: 'InvalidEvaluationEvent', message: expect.stringContaining('"selectTestSet" or "score"') });
  });
});

describe('score', () => {
  // The test set of the hand-worked matrix (test/lambda/evaluation-metrics.test.ts), plus one image without an
  // answer and one with an answer that is not JSON. The model knows cat, dog, fox, owl and yak.
  const MODEL_LABELS = ['cat', 'dog', 'fox', 'owl', 'yak'];
  const PLAN: Record<string, string | undefined> = {
    'cat/1.jpg': 'cat', 'cat/2.jpg': 'cat', 'cat/3.jpg': 'cat', 'cat/4.jpg': 'dog',
    'dog/1.jpg': 'dog', 'dog/2.jpg': 'dog', 'dog/3.jpg': 'cat',
    'fox/1.jpg': 'dog', 'fox/2.jpg': 'owl',
    'fox/3.jpg': undefined,
    'dog/4.jpg': 'garbage',
  };

  async function prepareTestSet(): Promise<TestSetSelection> {
    seedTraining({ cat: 2, dog: 2, fox: 2, owl: 1, yak: 1 });
    for (const key of Object.keys(PLAN)) emulator.s3.putObject(BUCKET, `dataset/test/${key}`, key);
    return select({ datasetUri: `s3://${BUCKET}/dataset/`, runFolderUri: RUN_FOLDER });
  }

  function scoreEvent(selection: TestSetSelection, predictionsUri: string): Omit<ScoreEvent, 'action'> {
    return {
      testManifestUri: selection.testManifestUri,
      predictionsUri,
      runId: '20260101-000000-abcdef01',
      modelName: 'classifier-20260101-000000-abcdef01',
      role: 'challenger',
      testSet: { version: selection.version, source: selection.source, imageCount: selection.imageCount },
      reportPrefixUri: `${RUN_FOLDER}evaluation/`,
    };
  }

  test('reads every answer, writes the JSON report with the hand-worked figures and the HTML page', async () => {
    const selection = await prepareTestSet();
    const predictions = `${RUN_FOLDER}transform/challenger`;
    runBatchTransform(emulator.s3, selection.testManifestUri, predictions, (relativeKey) => {
      const predicted = PLAN[relativeKey];
      if (predicted === 'garbage') return '<html>502 Bad Gateway</html>';
      return predicted === undefined ? undefined : verboseAnswer(MODEL_LABELS, predicted, relativeKey === 'cat/4.jpg' ? 0.75 : 0.9);
    });

    const result = await score(scoreEvent(selection, predictions));

    expect(result).toEqual({
      accuracy: 5 / 9,
      macroF1: expect.closeTo(37 / 112, 12),
      reportJsonUri: `${RUN_FOLDER}evaluation/challenger-classifier-20260101-000000-abcdef01.json`,
      reportHtmlUri: `${RUN_FOLDER}evaluation/challenger-classifier-20260101-000000-abcdef01.html`,
      imageCount: 11,
      failureCount: 2,
    });
    const report = parseEvaluationReport(readJson(emulator.s3, result.reportJsonUri), result.reportJsonUri);
    expect(report.classes).toEqual(MODEL_LABELS);
    expect(report.confusionMatrix).toEqual([[3, 1, 0, 0, 0], [1, 2, 0, 0, 0], [0, 1, 0, 1, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]);
    expect(report.testSet).toEqual({ version: selection.version, source: 'test-folder', imageCount: 11 });
    expect(new Set(report.misclassified)).toEqual(new Set([
      { key: 'dataset/test/cat/4.jpg', trueLabel: 'cat', predictedLabel: 'dog', probability: 0.75 },
      { key: 'dataset/test/dog/3.jpg', trueLabel: 'dog', predictedLabel: 'cat', probability: 0.9 },
      { key: 'dataset/test/fox/1.jpg', trueLabel: 'fox', predictedLabel: 'dog', probability: 0.9 },
      { key: 'dataset/test/fox/2.jpg', trueLabel: 'fox', predictedLabel: 'owl', probability: 0.9 },
    ]));
    expect(report.failures).toEqual(expect.arrayContaining([
      { key: 'dataset/test/fox/3.jpg', reason: `no answer: ${predictions}/fox/3.jpg.out does not exist` },
      { key: 'dataset/test/dog/4.jpg', reason: expect.stringContaining('that are not JSON') },
    ]));
    const html = emulator.s3.getObject(BUCKET, 'runs/20260101-000000-abcdef01/evaluation/challenger-classifier-20260101-000000-abcdef01.html')!;
    expect(html.contentType).toBe('text/html; charset=utf-8');
    expect(html.body.toString()).toContain('dataset/test/fox/2.jpg');
  });

  test('labels of the test set the model does not know join the classes (and count as errors)', async () => {
    const selection = await prepareTestSet();
    const predictions = `${RUN_FOLDER}transform/champion/`;
    runBatchTransform(emulator.s3, selection.testManifestUri, predictions, () => verboseAnswer(['cat', 'dog'], 'cat'));
    const report = parseEvaluationReport(readJson(emulator.s3, (await score({ ...scoreEvent(selection, predictions), role: 'champion' })).reportJsonUri));
    expect(report.classes).toEqual(['cat', 'dog', 'fox']);
    expect(report.failures).toEqual([]);
    expect(report.perClass.find((entry) => entry.label === 'fox')).toEqual({ label: 'fox', precision: null, recall: 0, f1: 0, support: 3 });
  });

  test('every image without a usable answer: AllTestImagesFailed quoting the first reasons, and no report', async () => {
    const selection = await prepareTestSet();
    const predictions = `${RUN_FOLDER}transform/broken/`;
    runBatchTransform(emulator.s3, selection.testManifestUri, predictions, (relativeKey) => (relativeKey.startsWith('cat') ? '{"probabilities": [1]}' : undefined));
    const puts = emulator.s3.puts.length;
    await expect(score(scoreEvent(selection, predictions))).rejects.toMatchObject({
      name: 'AllTestImagesFailed',
      message: expect.stringMatching(/model classifier-20260101-000000-abcdef01 gave no usable answer for any of the 11 test images, so it does not serve \(dataset\/test\/cat\/1\.jpg: unexpected answer .*"labels" is not an array/),
    });
    expect(emulator.s3.puts.length).toBe(puts);
  });

  test('refuses a bad event with every problem named', async () => {
    const error = await score({
      testManifestUri: 's3://bucket/folder/', predictionsUri: 'predictions', runId: 'run/1', modelName: '', role: 'boss' as never,
      testSet: { version: 'v1', source: 'somewhere' as never, imageCount: -1 }, reportPrefixUri: 's3://bucket/reports/',
    }).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'InvalidEvaluationEvent' });
    for (const fragment of ['testManifestUri must name an object', 'predictionsUri must be an S3 URI', 'runId must be', 'modelName must be',
      'role must be one of challenger, champion', 'testSet.version must be a hex SHA-256', 'testSet.source must be one of', 'testSet.imageCount must be a count']) {
      expect((error as Error).message).toContain(fragment);
    }
  });

  test('a missing manifest names the fix', async () => {
    const selection = await prepareTestSet();
    await expect(score({ ...scoreEvent(selection, `${RUN_FOLDER}p/`), testManifestUri: `${RUN_FOLDER}nothing.manifest` }))
      .rejects.toMatchObject({ name: 'InvalidEvaluationEvent', message: expect.stringContaining('pass the testManifestUri selectTestSet returned') });
  });
});
