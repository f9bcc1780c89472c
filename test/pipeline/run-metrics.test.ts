import { Metrics } from '@aws-lambda-powertools/metrics';
import * as fc from 'fast-check';
import { handler } from '../../lambda/pipeline/index';
import { publishRunMetrics, RunFigures } from '../../lambda/pipeline/run-metrics';
import { createLogger } from '../../lambda/shared/log';
import { RUN_METRICS_NAMESPACE, ScoredOn } from '../../lambda/shared/run-metrics-contract';
import { EmittedMetric, emfProblems, emittedMetrics, stdoutOf } from '../support/cloudwatch-metrics';

/**
 * The gate step's CloudWatch metrics, read back from what it writes on stdout (the embedded metric format lines
 * CloudWatch Logs extracts metrics from) and checked against the EMF specification's rules.
 */

const ACCURACY = 'tflow-ic:val-accuracy';
const evaluate = (overrides: Record<string, unknown> = {}) => handler({
  action: 'evaluate',
  metricName: ACCURACY,
  endpointName: 'flowers-endpoint',
  minimumAccuracy: 0.5,
  minimumImprovement: 0,
  champion: JSON.stringify({ runId: 'earlier', validationAccuracy: 0.8 }),
  training: {
    TrainingJobName: 'flowers-20261130-000000-abcdef01-0',
    FinalMetricDataList: [{ MetricName: ACCURACY, Value: 0.9 }],
    TrainingTimeInSeconds: 1260,
    BillableTimeInSeconds: 410,
  },
  ...overrides,
} as never);

const byName = (metrics: EmittedMetric[]) => Object.fromEntries(metrics.map((m) => [m.name, m]));
const metricLines = (lines: string[]) => lines.filter((line) => line.includes('"_aws"'));

describe('the gate step publishes the run as CloudWatch metrics', () => {
  test('scores with Endpoint and ScoredOn, the promotion and training times with Endpoint, in valid EMF', async () => {
    const { lines, result } = await stdoutOf(() => evaluate());
    expect(result).toMatchObject({ promote: true, candidateAccuracy: 0.9, championAccuracy: 0.8 });
    expect(metricLines(lines)).toHaveLength(2);
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const metrics = byName(emittedMetrics(lines));
    const scores = { Endpoint: 'flowers-endpoint', ScoredOn: 'Validation' };
    const run = { Endpoint: 'flowers-endpoint' };
    expect(metrics).toEqual({
      ChallengerAccuracy: { namespace: RUN_METRICS_NAMESPACE, name: 'ChallengerAccuracy', dimensions: scores, value: 0.9, unit: 'None' },
      ChampionAccuracy: { namespace: RUN_METRICS_NAMESPACE, name: 'ChampionAccuracy', dimensions: scores, value: 0.8, unit: 'None' },
      Promoted: { namespace: RUN_METRICS_NAMESPACE, name: 'Promoted', dimensions: run, value: 1, unit: 'Count' },
      TrainingSeconds: { namespace: RUN_METRICS_NAMESPACE, name: 'TrainingSeconds', dimensions: run, value: 1260, unit: 'Seconds' },
      BillableTrainingSeconds: { namespace: RUN_METRICS_NAMESPACE, name: 'BillableTrainingSeconds', dimensions: run, value: 410, unit: 'Seconds' },
    });
    // The job name rides along for log searches; Powertools' default `service` dimension is gone.
    expect(metricLines(lines).map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ trainingJobName: 'flowers-20261130-000000-abcdef01-0' }),
      expect.objectContaining({ trainingJobName: 'flowers-20261130-000000-abcdef01-0' }),
    ]);
    expect(lines.join('\n')).not.toContain('"service"');
  });

  test('a model that is not promoted publishes Promoted 0', async () => {
    const { lines, result } = await stdoutOf(() => evaluate({ champion: JSON.stringify({ runId: 'earlier', validationAccuracy: 0.95 }) }));
    expect(result).toMatchObject({ promote: false });
    expect(byName(emittedMetrics(lines)).Promoted.value).toBe(0);
  });

  test('figures that do not exist are left out: no champion yet, no accuracy reported, no training times', async () => {
    const first = await stdoutOf(() => evaluate({ champion: JSON.stringify({ runId: 'none', validationAccuracy: -1 }) }));
    expect(Object.keys(byName(emittedMetrics(first.lines))).sort()).toEqual(['BillableTrainingSeconds', 'ChallengerAccuracy', 'Promoted', 'TrainingSeconds']);
    const noMetric = await stdoutOf(() => evaluate({ training: { TrainingJobName: 'j' }, champion: JSON.stringify({ runId: 'none', validationAccuracy: -1 }) }));
    expect(noMetric.result).toMatchObject({ promote: false, candidateAccuracy: null });
    // No score line at all: a line with no metric would be an invalid EMF document.
    expect(metricLines(noMetric.lines)).toHaveLength(1);
    expect(Object.keys(byName(emittedMetrics(noMetric.lines))).sort()).toEqual(['Promoted']);
  });

  test('a run that started before the endpoint name was passed publishes nothing and says why', async () => {
    const { lines, result } = await stdoutOf(() => evaluate({ endpointName: undefined }));
    expect(result).toMatchObject({ promote: true });
    expect(metricLines(lines)).toEqual([]);
    expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ level: 'warn', event: 'run-metrics-skipped' })]);
  });

  test('every line is valid EMF and carries exactly the finite figures, whatever the figures are', async () => {
    const figure = fc.oneof(fc.double(), fc.constantFrom(null, undefined, '0.9', Number.NaN, Infinity), fc.double({ min: 0, max: 1, noNaN: true }));
    const scores = fc.record({ challengerAccuracy: figure, championAccuracy: figure, challengerMacroF1: figure, championMacroF1: figure }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(
      fc.record({
        endpointName: fc.stringMatching(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/),
        scores: fc.record({ [ScoredOn.VALIDATION]: scores, [ScoredOn.TEST_SET]: scores }, { requiredKeys: [] }),
        promoted: fc.boolean(),
        trainingSeconds: figure,
        billableTrainingSeconds: figure,
        trainingJobName: fc.constantFrom(undefined, '', 'flowers-20261130-000000-abcdef01-0', 42),
      }),
      async (figures) => {
        const { lines, result } = await stdoutOf(() => publishRunMetrics(figures as RunFigures, createLogger('test')));
        for (const line of lines) expect(emfProblems(line)).toEqual([]);
        // Every line is a metric line (no warning), and the count returned is theirs.
        expect(metricLines(lines)).toEqual(lines);
        expect(result).toBe(lines.length);
        // The job name rides along on each line only when it is a name.
        const named = typeof figures.trainingJobName === 'string' && figures.trainingJobName !== '';
        expect(lines.map((line) => JSON.parse(line).trainingJobName)).toEqual(lines.map(() => (named ? figures.trainingJobName : undefined)));
        const expected = [
          ...Object.entries(figures.scores).flatMap(([scoredOn, set]) => Object.entries(set as Record<string, unknown>)
            .filter(([, value]) => typeof value === 'number' && Number.isFinite(value))
            .map(([key, value]) => `${key[0].toUpperCase()}${key.slice(1)} ${scoredOn} ${value}`)),
          `Promoted - ${figures.promoted ? 1 : 0}`,
          ...(['trainingSeconds', 'billableTrainingSeconds'] as const).filter((key) => typeof figures[key] === 'number' && Number.isFinite(figures[key]))
            .map((key) => `${key[0].toUpperCase()}${key.slice(1)} - ${figures[key]}`),
        ];
        const emitted = emittedMetrics(lines).map((m) => `${m.name} ${m.dimensions.ScoredOn ?? '-'} ${m.value}`);
        expect(emitted.sort()).toEqual(expected.sort());
        expect(emittedMetrics(lines).every((m) => m.dimensions.Endpoint === figures.endpointName)).toBe(true);
      },
    ), { numRuns: 150 });
  });
});

