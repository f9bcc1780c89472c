/**
 * `dataset check <folder>` and `dataset push <folder>`: the labelled images, checked with the inference function's
 * own decoder, then normalised and uploaded to the stack's dataset bucket.
 */
import * as path from 'path';
import { Command, Option } from 'commander';
import { CommandContext } from '../context';
import { EXIT_CODES } from '../errors';
import { writeJson } from '../output';
import { integerIn, numberIn } from '../options';
import { CheckReport, DEFAULT_MAX_IMBALANCE, MIN_IMAGES_PER_CLASS, checkDataset } from '../dataset/check';
import { inspectDataset } from '../dataset/inspect';
import { renderCheckReport } from '../dataset/report';
import { scanDataset } from '../dataset/scan';

/** The input edge of the default model (MobileNet V2 1.00 224); `push` reads the deployed model's from the stack. */
export const DEFAULT_MODEL_IMAGE_SIZE = 224;

interface CheckOptions {
  readonly json: boolean;
  readonly imageSize: number;
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
    .addOption(new Option('--min-images <n>', 'fewest usable images a class may have').argParser(integerIn(1, 1_000_000)).default(MIN_IMAGES_PER_CLASS))
    .addOption(new Option('--max-imbalance <ratio>', 'warn when the largest class has more than this many times the images of the smallest')
      .argParser(numberIn(1, 1_000_000)).default(DEFAULT_MAX_IMBALANCE))
    .action(async (folder: string, options: CheckOptions) => {
      const report = await runCheck(context, folder, options);
      if (options.json) writeJson(context.io.stdout, report);
      else context.io.stdout.write(renderCheckReport(context.io.stdout, report));
      if (report.errors > 0) context.exitCode = EXIT_CODES.dataset;
    });
}

/** Scans, inspects and checks `folder` (relative to the working folder). */
export async function runCheck(context: CommandContext, folder: string, options: Pick<CheckOptions, 'imageSize' | 'minImages' | 'maxImbalance'>): Promise<CheckReport> {
  const scanned = await scanDataset(path.resolve(context.io.cwd, folder));
  const facts = await inspectDataset(scanned);
  return checkDataset(facts, { modelImageSize: options.imageSize, minImagesPerClass: options.minImages, maxImbalance: options.maxImbalance });
}
