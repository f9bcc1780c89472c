/**
 * `dataset check` and `dataset push` run in-process against the loopback S3 and CloudFormation, with the real SDK
 * clients: a folder of real photos with a corrupt file, a duplicate and rotated photos; a second push; a push cut off
 * by the emulator after N objects and resumed; --delete, --dry-run and --test-split; the errors' exit codes.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { APP_OUTPUTS, BUCKET, CliRun, STACK_ID, runCli, useCliEmulators } from './cli-harness';
import { meanAbsDiff, orientationFixture, rawRgb } from '../lambda/image-fixtures';

const bed = useCliEmulators();
let root: string;

/**
 * A real photo of the fixtures made smaller (480 px on its longest edge, so that the tests run fast) with its EXIF
 * orientation kept: the pixels stay as stored, rotated or mirrored, and the tag says how to show them.
 */
async function photo(name: string): Promise<Buffer> {
  const source = orientationFixture(name);
  const { width = 0, height = 0 } = await sharp(source).metadata();
  const scale = 480 / Math.max(width, height);
  return sharp(source).resize(Math.round(width * scale), Math.round(height * scale)).withMetadata().jpeg({ quality: 92 }).toBuffer();
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function write(folder: string, file: string, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
  fs.writeFileSync(path.join(folder, file), bytes);
}

function json(run: CliRun): any {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

let photos: Record<string, Buffer>;
/** The dataset: a rotated (6) and a mirrored (2) landscape, a duplicate, a PNG, a portrait stored turned (8). */
function makeDataset(folder: string, options: { readonly corrupt?: boolean } = {}): void {
  write(folder, 'roses/garden.jpg', photos.Landscape_1);
  write(folder, 'roses/rotated.jpg', photos.Landscape_6);
  write(folder, 'roses/mirrored.jpg', photos.Landscape_2);
  write(folder, 'roses/garden_copy.jpg', photos.Landscape_1);
  write(folder, 'tulips/tall.jpg', photos.Portrait_1);
  write(folder, 'tulips/turned.jpg', photos.Portrait_8);
  write(folder, 'tulips/flat.png', photos.Portrait_4Png);
  if (options.corrupt) write(folder, 'tulips/broken.jpg', photos.Portrait_3.subarray(0, Math.floor(photos.Portrait_3.length / 2)));
}
const UPLOADED_KEYS = ['dataset/training/roses/garden.jpg', 'dataset/training/roses/mirrored.jpg', 'dataset/training/roses/rotated.jpg',
  'dataset/training/tulips/flat.png.jpg', 'dataset/training/tulips/tall.jpg', 'dataset/training/tulips/turned.jpg'];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-push-'));
  const names = ['Landscape_1', 'Landscape_2', 'Landscape_6', 'Portrait_1', 'Portrait_3', 'Portrait_8', 'Portrait_4'];
  photos = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await photo(`${name}.jpg`)] as const)));
  // A PNG has no EXIF orientation here: its pixels are what is shown.
  photos.Portrait_4Png = await sharp(photos.Portrait_1).png().toBuffer();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeEach(() => bed.reset());

function freshFolder(name: string): string {
  const folder = path.join(root, name);
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  return folder;
}

