import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as fc from 'fast-check';
import { CONTEXT_KEYS, CONTEXT_PREFIX, contextKeyProblem, imageClassifierPropsFromContext, SettingsError } from '../lib/app-context';
import { ImageClassifierStack } from '../lib/image-classifier-stack';
import { FUZZ_SEED } from './fuzz/fuzz-construct';
import { NO_BUNDLING } from './helpers';

const ROOT = path.join(__dirname, '..');
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;
const KEYS = Object.keys(CONTEXT_KEYS).map((name) => CONTEXT_PREFIX + name);
const SEED_FOLDER = path.join(__dirname, 'fixtures', 'mini-dataset');

/** The problems the app's settings check finds in `context`, or [] when it accepts them. */
function problemsOf(context: Record<string, unknown>): readonly string[] {
  try {
    imageClassifierPropsFromContext(new App({ context }).node);
    return [];
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    return error.problems;
  }
}

/**
 * Runs bin/app.ts as the CDK CLI does (`cdk synth -c key=value`): cdk.json's context merged with the command
 * line's, passed in CDK_CONTEXT_JSON, the cloud assembly written to CDK_OUTDIR.
 */
function runApp(context: Record<string, unknown>) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-settings-'));
  try {
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, ...context }), CDK_OUTDIR: outdir },
    });
    return { status: run.status, stderr: run.stderr, stdout: run.stdout, wrote: fs.readdirSync(outdir) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const STACK_FRAME = /^\s+at /m;

describe('the app run as cdk synth runs it', () => {
  test('refuses a 5-field cron at synth, naming the setting and the 6-field form, without a stack trace', () => {
    const run = runApp({ 'imageClassifier:retrainSchedule': 'cron(0 3 * * *)' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("imageClassifier:retrainSchedule: 'cron(0 3 * * *)' has 5 fields; EventBridge Scheduler needs 6: "
      + 'minutes hours day-of-month month day-of-week year, with ? in day-of-month or day-of-week, e.g. cron(0 3 * * ? *)');
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.wrote).toEqual([]); // nothing was synthesized
  });

  test('reports three bad settings in one synth, each key once, exits non-zero without a stack trace', () => {
    const run = runApp({
      'imageClassifier:trainingInstanceType': 'ml.t2.medium',
      'imageClassifier:hyperparameters': '{"learningRate": 3}',
      'imageClassifier:notificationEmail': 'owner-at-example.com',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stderr).toMatch(/^3 problems in the app's settings/);
    for (const key of ['imageClassifier:trainingInstanceType', 'imageClassifier:hyperparameters', 'imageClassifier:notificationEmail']) {
      expect(run.stderr.split(key).length - 1).toBe(1);
    }
  });

  test('refuses a wrong-case key naming the right one, while cdk.json\'s own and unrelated keys pass', () => {
    const run = runApp({ 'imageclassifier:model': 'tensorflow-ic-efficientnet-b0-classification-1', 'myApp:model': 'mine', 'cli-telemetry': false });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      "1 problem in the app's settings (cdk.json \"context\", or cdk -c key=value):",
      "  context key 'imageclassifier:model' is not read (keys are case-sensitive); write 'imageClassifier:model'",
    ]);
  });
});

describe('context keys that look like the app\'s', () => {
  test.each([
    ['imageclassifier:model', "is not read (keys are case-sensitive); write 'imageClassifier:model'"],
    ['ImageClassifier:model', "is not read (keys are case-sensitive); write 'imageClassifier:model'"],
    ['imageClassifier:Model', "is not read (keys are case-sensitive); write 'imageClassifier:model'"],
    ['imageClasifier:model', "is not a setting of this app; did you mean 'imageClassifier:model'?"],
    ['imageClassifier:modle', "is not a setting of this app; did you mean 'imageClassifier:model'?"],
    ['imageClassifier.model', "is not a setting of this app; did you mean 'imageClassifier:model'?"],
    ['imageClassifier:epochs', `is not a setting of this app; its settings are ${KEYS.join(', ')}`],
  ])('refuses %s, naming the right key', (key, message) => {
    expect(problemsOf({ [key]: 'x' })).toEqual([`context key '${key}' ${message}`]);
  });

  test('refuses every other case, separator or one- or two-letter slip of each key, naming that key', () => {
    const slip = fc.constantFrom(...KEYS).chain((key) => fc.tuple(fc.constant(key), fc.oneof(
      // Another case.
      fc.array(fc.boolean(), { minLength: key.length, maxLength: key.length })
        .map((flips) => [...key].map((c, i) => (flips[i] ? swapCase(c) : c)).join('')),
      // Another separator.
      fc.constantFrom('.', '-', '_', '/', '::', '').map((separator) => key.replace(':', separator)),
      // One or two letters inserted, deleted, replaced or swapped.
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace', 'swap'), fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz')),
        { minLength: 1, maxLength: 2 }).map((edits) => edits.reduce(edit, key)),
    ))).filter(([key, variant]) => variant !== key && !KEYS.includes(variant));
    fc.assert(fc.property(slip, ([key, variant]) => {
      const problem = contextKeyProblem(variant);
      expect(problem).toBeDefined();
      expect(problem).toContain(`'${key}'`);
    }), { seed: FUZZ_SEED, numRuns: 500 });
  });

  test('accepts the keys of aws-cdk-lib, the CDK CLI and a user\'s own settings', () => {
    const cdkKeys = [...Object.keys(cxapi.CURRENTLY_RECOMMENDED_FLAGS), ...Object.keys(CDK_JSON_CONTEXT), 'cli-telemetry',
      'aws:cdk:enable-path-metadata', 'aws:cdk:bundling-stacks', 'acknowledged-issue-numbers', 'myApp:model', 'stage'];
    for (const key of cdkKeys) expect([key, contextKeyProblem(key)]).toEqual([key, undefined]);
    // A user's namespace of up to 8 characters is far from ours, whatever the names under it.
    const userKey = fc.tuple(fc.stringMatching(/^[A-Za-z@][A-Za-z0-9-]{0,7}$/), fc.constantFrom(':', '/', '.'), fc.oneof(fc.constantFrom(...Object.keys(CONTEXT_KEYS)), fc.string()))
      .map(([namespace, separator, name]) => `${namespace}${separator}${name}`);
    fc.assert(fc.property(userKey, (key) => expect(contextKeyProblem(key)).toBeUndefined()), { seed: FUZZ_SEED, numRuns: 300 });
  });
});

