/**
 * The batch function's `consolidate` on growing runs, to show its memory stays bounded: for each image count, the
 * S3 emulator (in this process) holds a manifest and one verbose answer per image, and the handler, bundled as the
 * package ships it, runs in a fresh Node.js whose peak RSS is its own. Prints time and peak RSS per size, and
 * `batch_consolidate_rss_growth_mb=` (peak RSS at the largest size minus at the smallest).
 */
import { execFile } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { handlerBuildOptions } from '../lib/private/handler-bundles';
import { S3Emulator } from '../test/emulators/s3-emulator';
import { stubAnswer } from '../test/emulators/sagemaker-runtime-emulator';

const SIZES = (process.env.BENCH_BATCH_IMAGES ?? '1000,10000').split(',').map(Number);
const LABELS = Array.from({ length: 20 }, (_, i) => `class-${String(i).padStart(2, '0')}`);

interface ChildReport {
  readonly milliseconds: number;
  readonly peakRssMb: number;
  readonly classified: number;
}

export async function batchConsolidateBench(): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-batch-'));
  const bundle = path.join(dir, 'index.js');
  buildSync({ ...handlerBuildOptions('batch/index', bundle), logLevel: 'error' });
  const s3 = await S3Emulator.start();
  const reports: Array<[number, ChildReport]> = [];
  try {
    console.log(`\nbatch consolidate (${LABELS.length} labels, top-3, answers read from the S3 emulator, handler bundle in a fresh node):`);
    for (const size of SIZES) {
      s3.reset();
      s3.createBucket('photos-in');
      s3.createBucket('results-out');
      const keys = Array.from({ length: size }, (_, i) => `photos/${String(i % 100).padStart(2, '0')}/IMG_${String(i).padStart(7, '0')}.jpg`);
      s3.putObject('results-out', 'run/manifest.json', JSON.stringify([{ prefix: 's3://photos-in/' }, ...keys]));
      for (const key of keys) s3.putObject('results-out', `run/predictions/${key}.out`, JSON.stringify(stubAnswer(Buffer.from(key), LABELS)));
      const event = {
        action: 'consolidate', manifestUri: 's3://results-out/run/manifest.json', predictionsUri: 's3://results-out/run/predictions/', output: 's3://results-out/run/',
        runId: 'bench', topK: 3, skipped: { count: 0, examples: [], listUri: null },
      };
      const loader = `const started = Date.now();
require(process.argv[1]).handler(JSON.parse(process.argv[2])).then((result) => {
  process.stdout.write(JSON.stringify({ milliseconds: Date.now() - started, peakRssMb: process.resourceUsage().maxRSS / 1024, classified: result.classifiedCount }));
}, (error) => { console.error(error); process.exit(1); });`;
      // Asynchronous, so that this process's emulator can answer the child's requests.
      const output = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['-e', loader, bundle, JSON.stringify(event)], {
          env: {
            PATH: process.env.PATH, NODE_PATH: path.join(__dirname, '..', 'node_modules'), NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'AKIAEMULATOREXAMPLE', AWS_SECRET_ACCESS_KEY: 'emulator-secret', AWS_ENDPOINT_URL_S3: s3.url, AWS_EC2_METADATA_DISABLED: 'true',
          },
          maxBuffer: 1 << 20,
        }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
      });
      const report = JSON.parse(output) as ChildReport;
      if (report.classified !== size) throw new Error(`consolidate classified ${report.classified} of ${size} images`);
      const resultsBytes = s3.getObject('results-out', 'run/results.jsonl')!.body.length + s3.getObject('results-out', 'run/results.csv')!.body.length;
      console.log(`  ${String(size).padStart(7)} images: ${(report.milliseconds / 1000).toFixed(1)} s, peak RSS ${report.peakRssMb.toFixed(0)} MB, `
        + `results ${(resultsBytes / 1e6).toFixed(1)} MB`);
      reports.push([size, report]);
    }
  } finally {
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const growth = reports[reports.length - 1][1].peakRssMb - reports[0][1].peakRssMb;
  return growth;
}

if (require.main === module) {
  batchConsolidateBench().then((growth) => console.log(`batch_consolidate_rss_growth_mb=${growth.toFixed(0)}`), (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

