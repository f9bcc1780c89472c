/**
 * `npm run mutation`: runs StrykerJS (stryker.config.js) and keeps the score per module in mutation/scores.json, so
 * a drop shows in review. `MUTATE=lambda/pipeline/promotion-gate.ts npm run mutation` limits the run to some modules
 * (their scores are updated, the others kept).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const started = Date.now();
execFileSync(process.execPath, [path.join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', 'stryker.config.js'], { cwd: root, stdio: 'inherit' });
const seconds = Math.round((Date.now() - started) / 1000);

// Stryker's mutation score: killed and timed-out mutants over all valid ones (survived and uncovered included).
const report = JSON.parse(fs.readFileSync(path.join(root, 'reports/mutation/mutation.json'), 'utf8'));
const scoresFile = path.join(root, 'mutation/scores.json');
const scores = fs.existsSync(scoresFile) ? JSON.parse(fs.readFileSync(scoresFile, 'utf8')) : { modules: {} };
for (const [file, { mutants }] of Object.entries(report.files)) {
  const count = (...statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
  const detected = count('Killed', 'Timeout');
  const undetected = count('Survived', 'NoCoverage');
  const ignored = count('Ignored');
  scores.modules[file] = {
    score: Math.round((1000 * detected) / Math.max(1, detected + undetected)) / 10,
    killed: detected, survived: count('Survived'), noCoverage: count('NoCoverage'), ignored,
  };
}
scores.lastRunSeconds = seconds;
fs.writeFileSync(scoresFile, `${JSON.stringify(scores, null, 2)}\n`);
const width = Math.max(...Object.keys(scores.modules).map((f) => f.length));
process.stdout.write(`\nmutation score per module (mutation/scores.json), run took ${seconds} s:\n`);
for (const [file, s] of Object.entries(scores.modules).sort()) {
  process.stdout.write(`  ${file.padEnd(width)}  ${s.score.toFixed(1).padStart(5)}%  (${s.killed} killed, ${s.survived} survived, ${s.noCoverage} uncovered)\n`);
}
