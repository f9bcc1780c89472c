/**
 * First-request measurement of one handler bundle in a new process (bench/run.ts bundles this file and starts it):
 *   node handler-worker.js <handler bundle> <event JSON file> <later requests>
 * Reads the event first (outside the timing), then times `require(bundle)` + the first request (cold), then each
 * later request (warm). Every answer must be a 200, or the run fails. Prints one JSON line (`HandlerReport`).
 */
import { readFileSync } from 'fs';

export interface HandlerReport {
  /** require of the bundle (module load and init) */
  readonly loadMs: number;
  /** the first request after the load */
  readonly firstMs: number;
  /** the later requests, one by one */
  readonly warmMs: number[];
  /** CPU time (user + system, all threads) of the load + first request, and of each later request: less moved by
   * other work on a shared machine than wall time */
  readonly coldCpuMs: number;
  /** the part of coldCpuMs spent in the require */
  readonly loadCpuMs: number;
  readonly warmCpuMs: number[];
}

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number; body?: string }>;

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function main(): Promise<void> {
  const [bundle, eventFile, laterText] = process.argv.slice(2);
  const event: unknown = JSON.parse(readFileSync(eventFile, 'utf8'));
  const later = Number(laterText);
  let invocation = 0;
  const request = async (handler: Handler): Promise<void> => {
    invocation += 1;
    const response = await handler(event, { awsRequestId: `bench-${invocation}` });
    if (response.statusCode !== 200) throw new Error(`the handler answered ${response.statusCode}: ${response.body}`);
  };

  const startedCpu = cpuMs();
  const started = now();
  const handler = (require(bundle) as { handler: Handler }).handler;
  const loaded = now();
  const loadCpuMs = cpuMs() - startedCpu;
  await request(handler);
  const first = now();
  const coldCpuMs = cpuMs() - startedCpu;
  const warmMs: number[] = [];
  const warmCpuMs: number[] = [];
  for (let i = 0; i < later; i++) {
    const before = now();
    const beforeCpu = cpuMs();
    await request(handler);
    warmMs.push(now() - before);
    warmCpuMs.push(cpuMs() - beforeCpu);
  }
  const report: HandlerReport = { loadMs: loaded - started, firstMs: first - loaded, warmMs, coldCpuMs, loadCpuMs, warmCpuMs };
  // Lambda handlers may log to stdout; the report is the last line.
  process.stdout.write(`\n${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
