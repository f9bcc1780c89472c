/**
 * First-request benchmark: the inference function as the zip package ships it, against a reference handler built on
 * sharp (bench/sharp-handler.ts) doing the same work, each in new processes (bench/handler-worker.ts), both calling
 * the loopback SageMaker Runtime emulator with the real AWS SDK.
 *
 * - cold: `require` of the bundle (module load and init) + the first request with a 12 MP JPEG (EXIF orientation 6)
 *   as a Function URL event; median over the processes.
 * - warm: median of the later requests of all processes (20 each, so V8's optimising of our decoder in the first few
 *   does not decide the median).
 *
 * Ours is the asset the InferenceFunction construct synthesizes (its own bundling, whatever options it uses) run with
 * the environment the construct gives the function (including its NODE_OPTIONS). Processes of the two handlers
 * alternate, so load on the shared machine hits both alike. Prints `cold_ratio_vs_sharp=` and `warm_ratio_vs_sharp=`.
 */
import { execFile } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { App, Stack } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { InferenceFunction } from '../lib/inference/inference-function';
import { useEmulatorEnvironment } from '../test/emulators/aws-environment';
import { SageMakerRuntimeEmulator } from '../test/emulators/sagemaker-runtime-emulator';
import type { HandlerReport } from './handler-worker';
import { makeFirstRequestInput } from './inputs';

const ROOT = path.join(__dirname, '..');
const ENDPOINT_NAME = 'bench-classifier';
const IMAGE_SIZE = 224;
/**
 * New processes per handler, and requests after the first in each. The first few later requests of ours still run
 * while V8 optimises the decoder (~90-130 ms, then ~45-55 ms on the build machine); 20 of them put the median where a
 * warm container is.
 */
const PROCESSES = 5;
const LATER_REQUESTS = 20;

export interface FirstRequestFigures {
  readonly coldRatio: number;
  readonly warmRatio: number;
}

interface HandlerUnderTest {
  readonly name: string;
  readonly bundle: string;
  readonly environment: Readonly<Record<string, string>>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Synthesizes an InferenceFunction (zip packaging) and returns its bundled asset and its environment. */
export function synthesizedInferenceFunction(outdir: string): HandlerUnderTest {
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'FirstRequestBench');
  new InferenceFunction(stack, 'Inference', { endpointName: ENDPOINT_NAME, imageSize: IMAGE_SIZE });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string>; Properties: { Environment?: { Variables?: Record<string, string> }; Handler?: string } }>;
  };
  const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function'
    && resource.Properties.Handler === 'index.handler' && resource.Properties.Environment?.Variables?.ENDPOINT_NAME === ENDPOINT_NAME);
  if (functions.length !== 1) throw new Error(`expected one inference function in the synthesized template, found ${functions.length}`);
  const assetPath = functions[0].Metadata?.['aws:asset:path'];
  if (assetPath === undefined) throw new Error('the inference function has no aws:asset:path metadata');
  return { name: 'ours', bundle: path.join(outdir, assetPath, 'index.js'), environment: functions[0].Properties.Environment?.Variables ?? {} };
}

function sharpReference(dir: string): HandlerUnderTest {
  const bundle = path.join(dir, 'sharp-handler', 'index.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'sharp-handler.ts')], outfile: bundle, bundle: true, platform: 'node',
    target: 'node22', format: 'cjs', minify: true, logLevel: 'error', external: ['@aws-sdk/*', 'sharp'],
  });
  return { name: 'sharp', bundle, environment: { ENDPOINT_NAME: ENDPOINT_NAME } };
}

async function runHandler(worker: string, handler: HandlerUnderTest, eventFile: string, profileDir?: string): Promise<HandlerReport> {
  const profile = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '200'];
  const { stdout } = await promisify(execFile)(process.execPath, [...profile, worker, handler.bundle, eventFile, String(LATER_REQUESTS)], {
    // The emulator's endpoint and dummy credentials are in process.env (useEmulatorEnvironment); the AWS SDK comes
    // from the project's node_modules here, from the runtime in Lambda.
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), NODE_NO_WARNINGS: '1', ...handler.environment },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as HandlerReport;
}

