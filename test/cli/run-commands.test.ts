/**
 * `train`, `status`, `runs` and `report` through main(), with the command line's real AWS SDK clients against the
 * loopback emulators (test/cli/loop-world.ts). The runs the executions play are runs of the real synthesized
 * definition, so `status` is proven to read what the deployed pipeline writes, and `train`'s input is proven to be
 * what the real pipeline accepts (or refuses with the same message).
 */
import { EXECUTION_START_DATE } from '../emulators/step-functions-emulator';
import type { RunResult } from '../support/pipeline-world';
import { arnOf, DATASET_BUCKET, expectNoStackTrace, STATE_MACHINE_ARN, useLoopWorld, withoutCredentials } from './loop-world';

const world = useLoopWorld();
const FAST = ['--interval', '0.001'];

/** The values printed after `prefix` on the watch's lines, in order. */
function watched(stdout: string, prefix: string): string[] {
  return [...stdout.matchAll(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  ${prefix} (.+)$`, 'gm'))].map((match) => match[1]);
}

const trainingCalls = (result: RunResult) => result.world.calls.filter((call) => call.api === 'sagemaker:createTrainingJob.sync');

describe('status --watch', () => {
  test('follows a whole run: every step in order, the training job\'s statuses and metrics as they come, the gate, the promotion', async () => {
    const result = await world.localRun({});
    const execution = world.playRun('first-run', result, { trainPolls: 4 });

    const run = await world.cli(['status', 'first-run', '--watch', ...FAST]);

    expect(run.code).toBe(0);
    // The steps shown are the states the run entered, in the same order.
    const steps = watched(run.stdout, 'step');
    expect(steps).toEqual(expect.arrayContaining(['PrepareRun', 'Train', 'EvaluateModel', 'CreateModel', 'CreateEndpoint', 'RecordChampion', 'Promoted']));
    let position = -1;
    for (const step of steps) {
      position = result.path.indexOf(step, position + 1);
      expect(position).toBeGreaterThanOrEqual(0);
    }
    const job = trainingCalls(result)[0].request.TrainingJobName as string;
    expect(watched(run.stdout, 'training').map((line) => line.replace(`${job}: `, '').split(' (')[0]))
      .toEqual(['InProgress / Starting', 'InProgress / Downloading', 'InProgress / Training', 'InProgress / Uploading', 'Completed']);
    expect(watched(run.stdout, 'metrics')).toEqual(['val_loss 0.3, tflow-ic:val-accuracy 0.9']);
    expect(watched(run.stdout, 'gate')).toEqual(['promote: first model (candidate 0.9000, serving none)']);
    expect(watched(run.stdout, 'run')).toEqual(['SUCCEEDED (promoted)']);
    expect(run.stdout).toContain('Run        first-run (SUCCEEDED, promoted)');
    // One DescribeExecution per poll, until the run's last frame.
    expect(world.sfn.operations.filter((op) => op === 'DescribeExecution')).toHaveLength(execution.run!.frames.length);
    expectNoStackTrace(run);
  });

  test('follows a run through the evaluation: the transform and scoring steps in order, the test-set gate and its figures', async () => {
    const result = await world.localRun({ testSet: 'test-folder', endpointExists: true, championAccuracy: 0.95, validationAccuracy: 0.7,
      challengerScore: { accuracy: 0.91, macroF1: 0.9 }, championScore: { accuracy: 0.85, macroF1: 0.84 } });
    expect(result.world.calls.filter((call) => call.api === 'sagemaker:createTransformJob.sync')).toHaveLength(2);
    world.playRun('evaluated-run', result, { trainPolls: 2 });

    const run = await world.cli(['status', 'evaluated-run', '--watch', ...FAST]);

    expect(run.code).toBe(0);
    const steps = watched(run.stdout, 'step');
    expect(steps).toEqual(expect.arrayContaining(['SelectTestSet', 'Train', 'CreateModel', 'PlanEvaluation', 'EvaluateModel', 'UpdateEndpoint', 'RecordChampion', 'Promoted']));
    let position = -1;
    for (const step of steps) {
      position = result.path.indexOf(step, position + 1);
      expect(position).toBeGreaterThanOrEqual(0);
    }
    const report = result.world.reports.find((r) => r.role === 'challenger')!.html;
    expect(watched(run.stdout, 'evaluation')).toEqual([`this model accuracy 0.910, macro F1 0.900; serving model accuracy 0.850, macro F1 0.840 (report: ${report})`]);
    // Validation accuracy (0.7 against 0.95) would have refused it: the gate says the test set decided, and on what.
    expect(watched(run.stdout, 'gate')).toEqual([expect.stringMatching(/^promote: better than the serving model \(test set [0-9a-f]{64}, accuracy: challenger 0\.9100, champion 0\.8500\)$/)]);
    expect(watched(run.stdout, 'run')).toEqual(['SUCCEEDED (promoted)']);
    expect(run.stdout).toMatch(/^Evaluation this model accuracy 0\.910/m);
    expectNoStackTrace(run);
  });

  test('a run whose training fails ends the watch with exit code 1 and the cause', async () => {
    const result = await world.localRun({ training: ['failure'] });
    expect(result.status).toBe('FAILED');
    world.playRun('failing-run', result, { trainPolls: 2 });

    const run = await world.cli(['status', 'failing-run', '--watch', ...FAST]);

    expect(run.code).toBe(1);
    expect(watched(run.stdout, 'run')).toEqual(['FAILED (failed)']);
    expect(run.stdout).toMatch(/^Error +\S+/m);
    expect(run.stdout).toContain('Failed');
    expectNoStackTrace(run);
  });

  test('a model that does not beat the champion: the gate says why, the run succeeds unpromoted (exit 0)', async () => {
    world.playRun('weaker-run', await world.localRun({ championAccuracy: 0.95, validationAccuracy: 0.9, endpointExists: true }));
    const run = await world.cli(['status', 'weaker-run', '--watch', ...FAST]);
    expect(run.code).toBe(0);
    expect(watched(run.stdout, 'gate')).toEqual(['keep the serving model: does not beat the serving model by 0.0000 (candidate 0.9000, serving 0.9500)']);
    expect(watched(run.stdout, 'run')).toEqual(['SUCCEEDED (not promoted)']);
  });

  test('--json --watch: the changes go to stderr, stdout is one JSON document when the run ends', async () => {
    const result = await world.localRun({ validationAccuracy: 0.8 });
    world.playRun('json-run', result, { trainPolls: 2 });
    const run = await world.cli(['status', 'json-run', '--watch', '--json', ...FAST]);
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view.run).toMatchObject({ name: 'json-run', status: 'SUCCEEDED', outcome: 'promoted', trigger: 'manual', runId: result.output!.run && (result.output!.run as { runId: string }).runId });
    expect(view.training).toMatchObject({ name: trainingCalls(result)[0].request.TrainingJobName, status: 'Completed' });
    expect(view.training.metrics).toContainEqual({ name: 'tflow-ic:val-accuracy', value: 0.8 });
    expect(run.stderr).toMatch(/step Train/);
  });
});

describe('status', () => {
  test('without a name shows the newest run as it is now; --json parses', async () => {
    world.playRun('older', await world.localRun({}), { ended: true, startDate: EXECUTION_START_DATE });
    world.playRun('newer', await world.localRun({}), { startDate: EXECUTION_START_DATE + 600 });
    const run = await world.cli(['status', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).run).toMatchObject({ name: 'newer', status: 'RUNNING', executionArn: arnOf('newer') });
  });

  test('a run that ended shows its end without --watch; a failed one exits 1', async () => {
    world.playRun('done', await world.localRun({ training: ['failure'] }), { ended: true });
    const run = await world.cli(['status', 'done']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Run        done (FAILED, failed)');
    // The training task's cause is the job's description; its FailureReason is what the user needs.
    expect(run.stdout).toMatch(/^Error +States\.TaskFailed: AlgorithmError: ExecuteUserScriptError: Found 1 class folder; need at least 2$/m);
    expect(run.stdout).toMatch(/^Training +\S+: Failed \(AlgorithmError: ExecuteUserScriptError/m);
  });

  test('with no run at all: a message naming `train`, exit 1', async () => {
    const run = await world.cli(['status']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The retraining pipeline has no run yet. Start one with `train`.');
  });
});

describe('train', () => {
  /** Plays every started execution as the real definition runs its input; returns the local runs. */
  function playStartedRuns(): RunResult[] {
    const results: RunResult[] = [];
    world.sfn.onStart = async (execution) => {
      const result = await world.localRun({ input: JSON.parse(execution.input), executionName: execution.name });
      results.push(result);
      world.playRun(execution.name, result, { execution });
    };
    return results;
  }

  test('starts a run with typed overrides the real pipeline trains with, and follows it with --watch', async () => {
    const results = playStartedRuns();

    const run = await world.cli(['train', '--set', 'epochs=12', '--set', 'learning_rate=0.0005', '--set', 'augmentation=True',
      '--set', 'optimizer=sgd', '--instance-type', 'ml.g5.xlarge', '--watch', ...FAST]);

    expect(run.code).toBe(0);
    expect(JSON.parse(world.sfn.executions[0].input)).toEqual({
      trigger: 'manual', instanceType: 'ml.g5.xlarge', hyperparameters: { epochs: 12, learningRate: 0.0005, augmentation: true, optimizer: 'sgd' },
    });
    const request = trainingCalls(results[0])[0].request as { HyperParameters: Record<string, string>; ResourceConfig: { InstanceType: string } };
    expect(request.HyperParameters).toMatchObject({ epochs: '12', learning_rate: '0.0005', augmentation: 'True', optimizer: 'sgd' });
    expect(request.ResourceConfig.InstanceType).toBe('ml.g5.xlarge');
    expect(run.stdout).toMatch(/^Started run \S+ \(on ml\.g5\.xlarge, epochs=12, learningRate=0\.0005, augmentation=true, optimizer=sgd\)$/m);
    expect(watched(run.stdout, 'run')).toEqual(['SUCCEEDED (promoted)']);
  });

  test('--json prints the started run', async () => {
    const run = await world.cli(['train', '--json']);
    expect(run.code).toBe(0);
    const started = JSON.parse(run.stdout);
    expect(started).toMatchObject({ name: world.sfn.executions[0].name, executionArn: arnOf(world.sfn.executions[0].name), input: { trigger: 'manual' } });
  });

  test('warns when another run is in progress (the pipeline would skip this one)', async () => {
    world.playRun('busy', await world.localRun({}));
    const run = await world.cli(['train']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Warning: run busy is in progress');
  });

  // Each bad input: the option values, the run input the pipeline would get for them, and whether only the
  // deployed configuration can tell (then the stack is read, but still no run starts).
  test.each([
    ['an unknown hyperparameter (with the closest name)', ['--set', 'epoch=10'], { hyperparameters: { epoch: '10' } }, false, 'did you mean --set epochs=10?'],
    ['a value out of range', ['--set', 'epochs=0'], { hyperparameters: { epochs: 0 } }, false, undefined],
    ['a number that is not one', ['--set', 'batch_size=ten'], { hyperparameters: { batchSize: 'ten' } }, false, undefined],
    ['a choice that does not exist', ['--set', 'optimizer=adamw'], { hyperparameters: { optimizer: 'adamw' } }, false, undefined],
    ['a switch that is not true or false', ['--set', 'augmentation=yes'], { hyperparameters: { augmentation: 'yes' } }, false, undefined],
    ['a metric that needs binary mode', ['--set', 'evalMetric=auc'], { hyperparameters: { evalMetric: 'auc' } }, false, undefined],
    ['two problems at once', ['--set', 'learningRate=2', '--set', 'momentum=-1'], { hyperparameters: { learningRate: 2, momentum: -1 } }, false, undefined],
    ['an instance type the pipeline does not train on', ['--instance-type', 'ml.m5.large'], { instanceType: 'ml.m5.large' }, true, undefined],
  ])('%s: exit 2 before any run starts, with the message the pipeline would end the run with', async (_, args, input, needsStack, hint) => {
    const run = await world.cli(['train', ...args]);

    expect(run.code).toBe(2);
    expect(world.sfn.operations).not.toContain('StartExecution');
    expect(world.cloudFormation.calls.length > 0).toBe(needsStack);
    // The real definition, run with that input, fails in PrepareRun with exactly these problems.
    const pipeline = await world.localRun({ input: { trigger: 'manual', ...input } });
    expect(pipeline).toMatchObject({ status: 'FAILED', error: 'InvalidRunInput' });
    expect(run.stderr).toContain(`  ${pipeline.cause}\n`);
    if (hint !== undefined) expect(run.stderr).toContain(hint);
    expectNoStackTrace(run);
  });

  test('--set without a value is a usage error naming the form', async () => {
    const run = await world.cli(['train', '--set', 'epochs']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--set "epochs" must be name=value, for example --set epochs=10');
    expect(world.cloudFormation.calls).toEqual([]);
  });

  test('when the state machine cannot be read, the hyperparameters are still checked and the run starts with a note', async () => {
    world.sfn.faults.describeStateMachine = { status: 400, type: 'AccessDeniedException' };
    const run = await world.cli(['train', '--set', 'epochs=3']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('states:DescribeStateMachine');
    expect(world.sfn.executions).toHaveLength(1);
  });
});

describe('runs', () => {
  test('the newest runs, newest first: trigger, status, duration, whether they promoted (table and --json)', async () => {
    const plays: Array<[string, RunResult, boolean]> = [
      ['promoted-run', await world.localRun({}), true],
      ['unpromoted-run', await world.localRun({ championAccuracy: 0.95, endpointExists: true, input: { trigger: 'schedule' } }), true],
      ['failed-run', await world.localRun({ training: ['failure'] }), true],
      ['running-run', await world.localRun({}), false],
    ];
    plays.forEach(([name, result, ended], index) => world.playRun(name, result, { ended, startDate: EXECUTION_START_DATE + index * 7200 }));

    const json = await world.cli(['runs', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).map((run: Record<string, unknown>) => [run.name, run.trigger, run.status, run.outcome ?? null])).toEqual([
      ['running-run', 'manual', 'RUNNING', null],
      ['failed-run', 'manual', 'FAILED', 'failed'],
      ['unpromoted-run', 'schedule', 'SUCCEEDED', 'not promoted'],
      ['promoted-run', 'manual', 'SUCCEEDED', 'promoted'],
    ]);

    const table = await world.cli(['runs', '--limit', '3']);
    expect(table.code).toBe(0);
    const rows = table.stdout.split('\n').filter((line) => /-run\b/.test(line)).map((line) => line.split('│').map((cell) => cell.trim()).filter(Boolean));
    expect(rows.map((row) => [row[0], row[2], row[5]])).toEqual([['running-run', 'RUNNING', '-'], ['failed-run', 'FAILED', 'no (failed)'], ['unpromoted-run', 'SUCCEEDED', 'no']]);
    expect(rows[2][4]).toBe('1h00m');
  });

  test('with no run: a message, exit 0', async () => {
    const run = await world.cli(['runs']);
    expect(run).toMatchObject({ code: 0, stdout: 'The retraining pipeline has no run yet. Start one with `train`.\n' });
  });
});

describe('report', () => {
  const REPORT = {
    schemaVersion: 1, runId: '20261130-010000-abcdef01', modelName: 'flowers-20261130-010000-abcdef01', role: 'challenger',
    testSet: { version: 'c0ffee'.padEnd(64, '0'), source: 'test-folder', imageCount: 18 },
    // sunflowers: a class of the model with no test image that is never predicted (its ratios are undefined: null)
    classes: ['daisy', 'roses', 'sunflowers', 'tulips'],
    accuracy: 15 / 18, macroF1: 0.8317,
    perClass: [
      { label: 'daisy', precision: 1, recall: 5 / 6, f1: 0.9091, support: 6 },
      { label: 'roses', precision: 0.8, recall: 4 / 6, f1: 0.7273, support: 6 },
      { label: 'sunflowers', precision: null, recall: null, f1: null, support: 0 },
      { label: 'tulips', precision: 0.75, recall: 1, f1: 0.8571, support: 6 },
    ],
    confusionMatrix: [[5, 1, 0, 0], [0, 4, 0, 2], [0, 0, 0, 0], [0, 0, 0, 6]],
    misclassified: [{ key: 'test/daisy/d1.jpg', trueLabel: 'daisy', predictedLabel: 'roses', probability: 0.61 }],
    failures: [],
  };
  const KEY = 'evaluations/20261130-010000-abcdef01/report.json';

  function seedRun(name: string, startOffset: number, output: Record<string, unknown>, status: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED'): void {
    world.sfn.executions.push({ stateMachineArn: STATE_MACHINE_ARN, name, input: '{"trigger":"manual"}', status,
      startDate: EXECUTION_START_DATE + startOffset, stopDate: EXECUTION_START_DATE + startOffset + 3000, output: JSON.stringify(output) });
  }

  test('the newest run with an evaluation: accuracy, macro F1, per-class table and confusion matrix; --json is the report', async () => {
    world.s3.putObject(DATASET_BUCKET, KEY, JSON.stringify(REPORT), 'application/json');
    seedRun('evaluated', 0, { run: { runId: REPORT.runId }, evaluation: { reportJsonUri: `s3://${DATASET_BUCKET}/${KEY}`, reportHtmlUri: `s3://${DATASET_BUCKET}/report.html` } });
    seedRun('skipped', 100, { inProgress: { running: 2 } });

    const json = await world.cli(['report', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(REPORT);

    const text = await world.cli(['report']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Evaluation of flowers-20261130-010000-abcdef01 (challenger) from run evaluated');
    expect(text.stdout).toContain('Accuracy   83.3 %');
    expect(text.stdout).toContain('Macro F1   0.832');
    const cells = (label: string) => text.stdout.split('\n').filter((line) => line.startsWith(`│ ${label} `)).map((line) => line.split('│').map((c) => c.trim()).filter(Boolean));
    expect(cells('roses')).toEqual([['roses', '0.800', '0.667', '0.727', '6'], ['roses', '0', '4', '0', '2']]);
    expect(cells('sunflowers')).toEqual([['sunflowers', '-', '-', '-', '0'], ['sunflowers', '0', '0', '0', '0']]);
    expect(cells('tulips')[1]).toEqual(['tulips', '0', '0', '0', '6']);
    expect(text.stdout).toContain('test/daisy/d1.jpg');
  });

  test('a named run without an evaluation, or no run with one: a clear message and exit 1', async () => {
    seedRun('plain', 0, { run: { runId: 'x' }, gate: { promote: true, reason: 'first model', candidateAccuracy: 0.9, championAccuracy: null } });
    const named = await world.cli(['report', 'plain']);
    expect(named.code).toBe(1);
    expect(named.stderr).toContain('Run plain (SUCCEEDED) has no evaluation report');
    const latest = await world.cli(['report']);
    expect(latest.code).toBe(1);
    expect(latest.stderr).toContain('None of the newest 1 successful runs has an evaluation report');
    expectNoStackTrace(latest);
  });

  test('a report of another schema version is named as such (exit 1); a deleted one is an AWS error (exit 5)', async () => {
    world.s3.putObject(DATASET_BUCKET, KEY, JSON.stringify({ ...REPORT, schemaVersion: 2 }));
    seedRun('future', 0, { evaluation: { reportJsonUri: `s3://${DATASET_BUCKET}/${KEY}` } });
    const future = await world.cli(['report']);
    expect(future.code).toBe(1);
    expect(future.stderr).toContain('schemaVersion must be 1, got 2');
    seedRun('deleted', 100, { evaluation: { reportJsonUri: `s3://${DATASET_BUCKET}/gone.json` } });
    const deleted = await world.cli(['report', 'deleted']);
    expect(deleted.code).toBe(5);
    expect(deleted.stderr).toContain(`s3://${DATASET_BUCKET}/gone.json does not exist`);
  });
});

describe('error kinds: a message and the kind\'s exit code, never a stack trace', () => {
  test.each([
    ['bad arguments: --limit 0', ['runs', '--limit', '0'], 2, /--limit <n>' argument '0' is invalid. expected a whole number in \[1, 1000\]/],
    ['bad arguments: --interval -1', ['status', '--watch', '--interval', '-1'], 2, /--interval <seconds>' argument '-1' is invalid/],
    ['bad arguments: a run name that cannot be one', ['status', 'no/such'], 2, /neither an execution name/],
    ['bad arguments: a run that does not exist', ['status', 'nope'], 2, /There is no run nope/],
    ['stack not found', ['--stack', 'OtherStack', 'runs'], 4, /Stack 'OtherStack' was not found/],
  ])('%s', async (_, argv, code, message) => {
    const run = await world.cli(argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expectNoStackTrace(run);
  });

  test('a stack without the pipeline: stack-not-found naming the output', async () => {
    delete world.outputs.RetrainingStateMachineArn;
    const run = await world.cli(['runs']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('RetrainingStateMachineArn');
    expectNoStackTrace(run);
  });

  test('an AWS error (access denied on ListExecutions): exit 5 with the service\'s error', async () => {
    world.sfn.faults.listExecutions = { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform: states:ListExecutions' };
    const run = await world.cli(['runs']);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('AccessDeniedException');
    expectNoStackTrace(run);
  });

  test('no credentials: exit 3, naming how to configure them', async () => {
    const run = await withoutCredentials(() => world.cli(['runs']));
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('No usable AWS credentials');
    expectNoStackTrace(run);
  });
});
