/**
 * The promotion gate (lambda/pipeline/promotion-gate.ts), branch by branch: the reason of each decision, the champion
 * figures it trusts, and both thresholds at exactly their value ("at least"). Kept apart from pipeline-steps.test.ts.
 */
import { decidePromotion, GateInput } from '../../lambda/pipeline/promotion-gate';

/** What a validation-accuracy decision says besides its verdict: which gate, on what, and no test-set figures. */
const VALIDATION_GATE = {
  gate: 'validation-accuracy', metric: 'val_accuracy', minimumImprovement: 0.25,
  challenger: null, challengerTestSet: null, champion: null, rescoredChampion: null,
};

const gate = (overrides: Partial<GateInput> & { accuracy?: number | null }) => {
  const { accuracy = 0.9, ...rest } = overrides;
  return decidePromotion({
    metricName: 'val_accuracy',
    finalMetrics: accuracy === null ? [] : [{ MetricName: 'other', Value: 0.1 }, { MetricName: 'val_accuracy', Value: accuracy }],
    minimumAccuracy: 0.5,
    minimumImprovement: 0.25,
    ...rest,
  });
};

test('no champion: the first model, with the figures', () => {
  expect(gate({})).toEqual({ ...VALIDATION_GATE, promote: true, candidateAccuracy: 0.9, championAccuracy: null, reason: 'first model (candidate 0.9000, serving none)' });
});

test.each([
  ['negative', -0.5], ['a string', '0.8'], ['NaN-free but missing', undefined],
])('a champion accuracy that is %s is not trusted: the candidate is judged as a first model', (_name, validationAccuracy) => {
  expect(gate({ champion: { runId: 'r1', validationAccuracy: validationAccuracy as number } })).toMatchObject({
    promote: true, championAccuracy: null, reason: 'first model (candidate 0.9000, serving none)',
  });
});

test('a champion accuracy of exactly 0 is a champion', () => {
  expect(gate({ champion: { validationAccuracy: 0 } })).toEqual({
    ...VALIDATION_GATE, promote: true, candidateAccuracy: 0.9, championAccuracy: 0, reason: 'better than the serving model (candidate 0.9000, serving 0.0000)',
  });
});

test('beating the champion by exactly the minimum improvement promotes; less does not, saying by how much it had to', () => {
  expect(gate({ accuracy: 0.75, champion: { validationAccuracy: 0.5 } })).toMatchObject({ promote: true, reason: 'better than the serving model (candidate 0.7500, serving 0.5000)' });
  expect(gate({ accuracy: 0.7499, champion: { validationAccuracy: 0.5 } })).toEqual({
    ...VALIDATION_GATE, promote: false, candidateAccuracy: 0.7499, championAccuracy: 0.5, reason: 'does not beat the serving model by 0.2500 (candidate 0.7499, serving 0.5000)',
  });
});

test('the minimum accuracy is "at least", and is checked before the champion', () => {
  expect(gate({ accuracy: 0.5 })).toMatchObject({ promote: true });
  expect(gate({ accuracy: 0.4999, champion: { validationAccuracy: 0.1 } })).toEqual({
    ...VALIDATION_GATE, promote: false, candidateAccuracy: 0.4999, championAccuracy: 0.1, reason: 'below the minimum accuracy 0.5000 (candidate 0.4999, serving 0.1000)',
  });
});

test.each([
  ['no metrics at all', { finalMetrics: undefined }],
  ['only other metrics', { accuracy: null }],
  ['NaN', { accuracy: NaN }],
  ['Infinity', { accuracy: Infinity }],
  ['a string', { finalMetrics: [{ MetricName: 'val_accuracy', Value: '0.9' as unknown as number }] }],
])('%s: never promoted, whatever the thresholds', (_name, overrides) => {
  expect(gate({ minimumAccuracy: 0, minimumImprovement: 0, champion: { validationAccuracy: 0.3 }, ...overrides })).toEqual({
    ...VALIDATION_GATE, minimumImprovement: 0, promote: false, candidateAccuracy: null, championAccuracy: 0.3, reason: 'training reported no val_accuracy metric',
  });
});