export async function firstRequestBench(dir: string, options: { profileDir?: string } = {}): Promise<FirstRequestFigures> {
  const input = await makeFirstRequestInput(dir);
  const bytes = readFileSync(input.file);
  const eventFile = path.join(dir, 'event.json');
  writeFileSync(eventFile, JSON.stringify({
    version: '2.0', routeKey: '$default', rawPath: '/', rawQueryString: '',
    headers: { host: 'abcdefghij.lambda-url.us-east-1.on.aws', 'content-type': 'image/jpeg' },
    requestContext: { http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'bench' }, requestId: 'bench' },
    body: bytes.toString('base64'), isBase64Encoded: true,
  }));
  const worker = path.join(dir, 'handler-worker.js');
  buildSync({ entryPoints: [path.join(__dirname, 'handler-worker.ts')], outfile: worker, bundle: true, platform: 'node', target: 'node22', logLevel: 'error' });
  mkdirSync(path.join(dir, 'cdk.out'), { recursive: true });
  const handlers = [synthesizedInferenceFunction(path.join(dir, 'cdk.out')), sharpReference(dir)];

  const emulator = await SageMakerRuntimeEmulator.start();
  emulator.endpoints.set(ENDPOINT_NAME, 'InService');
  const restore = useEmulatorEnvironment({ sageMakerRuntime: emulator.url });
  const reports = new Map<string, HandlerReport[]>(handlers.map((handler) => [handler.name, []]));
  try {
    for (let i = 0; i < PROCESSES; i++) {
      for (const handler of handlers) {
        const profileDir = options.profileDir === undefined ? undefined : path.join(options.profileDir, handler.name);
        reports.get(handler.name)!.push(await runHandler(worker, handler, eventFile, profileDir));
      }
    }
  } finally {
    restore();
    await emulator.close();
  }

  console.log(`\nFirst request (${input.name}, ${(input.bytes / 1e6).toFixed(2)} MB as a base64 Function URL body → 224² JPEG → `
    + `loopback InvokeEndpoint → JSON), ${PROCESSES} new processes each, ${LATER_REQUESTS} later requests per process:`);
  const figures = new Map<string, { cold: number; warm: number; coldCpu: number; warmCpu: number }>();
  for (const handler of handlers) {
    const runs = reports.get(handler.name)!;
    const cold = median(runs.map((run) => run.loadMs + run.firstMs));
    const warm = median(runs.flatMap((run) => run.warmMs));
    const coldCpu = median(runs.map((run) => run.coldCpuMs));
    const warmCpu = median(runs.flatMap((run) => run.warmCpuMs));
    figures.set(handler.name, { cold, warm, coldCpu, warmCpu });
    console.log(`  ${handler.name.padEnd(5)} cold ${cold.toFixed(0).padStart(4)} ms (load ${median(runs.map((run) => run.loadMs)).toFixed(0)} ms + first request `
      + `${median(runs.map((run) => run.firstMs)).toFixed(0)} ms), warm ${warm.toFixed(1)} ms (min ${Math.min(...runs.flatMap((run) => run.warmMs)).toFixed(1)} ms); `
      + `CPU time: cold ${coldCpu.toFixed(0)} ms, warm ${warmCpu.toFixed(1)} ms`);
  }
  const ours = figures.get('ours')!;
  const sharp = figures.get('sharp')!;
  console.log(`  CPU-time ratios (less moved by a busy machine; sharp's include its worker threads): cold ${(ours.coldCpu / sharp.coldCpu).toFixed(2)}, `
    + `warm ${(ours.warmCpu / sharp.warmCpu).toFixed(2)}`);
  return { coldRatio: ours.cold / sharp.cold, warmRatio: ours.warm / sharp.warm };
}

/**
 * Alone: `node --require ts-node/register/transpile-only bench/first-request.ts [profile folder]`; with a folder,
 * every worker runs with `--cpu-prof` and writes its profile there (under ours/ and sharp/).
 */
if (require.main === module) {
  const dir = mkdtempSync(path.join(tmpdir(), 'first-request-bench-'));
  firstRequestBench(dir, { profileDir: process.argv[2] }).then((figures) => {
    console.log(`cold_ratio_vs_sharp=${figures.coldRatio.toFixed(2)}`);
    console.log(`warm_ratio_vs_sharp=${figures.warmRatio.toFixed(2)}`);
  }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
