/**
 * `predict` through main(), end to end: the command line's SDK credentials sign each request for the function URL
 * (which the Lambda emulator verifies), the real inference handler decodes and preprocesses the image and invokes the
 * SageMaker runtime emulator's stub model, whose answer (derived from the bytes it received) comes back as the table
 * or JSON. Real camera photos; the direct Invoke path too.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readImageHeader } from '../../lambda/image/image-format';
import { topPredictions } from '../../lambda/inference/response';
import { stubAnswer, VerboseAnswer } from '../emulators/sagemaker-runtime-emulator';
import { DATASET_BUCKET, expectNoStackTrace, IMAGE_SIZE, useLoopWorld, withoutCredentials } from './loop-world';

const world = useLoopWorld({ withPipeline: false });
/** Real photos (8 landscape, 8 portrait with every EXIF orientation), with a LICENSE and a README beside them. */
const TEST_IMAGES = '/work/shared/test-images';
const PHOTOS = path.join(TEST_IMAGES, 'exif-orientation');
const photo = (name: string) => fs.readFileSync(path.join(PHOTOS, name));

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'predict-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** The top k of the stub model's verbose answer, ordered as the function orders them. */
const modelTop = (answer: VerboseAnswer, k: number) => topPredictions({ labels: answer.labels, probabilities: answer.probabilities, predictedLabel: answer.predicted_label }, k);

/** What the stub model answers, top k, for each image the endpoint received (order-free: sorted). */
function expectedPredictions(topK: number): string[] {
  return world.runtime.invocations.map((invocation) => {
    const answer = stubAnswer(invocation.body);
    return JSON.stringify({ predictedLabel: answer.predicted_label, predictions: modelTop(answer, topK) });
  }).sort();
}

