/**
 * The upload normalisation of `dataset push` (lambda/image/normalise.ts) on the 12 MP inputs: how many photos one core
 * normalises per second (CPU time, so that other load on a shared machine does not count against it) and how many
 * times fewer bytes go up than the raw photos hold. Each input in a fresh child process running an esbuild bundle.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { BenchInput } from './inputs';

/** The default cap: 2× the 224 input of the default model (cli/commands/dataset.ts), and 2× the catalog's largest (600). */
const MAX_EDGES = [448, 1200] as const;
const RUNS = 7;

interface WorkerResult {
  readonly wall: number[];
  readonly cpu: number[];
  readonly outputBytes: number;
  readonly width: number;
  readonly height: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface NormaliseFigures {
  /** photos per CPU-second at the default cap, over the 12 MP JPEG inputs */
  readonly imagesPerSecondPerCore: number;
  /** raw bytes over uploaded bytes at the default cap, over the 12 MP JPEG inputs (total over total) */
  readonly bytesRatio: number;
}

export function normaliseBench(inputs: readonly BenchInput[], dir: string, env: NodeJS.ProcessEnv): NormaliseFigures {
  const worker = path.join(dir, 'normalise-worker.js');
  buildSync({ entryPoints: [path.join(__dirname, 'normalise-worker.ts')], outfile: worker, bundle: true, platform: 'node', target: 'node20', minify: true,
    logLevel: 'error', external: ['@tensorflow/*'] });
  const twelve = inputs.filter((input) => input.name.startsWith('jpeg-12mp'));
  console.log(`\nUpload normalisation (dataset push: upright, RGB, JPEG q90, longest edge capped), medians of ${RUNS} runs after 2 warm-up runs:`);
  let cpuSeconds = 0;
  let images = 0;
  let rawBytes = 0;
  let uploadedBytes = 0;
  for (const maxEdge of MAX_EDGES) {
    for (const input of twelve) {
      const run = spawnSync(process.execPath, [worker, input.file, String(maxEdge), String(RUNS)], { env, encoding: 'utf8', timeout: 150_000 });
      if (run.status !== 0) throw new Error(`normalise worker failed on ${input.name}: ${run.stderr}`);
      const result = JSON.parse(run.stdout.trim().split('\n').pop() as string) as WorkerResult;
      const cpu = median(result.cpu);
      console.log(`  ${input.name.padEnd(22)} max edge ${String(maxEdge).padStart(4)}: ${input.width}×${input.height} ${(input.bytes / 1e6).toFixed(2)} MB → `
        + `${result.width}×${result.height} ${(result.outputBytes / 1e3).toFixed(1)} KB (${(input.bytes / result.outputBytes).toFixed(1)}× fewer bytes); `
        + `wall ${median(result.wall).toFixed(0)} ms, CPU ${cpu.toFixed(0)} ms → ${(1000 / cpu).toFixed(1)} images/s per core`);
      if (maxEdge === MAX_EDGES[0]) {
        cpuSeconds += cpu / 1000;
        images++;
        rawBytes += input.bytes;
        uploadedBytes += result.outputBytes;
      }
    }
  }
  return { imagesPerSecondPerCore: images / cpuSeconds, bytesRatio: rawBytes / uploadedBytes };
}
