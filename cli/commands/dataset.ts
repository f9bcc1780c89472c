/**
 * `dataset check <folder>` and `dataset push <folder>`: the labelled images, checked with the inference function's
 * own decoder, then normalised and uploaded to the stack's dataset bucket.
 */
import * as path from 'path';
import { S3Client } from '@aws-sdk/client-s3';
import { Command, Option } from 'commander';
import { DEFAULT_JPEG_QUALITY } from '../../lambda/image/preprocess';
import { CommandContext } from '../context';
import { CliError, EXIT_CODES } from '../errors';
import { STACK_OUTPUTS } from '../../lambda/shared/stack-outputs';
import { formatBytes, renderTable, writeJson } from '../output';
import { integerIn, numberIn } from '../options';
import { startProgress } from '../progress';
import { parseS3Uri } from '../stack';
import { CheckReport, DEFAULT_MAX_IMBALANCE, DatasetFacts, MIN_IMAGES_PER_CLASS, Problem, checkDataset, checkTestSplit, checkValidationSplit } from '../dataset/check';
import { inspectDataset } from '../dataset/inspect';
import { LocalImage, NormalisationSettings, PushPlan, PushResult, acceptedImages, executePush, planPush } from '../dataset/push';
import { renderCheckReport } from '../dataset/report';
import { scanDataset } from '../dataset/scan';

/** The input edge of the default model (MobileNet V2 1.00 224); `push` reads the deployed model's from the stack. */
export const DEFAULT_MODEL_IMAGE_SIZE = 224;
/**
 * The largest input edge in the model catalog (EfficientNet B7, 600): the size assumed for a stack whose model
 * publishes none (BiT models).
 */
export const LARGEST_MODEL_IMAGE_SIZE = 600;
/**
 * Uploaded images keep their longest edge within twice the model input (448 for the default 224 model). The
 * algorithm squashes each picture to the model input with a bilinear resize that has no anti-aliasing
 * (tf.image.resize's default): from at most 2× it still weighs every source pixel, from a 12 MP photo it samples a few
 * pixels out of hundreds and aliases. Twice the input also leaves detail for the random zoom and crop augmentations.
 */
export const MAX_EDGE_FACTOR = 2;
export const DEFAULT_CONCURRENCY = 8;

interface CheckOptions {
  readonly json: boolean;
  readonly imageSize: number;
  readonly minImages: number;
  readonly maxImbalance: number;
}

interface PushOptions {
  readonly json: boolean;
  readonly imageSize?: number;
  readonly maxEdge?: number;
  readonly quality: number;
  readonly concurrency: number;
  readonly dryRun: boolean;
  readonly delete: boolean;
  readonly testSplit?: string;
  readonly validationSplit?: string;
  readonly minImages: number;
  readonly maxImbalance: number;
}

export function register(program: Command, context: CommandContext): void {
  const dataset = program.command('dataset').description('check and upload the labelled images (one folder per class)');
  dataset.command('check')
    .description('check a folder laid out as <class>/<image>: unreadable or truncated files, duplicates, small images, classes')
    .argument('<folder>', 'the dataset folder, one sub-folder per class')
    .option('--json', 'print the report as JSON', false)
    .addOption(new Option('--image-size <px>', 'edge of the model input, to find images too small for it')
      .argParser(integerIn(32, 1024)).default(DEFAULT_MODEL_IMAGE_SIZE))
    .addOption(minImagesOption())
    .addOption(maxImbalanceOption())
    .action(async (folder: string, options: CheckOptions) => {
      const { report } = await checkFolder(context, folder, options, options.minImages);
      if (options.json) writeJson(context.io.stdout, report);
      else context.io.stdout.write(renderCheckReport(context.io.stdout, report));
      if (report.errors > 0) context.exitCode = EXIT_CODES.dataset;
    });

  dataset.command('push')
    .description('check, normalise (upright, RGB JPEG, longest edge capped) and upload the images to the stack\'s dataset bucket')
    .argument('<folder>', 'the dataset folder, one sub-folder per class')
    .option('--json', 'print the result as JSON', false)
    .option('--dry-run', 'check and compare with the bucket, upload and delete nothing', false)
    .option('--delete', 'delete images this command uploaded earlier whose local file is gone', false)
    .option('--test-split <folder>', 'also upload a held-out test folder (same layout) to the stack\'s test prefix')
    .option('--validation-split <folder>', 'also upload a validation folder (exactly the training classes) to the stack\'s validation prefix; '
      + 'needs a stack whose training sends the validation channel')
    .addOption(new Option('--image-size <px>', 'edge of the model input (default: the stack\'s ModelImageSize output)').argParser(integerIn(32, 1024)))
    .addOption(new Option('--max-edge <px>', `longest edge of the uploaded images (default: ${MAX_EDGE_FACTOR}× the model input)`).argParser(integerIn(32, 16384)))
    .addOption(new Option('--quality <q>', 'JPEG quality of the uploaded images').argParser(integerIn(50, 100)).default(DEFAULT_JPEG_QUALITY))
    .addOption(new Option('--concurrency <n>', 'uploads in flight at once').argParser(integerIn(1, 64)).default(DEFAULT_CONCURRENCY))
    .addOption(minImagesOption())
    .addOption(maxImbalanceOption())
    .action(async (folder: string, options: PushOptions) => push(context, folder, options));
}

