/**
 * Benchmark measurements in a child process (bench/run.ts bundles this file with esbuild, minified like the Lambda,
 * sharp left external):
 *   node worker.js single <engine> <input file> <runs>   one engine alone, for its peak RSS and first-call time
 *   node worker.js paired <engine> <input file> <runs>   our engine and sharp alternating, for a fair time ratio on a
 *                                                         shared machine (load changes hit both sides alike)
 * engine: tfjs-cpu | tfjs-node (our preprocessing with that tensor engine) | sharp (single only).
 * Prints one JSON line (see `Report`).
 */
import { readFileSync } from 'fs';
import { preprocessImage } from '../lambda/inference/preprocess';
import type { TensorEngineName } from '../lambda/inference/tensor-engine';

const SIZE = 224;
const QUALITY = 90;
const WARM_UP = 3;

export interface Report {
  /** milliseconds per run after warm-up; `sharp` only in paired mode */
  readonly times: number[];
  readonly sharpTimes: number[];
  /** the first run, including lazy engine loading */
  readonly firstMs: number;
  /** peak resident set of this process */
  readonly peakRssMb: number;
  readonly engine: string;
}

type Run = () => Promise<string>;

function sharpRun(bytes: Uint8Array): Run {
  // Loaded only here: the Lambda code never uses sharp, and a `single` run of our engine never loads it.
  const sharp: typeof import('sharp').default = require('sharp');
  return async () => {
    await sharp(bytes).resize(SIZE, SIZE, { fit: 'fill' }).jpeg({ quality: QUALITY }).toBuffer();
    return 'sharp';
  };
}

function ourRun(engine: TensorEngineName, bytes: Uint8Array): Run {
  return async () => {
    const result = await preprocessImage(bytes, { size: SIZE, jpegQuality: QUALITY, maxBytes: 64 * 1024 * 1024 }, engine);
    return result.engine;
  };
}

async function timed(run: Run): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Peak RSS from /proc (VmHWM, reset by exec) where there is one: getrusage's maxrss on Linux is inherited from
 * the parent across fork and exec, so it would report the bench's own size.
 */
function peakRssMb(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const [mode, engine, file, runsText] = process.argv.slice(2);
  const runs = Number(runsText);
  const bytes = new Uint8Array(readFileSync(file));
  const ours = engine === 'sharp' ? sharpRun(bytes) : ourRun(engine as TensorEngineName, bytes);
  const started = process.hrtime.bigint();
  const engineName = await ours();
  const firstMs = Number(process.hrtime.bigint() - started) / 1e6;
  const sharp = mode === 'paired' ? sharpRun(bytes) : undefined;
  for (let i = 1; i < WARM_UP; i++) {
    await ours();
    if (sharp) await sharp();
  }
  const times: number[] = [];
  const sharpTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(await timed(ours));
    if (sharp) sharpTimes.push(await timed(sharp));
  }
  const report: Report = { times, sharpTimes, firstMs, peakRssMb: peakRssMb(), engine: engineName };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
