/**
 * The promotion gate with a test set (lambda/pipeline/promotion-gate.ts): which runs count as having one, both
 * thresholds at exactly their value and within the tie tolerance, the figures it trusts, and when the champion's
 * record is rewritten with this run's scores. Kept apart from the validation-gate tests.
 */
import { decidePromotion, GateInput, hasTestSet } from '../../lambda/pipeline/promotion-gate';

const VERSION = 'v1';
const gate = (overrides: Partial<GateInput>) => decidePromotion({
  metricName: 'val_accuracy',
  finalMetrics: [{ MetricName: 'val_accuracy', Value: 0.7 }],
  minimumAccuracy: 0.5,
  minimumImprovement: 0.1,
  testSet: { source: 'test-folder', version: VERSION },
  scores: { challenger: { accuracy: 0.8, macroF1: 0.75, reportJsonUri: 's3://r/challenger.json' }, champion: null },
  ...overrides,
});

test.each([
  ['test-folder', true], ['hold-out', true], ['none', false], ['', false], ['Test-Folder', false],
])('a run whose test set source is %p has a test set: %p', (source, expected) => {
  expect(hasTestSet({ source })).toBe(expected);
  expect(gate({ testSet: { source, version: VERSION } }).gate).toBe(expected ? 'test-set' : 'validation-accuracy');
});

test('with no champion the reason says so, and the challenger\'s figures carry the report only when there is one', () => {
  const first = gate({});
  expect(first).toMatchObject({ promote: true, gate: 'test-set', champion: null, rescoredChampion: null });
  expect(first.reason).toBe('first model (test set v1, accuracy: challenger 0.8000, champion none)');
  expect(first.challengerTestSet).toEqual({ version: VERSION, accuracy: 0.8, macroF1: 0.75, reportJsonUri: 's3://r/challenger.json' });
  const noReport = gate({ scores: { challenger: { accuracy: 0.8, macroF1: 0.75 }, champion: null } });
  expect(noReport.challengerTestSet).toEqual({ version: VERSION, accuracy: 0.8, macroF1: 0.75 });
  expect(Object.keys(noReport.challengerTestSet!)).not.toContain('reportJsonUri');
});

test('a challenger exactly at the minimum accuracy, or within the tie tolerance below it, is promoted; just below is not', () => {
  const at = (accuracy: number) => gate({ scores: { challenger: { accuracy, macroF1: 0.5 }, champion: null } });
  expect(at(0.5).promote).toBe(true);
  expect(at(0.5 - 1e-9).promote).toBe(true);
  expect(at(0.4999).promote).toBe(false);
});

test('beating the champion by exactly the margin, or within the tie tolerance of it, promotes; less does not', () => {
  const against = (accuracy: number) => gate({
    scores: { challenger: { accuracy, macroF1: 0.5 }, champion: { accuracy: 0.6, macroF1: 0.5 } },
  });
  expect(against(0.7).promote).toBe(true);
  expect(against(0.6 + 0.1 - 1e-9).promote).toBe(true);
  expect(against(0.6999).promote).toBe(false);
  expect(against(0.6999).reason).toBe('does not beat the serving model by 0.1000 (test set v1, accuracy: challenger 0.6999, champion 0.6000)');
});

test.each([
  ['0 and 1 are figures', { accuracy: 0, macroF1: 1 }, true],
  ['1 and 0 are figures', { accuracy: 1, macroF1: 0 }, true],
  ['a negative accuracy is not', { accuracy: -0.01, macroF1: 0.5 }, false],
  ['a negative macro F1 is not', { accuracy: 0.5, macroF1: -0.01 }, false],
  ['above 1 is not', { accuracy: 1.01, macroF1: 0.5 }, false],
])('champion scores: %s', (_name, score, trusted) => {
  const decision = gate({ minimumImprovement: 0, scores: { challenger: { accuracy: 1, macroF1: 1 }, champion: score } });
  expect(decision.champion).toEqual(trusted ? { accuracy: score.accuracy, macroF1: score.macroF1 } : null);
});

test('the champion record is rewritten with this run\'s scores only when it held none for this test set version', () => {
  const scores = { challenger: { accuracy: 0.65, macroF1: 0.6 }, champion: { accuracy: 0.6, macroF1: 0.55, reportJsonUri: 's3://r/champion.json' } };
  const champion = (version: string) => ({ runId: 'r0', validationAccuracy: 0.9, testSet: { version, accuracy: 0.6, macroF1: 0.55 } });
  expect(gate({ scores, champion: champion(VERSION) }).rescoredChampion).toBeNull();
  expect(gate({ scores, champion: champion('v0') }).rescoredChampion).toEqual({
    runId: 'r0', validationAccuracy: 0.9, testSet: { version: VERSION, accuracy: 0.6, macroF1: 0.55, reportJsonUri: 's3://r/champion.json' },
  });
  expect(gate({ scores, champion: { runId: 'r0', validationAccuracy: 0.9 } }).rescoredChampion?.testSet?.version).toBe(VERSION);
});
