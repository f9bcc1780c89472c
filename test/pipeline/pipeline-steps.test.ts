import { decidePromotion, GateDecision } from '../../lambda/pipeline/promotion-gate';
import { InvalidRunInput, prepareRun } from '../../lambda/shared/prepare-run';
import type { PipelineConfig } from '../../lambda/shared/pipeline-config';
import { planEvaluation, reportLink, summarizeEvaluation } from '../../lambda/pipeline/evaluation-plan';
import { runId, runNames } from '../../lambda/shared/sagemaker-names';
import { supersededVersions } from '../../lambda/pipeline/superseded-versions';
import { API_NAME_PATTERN } from '../support/sagemaker-api';


describe('run names', () => {
  test('run ids are 24 characters, unique per execution, and valid in SageMaker names', () => {
    const a = runId('arn:aws:states:us-east-1:1:execution:sm:a', '2026-11-28T12:34:56.789Z');
    const b = runId('arn:aws:states:us-east-1:1:execution:sm:b', '2026-11-28T12:34:56.789Z');
    expect(a).toMatch(/^20261128-123456-[0-9a-f]{8}$/);
    expect(a).toHaveLength(24);
    expect(a).not.toBe(b);
  });

  test('a 38-character prefix with 10 attempts stays within 63 characters', () => {
    const names = runNames('a'.repeat(37) + 'b', runId('x', '2026-01-01T00:00:00Z'), 10);
    for (const name of [names.model, names.endpointConfig, ...names.trainingJobs]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(API_NAME_PATTERN);
    }
    expect(new Set(names.trainingJobs).size).toBe(10);
  });

  test('accepts a prefix of 38 characters and refuses 39', () => {
    const id = runId('x', '2026-01-01T00:00:00Z');
    expect(runNames('a'.repeat(38), id, 1).model).toBe(`${'a'.repeat(38)}-${id}`);
    expect(() => runNames('a'.repeat(39), id, 1)).toThrow(`resource name prefix '${'a'.repeat(39)}' must be a SageMaker name of at most 38 characters`);
  });

  test('makes 1 to 10 training attempts and refuses 0 and 11', () => {
    const id = runId('x', '2026-01-01T00:00:00Z');
    expect(runNames('flowers', id, 1).trainingJobs).toEqual([`flowers-${id}-0`]);
    expect(runNames('flowers', id, 10).trainingJobs).toHaveLength(10);
    expect(() => runNames('flowers', id, 0)).toThrow('a run makes 1 to 10 training attempts, got 0');
    expect(() => runNames('flowers', id, 11)).toThrow('a run makes 1 to 10 training attempts, got 11');
  });

  test('refuses a prefix SageMaker could not use', () => {
    expect(() => runNames('bad_prefix', 'x', 1)).toThrow("resource name prefix 'bad_prefix' must be a SageMaker name of at most 38 characters");
    expect(() => runId('x', 'yesterday')).toThrow("execution start time 'yesterday' is not an ISO 8601 timestamp");
  });
});

