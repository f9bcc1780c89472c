/**
 * `npm run bench`: the size of every Lambda handler's bundle (bench/handler-bundles.ts), then our preprocessing against
 * sharp (the speed anchor) on photo-like inputs, the Lambda zip size and module init time. Each engine × input is measured in a fresh child process running an esbuild bundle (minified,
 * target node22, like the Lambda), so that its peak RSS is its own. Ends with `ratio_vs_sharp_12mp=<x>`: median of
 * the zip package's engine (js: tfjs-node cannot go into a zip) over sharp's median, 12 MP JPEG → 224² JPEG.
 * Then the first-request benchmark (bench/first-request.ts): the whole handler as the InferenceFunction construct
 * packages it against a reference handler on sharp, in new processes; ends with `cold_ratio_vs_sharp=` and
 * `warm_ratio_vs_sharp=`. Then the upload normalisation of `dataset push` (bench/normalise.ts): ends with
 * `upload_images_per_second_per_core=` and `upload_bytes_ratio_12mp=` (raw bytes / uploaded bytes). Last, the batch
 * function's consolidate on growing runs (bench/batch-consolidate.ts); ends with `batch_consolidate_rss_growth_mb=`.
 */
import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { deflateRawSync } from 'zlib';
import { buildSync } from 'esbuild';
import { batchConsolidateBench } from './batch-consolidate';
import { firstRequestBench, synthesizedInferenceFunction } from './first-request';
import { printHandlerBundleSizes } from './handler-bundles';
import { BenchInput, makeInputs } from './inputs';
import { normaliseBench } from './normalise';
import type { Report, Stages } from './worker';

const ROOT = path.join(__dirname, '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
/** Our engines (tfjs-node is measured only where it loads) and the one that goes into the zip package. */
const OUR_ENGINES = ['js', 'tfjs-cpu', 'tfjs-node'] as const;
const ZIP_ENGINE = 'js';
/** Timed runs of a `single` measurement (peak RSS does not need many). */
const SINGLE_RUNS = 3;

/** Children resolve packages from the project, and keep quiet about Node 20 (AWS SDK deprecation warning). */
function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_PATH: NODE_MODULES, NODE_NO_WARNINGS: '1' };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Bundles like the InferenceFunction construct does: platform node, target node22, minified, AWS SDK external. */
function bundle(entry: string, outfile: string, external: string[]): void {
  buildSync({
    entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node22', minify: true, logLevel: 'error',
    external: ['@aws-sdk/*', '@tensorflow/tfjs-node', ...external],
  });
}

function runWorker(worker: string, mode: 'single' | 'paired', engine: string, input: BenchInput, runs: number): Report | string;
function runWorker(worker: string, mode: 'stages', engine: string, input: BenchInput, runs: number): Stages | string;
function runWorker(worker: string, mode: string, engine: string, input: BenchInput, runs: number): Report | Stages | string {
  const result = spawnSync(process.execPath, [worker, mode, engine, input.file, String(runs)], {
    env: childEnv(), encoding: 'utf8', timeout: 150_000,
  });
  if (result.status !== 0) return (result.stderr || result.error?.message || 'failed').trim().split('\n')[0];
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as Report | Stages;
}

function ms(value: number): string {
  return `${value.toFixed(1).padStart(6)} ms`;
}

/** Size of a zip holding the bundle: the `zip` CLI when present, else raw deflate plus zip headers. */
function zipSize(file: string, dir: string): { bytes: number; how: string } {
  const zipFile = path.join(dir, 'lambda.zip');
  try {
    execFileSync('zip', ['-q', '-9', '-j', zipFile, file], { stdio: 'ignore' });
    return { bytes: statSync(zipFile).size, how: 'zip -9' };
  } catch {
    const name = path.basename(file).length;
    return { bytes: deflateRawSync(readFileSync(file), { level: 9 }).length + 30 + 46 + 2 * name + 22, how: 'deflate-raw + headers' };
  }
}

