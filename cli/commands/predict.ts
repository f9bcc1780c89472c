/**
 * `predict <file|folder|s3://bucket/key|s3://bucket/prefix/> [--top-k N] [--invoke] [--concurrency N] [--json]`:
 * classifies images with the stack's inference function (cli/inference-client.ts): through its function URL, or
 * with a direct Invoke when the stack has no URL or `--invoke` is given. A folder (and an S3 prefix) is classified in
 * parallel, a bounded number at a time, with a progress bar. Prints a table of the top-k labels per image, or JSON.
 *
 * Exit code: 0 when every image was classified; 1 when the function refused an image (not an image, corrupt, too
 * many pixels, ...); 5 when it failed (the endpoint not in service yet, a SageMaker error).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Command, Option } from 'commander';
import { normaliseImage } from '../../lambda/image/normalise';
import { TOP_K_RANGE } from '../../lambda/shared/inference-environment';
import type { CommandContext } from '../context';
import { CliError, EXIT_CODES } from '../errors';
import { mapWithConcurrency } from '../concurrency';
import { classify, ImageInput, InferenceTarget, PredictOutcome } from '../inference-client';
import { integerIn } from '../options';
import { LARGEST_MODEL_IMAGE_SIZE, MAX_EDGE_FACTOR } from './dataset';
import { renderTable, writeJson } from '../output';
import { startProgress } from '../progress';

interface PredictOptions {
  readonly topK: number;
  readonly invoke: boolean;
  readonly concurrency: number;
  readonly json: boolean;
}

/** One image to classify: a local file or an S3 object. */
type ImageRef = { readonly kind: 'file'; readonly path: string; readonly bytes: number } | { readonly kind: 's3'; readonly uri: string; readonly bytes: number };

const IMAGE_EXTENSIONS = /\.(jpe?g|png)$/i;
/**
 * Largest image sent as it is: a synchronous invocation's payload is at most 6 MB, and the function URL's event
 * carries the body in base64 (4/3 larger) with its headers. Larger files are first normalised as `dataset push`
 * stores images (upright, longest edge twice the model input, JPEG), which the function then preprocesses as usual.
 */
const MAX_SENT_BYTES = 4_400_000;

export function register(program: Command, context: CommandContext): void {
  program.command('predict')
    .description('classify images with the deployed model: a file, a folder (in parallel), or s3:// objects')
    .argument('<images>', 'a JPEG or PNG file, a folder of them, or an S3 object or prefix the function may read')
    .addOption(new Option('--top-k <n>', `how many labels per image, ${TOP_K_RANGE.min}-${TOP_K_RANGE.max}`).argParser(integerIn(TOP_K_RANGE.min, TOP_K_RANGE.max)).default(3))
    .addOption(new Option('--invoke', 'call the function with lambda:InvokeFunction instead of its function URL').default(false))
    .addOption(new Option('--concurrency <n>', 'images classified at the same time').argParser(integerIn(1, 64)).default(4))
    .addOption(new Option('--json', 'print the predictions as JSON').default(false))
    .action((images: string, options: PredictOptions) => predict(context, images, options));
}