function minImagesOption(): Option {
  return new Option('--min-images <n>', 'fewest usable images a class may have').argParser(integerIn(1, 1_000_000)).default(MIN_IMAGES_PER_CLASS);
}

function maxImbalanceOption(): Option {
  return new Option('--max-imbalance <ratio>', 'warn when the largest class has more than this many times the images of the smallest')
    .argParser(numberIn(1, 1_000_000)).default(DEFAULT_MAX_IMBALANCE);
}

/** Scans, inspects (with a bar on a terminal: a full decode of every photo takes a while) and checks `folder`. */
async function checkFolder(context: CommandContext, folder: string, options: { readonly imageSize: number; readonly maxImbalance: number },
  minImages: number): Promise<{ facts: DatasetFacts; report: CheckReport }> {
  const { io } = context;
  const scanned = await scanDataset(path.resolve(io.cwd, folder));
  const progress = io.stderr.isTTY === true
    ? startProgress(io, { verb: 'checked', total: scanned.files.length, totalBytes: scanned.files.reduce((sum, file) => sum + Math.max(0, file.bytes), 0) })
    : undefined;
  const facts = await inspectDataset(scanned, (file) => progress?.tick(Math.max(0, file.bytes)));
  progress?.stop();
  const report = checkDataset(facts, { modelImageSize: options.imageSize, minImagesPerClass: minImages, maxImbalance: options.maxImbalance });
  return { facts, report };
}

interface PushSet {
  readonly name: 'training' | 'validation' | 'test';
  readonly folder: string;
  readonly images: readonly LocalImage[];
  plan?: PushPlan;
  result?: PushResult;
}