describe('dataset check', () => {
  test('--json: classes, counts and every problem, with the image module\'s code for the corrupt file; exit 1', async () => {
    const folder = freshFolder('check');
    makeDataset(folder, { corrupt: true });
    const run = await runCli(['dataset', 'check', folder, '--json']);
    expect(run.code).toBe(1);
    const report = json(run);
    expect(report.classes.map((c: any) => [c.name, c.files, c.images])).toEqual([['roses', 4, 3], ['tulips', 4, 3]]);
    const codes = report.problems.map((p: any) => `${p.severity} ${p.code} ${p.files.join(',')}`);
    expect(codes).toEqual(expect.arrayContaining([
      'error CORRUPT_IMAGE tulips/broken.jpg',
      'warning DUPLICATE_IN_CLASS roses/garden.jpg,roses/garden_copy.jpg',
    ]));
    expect(report.errors).toBe(1);
    expect(bed.s3.requests).toEqual([]);
  });

  test('the table, and exit 0 when there are only warnings', async () => {
    const folder = freshFolder('check-clean');
    makeDataset(folder);
    const run = await runCli(['dataset', 'check', folder], { columns: 100 });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/│ roses\s+│\s+4 │\s+3 │/);
    expect(run.stdout).toContain('DUPLICATE_IN_CLASS');
    expect(run.stdout).toMatch(/2 classes, 6 images: 0 error\(s\), \d+ warning\(s\)/);
    expect(Math.max(...run.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(100);
  });

  test('names in two cases and an image in two classes are errors', async () => {
    const folder = freshFolder('check-case');
    write(folder, 'Roses/a.jpg', photos.Landscape_1);
    write(folder, 'roses/b.jpg', photos.Landscape_2);
    write(folder, 'tulips/c.jpg', photos.Landscape_2);
    const report = json(await runCli(['dataset', 'check', folder, '--json']));
    expect(report.problems.filter((p: any) => p.severity === 'error').map((p: any) => p.code))
      .toEqual(expect.arrayContaining(['CLASS_NAMES_DIFFER_ONLY_IN_CASE', 'DUPLICATE_ACROSS_CLASSES']));
  });
});

describe('dataset push', () => {
  test('refuses a dataset with errors and uploads nothing (exit 1)', async () => {
    const folder = freshFolder('push-corrupt');
    makeDataset(folder, { corrupt: true });
    const run = await runCli(['dataset', 'push', folder, '--json']);
    expect(run.code).toBe(1);
    expect(json(run).problems.map((p: any) => p.code)).toContain('CORRUPT_IMAGE');
    expect(run.stderr).toContain('nothing was uploaded');
    expect(bed.s3.puts).toEqual([]);
  });

  test('uploads each usable image once, upright, capped at 2× the model input, with its original\'s hash; a second push uploads nothing', async () => {
    const folder = freshFolder('push');
    makeDataset(folder);
    const first = await runCli(['dataset', 'push', folder, '--json']);
    expect(first.code).toBe(0);
    const result = json(first);
    expect(result.settings).toEqual({ imageSize: 224, maxEdge: 448, jpegQuality: 90 });
    expect(result.sets).toHaveLength(1);
    expect([...result.sets[0].upload].sort()).toEqual(UPLOADED_KEYS);
    expect(bed.s3.keys(BUCKET)).toEqual(UPLOADED_KEYS);
    // Plain progress lines on a stream that is not a terminal, and the totals.
    expect(first.stderr).toMatch(/uploaded 6\/6 files, .* in /);

    const rotated = bed.s3.getObject(BUCKET, 'dataset/training/roses/rotated.jpg')!;
    expect(rotated.contentType).toBe('image/jpeg');
    expect(rotated.metadata).toEqual({ 'source-sha256': sha256(photos.Landscape_6), normalisation: 'max-edge=448,quality=90', 'uploaded-by': 'cdk-sagemaker-image-classifier' });
    // Upright: the stored-rotated photo comes out as the upright one does (sharp, an independent decoder, turns it).
    const uploaded = await rawRgb(rotated.body);
    const reference = await sharp(photos.Landscape_6).rotate().resize(448, 299, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    expect([uploaded.width, uploaded.height]).toEqual([reference.info.width, reference.info.height]);
    expect(meanAbsDiff(uploaded.data, new Uint8Array(reference.data))).toBeLessThan(4);
    const storedAsIs = await sharp(photos.Landscape_1).resize(448, 299, { fit: 'fill' }).raw().toBuffer();
    expect(meanAbsDiff(uploaded.data, new Uint8Array(storedAsIs))).toBeLessThan(4);
    const turned = await rawRgb(bed.s3.getObject(BUCKET, 'dataset/training/tulips/turned.jpg')!.body);
    expect([turned.width, turned.height]).toEqual([299, 448]);

    const puts = bed.s3.puts.length;
    const second = await runCli(['dataset', 'push', folder, '--json']);
    expect(second.code).toBe(0);
    expect(json(second).sets[0]).toMatchObject({ upload: [], delete: [] });
    expect([...json(second).sets[0].skip].sort()).toEqual(UPLOADED_KEYS);
    expect(bed.s3.puts.length).toBe(puts);
  });

  test('a failed upload is retried (the SDK\'s standard retries)', async () => {
    const folder = freshFolder('push-retried');
    makeDataset(folder);
    bed.s3.failPuts(1, 2);
    const run = await runCli(['dataset', 'push', folder, '--concurrency', '1']);
    expect(run.code).toBe(0);
    expect(bed.s3.keys(BUCKET)).toEqual(UPLOADED_KEYS);
    expect(bed.s3.requests.filter((request) => request.method === 'PUT')).toHaveLength(UPLOADED_KEYS.length + 2);
  });

  test('cut off by the bucket after 2 objects, then run again: uploads exactly the missing ones', async () => {
    const folder = freshFolder('push-interrupted');
    makeDataset(folder);
    bed.s3.failPuts(2);
    process.env.AWS_MAX_ATTEMPTS = '2'; // one retry, to keep the test short
    const cut = await runCli(['dataset', 'push', folder, '--concurrency', '1']).finally(() => delete process.env.AWS_MAX_ATTEMPTS);
    expect(cut.code).toBe(5);
    expect(cut.stderr).toMatch(/ServiceUnavailable[\s\S]*2 of 6 images were uploaded before the failure; run the same command again/);
    expect(cut.stderr).not.toMatch(/\n\s+at /);
    const firstKeys = bed.s3.puts.map((put) => put.key);
    expect(firstKeys).toHaveLength(2);

    bed.s3.healPuts();
    const resumed = await runCli(['dataset', 'push', folder, '--json']);
    expect(resumed.code).toBe(0);
    const secondKeys = bed.s3.puts.slice(2).map((put) => put.key);
    expect([...secondKeys].sort()).toEqual(UPLOADED_KEYS.filter((key) => !firstKeys.includes(key)));
    expect(bed.s3.keys(BUCKET)).toEqual(UPLOADED_KEYS);
  });

  test('a changed photo is uploaded again; --delete removes only its own objects whose file is gone', async () => {
    const folder = freshFolder('push-delete');
    makeDataset(folder);
    expect((await runCli(['dataset', 'push', folder])).code).toBe(0);
    bed.s3.listPageSize = 2; // the listing must be followed page by page
    bed.s3.putObject(BUCKET, 'dataset/training/roses/by-hand.jpg', photos.Landscape_1, 'image/jpeg');
    bed.s3.putObject(BUCKET, 'elsewhere/roses/garden.jpg', photos.Landscape_1, 'image/jpeg', { 'uploaded-by': 'cdk-sagemaker-image-classifier' });
    fs.rmSync(path.join(folder, 'roses', 'mirrored.jpg'));
    write(folder, 'tulips/tall.jpg', photos.Portrait_3);

    const dry = json(await runCli(['dataset', 'push', folder, '--delete', '--dry-run', '--json']));
    expect(dry).toMatchObject({ dryRun: true, sets: [{ upload: ['dataset/training/tulips/tall.jpg'], delete: ['dataset/training/roses/mirrored.jpg'] }] });
    expect(bed.s3.keys(BUCKET)).toContain('dataset/training/roses/mirrored.jpg');

    const kept = json(await runCli(['dataset', 'push', folder, '--json']));
    expect(kept.sets[0]).toMatchObject({ upload: ['dataset/training/tulips/tall.jpg'], delete: [], orphansKept: 1 });
    expect(bed.s3.getObject(BUCKET, 'dataset/training/tulips/tall.jpg')!.metadata['source-sha256']).toBe(sha256(photos.Portrait_3));

    const deleted = json(await runCli(['dataset', 'push', folder, '--delete', '--json']));
    expect(deleted.sets[0]).toMatchObject({ upload: [], delete: ['dataset/training/roses/mirrored.jpg'] });
    expect(bed.s3.keys(BUCKET)).toEqual(expect.arrayContaining(['dataset/training/roses/by-hand.jpg', 'elsewhere/roses/garden.jpg']));
    expect(bed.s3.keys(BUCKET)).not.toContain('dataset/training/roses/mirrored.jpg');
  });

  test('--test-split uploads a held-out folder under the test prefix, and refuses a test image that is also a training image', async () => {
    const folder = freshFolder('push-split');
    makeDataset(folder);
    const test = freshFolder('push-split-test');
    write(test, 'roses/held-out.jpg', photos.Landscape_2.subarray(0)); // same bytes as roses/mirrored.jpg
    write(test, 'tulips/held-out.jpg', photos.Portrait_3);
    const leak = await runCli(['dataset', 'push', folder, '--test-split', test, '--json']);
    expect(leak.code).toBe(1);
    expect(json(leak).problems.map((p: any) => p.code)).toContain('TEST_IMAGE_IN_TRAINING');
    expect(bed.s3.puts).toEqual([]);

    write(test, 'roses/held-out.jpg', photos.Landscape_6.subarray(0, photos.Landscape_6.length)); // also a training image
    fs.rmSync(path.join(folder, 'roses', 'rotated.jpg'));
    const run = await runCli(['dataset', 'push', folder, '--test-split', test, '--json']);
    expect(run.code).toBe(0);
    expect(json(run).sets.map((set: any) => [set.name, set.prefix, [...set.upload].sort()])).toEqual([
      ['training', 'dataset/training/', UPLOADED_KEYS.filter((key) => !key.endsWith('rotated.jpg'))],
      ['test', 'dataset/test/', ['dataset/test/roses/held-out.jpg', 'dataset/test/tulips/held-out.jpg']],
    ]);
  });
});

describe('dataset push --validation-split', () => {
  test('uploads a validation folder with exactly the training classes under the validation prefix, checked against training and test', async () => {
    bed.cloudFormation.setOutputs(STACK_ID, { ...APP_OUTPUTS, ValidationDataUri: `s3://${BUCKET}/dataset/validation/` });
    const folder = freshFolder('push-validation');
    makeDataset(folder);
    const validation = freshFolder('push-validation-set');
    write(validation, 'roses/val.jpg', photos.Portrait_3);
    const missing = await runCli(['dataset', 'push', folder, '--validation-split', validation, '--json']);
    expect(missing.code).toBe(1);
    expect(json(missing).problems.map((p: any) => [p.code, p.className])).toContainEqual(['VALIDATION_CLASS_MISSING', 'tulips']);
    expect(bed.s3.puts).toEqual([]);

    write(validation, 'tulips/val.jpg', photos.Landscape_2);
    const test = freshFolder('push-validation-test');
    write(test, 'roses/held-out.jpg', photos.Portrait_3); // the same bytes as a validation image
    const leak = await runCli(['dataset', 'push', folder, '--validation-split', validation, '--test-split', test, '--json']);
    expect(leak.code).toBe(1);
    expect(json(leak).problems.map((p: any) => p.code)).toEqual(expect.arrayContaining(['VALIDATION_IMAGE_IN_TRAINING', 'TEST_IMAGE_IN_VALIDATION']));
    expect(bed.s3.puts).toEqual([]);

    write(validation, 'tulips/val.jpg', photos.Portrait_8.subarray(0, photos.Portrait_8.length));
    fs.rmSync(path.join(folder, 'tulips', 'turned.jpg'));
    fs.rmSync(test, { recursive: true });
    const run = await runCli(['dataset', 'push', folder, '--validation-split', validation, '--json']);
    expect(run.code).toBe(0);
    expect(json(run).sets.map((set: any) => [set.name, set.prefix, [...set.upload].sort()])).toEqual([
      ['training', 'dataset/training/', UPLOADED_KEYS.filter((key) => !key.endsWith('turned.jpg'))],
      ['validation', 'dataset/validation/', ['dataset/validation/roses/val.jpg', 'dataset/validation/tulips/val.jpg']],
    ]);
  });

  test('refuses a stack whose training sends no validation channel, naming the setting, and uploads nothing', async () => {
    const folder = freshFolder('push-no-validation');
    makeDataset(folder);
    const validation = freshFolder('push-no-validation-set');
    write(validation, 'roses/val.jpg', photos.Portrait_3);
    write(validation, 'tulips/val.jpg', photos.Portrait_8);
    const run = await runCli(['dataset', 'push', folder, '--validation-split', validation]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not send a validation channel.*no ValidationDataUri output.*nothing was uploaded.*imageClassifier:useValidationChannel to true/s);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(bed.s3.puts).toEqual([]);
  });
});

describe('errors: a message and an exit code, never a stack trace', () => {
  test('a stack that does not exist: exit 4, naming the stack and --stack', async () => {
    const folder = freshFolder('no-stack');
    makeDataset(folder);
    const run = await runCli(['dataset', 'push', folder, '--stack', 'NoSuchStack']);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/Stack 'NoSuchStack' was not found in us-east-1.*--stack <name>/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('a stack without the output the push needs: exit 4, naming the output', async () => {
    bed.cloudFormation.setOutputs(STACK_ID, { DatasetBucketName: BUCKET });
    const run = await runCli(['dataset', 'push', freshFolder('no-output')]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('has no output TrainingDataUri');
  });

  test('no credentials: exit 3 with what to configure', async () => {
    const saved = { ...process.env };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[name];
    Object.assign(process.env, { AWS_PROFILE: 'no-such-profile', AWS_CONFIG_FILE: path.join(root, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'none') });
    try {
      const run = await runCli(['dataset', 'push', freshFolder('no-credentials')]);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/No usable AWS credentials.*aws configure/);
    } finally {
      process.env = saved;
    }
  });

  test('bad arguments: exit 2 with the usage hint; --help exits 0', async () => {
    const unknown = await runCli(['dataset', 'push', 'x', '--max-edge', 'big']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("option '--max-edge <px>' argument 'big' is invalid");
    expect((await runCli(['dataset', 'frobnicate'])).code).toBe(2);
    const help = await runCli(['dataset', 'push', '--help']);
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toContain('--test-split <folder>');
    const missing = await runCli(['dataset', 'check', path.join(root, 'does-not-exist')]);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toMatch(/The dataset folder '.*does-not-exist' cannot be read/);
  });
});
