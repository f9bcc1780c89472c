/**
 * The inference function's first request split into stages, for profiling the cold path (bench/README.md):
 *   node --require ts-node/register/transpile-only bench/first-request-stages.ts
 * In each of BENCH_PROCESSES (9) new processes, the steps the handler takes on the first-request benchmark's event
 * (12 MP JPEG, EXIF orientation 6, base64 body) are called one by one, each timed in CPU time (user + system, all
 * threads, as first-request.ts measures): require of the AWS SDK client and of the image code, client creation,
 * base64 decode, header, decode at 1/8, area average, resize + orientation, JPEG encode, InvokeEndpoint against the
 * loopback emulator. Then the decode, resize and encode once more in the same process (V8 has optimised some of
 * it by then). Prints the median of each stage and every process's figure.
 *
 * The image code is bundled minified as the function's bundle is. V8 flags are set with `v8.setFlagsFromString`
 * after the AWS SDK is loaded, as lambda/inference/index.ts does: by default the same flag as there
 * (`--no-concurrent-osr`), else `BENCH_V8_FLAGS` (empty: V8's defaults).
 */
import { execFile } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { buildSync } from 'esbuild';
import { useEmulatorEnvironment } from '../test/emulators/aws-environment';
import { SageMakerRuntimeEmulator } from '../test/emulators/sagemaker-runtime-emulator';
import { makeFirstRequestInput } from './inputs';

const ROOT = path.join(__dirname, '..');
const ENDPOINT_NAME = 'bench-classifier';
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 9);

/** The child: bundled with the image code, run as `node stages.js <image file>`; prints [stage, CPU ms] pairs. */
const CHILD_SOURCE = `
import { readFileSync } from 'fs';
const DEFAULT_V8_FLAGS = '--no-concurrent-osr';
const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const stages = [];
let last = cpu();
const stage = (name) => { const now = cpu(); stages.push([name, now - last]); last = now; };
async function main() {
  const body = readFileSync(process.argv[2]).toString('base64');
  last = cpu();
  const { SageMakerRuntimeClient } = require('@aws-sdk/client-sagemaker-runtime');
  stage('require AWS SDK client');
  for (const flag of (process.env.BENCH_V8_FLAGS ?? DEFAULT_V8_FLAGS).split(' ').filter(Boolean)) require('v8').setFlagsFromString(flag);
  const image = require('./image.js');
  stage('require image code');
  const client = new SageMakerRuntimeClient({});
  stage('create client');
  const bytes = Buffer.from(body, 'base64');
  stage('base64 body');
  const header = image.readImageHeader(bytes);
  stage('header');
  const decoded = image.decodeJpeg(bytes, image.chooseJpegScale(header.width, header.height, 224));
  stage('decode (1/8)');
  const factors = image.boxFactors(decoded.width, decoded.height, 224);
  const reduced = image.boxShrink(decoded, factors.x, factors.y);
  stage('area average');
  const rgb = image.resizeAndOrientInJs(reduced, 224, header.orientation);
  stage('resize + orientation');
  const jpeg = image.encodeJpeg(rgb, 224, 224, 90);
  stage('encode 224²');
  await image.invokeEndpoint(client, process.env.ENDPOINT_NAME, jpeg);
  stage('InvokeEndpoint');
  const again = image.decodeJpeg(bytes, 8);
  stage('2nd decode');
  const rgbAgain = image.resizeAndOrientInJs(image.boxShrink(again, factors.x, factors.y), 224, header.orientation);
  stage('2nd area average + resize');
  image.encodeJpeg(rgbAgain, 224, 224, 90);
  stage('2nd encode');
  process.stdout.write(JSON.stringify(stages) + '\\n');
}
main().catch((error) => { console.error(error); process.exit(1); });
`;

const IMAGE_SOURCE = `
export { readImageHeader } from './lambda/image/image-format';
export { decodeJpeg } from './lambda/image/jpeg-decode';
export { boxFactors, boxShrink, chooseJpegScale } from './lambda/image/resize';
export { resizeAndOrientInJs } from './lambda/image/tensor-engine';
export { encodeJpeg } from './lambda/image/jpeg-encode';
export { invokeEndpoint } from './lambda/inference/invoke-endpoint';
`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'first-request-stages-'));
  try {
    const input = await makeFirstRequestInput(dir);
    const options = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', logLevel: 'error' } as const;
    buildSync({ ...options, stdin: { contents: IMAGE_SOURCE, resolveDir: ROOT }, outfile: path.join(dir, 'image.js'), minify: true,
      external: ['@aws-sdk/*', '@tensorflow/*'] });
    writeFileSync(path.join(dir, 'stages.ts'), CHILD_SOURCE);
    buildSync({ ...options, entryPoints: [path.join(dir, 'stages.ts')], outfile: path.join(dir, 'stages.js'), external: ['@aws-sdk/*', './image.js'] });

    const emulator = await SageMakerRuntimeEmulator.start();
    emulator.endpoints.set(ENDPOINT_NAME, 'InService');
    const restore = useEmulatorEnvironment({ sageMakerRuntime: emulator.url });
    const runs: Array<Array<[string, number]>> = [];
    try {
      for (let i = 0; i < PROCESSES; i++) {
        const { stdout } = await promisify(execFile)(process.execPath, [path.join(dir, 'stages.js'), input.file], {
          env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), NODE_NO_WARNINGS: '1', ENDPOINT_NAME },
        });
        runs.push(JSON.parse(stdout.trim().split('\n').pop() as string) as Array<[string, number]>);
      }
    } finally {
      restore();
      await emulator.close();
    }
    console.log(`First request by stage, CPU ms, median of ${PROCESSES} new processes (then each process's figure)`
      + `, V8 flags set after the SDK's require: ${process.env.BENCH_V8_FLAGS ?? '--no-concurrent-osr'}:`);
    runs[0].forEach(([name], i) => {
      const values = runs.map((run) => run[i][1]);
      console.log(`  ${name.padEnd(26)} ${median(values).toFixed(1).padStart(6)}   ${values.map((v) => v.toFixed(0)).join(' ')}`);
    });
    const firstRequest = runs.map((run) => run.slice(0, run.findIndex(([name]) => name === 'InvokeEndpoint') + 1)
      .reduce((sum, [, ms]) => sum + ms, 0));
    console.log(`  ${'total to the answer'.padEnd(26)} ${median(firstRequest).toFixed(1).padStart(6)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
