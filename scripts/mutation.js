/**
 * `npm run mutation`: StrykerJS (stryker.config.js) once per module of mutation/modules.js, each with only that
 * module's unit tests, its own type-check scope and its own incremental file. Keeps the score and the time per module
 * in mutation/scores.json, so a drop shows in review.
 *
 * - `MUTATE=lambda/pipeline/promotion-gate.ts,lambda/inference/request.ts npm run mutation` limits the run to some
 *   modules (their scores are updated, the others kept).
 * - A module whose source, tests and mutation settings are unchanged since its recorded run (same inputs hash in
 *   scores.json, incremental file present) is not run again; `MUTATION_FORCE=1` runs it anyway. Stryker's own
 *   incremental mode then retests, within a module that changed, only the mutants whose code or tests changed.
 * - `MUTATION_CONCURRENCY=1` on a shared machine (the default is 2).
 * - `MUTATION_SCORES_ONLY=1` runs nothing: it recomputes the scores from the committed incremental results (after a
 *   merge, say); times and inputs hashes are left as they were.
 */
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const modules = require(path.join(root, 'mutation/modules.js'));
const scoresFile = path.join(root, 'mutation/scores.json');
const moduleTsconfig = path.join(root, 'mutation/tsconfig.module.json');

const selected = process.env.MUTATE ? process.env.MUTATE.split(',').map((file) => file.trim()).filter((file) => file !== '') : Object.keys(modules);
const unknown = selected.filter((file) => modules[file] === undefined);
if (unknown.length > 0) {
  process.stderr.write(`MUTATE names ${unknown.join(', ')}, not in mutation/modules.js (known: ${Object.keys(modules).join(', ')})\n`);
  process.exit(2);
}

/** CPU seconds used by this process's finished children (and theirs): /proc/self/stat cutime + cstime, Linux only. */
function childCpuSeconds() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // fields 16 and 17 of proc(5), in clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