describe('the app\'s settings check', () => {
  test('reports a bad value of every setting at once, one line per setting naming its key', () => {
    const bad: Record<(typeof KEYS)[number], unknown> = {
      'imageClassifier:model': 'tensorflow-ic-mobilenet',
      'imageClassifier:imageSize': 5,
      'imageClassifier:datasetPrefix': '/data/',
      'imageClassifier:trainingInstanceType': 'ml.t2.medium',
      'imageClassifier:spot': 'yes',
      'imageClassifier:maxRuntimeHours': 1000,
      'imageClassifier:useValidationChannel': 'maybe',
      'imageClassifier:hyperparameters': { epochs: 0 },
      'imageClassifier:endpointInstanceType': 'm5.large',
      'imageClassifier:endpointServerless': 'no',
      'imageClassifier:retrainSchedule': 'rate(1 hours)',
      'imageClassifier:retrainOnNewData': 1,
      'imageClassifier:minimumAccuracy': 1.5,
      'imageClassifier:notificationEmail': 'owner',
      'imageClassifier:seedDatasetFrom': path.join(SEED_FOLDER, 'roses'),
      'imageClassifier:startRetrainingOnDeploy': 'sometimes',
    };
    expect(Object.keys(bad).sort()).toEqual([...KEYS].sort()); // every setting has its bad value here
    const problems = problemsOf(bad);
    for (const key of KEYS) expect([key, problems.filter((problem) => problem.startsWith(key)).length]).toEqual([key, 1]);
    expect(problems).toHaveLength(KEYS.length);
  });

  test('names the model\'s closest ids, and asks for imageSize with a model that publishes none', () => {
    expect(problemsOf({ 'imageClassifier:model': 'tensorflow-ic-efficientnet-b0-classification-2' })).toEqual([expect.stringMatching(
      /^imageClassifier:model has an unknown model id 'tensorflow-ic-efficientnet-b0-classification-2'; .* closest: 'tensorflow-ic-efficientnet-b0-classification-1'/)]);
    expect(problemsOf({ 'imageClassifier:model': 'tensorflow-ic-bit-m-r50x1-ilsvrc2012-classification-1' })).toEqual([
      "imageClassifier:model 'tensorflow-ic-bit-m-r50x1-ilsvrc2012-classification-1' publishes no input image size; set imageClassifier:imageSize too (for example 384)",
    ]);
  });

  test('refuses a dataset prefix too long for the seed upload\'s key prefix, and builds the longest one it allows', () => {
    expect(problemsOf({ 'imageClassifier:datasetPrefix': 'a'.repeat(93), 'imageClassifier:seedDatasetFrom': SEED_FOLDER })).toEqual([
      'imageClassifier:datasetPrefix must be at most 92 characters with imageClassifier:seedDatasetFrom '
      + "(the upload's key prefix, <prefix>/training/, is limited to 102), got 93",
    ]);
    const app = new App({ context: { 'imageClassifier:datasetPrefix': 'a'.repeat(92), 'imageClassifier:seedDatasetFrom': SEED_FOLDER, ...NO_BUNDLING } });
    expect(() => new ImageClassifierStack(app, 'ImageClassifierStack', { classifier: imageClassifierPropsFromContext(app.node) })).not.toThrow();
  });

  test('a schedule of off disables retraining by schedule', () => {
    const props = imageClassifierPropsFromContext(new App({ context: { 'imageClassifier:retrainSchedule': 'off' } }).node);
    expect(props.retraining!.schedule!.expression).toBeUndefined();
  });

  test('settings it accepts build the stack: no construct refuses what the check let through', () => {
    // [accepted values, refused values] of each setting.
    const choices: Record<string, readonly [readonly unknown[], readonly unknown[]]> = {
      'imageClassifier:model': [['tensorflow-ic-efficientnet-b0-classification-1', 'tensorflow-ic-cait-s24-384'], ['nope', 'tensorflow-ic-bit-s-r50x1-ilsvrc2012-classification-1']],
      'imageClassifier:imageSize': [[32, 1024, '300'], [31, 224.5]],
      'imageClassifier:datasetPrefix': [['', 'datasets/flowers', 'a'.repeat(92)], ['a'.repeat(513), 'a//b', '/data']],
      'imageClassifier:trainingInstanceType': [['ml.g5.2xlarge', 'ml.c5.xlarge', 'ml.t3.medium'], ['ml.x1.large', 'p3.2xlarge']],
      'imageClassifier:spot': [[true, 'false'], ['yes']],
      'imageClassifier:maxRuntimeHours': [[0.0167, 672, '2.5'], [0.001, 673, -1]],
      'imageClassifier:hyperparameters': [[{ epochs: 1000, batchSize: 1 }, '{"binaryMode": true, "evalMetric": "auc"}'], [{ evalMetric: 'auc' }, { epoch: 3 }]],
      'imageClassifier:endpointInstanceType': [['ml.c6i.large', 'ml.g4dn.xlarge'], ['ml.p3dn.24xlarge', 'ml.t2.medium']],
      'imageClassifier:endpointServerless': [[true, false], ['serverless']],
      'imageClassifier:retrainSchedule': [['off', 'rate(1 minute)', 'cron(0 3 L * ? *)', 'at(2030-01-31T03:00:00)'], ['cron(0 3 * * ?)', 'rate(1 week)']],
      'imageClassifier:retrainOnNewData': [[true, false], [0]],
      'imageClassifier:minimumAccuracy': [[0, 1, '0.75'], [-0.1, 'high']],
      'imageClassifier:notificationEmail': [['owner@example.com'], ['owner@example']],
      'imageClassifier:seedDatasetFrom': [[SEED_FOLDER], [path.join(SEED_FOLDER, 'roses')]],
      'imageClassifier:startRetrainingOnDeploy': [[true, false], ['soon']],
    };
    const settings = fc.record(Object.fromEntries(Object.entries(choices).map(([key, [accepted, refused]]) =>
      [key, fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...accepted) }, { weight: 1, arbitrary: fc.constantFrom(...refused) })])), { requiredKeys: [] });
    const outcomes = { accepted: 0, refused: 0 };
    fc.assert(fc.property(settings, (context) => {
      if (problemsOf(context).length > 0) {
        outcomes.refused++;
        return;
      }
      outcomes.accepted++;
      const app = new App({ context: { ...context, ...NO_BUNDLING } });
      new ImageClassifierStack(app, 'ImageClassifierStack', { classifier: imageClassifierPropsFromContext(app.node) });
    }), { seed: FUZZ_SEED, numRuns: 30 });
    expect(outcomes.accepted).toBeGreaterThanOrEqual(4);
    expect(outcomes.refused).toBeGreaterThanOrEqual(4);
  });
});

function swapCase(c: string): string {
  return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
}

function edit(key: string, [at, kind, letter]: [number, string, string]): string {
  const i = at % (key.length + 1);
  switch (kind) {
    case 'insert': return key.slice(0, i) + letter + key.slice(i);
    case 'delete': return key.slice(0, i) + key.slice(i + 1);
    case 'replace': return key.slice(0, i) + letter + key.slice(i + 1);
    default: return i + 1 < key.length ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2) : key;
  }
}