async function predict(context: CommandContext, target: string, options: PredictOptions): Promise<void> {
  const images = await listImages(context, target);
  const stack = await context.stack();
  const url = options.invoke ? undefined : stack.optional('inferenceUrl');
  const inference: InferenceTarget = url !== undefined ? { kind: 'url', url }
    : { kind: 'invoke', functionName: stack.require('inferenceFunctionName', '`predict --invoke` calls') };
  const stackImageSize = Number(stack.optional('modelImageSize'));
  const maxEdge = MAX_EDGE_FACTOR * (Number.isInteger(stackImageSize) && stackImageSize > 0 ? stackImageSize : LARGEST_MODEL_IMAGE_SIZE);
  const lambda = context.client(LambdaClient);
  const progress = images.length > 1
    ? startProgress(context.io, { verb: 'classified', total: images.length, totalBytes: images.reduce((sum, image) => sum + image.bytes, 0) })
    : undefined;
  const results = await mapWithConcurrency(images, options.concurrency, async (image) => {
    const input = await imageInput(image, maxEdge);
    const outcome: PredictOutcome = 'ok' in input ? input : await classify(lambda, inference, input, options.topK);
    progress?.tick(image.bytes);
    return { image: image.kind === 'file' ? path.relative(context.io.cwd, image.path) || image.path : image.uri, outcome };
  });
  progress?.stop();

  if (options.json) {
    writeJson(context.io.stdout, results.map(({ image, outcome }) => (outcome.ok
      ? { image, predictedLabel: outcome.result.predictedLabel, predictions: outcome.result.predictions }
      : { image, error: { status: outcome.status, code: outcome.code, message: outcome.message } })));
  } else {
    for (const { image, outcome } of results) {
      if (outcome.ok) {
        context.io.stdout.write(`${image}: ${outcome.result.predictedLabel}\n${renderTable(context.io.stdout, ['#', 'Label', 'Probability'],
          outcome.result.predictions.map((p, rank) => [rank + 1, p.label, p.probability.toFixed(4)]), { align: ['right', 'left', 'right'] })}`);
      } else {
        context.io.stdout.write(`${image}: not classified: ${outcome.code} (HTTP ${outcome.status}): ${outcome.message}\n`);
      }
    }
  }
  const failed = results.filter((r) => !r.outcome.ok).map((r) => r.outcome as Extract<PredictOutcome, { ok: false }>);
  if (failed.some((f) => f.status >= 500)) context.exitCode = EXIT_CODES.aws;
  else if (failed.length > 0) context.exitCode = EXIT_CODES.dataset;
  if (failed.length > 0 && results.length > 1) context.io.stderr.write(`${failed.length} of ${results.length} images were not classified.\n`);
}

/** What to send for an image: the file's bytes (normalised when too large for a request), or its S3 URI. */
async function imageInput(image: ImageRef, maxEdge: number): Promise<ImageInput | PredictOutcome> {
  if (image.kind === 's3') return { kind: 's3', uri: image.uri };
  const bytes = await fs.readFile(image.path);
  if (bytes.length <= MAX_SENT_BYTES) return { kind: 'bytes', bytes };
  try {
    return { kind: 'bytes', bytes: normaliseImage(bytes, { maxEdge }).jpeg };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'INVALID_IMAGE';
    return { ok: false, status: 400, code, message: (error as Error).message };
  }
}

/** The images `target` names: one file, the JPEG and PNG files under a folder, or S3 objects. */
async function listImages(context: CommandContext, target: string): Promise<ImageRef[]> {
  if (target.startsWith('s3://')) return listS3Images(context, target);
  const resolved = path.resolve(context.io.cwd, target);
  const stat = await fs.stat(resolved).catch(() => undefined);
  if (stat === undefined) throw new CliError('usage', `'${target}' is neither a file, a folder nor an s3:// URI.`);
  if (stat.isFile()) return [{ kind: 'file', path: resolved, bytes: stat.size }];
  const files: ImageRef[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of (await fs.readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && IMAGE_EXTENSIONS.test(entry.name)) files.push({ kind: 'file', path: full, bytes: (await fs.stat(full)).size });
    }
  };
  await walk(resolved);
  if (files.length === 0) throw new CliError('usage', `The folder '${target}' holds no .jpg, .jpeg or .png file.`);
  return files;
}

async function listS3Images(context: CommandContext, target: string): Promise<ImageRef[]> {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(target);
  if (match === null) throw new CliError('usage', `'${target}' is not an s3://bucket/key or s3://bucket/prefix/ URI.`);
  const [, bucket, key = ''] = match;
  if (key !== '' && !key.endsWith('/')) return [{ kind: 's3', uri: target, bytes: 0 }];
  const images: ImageRef[] = [];
  let token: string | undefined;
  do {
    const page = await context.client(S3Client).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined && IMAGE_EXTENSIONS.test(object.Key)) images.push({ kind: 's3', uri: `s3://${bucket}/${object.Key}`, bytes: object.Size ?? 0 });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  if (images.length === 0) throw new CliError('usage', `No .jpg, .jpeg or .png object under ${target}.`);
  return images;
}