/** What a module's results depend on: its source, its tests and the mutation settings. */
function inputsHash(file) {
  const hash = crypto.createHash('sha256');
  for (const input of [file, ...modules[file], 'stryker.config.js', 'mutation/jest.config.js', 'mutation/tsconfig.json', 'package-lock.json']) {
    hash.update(`${input}\0`).update(fs.readFileSync(path.join(root, input))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Stryker reuses a surviving static mutant (one in a module-level constant) even after tests were added, because it
 * knows no per-test coverage for it; dropping such results from the incremental file makes it test them again.
 */
function forgetUndetectedStaticMutants(incrementalFile) {
  if (!fs.existsSync(incrementalFile)) return;
  const report = JSON.parse(fs.readFileSync(incrementalFile, 'utf8'));
  for (const file of Object.values(report.files)) {
    file.mutants = file.mutants.filter((mutant) => !mutant.static || mutant.status === 'Killed' || mutant.status === 'Timeout');
  }
  fs.writeFileSync(incrementalFile, JSON.stringify(report, null, 2));
}

/**
 * Stryker's mutation score from a module's incremental results (every mutant of the module, as of its last run):
 * killed and timed-out mutants over all valid ones, survived and uncovered included.
 */
function score(file, id) {
  const { mutants } = JSON.parse(fs.readFileSync(path.join(root, `mutation/incremental/${id}.json`), 'utf8')).files[file];
  const count = (...statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
  const detected = count('Killed', 'Timeout');
  const undetected = count('Survived', 'NoCoverage');
  return {
    score: Math.round((1000 * detected) / Math.max(1, detected + undetected)) / 10,
    mutants: mutants.length, killed: detected, survived: count('Survived'), noCoverage: count('NoCoverage'),
    ignored: count('Ignored'), compileErrors: count('CompileError'),
  };
}

const concurrency = Number(process.env.MUTATION_CONCURRENCY ?? 2);
const scores = fs.existsSync(scoresFile) ? JSON.parse(fs.readFileSync(scoresFile, 'utf8')) : { modules: {} };
const timings = [];
const started = Date.now();
const cpuStarted = childCpuSeconds();
let failed = false;
for (const file of selected) {
  const id = file.replace(/\.ts$/, '').replace(/[/\\]/g, '-');
  const inputs = inputsHash(file);
  const previous = scores.modules[file];
  if (process.env.MUTATION_SCORES_ONLY) {
    if (fs.existsSync(path.join(root, `mutation/incremental/${id}.json`))) scores.modules[file] = { ...previous, ...score(file, id) };
    continue;
  }
  if (!process.env.MUTATION_FORCE && previous?.inputs === inputs && fs.existsSync(path.join(root, `mutation/incremental/${id}.json`))) {
    process.stdout.write(`\n${file}: unchanged since its recorded run, not run again (MUTATION_FORCE=1 to run it)\n`);
    continue;
  }
  process.stdout.write(`\n=== ${file} (tests: ${modules[file].join(', ')})\n`);
  const incrementalFile = path.join(root, `mutation/incremental/${id}.json`);
  const fullRun = !fs.existsSync(incrementalFile);
  forgetUndetectedStaticMutants(incrementalFile);
  // The type checker sees only this module and what it imports.
  fs.writeFileSync(moduleTsconfig, `${JSON.stringify({ extends: './tsconfig.json', files: [`../${file}`] }, null, 2)}\n`);
  const moduleStarted = Date.now();
  const cpuBefore = childCpuSeconds();
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', 'stryker.config.js'], {
    cwd: root, stdio: 'inherit', env: { ...process.env, MUTATION_MODULE: file },
  });
  const seconds = Math.round((Date.now() - moduleStarted) / 1000);
  const cpuSeconds = cpuBefore === undefined ? undefined : Math.round(childCpuSeconds() - cpuBefore);
  timings.push({ file, seconds, cpuSeconds });
  if (run.status !== 0) {
    process.stderr.write(`Stryker failed on ${file} (exit ${run.status ?? run.signal}); its score is not updated\n`);
    failed = true;
    continue;
  }
  const result = score(file, id);
  scores.modules[file] = {
    ...result,
    // this run (incremental when the module had results), and the last run that tested every mutant (a clean clone's)
    seconds, cpuSeconds,
    fullRun: fullRun ? { mutants: result.mutants, seconds, cpuSeconds, concurrency } : previous?.fullRun,
    inputs,
  };
}
fs.rmSync(moduleTsconfig, { force: true });

const seconds = Math.round((Date.now() - started) / 1000);
const cpuSeconds = cpuStarted === undefined ? undefined : Math.round(childCpuSeconds() - cpuStarted);
// A run that tested nothing (every module unchanged) keeps the figures of the last one that did.
if (!process.env.MUTATION_SCORES_ONLY && timings.length > 0) scores.lastRun = { modules: timings.length, seconds, cpuSeconds, concurrency };
const full = Object.values(scores.modules).map((s) => s.fullRun).filter((run) => run !== undefined);
scores.fullRunTotal = {
  modules: full.length,
  seconds: full.reduce((sum, run) => sum + run.seconds, 0),
  cpuSeconds: full.reduce((sum, run) => sum + (run.cpuSeconds ?? 0), 0),
};
delete scores.lastRunSeconds;
scores.modules = Object.fromEntries(Object.entries(scores.modules).filter(([file]) => modules[file] !== undefined).sort(([a], [b]) => a.localeCompare(b)));
fs.writeFileSync(scoresFile, `${JSON.stringify(scores, null, 2)}\n`);

const width = Math.max(...Object.keys(scores.modules).map((f) => f.length));
process.stdout.write(`\nmutation score per module (mutation/scores.json); this run: ${timings.length} module(s), ${seconds} s wall, ${cpuSeconds ?? '?'} s CPU:\n`);
for (const [file, s] of Object.entries(scores.modules)) {
  const ran = timings.find((t) => t.file === file);
  const time = ran ? `ran ${ran.seconds} s wall, ${ran.cpuSeconds ?? '?'} s CPU` : 'not run now';
  process.stdout.write(`  ${file.padEnd(width)}  ${s.score.toFixed(1).padStart(5)}%  (${s.killed} killed, ${s.survived} survived, ${s.noCoverage} uncovered; ${time})\n`);
}
if (failed) process.exit(1);