describe('prepareRun', () => {
  const config: PipelineConfig = {
    resourceNamePrefix: 'flowers',
    hyperparameters: { epochs: 8 },
    containerHyperparameters: { sagemaker_program: 'transfer_learning.py' },
    trainingOptions: [
      { instanceType: 'ml.p3.2xlarge', trainingImage: 'gpu-image', resourceConfig: { InstanceType: 'ml.p3.2xlarge' } },
      { instanceType: 'ml.m5.xlarge', trainingImage: 'cpu-image', resourceConfig: { InstanceType: 'ml.m5.xlarge' } },
    ],
    checkpointPrefix: 's3://bucket/checkpoints/',
    evaluation: { datasetUri: 's3://data/flowers/', outputUri: 's3://artifacts/training/evaluation/', holdOutPercent: 10 },
    promotion: { metric: 'accuracy', minimumImprovement: 0.01 },
  };
  const execution = { id: 'arn:exec:1', name: 'x'.repeat(80), startTime: '2026-11-28T12:00:00Z' };

  test('merges hyperparameter overrides, renders them, and puts the chosen instance type first', () => {
    const run = prepareRun(execution, { hyperparameters: { learningRate: 0.01 }, instanceType: 'ml.m5.xlarge' }, config);
    expect(run.hyperparameters).toMatchObject({ epochs: '8', learning_rate: '0.01', sagemaker_program: 'transfer_learning.py' });
    expect(run.attempts.map((a) => [a.instanceType, a.trainingImage])).toEqual([['ml.m5.xlarge', 'cpu-image'], ['ml.p3.2xlarge', 'gpu-image']]);
    expect(run.attempts[0].checkpointConfig).toEqual({ S3Uri: `s3://bucket/checkpoints/${run.attempts[0].trainingJobName}/` });
    expect(run.trigger).toBe('manual');
  });

  test('an absent or null input is an ordinary run', () => {
    expect(prepareRun(execution, null, config).attemptCount).toBe(2);
    expect(prepareRun(execution, undefined, config).trigger).toBe('manual');
  });

  test.each(['schedule', 'new-data', 'manual'])('runs with the trigger %j the schedule and new-data rules send', (trigger) => {
    expect(prepareRun(execution, { trigger }, config).trigger).toBe(trigger);
  });

  test('accepts every run option together', () => {
    const run = prepareRun(execution, { hyperparameters: { epochs: 3 }, instanceType: 'ml.p3.2xlarge', trigger: 'schedule' }, config);
    expect(run).toMatchObject({ trigger: 'schedule', hyperparameters: { epochs: '3' }, attemptCount: 2 });
  });

  test('names the evaluation\'s transform jobs and folders after the run, and takes the gate\'s settings from the input', () => {
    const run = prepareRun(execution, { promotionMetric: 'macroF1', minimumImprovement: 0 }, config);
    expect(run.promotion).toEqual({ metric: 'macroF1', minimumImprovement: 0 });
    expect(prepareRun(execution, {}, config).promotion).toEqual(config.promotion);
    // null is no override, as for hyperparameters.
    expect(prepareRun(execution, { promotionMetric: null, minimumImprovement: null }, config).promotion).toEqual(config.promotion);
    expect(run.names.transformJobs).toEqual({ challenger: `flowers-evalc-${run.runId}`, champion: `flowers-evals-${run.runId}` });
    expect(run.evaluation).toEqual({
      folderUri: `s3://artifacts/training/evaluation/${run.runId}/`,
      predictions: {
        challenger: `s3://artifacts/training/evaluation/${run.runId}/predictions/challenger/`,
        champion: `s3://artifacts/training/evaluation/${run.runId}/predictions/champion/`,
      },
      reportsUri: `s3://artifacts/training/evaluation/${run.runId}/reports/`,
    });
  });

  test('null hyperparameters are no overrides', () => {
    expect(prepareRun(execution, { hyperparameters: null }, config).hyperparameters).toMatchObject({ epochs: '8' });
  });

  test('a pipeline with a single training instance type makes one attempt', () => {
    const single = { ...config, trainingOptions: [config.trainingOptions[1]] };
    const run = prepareRun(execution, { instanceType: 'ml.m5.xlarge' }, single);
    expect(run.attemptCount).toBe(1);
    expect(run.attempts.map((a) => a.instanceType)).toEqual(['ml.m5.xlarge']);
  });

  test.each([
    [42, 'the execution input must be a JSON object, got 42'],
    ['fast', 'the execution input must be a JSON object, got "fast"'],
    [true, 'the execution input must be a JSON object, got true'],
    [{ epochs: 3 }, 'input.epochs is not a run option; allowed: hyperparameters, instanceType, trigger, promotionMetric, minimumImprovement'],
    [{ instanceType: 'ml.c5.xlarge' }, "input.instanceType must be one of the pipeline's training instance types (ml.p3.2xlarge, ml.m5.xlarge), got \"ml.c5.xlarge\""],
    [{ trigger: 7 }, "input.trigger must be a short lowercase word such as 'manual', got 7"],
    [{ trigger: '!manual' }, "input.trigger must be a short lowercase word such as 'manual', got \"!manual\""],
    [{ trigger: 'manual!' }, "input.trigger must be a short lowercase word such as 'manual', got \"manual!\""],
    [{ trigger: 'a'.repeat(33) }, "input.trigger must be a short lowercase word such as 'manual'"],
    [{ hyperparameters: [] }, 'input.hyperparameters must be an object of camelCase hyperparameters, got []'],
    [[1, 2], 'the execution input must be a JSON object'],
    [{ hyperparameters: 'fast' }, 'input.hyperparameters must be an object of camelCase hyperparameters'],
    [{ hyperparameters: { epochs: 0, dropoutRate: 2 } }, 'input.hyperparameters.epochs must be a whole number in [1, 1000], got 0; input.hyperparameters.dropoutRate must be a number in [0, 1], got 2'],
    [{ trigger: 'DROP TABLE' }, "input.trigger must be a short lowercase word such as 'manual'"],
    [{ promotionMetric: 'f1' }, "input.promotionMetric must be one of 'accuracy', 'macroF1', got \"f1\""],
    [{ minimumImprovement: 2 }, 'input.minimumImprovement must be a number in [0, 1], got 2'],
    [{ minimumImprovement: '0.1' }, 'input.minimumImprovement must be a number in [0, 1], got "0.1"'],
    [{ minimumImprovement: -0.01, promotionMetric: 'F1' }, "input.promotionMetric must be one of 'accuracy', 'macroF1', got \"F1\"; input.minimumImprovement must be a number in [0, 1], got -0.01"],
  ])('rejects %j with InvalidRunInput', (input, message) => {
    let error: unknown;
    try { prepareRun(execution, input, config); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(InvalidRunInput);
    expect((error as Error).name).toBe('InvalidRunInput');
    expect((error as Error).message).toContain(message);
  });
});

describe('decidePromotion', () => {
  const base = { metricName: 'tflow-ic:val-accuracy', minimumAccuracy: 0.5, minimumImprovement: 0.01 };
  const metrics = (value: number) => [{ MetricName: 'tflow-ic:val-accuracy', Value: value }];

  test('promotes the first model above the floor, and a model that beats the champion by the margin', () => {
    expect(decidePromotion({ ...base, finalMetrics: metrics(0.7) }))
      .toMatchObject({ promote: true, gate: 'validation-accuracy', candidateAccuracy: 0.7, championAccuracy: null, reason: 'first model (candidate 0.7000, serving none)' });
    expect(decidePromotion({ ...base, finalMetrics: metrics(0.81), champion: { validationAccuracy: 0.8 } }))
      .toMatchObject({ promote: true, candidateAccuracy: 0.81, championAccuracy: 0.8, reason: 'better than the serving model (candidate 0.8100, serving 0.8000)' });
  });

  test('a champion that scored exactly 0 is a champion', () => {
    expect(decidePromotion({ ...base, finalMetrics: metrics(0.6), champion: { validationAccuracy: 0 } }))
      .toMatchObject({ promote: true, championAccuracy: 0, reason: 'better than the serving model (candidate 0.6000, serving 0.0000)' });
  });

  test('refuses a model that does not beat the champion by the margin, or is below the floor, or has no metric', () => {
    expect(decidePromotion({ ...base, finalMetrics: metrics(0.805), champion: { validationAccuracy: 0.8 } }))
      .toMatchObject({ promote: false, candidateAccuracy: 0.805, championAccuracy: 0.8, reason: 'does not beat the serving model by 0.0100 (candidate 0.8050, serving 0.8000)' });
    expect(decidePromotion({ ...base, finalMetrics: metrics(0.4) }).reason).toBe('below the minimum accuracy 0.5000 (candidate 0.4000, serving none)');
    expect(decidePromotion({ ...base, finalMetrics: [{ MetricName: 'val_loss', Value: 0.2 }] }).reason).toBe('training reported no tflow-ic:val-accuracy metric');
  });

  test('a candidate exactly at the minimum accuracy is promoted ("at least")', () => {
    expect(decidePromotion({ ...base, finalMetrics: metrics(0.5) })).toMatchObject({ promote: true, candidateAccuracy: 0.5 });
    expect(decidePromotion({ ...base, finalMetrics: metrics(0.4999) }).promote).toBe(false);
  });

  test.each([
    ['no metrics', undefined],
    ['another metric only', [{ MetricName: 'val_loss', Value: 0.2 }]],
    ['a NaN value', [{ MetricName: 'tflow-ic:val-accuracy', Value: NaN }]],
    ['an infinite value', [{ MetricName: 'tflow-ic:val-accuracy', Value: Infinity }]],
    ['a value that is a string', [{ MetricName: 'tflow-ic:val-accuracy', Value: '0.9' as unknown as number }]],
  ])('never promotes a model that reported %s', (_name, finalMetrics) => {
    expect(decidePromotion({ ...base, finalMetrics, champion: { validationAccuracy: 0.8 } }))
      .toMatchObject({ promote: false, candidateAccuracy: null, championAccuracy: 0.8, reason: 'training reported no tflow-ic:val-accuracy metric' });
  });

  test('treats the initial champion record (-1) as no champion', () => {
    expect(decidePromotion({ ...base, finalMetrics: metrics(0.6), champion: { runId: 'none', validationAccuracy: -1 } }))
      .toMatchObject({ promote: true, candidateAccuracy: 0.6, championAccuracy: null, reason: 'first model (candidate 0.6000, serving none)' });
  });
});

describe('decidePromotion on a test set', () => {
  const version = 'a'.repeat(64);
  const base = {
    metricName: 'tflow-ic:val-accuracy', minimumAccuracy: 0.5, minimumImprovement: 0.02,
    finalMetrics: [{ MetricName: 'tflow-ic:val-accuracy', Value: 0.99 }], testSet: { source: 'test-folder', version },
  };
  const score = (accuracy: number, macroF1: number) => ({ accuracy, macroF1, reportJsonUri: `s3://r/${accuracy}.json`, reportHtmlUri: `s3://r/${accuracy}.html` });
  const champion = { runId: 'old', validationAccuracy: 0.999, modelName: 'flowers-old' };

  test('compares the two models on the same images, whatever their validation accuracies', () => {
    const decision = decidePromotion({ ...base, champion, scores: { challenger: score(0.9, 0.8), champion: score(0.85, 0.84) } });
    expect(decision).toMatchObject({
      promote: true, gate: 'test-set', metric: 'accuracy', minimumImprovement: 0.02,
      challenger: { accuracy: 0.9, macroF1: 0.8 }, champion: { accuracy: 0.85, macroF1: 0.84 },
      challengerTestSet: { version, accuracy: 0.9, macroF1: 0.8, reportJsonUri: 's3://r/0.9.json' },
    });
    expect(decision.reason).toBe(`better than the serving model (test set ${version}, accuracy: challenger 0.9000, champion 0.8500)`);
    // On macro F1 the same pair is not promoted.
    expect(decidePromotion({ ...base, metric: 'macroF1', champion, scores: { challenger: score(0.9, 0.8), champion: score(0.85, 0.84) } }))
      .toMatchObject({ promote: false, metric: 'macroF1', reason: `does not beat the serving model by 0.0200 (test set ${version}, macro F1: challenger 0.8000, champion 0.8400)` });
  });

  test('equal within the margin is not promoted; exactly the margin is', () => {
    expect(decidePromotion({ ...base, champion, scores: { challenger: score(0.91, 0.9), champion: score(0.9, 0.9) } }).promote).toBe(false);
    expect(decidePromotion({ ...base, champion, scores: { challenger: score(0.92, 0.9), champion: score(0.9, 0.9) } }).promote).toBe(true);
    expect(decidePromotion({ ...base, minimumImprovement: 0, champion, scores: { challenger: score(0.9, 0.9), champion: score(0.9, 0.9) } }).promote).toBe(true);
  });

  test('the floor applies to the test accuracy, with or without a champion', () => {
    expect(decidePromotion({ ...base, scores: { challenger: score(0.45, 0.9), champion: null } }))
      .toMatchObject({ promote: false, champion: null, reason: expect.stringContaining('test accuracy 0.4500 is below the minimum accuracy 0.5000') });
    expect(decidePromotion({ ...base, scores: { challenger: score(0.5, 0.4), champion: null } }))
      .toMatchObject({ promote: true, reason: expect.stringContaining('first model') });
  });

  test.each([
    ['no challenger score', null],
    ['a score above 1', { accuracy: 1.2, macroF1: 0.5 }],
    ['a score that is a string', { accuracy: '0.9', macroF1: 0.5 }],
  ])('never promotes with %s', (_name, challenger) => {
    expect(decidePromotion({ ...base, scores: { challenger: challenger as never, champion: null } }))
      .toMatchObject({ promote: false, challengerTestSet: null, reason: 'the evaluation reported no test-set figures for the trained model' });
  });

  test('keeps the champion\'s new figures in its record only when this run scored it', () => {
    const scored = decidePromotion({ ...base, champion, scores: { challenger: score(0.8, 0.8), champion: score(0.9, 0.9) } });
    expect(scored.rescoredChampion).toEqual({ ...champion, testSet: { version, accuracy: 0.9, macroF1: 0.9, reportJsonUri: 's3://r/0.9.json' } });
    const recorded = { ...champion, testSet: { version, accuracy: 0.9, macroF1: 0.9 } };
    expect(decidePromotion({ ...base, champion: recorded, scores: { challenger: score(0.8, 0.8), champion: recorded.testSet } }).rescoredChampion).toBeNull();
  });

  test('without a test set it falls back to validation accuracy', () => {
    expect(decidePromotion({ ...base, testSet: { source: 'none' }, scores: { challenger: null, champion: null }, champion: { validationAccuracy: 0.9 } }))
      .toMatchObject({ gate: 'validation-accuracy', promote: true, challenger: null, reason: 'better than the serving model (candidate 0.9900, serving 0.9000)' });
  });
});

describe('planEvaluation', () => {
  const version = 'b'.repeat(64);
  test.each([
    ['nothing serves', undefined, { scoreChampion: false, championModelName: null, recorded: null }],
    ['the initial record', { runId: 'none', validationAccuracy: -1 }, { scoreChampion: false, championModelName: null, recorded: null }],
    ['a champion never scored', { modelName: 'm-1' }, { scoreChampion: true, championModelName: 'm-1', recorded: null }],
    ['a champion scored on another version', { modelName: 'm-1', testSet: { version: 'c'.repeat(64), accuracy: 0.9, macroF1: 0.9 } },
      { scoreChampion: true, championModelName: 'm-1', recorded: null }],
    ['a champion scored on this version', { modelName: 'm-1', testSet: { version, accuracy: 0.9, macroF1: 0.8 } },
      { scoreChampion: false, championModelName: null, recorded: { version, accuracy: 0.9, macroF1: 0.8 } }],
    ['a record whose model name is empty', { modelName: '' }, { scoreChampion: false, championModelName: null, recorded: null }],
    ['a record whose model name is not a string', { modelName: 42 }, { scoreChampion: false, championModelName: null, recorded: null }],
    ['a champion whose figures on this version are not numbers', { modelName: 'm-1', testSet: { version, accuracy: null, macroF1: 0.8 } },
      { scoreChampion: true, championModelName: 'm-1', recorded: null }],
  ])('%s', (_name, champion, plan) => {
    expect(planEvaluation(champion as never, { source: 'hold-out', version })).toEqual(plan);
  });
});

describe('summarizeEvaluation and reportLink', () => {
  const decision = (gate: GateDecision['gate'], challenger: GateDecision['challenger']): GateDecision => ({
    promote: true, gate, metric: 'macroF1', minimumImprovement: 0.02, candidateAccuracy: 0.9, championAccuracy: 0.8, challenger,
    champion: challenger ? { accuracy: 0.7, macroF1: 0.6 } : null, challengerTestSet: null, rescoredChampion: null, reason: 'r',
  });
  const score = { accuracy: 0.91, macroF1: 0.9, reportJsonUri: 's3://b/r.json', reportHtmlUri: 's3://b/r.html' };

  test('a test-set decision is summarized with the challenger\'s reports; the link names the HTML report', () => {
    const summary = summarizeEvaluation(decision('test-set', { accuracy: 0.91, macroF1: 0.9 }), score, 'v1');
    expect(summary).toEqual({
      reportJsonUri: 's3://b/r.json', reportHtmlUri: 's3://b/r.html', testSetVersion: 'v1',
      challenger: { accuracy: 0.91, macroF1: 0.9 }, champion: { accuracy: 0.7, macroF1: 0.6 }, metric: 'macroF1', margin: 0.02,
    });
    expect(reportLink(summary)).toBe(' Evaluation report: s3://b/r.html');
  });

  test('a challenger score without report locations gives null locations and no link', () => {
    const summary = summarizeEvaluation(decision('test-set', { accuracy: 0.91, macroF1: 0.9 }), { accuracy: 0.91, macroF1: 0.9 }, 'v1');
    expect(summary).toMatchObject({ reportJsonUri: null, reportHtmlUri: null });
    expect(reportLink(summary)).toBe('');
  });

  test('no summary for the validation-accuracy gate, nor for a test-set decision without challenger figures', () => {
    expect(summarizeEvaluation(decision('validation-accuracy', null), score, 'v1')).toBeNull();
    expect(summarizeEvaluation(decision('validation-accuracy', { accuracy: 0.91, macroF1: 0.9 }), score, 'v1')).toBeNull();
    expect(summarizeEvaluation(decision('test-set', null), score, 'v1')).toBeNull();
    expect(reportLink(null)).toBe('');
  });
});

describe('supersededVersions', () => {
  const config = (name: string, created: number) => ({ EndpointConfigName: name, CreationTime: created });

  test('keeps the newest versions and never touches other endpoints, static configs or the current one', () => {
    const configs = [
      config('flowers-20260101-000000-00000001', 1),
      config('flowers-20260102-000000-00000002', 2),
      config('flowers-v2-20260103-000000-00000003', 3),
      config('flowers-static-0123abcd', 4),
      config('flowers-20260104-000000-00000004', 5),
      config('flowers-20260105-000000-00000005', 6),
    ];
    expect(supersededVersions({ configs, resourceNamePrefix: 'flowers', keep: 2, current: 'flowers-20260105-000000-00000005' }))
      .toEqual(['flowers-20260102-000000-00000002', 'flowers-20260101-000000-00000001']);
  });

  test('accepts ISO creation times and never returns the current config even if it is old', () => {
    const configs = [config('p-20260101-000000-00000001', '2026-01-01T00:00:00Z' as never), config('p-20260102-000000-00000002', '2026-01-02T00:00:00Z' as never)];
    expect(supersededVersions({ configs, resourceNamePrefix: 'p', keep: 1, current: 'p-20260101-000000-00000001' })).toEqual([]);
  });
});
