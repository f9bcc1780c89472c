/**
 * `node mutation/named-cases.js`: the status, in the committed incremental results, of the ten mutants issue 13 named
 * (each left every test green before). Each case is found by its module, the source text it changes and the text
 * Stryker puts in its place, so it follows the line when the code moves. Exits 1 unless every one is killed.
 */
const fs = require('node:fs');
const path = require('node:path');

const CASES = [
  ["'trigger' removed from the accepted run-input fields", 'lambda/shared/prepare-run.ts', "'trigger'", '""'],
  // The conditions that let no metric through are refused by TypeScript (the figure is a number after them); the
  // runnable mutant is the no-metric answer itself turned into a promotion (a fifth element: text on the mutant's line).
  ['the gate promoting a model that reported no metric', 'lambda/pipeline/promotion-gate.ts', 'false', 'true', 'reported no ${input.metricName} metric'],
  ['a single training attempt refused (attempts < 1 → <= 1)', 'lambda/shared/sagemaker-names.ts', 'attempts < 1', 'attempts <= 1'],
  ['a candidate exactly at minimumAccuracy refused', 'lambda/pipeline/promotion-gate.ts', 'candidate < input.minimumAccuracy', 'candidate <= input.minimumAccuracy'],
  ['every StartExecution error taken for "already started"', 'lambda/pipeline/new-data-trigger.ts', 'error instanceof ExecutionAlreadyExists', 'true'],
  ['a resource name prefix of 39+ characters accepted', 'lambda/shared/sagemaker-names.ts', 'prefix.length <= RESOURCE_NAME_PREFIX_MAX_LENGTH', 'true'],
  ['a scalar run input run as a manual run', 'lambda/shared/prepare-run.ts', "typeof given !== 'object' || Array.isArray(given)", 'false'],
  ['the unknown-field check of requests removed', 'lambda/inference/request.ts', 'unknown.length > 0', 'false'],
  ['endpoint throttling answered 502', 'lambda/inference/invoke-endpoint.ts', "name === 'ThrottlingException'", 'false'],
  // The endpoint's answer is read by the shared parser since the batch and evaluation functions read it too.
  ['a probability of exactly 0 rejected', 'lambda/shared/classifier-output.ts', 'value >= 0', 'value > 0'],
  ['a probability of exactly 1 rejected', 'lambda/shared/classifier-output.ts', 'value <= 1', 'value < 1'],
];

/** The source text a mutant replaces (the report's lines and columns are 1-based). */
function original(source, { start, end }) {
  const lines = source.split('\n');
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  return [lines[start.line - 1].slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1].slice(0, end.column - 1)].join('\n');
}

let missed = 0;
for (const [what, file, text, replacement, onLine] of CASES) {
  const results = path.join(__dirname, 'incremental', `${file.replace(/\.ts$/, '').replace(/\//g, '-')}.json`);
  const report = fs.existsSync(results) ? JSON.parse(fs.readFileSync(results, 'utf8')).files[file] : undefined;
  const lineOf = (m) => report.source.split('\n')[m.location.start.line - 1];
  const mutant = report?.mutants.find((m) => m.replacement === replacement && original(report.source, m.location) === text
    && (onLine === undefined || lineOf(m).includes(onLine)));
  const status = mutant?.status ?? 'not found';
  if (status !== 'Killed') missed += 1;
  process.stdout.write(`${status.padEnd(10)} ${file}:${mutant?.location.start.line ?? '?'}  ${what}\n`);
}
process.exit(missed === 0 ? 0 : 1);