/** Median time to `require` a bundle in a fresh node process (5 processes). */
function initTime(file: string): number {
  // The handler may log at init (to stdout); the time goes last, after a marker.
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write('\\ninit_ms='+Number(process.hrtime.bigint()-t)/1e6)`;
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const out = execFileSync(process.execPath, ['-e', script], { env: childEnv(), encoding: 'utf8' });
    times.push(Number(out.split('init_ms=').pop()));
  }
  return median(times);
}

async function main(): Promise<void> {
  const started = Date.now();
  printHandlerBundleSizes();
  console.log('');
  const dir = mkdtempSync(path.join(tmpdir(), 'preprocess-bench-'));
  try {
    const inputs = await makeInputs(dir);
    const worker = path.join(dir, 'worker.js');
    bundle(path.join(__dirname, 'worker.ts'), worker, ['sharp']);

    console.log(`node ${process.version}; 224×224 JPEG q90 out; medians after 3 warm-up runs. Time: our engine and sharp`
      + ' alternating in one process (fair on a shared machine). Peak RSS and first call: each engine alone in a fresh process.');
    let ratio = Number.NaN;
    for (const input of inputs) {
      console.log(`\n${input.name}: ${input.width}×${input.height}, ${(input.bytes / 1e6).toFixed(2)} MB`);
      for (const engine of OUR_ENGINES) {
        const alone = runWorker(worker, 'single', engine, input, SINGLE_RUNS);
        if (typeof alone === 'string') {
          console.log(`  ours/${engine}: not available (${alone})`);
          continue;
        }
        const paired = runWorker(worker, 'paired', engine, input, input.runs);
        if (typeof paired === 'string') throw new Error(`paired run of ${engine} failed: ${paired}`);
        const r = median(paired.times) / median(paired.sharpTimes);
        console.log(`  ours/${alone.engine.padEnd(9)} median ${ms(median(paired.times))} (min ${ms(Math.min(...paired.times))}), `
          + `sharp median ${ms(median(paired.sharpTimes))} (min ${ms(Math.min(...paired.sharpTimes))}), N=${input.runs}: ratio ${r.toFixed(2)}`);
        console.log(`  ours/${alone.engine.padEnd(9)} alone: peak RSS ${alone.peakRssMb.toFixed(0)} MB, first call ${alone.firstMs.toFixed(0)} ms`);
        if (engine === ZIP_ENGINE && input.name === 'jpeg-12mp') ratio = r;
        if (input.name.startsWith('jpeg')) {
          const steps = runWorker(worker, 'stages', engine, input, input.runs);
          if (typeof steps !== 'string') {
            console.log(`  ours/${alone.engine.padEnd(9)} steps: ${Object.entries(steps).map(([step, t]) => `${step} ${t.toFixed(1)} ms`).join(', ')}`);
          }
        }
      }
      const sharp = runWorker(worker, 'single', 'sharp', input, SINGLE_RUNS);
      if (typeof sharp === 'string') throw new Error(`sharp failed: ${sharp}`);
      console.log(`  sharp              alone: peak RSS ${sharp.peakRssMb.toFixed(0)} MB, first call ${sharp.firstMs.toFixed(0)} ms`);
    }

    const upload = normaliseBench(inputs, dir, childEnv());

    // The function's code as the construct bundles it (its own esbuild options and external modules).
    const entry = path.join(ROOT, 'lambda', 'inference', 'index.ts');
    const lambdaBundle = synthesizedInferenceFunction(path.join(dir, 'cdk.out-package')).bundle;
    const preprocessBundle = path.join(dir, 'preprocess', 'index.js');
    bundle(path.join(ROOT, 'lambda', 'image', 'preprocess.ts'), preprocessBundle, []);
    const zip = zipSize(lambdaBundle, dir);
    console.log(`\nLambda package (${path.relative(ROOT, entry)} as the InferenceFunction construct bundles it):`);
    console.log(`  bundle ${(statSync(lambdaBundle).size / 1e6).toFixed(2)} MB, zip ${(zip.bytes / 1e6).toFixed(2)} MB (${zip.bytes} bytes, ${zip.how})`);
    console.log(`  module init (require in a fresh node, median of 5): ${path.basename(entry)} bundle ${initTime(lambdaBundle).toFixed(0)} ms `
      + `(AWS SDK from node_modules here, from the runtime in Lambda); preprocess.ts bundle ${initTime(preprocessBundle).toFixed(0)} ms`);
    const firstRequest = await firstRequestBench(dir);
    const batchRssGrowth = await batchConsolidateBench();
    writeFileSync(path.join(dir, 'done'), '');
    console.log(`\nbench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(`ratio_vs_sharp_12mp=${ratio.toFixed(2)}`);
    console.log(`cold_ratio_vs_sharp=${firstRequest.coldRatio.toFixed(2)}`);
    console.log(`warm_ratio_vs_sharp=${firstRequest.warmRatio.toFixed(2)}`);
    console.log(`upload_images_per_second_per_core=${upload.imagesPerSecondPerCore.toFixed(1)}`);
    console.log(`upload_bytes_ratio_12mp=${upload.bytesRatio.toFixed(1)}`);
    console.log(`batch_consolidate_rss_growth_mb=${batchRssGrowth.toFixed(0)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