describe('predict', () => {
  test('a folder of photos, in parallel through the signed function URL: every photo classified by the model (--json)', async () => {
    const run = await world.cli(['predict', TEST_IMAGES, '--json', '--top-k', '3', '--concurrency', '4']);

    expect(run.code).toBe(0);
    const results = JSON.parse(run.stdout) as Array<{ image: string; predictedLabel: string; predictions: unknown[] }>;
    const photos = fs.readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg')).sort();
    // Every photo of the subfolder, nothing else (LICENSE, README.md), in the folder's order.
    expect(results.map((result) => path.basename(result.image))).toEqual(photos);
    expect(results.every((result) => result.predictions.length === 3)).toBe(true);
    // What came back is what the model answered for the images the function sent it, one invocation per photo.
    expect(world.runtime.invocations).toHaveLength(photos.length);
    expect(results.map(({ predictedLabel, predictions }) => JSON.stringify({ predictedLabel, predictions })).sort()).toEqual(expectedPredictions(3));
    // The function preprocessed each photo to the model's input.
    for (const invocation of world.runtime.invocations) expect(readImageHeader(invocation.body)).toMatchObject({ width: IMAGE_SIZE, height: IMAGE_SIZE });
    // Each request went through the function URL with a signature the emulator verified.
    expect(world.lambda.requests.map((request) => [request.via, request.refused])).toEqual(photos.map(() => ['url', undefined]));
    expect(run.stderr).toContain(`classified ${photos.length}/${photos.length} files`);
  });

  test('one file through a direct Invoke (--invoke): a table of the top k labels', async () => {
    const run = await world.cli(['predict', path.join(PHOTOS, 'Portrait_6.jpg'), '--invoke', '--top-k', '2']);

    expect(run.code).toBe(0);
    expect(world.lambda.requests.map((request) => request.via)).toEqual(['invoke']);
    const answer = stubAnswer(world.runtime.invocations[0].body);
    const [first, second] = modelTop(answer, 2);
    expect(run.stdout).toMatch(new RegExp(`Portrait_6\\.jpg: ${answer.predicted_label}\\n`));
    expect(run.stdout).toMatch(new RegExp(`│ +1 │ ${first.label} +│ +${first.probability.toFixed(4)} │`));
    expect(run.stdout).toMatch(new RegExp(`│ +2 │ ${second.label} +│ +${second.probability.toFixed(4)} │`));
  });

  test('a stack without a function URL: predict invokes the function directly', async () => {
    delete world.outputs.InferenceUrl;
    const run = await world.cli(['predict', path.join(PHOTOS, 'Landscape_1.jpg'), '--json']);
    expect(run.code).toBe(0);
    expect(world.lambda.requests.map((request) => request.via)).toEqual(['invoke']);
    expect(JSON.parse(run.stdout)[0].predictedLabel).toBe(stubAnswer(world.runtime.invocations[0].body).predicted_label);
  });

  test('S3 objects: one by its key, or every image under a prefix; the function reads them itself', async () => {
    world.s3.putObject(DATASET_BUCKET, 'inbox/a/Landscape_2.jpg', photo('Landscape_2.jpg'), 'image/jpeg');
    world.s3.putObject(DATASET_BUCKET, 'inbox/b/Portrait_3.jpg', photo('Portrait_3.jpg'), 'image/jpeg');
    world.s3.putObject(DATASET_BUCKET, 'inbox/notes.txt', 'not an image');

    const one = await world.cli(['predict', `s3://${DATASET_BUCKET}/inbox/a/Landscape_2.jpg`, '--json']);
    expect(one.code).toBe(0);
    expect(world.lambda.requests[0].event).toMatchObject({ body: JSON.stringify({ s3Uri: `s3://${DATASET_BUCKET}/inbox/a/Landscape_2.jpg`, topK: 3 }), isBase64Encoded: false });

    const prefix = await world.cli(['predict', `s3://${DATASET_BUCKET}/inbox/`, '--json']);
    expect(prefix.code).toBe(0);
    expect(JSON.parse(prefix.stdout).map((result: { image: string }) => result.image))
      .toEqual([`s3://${DATASET_BUCKET}/inbox/a/Landscape_2.jpg`, `s3://${DATASET_BUCKET}/inbox/b/Portrait_3.jpg`]);
  });

  test('a corrupt file among photos: the others are classified, the corrupt one named with the function\'s error code (exit 1)', async () => {
    const folder = fs.mkdtempSync(path.join(scratch, 'mixed-'));
    fs.copyFileSync(path.join(PHOTOS, 'Landscape_3.jpg'), path.join(folder, 'good.jpg'));
    fs.writeFileSync(path.join(folder, 'half.jpg'), photo('Landscape_4.jpg').subarray(0, 40_000));
    fs.writeFileSync(path.join(folder, 'notes.png'), 'These are my notes, not a photo.\n');

    const run = await world.cli(['predict', folder, '--json']);

    expect(run.code).toBe(1);
    const results = JSON.parse(run.stdout) as Array<{ image: string; predictedLabel?: string; error?: { status: number; code: string } }>;
    expect(results.map((result) => [path.basename(result.image), result.error?.status ?? 200])).toEqual([['good.jpg', 200], ['half.jpg', 400], ['notes.png', 400]]);
    expect(results[0].predictedLabel).toBeDefined();
    expect(results.slice(1).map((result) => result.error!.code)).toEqual([expect.stringMatching(/^[A-Z_]+$/), expect.stringMatching(/^[A-Z_]+$/)]);
    expect(run.stderr).toContain('2 of 3 images were not classified.');
    expectNoStackTrace(run);
  });

  test('an image above one request\'s size is first normalised as dataset push stores images (upright, longest edge 2× the model input)', async () => {
    // A photo carrying 4.6 MB of comment segments (as some editors leave metadata behind): too large to send as it is.
    // COM segment: FF FE, a length of 65535 that counts its own 2 bytes, 65533 bytes of text.
    const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0xff, 0xff]), Buffer.alloc(65_533, 0x20)]);
    const landscape = photo('Landscape_7.jpg');
    const big = Buffer.concat([landscape.subarray(0, 2), ...Array.from({ length: 70 }, () => comment), landscape.subarray(2)]);
    expect(big.length).toBeGreaterThan(4_400_000);
    const file = path.join(scratch, 'big.jpg');
    fs.writeFileSync(file, big);

    const run = await world.cli(['predict', file, '--json']);

    expect(run.code).toBe(0);
    const sent = Buffer.from((world.lambda.requests[0].event as { body: string }).body, 'base64');
    expect(sent.length).toBeLessThan(100_000);
    expect(readImageHeader(sent)).toMatchObject({ format: 'jpeg', width: 2 * IMAGE_SIZE, height: Math.round(2 * IMAGE_SIZE * 1200 / 1800), orientation: 1 });
    expect(JSON.parse(run.stdout)[0].predictedLabel).toBe(stubAnswer(world.runtime.invocations[0].body).predicted_label);
  });

  test('the endpoint not in service yet: the function\'s 503 is an AWS error (exit 5)', async () => {
    world.runtime.endpoints.clear();
    const run = await world.cli(['predict', path.join(PHOTOS, 'Landscape_5.jpg')]);
    expect(run.code).toBe(5);
    expect(run.stdout).toMatch(/Landscape_5\.jpg: not classified: \S+ \(HTTP 5\d\d\)/);
    expectNoStackTrace(run);
  });

  test('credentials the function URL does not accept: exit 5, naming the permission', async () => {
    const saved = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'someone-elses-secret';
    try {
      const run = await world.cli(['predict', path.join(PHOTOS, 'Landscape_6.jpg')]);
      expect(run.code).toBe(5);
      expect(run.stderr).toContain('lambda:InvokeFunctionUrl');
      expect(world.runtime.invocations).toEqual([]);
      expectNoStackTrace(run);
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = saved;
    }
  });

  test('no credentials at all: exit 3 before any request, naming how to configure them', async () => {
    const run = await withoutCredentials(() => world.cli(['predict', path.join(PHOTOS, 'Landscape_8.jpg')]));
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('No usable AWS credentials');
    expect(world.lambda.requests).toEqual([]);
    expectNoStackTrace(run);
  });

  test.each([
    [['predict', 'no/such/file.jpg'], /'no\/such\/file\.jpg' is neither a file, a folder nor an s3:\/\/ URI/],
    [['predict', PHOTOS, '--top-k', '0'], /--top-k <n>' argument '0' is invalid/],
    [['predict', 's3://Bad_Bucket/x.jpg'], /is not an s3:\/\/bucket\/key/],
    [['predict'], /missing required argument 'images'/],
  ])('bad arguments %j: exit 2, no request', async (argv, message) => {
    const run = await world.cli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(world.lambda.requests).toEqual([]);
    expectNoStackTrace(run);
  });

  test('an empty folder: exit 2 naming the extensions looked for', async () => {
    const run = await world.cli(['predict', fs.mkdtempSync(path.join(scratch, 'empty-'))]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('holds no .jpg, .jpeg or .png file');
  });
});