async function push(context: CommandContext, folder: string, options: PushOptions): Promise<void> {
  const { io } = context;
  const stack = await context.stack();
  const training = parseS3Uri(stack.require('trainingDataUri', 'says where the training images go'));
  const test = options.testSplit === undefined ? undefined
    : parseS3Uri(stack.require('testDataUri', 'says where the held-out test images go (--test-split)'));
  const validationUri = options.validationSplit === undefined ? undefined : stack.optional('validationDataUri');
  if (options.validationSplit !== undefined && validationUri === undefined) {
    throw new CliError('usage', `Stack '${stack.stackName}' does not send a validation channel to its training jobs (it has no `
      + `${STACK_OUTPUTS.validationDataUri} output), so images under validation/ would never be read; nothing was uploaded. Set `
      + 'imageClassifier:useValidationChannel to true in cdk.json (training.useValidationChannel on the construct) and deploy, '
      + 'or leave out --validation-split: the algorithm then holds out validationSplitRatio of the training images.');
  }
  const validation = validationUri === undefined ? undefined : parseS3Uri(validationUri);
  const stackImageSize = Number(stack.optional('modelImageSize'));
  const imageSize = options.imageSize ?? (Number.isInteger(stackImageSize) && stackImageSize > 0 ? stackImageSize : LARGEST_MODEL_IMAGE_SIZE);
  const settings: NormalisationSettings = { maxEdge: options.maxEdge ?? MAX_EDGE_FACTOR * imageSize, jpegQuality: options.quality };

  // The check first: errors stop the push before anything is uploaded, warnings do not.
  const checked = await checkFolder(context, folder, { imageSize, maxImbalance: options.maxImbalance }, options.minImages);
  const heldOut = async (split: string | undefined) => (split === undefined ? undefined
    : checkFolder(context, split, { imageSize, maxImbalance: Number.POSITIVE_INFINITY }, 1));
  const validationChecked = await heldOut(options.validationSplit);
  const testChecked = await heldOut(options.testSplit);
  const problems: Problem[] = [...checked.report.problems];
  if (validationChecked) {
    problems.push(...validationChecked.report.problems.map((p) => ({ ...p, message: `validation set: ${p.message}` })));
    problems.push(...checkValidationSplit(checked.facts, validationChecked.facts, testChecked?.facts));
  }
  if (testChecked) {
    problems.push(...testChecked.report.problems.map((p) => ({ ...p, message: `test set: ${p.message}` })));
    problems.push(...checkTestSplit(checked.facts, testChecked.facts));
  }
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    if (options.json) writeJson(io.stdout, { uploaded: false, errors: errors.length, problems });
    else io.stderr.write(renderCheckReport(io.stderr, checked.report, problems.slice(checked.report.problems.length)));
    throw new CliError('dataset', `The dataset has ${errors.length} error(s); nothing was uploaded. Fix them and run the push again `
      + '(dataset check <folder> lists them).');
  }
  const warnings = problems.length;
  if (warnings > 0 && !options.json) {
    io.stderr.write(renderTable(io.stderr, ['severity', 'code', 'problem'], problems.map((p) => [p.severity, p.code, p.message])));
  }

  const sets: PushSet[] = [{ name: 'training', folder: checked.facts.folder, images: localImages(checked.facts, checked.report) }];
  if (validationChecked) sets.push({ name: 'validation', folder: validationChecked.facts.folder, images: localImages(validationChecked.facts, validationChecked.report) });
  if (testChecked) sets.push({ name: 'test', folder: testChecked.facts.folder, images: localImages(testChecked.facts, testChecked.report) });
  const targets = { training, validation, test };
  const s3 = context.client(S3Client);
  for (const set of sets) set.plan = await planPush(s3, targets[set.name]!, set.images, settings, options.concurrency);

  if (!options.dryRun) {
    const uploads = sets.flatMap((set) => {
      const byFile = new Map(set.images.map((image) => [image.file, image]));
      return set.plan!.objects.filter((o) => o.action === 'upload').map((o) => byFile.get(o.file)!);
    });
    // Counted in bytes of the originals (known before normalising), so that the bar's total holds.
    const progress = startProgress(io, { verb: 'uploaded', total: uploads.length, totalBytes: uploads.reduce((sum, image) => sum + image.bytes, 0) });
    try {
      for (const set of sets) {
        set.result = await executePush(s3, set.plan!, set.images, settings, { concurrency: options.concurrency, delete: options.delete, progress });
      }
    } finally {
      progress.stop();
    }
  }

  const summary = {
    stack: stack.stackName,
    dryRun: options.dryRun,
    settings: { imageSize, ...settings },
    warnings,
    problems,
    sets: sets.map((set) => describeSet(set, options)),
  };
  if (options.json) {
    writeJson(io.stdout, summary);
    return;
  }
  io.stdout.write(renderTable(io.stdout, ['set', 'destination', options.dryRun ? 'to upload' : 'uploaded', 'unchanged', options.dryRun ? 'to delete' : 'deleted', 'gone locally, kept', 'bytes: originals → uploaded'],
    summary.sets.map((set) => [set.name, `s3://${set.bucket}/${set.prefix}`, set.upload.length, set.skip.length, set.delete.length, set.orphansKept,
      options.dryRun ? '-' : `${formatBytes(set.sourceBytes)} → ${formatBytes(set.uploadedBytes)}`])));
  if (options.dryRun) io.stdout.write('Dry run: nothing was uploaded or deleted.\n');
}

function localImages(facts: DatasetFacts, report: CheckReport): LocalImage[] {
  return acceptedImages(facts.folder, report.accepted, new Map(facts.files.map((file) => [file.file, file])));
}

function describeSet(set: PushSet, options: PushOptions) {
  const plan = set.plan!;
  const upload = set.result?.uploaded ?? plan.objects.filter((o) => o.action === 'upload').map((o) => o.key);
  const willDelete = options.delete ? plan.orphans : [];
  return {
    name: set.name,
    bucket: plan.target.bucket,
    prefix: plan.target.prefix,
    upload,
    skip: plan.objects.filter((o) => o.action === 'skip').map((o) => o.key),
    delete: set.result?.deleted ?? willDelete,
    /** objects this command uploaded whose local file is gone, left in place without --delete */
    orphansKept: options.delete ? 0 : plan.orphans.length,
    sourceBytes: set.result?.sourceBytes ?? 0,
    uploadedBytes: set.result?.uploadedBytes ?? 0,
  };
}
