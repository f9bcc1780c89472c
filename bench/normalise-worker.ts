/**
 * Child process of the upload-normalisation bench (normalise.ts): `node normalise-worker.js <file> <maxEdge> <runs>`
 * normalises the file as `dataset push` does, 2 warm-up runs then `runs` timed ones, and prints one JSON line with the
 * wall and CPU time of each run and the output's size.
 */
import { readFileSync } from 'fs';
import { normaliseImage } from '../lambda/image/normalise';

const [file, maxEdgeText, runsText] = process.argv.slice(2);
const bytes = readFileSync(file);
const maxEdge = Number(maxEdgeText);
let result = normaliseImage(bytes, { maxEdge });
result = normaliseImage(bytes, { maxEdge });
const wall: number[] = [];
const cpu: number[] = [];
for (let run = 0; run < Number(runsText); run++) {
  const started = process.hrtime.bigint();
  const usage = process.cpuUsage();
  result = normaliseImage(bytes, { maxEdge });
  const used = process.cpuUsage(usage);
  wall.push(Number(process.hrtime.bigint() - started) / 1e6);
  cpu.push((used.user + used.system) / 1000);
}
process.stdout.write(`${JSON.stringify({ wall, cpu, outputBytes: result.jpeg.length, width: result.width, height: result.height })}\n`);