test.each([['undefined', undefined], ['empty', ''], ['not a string', 42]])('an endpoint name that is %s: nothing published, 0 returned, the reason logged', async (_name, endpointName) => {
  const figures = { endpointName, scores: { [ScoredOn.VALIDATION]: { challengerAccuracy: 0.9 } }, promoted: true, trainingSeconds: 60 };
  const { lines, result } = await stdoutOf(() => publishRunMetrics(figures as RunFigures, createLogger('test')));
  expect(result).toBe(0);
  expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({
    level: 'warn', event: 'run-metrics-skipped', reason: 'no endpoint name was given (a run started before the pipeline passed it)',
  })]);
});

describe('publishing the metrics never fails the step', () => {
  test('stdout refusing every write: the step still returns its decision', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => {
      throw new Error('EPIPE: stdout is closed');
    });
    try {
      await expect(evaluate()).resolves.toMatchObject({ promote: true, candidateAccuracy: 0.9 });
      await expect(evaluate({ endpointName: undefined })).resolves.toMatchObject({ promote: true });
    } finally {
      write.mockRestore();
    }
  });

  test('Powertools throwing while publishing: the step returns its decision and logs a warning naming the error', async () => {
    const publish = jest.spyOn(Metrics.prototype, 'publishStoredMetrics').mockImplementation(() => {
      throw new RangeError('The number of metrics recorded must be higher than zero');
    });
    try {
      const { lines, result } = await stdoutOf(() => evaluate());
      expect(result).toMatchObject({ promote: true, candidateAccuracy: 0.9 });
      expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({
        level: 'warn', event: 'run-metrics-not-published', endpointName: 'flowers-endpoint',
        error: expect.objectContaining({ name: 'RangeError', message: 'The number of metrics recorded must be higher than zero' }),
      })]);
    } finally {
      publish.mockRestore();
    }
  });
});
