/**
 * Benchmark measurements in a child process (bench/run.ts bundles this file with esbuild, minified like the Lambda,
 * sharp left external):
 *   node worker.js single <engine> <input file> <runs>   one engine alone, for its peak RSS and first-call time
 *   node worker.js paired <engine> <input file> <runs>   our engine and sharp alternating, for a fair time ratio on a
 *                                                         shared machine (load changes hit both sides alike)
 *   node worker.js stages <engine> <input file> <runs>   our JPEG pipeline step by step (median ms of each step)
 * engine: js | tfjs-cpu | tfjs-node (our preprocessing with that resize engine) | sharp (single only).
 * Prints one JSON line (see `Report`).
 */
import { readFileSync } from 'fs';
import { readImageHeader } from '../lambda/image/image-format';
import { decodeJpeg } from '../lambda/image/jpeg-decode';
import { encodeJpeg } from '../lambda/image/jpeg-encode';
import { preprocessImage } from '../lambda/image/preprocess';
import { boxFactors, boxShrink, chooseJpegScale } from '../lambda/image/resize';
import { TensorEngineName, loadTensorEngine, resizeAndOrient } from '../lambda/image/tensor-engine';

const SIZE = 224;
const QUALITY = 90;
const WARM_UP = 3;

/** Median milliseconds of each step of the JPEG pipeline, in order. */
export type Stages = Record<string, number>;

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

/** The steps of preprocessImage for a JPEG, timed one by one (same calls, same order). */
async function stages(engineName: TensorEngineName, bytes: Uint8Array, runs: number): Promise<Stages> {
  const engine = await loadTensorEngine(engineName);
  const times: Record<string, number[]> = {};
  const lap = <T>(name: string, step: () => T): T => {
    const started = process.hrtime.bigint();
    const result = step();
    (times[name] ??= []).push(Number(process.hrtime.bigint() - started) / 1e6);
    return result;
  };
  for (let i = 0; i < WARM_UP + runs; i++) {
    const header = lap('header', () => readImageHeader(bytes));
    const scale = chooseJpegScale(header.width, header.height, SIZE);
    const decoded = lap(`decode at 1/${scale}`, () => decodeJpeg(bytes, scale));
    const factors = boxFactors(decoded.width, decoded.height, SIZE);
    const reduced = lap(`area average ${factors.x}×${factors.y}`, () => boxShrink(decoded, factors.x, factors.y));
    const rgb = lap('resize + orient', () => resizeAndOrient(engine, reduced, SIZE, header.orientation));
    lap('encode', () => encodeJpeg(rgb, SIZE, SIZE, QUALITY));
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values.slice(WARM_UP))]));
}

async function main(): Promise<void> {
  const [mode, engine, file, runsText] = process.argv.slice(2);
  const runs = Number(runsText);
  const bytes = new Uint8Array(readFileSync(file));
  if (mode === 'stages') {
    process.stdout.write(`${JSON.stringify(await stages(engine as TensorEngineName, bytes, runs))}\n`);
    return;
  }
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
