/**
 * The evaluation report's parser (lambda/shared/evaluation-report.ts): every report the evaluation function writes
 * reads back unchanged, and each kind of damage is named, all problems in one message.
 */
import * as fc from 'fast-check';
import { classificationMetrics } from '../../lambda/evaluation/metrics';
import { EvaluationReport, InvalidEvaluationReport, parseEvaluationReport } from '../../lambda/shared/evaluation-report';

const generatedReport = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 }).chain((classes) => fc.record({
  classes: fc.constant(classes),
  pairs: fc.array(fc.record({ trueLabel: fc.constantFrom(...classes), predictedLabel: fc.constantFrom(...classes) }), { minLength: 1, maxLength: 50 }),
  role: fc.constantFrom('challenger' as const, 'champion' as const),
  source: fc.constantFrom('test-folder' as const, 'hold-out' as const),
})).map(({ classes, pairs, role, source }): EvaluationReport => ({
  schemaVersion: 1,
  runId: '20260101-000000-abcdef01',
  modelName: 'm-20260101-000000-abcdef01',
  role,
  testSet: { version: 'f'.repeat(64), source, imageCount: pairs.length + 1 },
  classes,
  ...classificationMetrics(pairs, classes),
  misclassified: pairs.filter((p) => p.trueLabel !== p.predictedLabel).map((p, i) => ({ key: `k${i}`, ...p, probability: 0.5 })),
  failures: [{ key: 'lost.jpg', reason: 'no answer' }],
}));

const valid = (): EvaluationReport => fc.sample(generatedReport, { numRuns: 1, seed: 42 })[0];

test('every generated report reads back unchanged, from text or from a value', () => {
  fc.assert(fc.property(generatedReport, (report) => {
    expect(parseEvaluationReport(JSON.stringify(report))).toEqual(report);
    expect(parseEvaluationReport(report)).toBe(report);
  }));
});

test.each<[string, (r: Record<string, any>) => void, string]>([
  ['another schema version', (r) => { r.schemaVersion = 2; }, 'schemaVersion must be 1, got 2'],
  ['an unknown role', (r) => { r.role = 'referee'; }, 'role must be one of challenger, champion, got "referee"'],
  ['a short version', (r) => { r.testSet.version = 'abc'; }, 'testSet.version must be a hex SHA-256'],
  ['an accuracy above 1', (r) => { r.accuracy = 1.5; }, 'accuracy must be a number in [0, 1], got 1.5'],
  ['a repeated class', (r) => { r.classes = [r.classes[0], r.classes[0]]; }, 'classes must not repeat a name'],
  ['a matrix of the wrong size', (r) => { r.confusionMatrix = [[1]].concat(r.confusionMatrix); }, 'confusionMatrix must be a'],
  ['per-class entries out of order', (r) => { r.perClass = [...r.perClass].reverse(); r.perClass[0].label = 'zzz-not-a-class'; }, 'perClass[0].label must be'],
  ['a support that disagrees with the matrix', (r) => { r.perClass[0].support += 1; }, 'must equal the sum of confusionMatrix row 0'],
  ['a misclassified image without key', (r) => { r.misclassified = [{ trueLabel: 'a', predictedLabel: 'b', probability: 0.5 }]; }, 'misclassified[0].key must be a non-empty string'],
  ['failures that are not a list', (r) => { r.failures = 'none'; }, 'failures must be an array'],
])('names %s', (_name, damage, message) => {
  const report = JSON.parse(JSON.stringify(valid()));
  damage(report);
  expect(() => parseEvaluationReport(report, 's3://b/r.json')).toThrow(InvalidEvaluationReport);
  expect(() => parseEvaluationReport(report, 's3://b/r.json')).toThrow(expect.objectContaining({ message: expect.stringContaining(message) }));
  expect(() => parseEvaluationReport(report)).toThrow(/^the evaluation report \(given\) is not valid: /);
});

test('lists every problem at once', () => {
  const report = JSON.parse(JSON.stringify(valid()));
  Object.assign(report, { schemaVersion: 0, runId: '', accuracy: -1, macroF1: 'high' });
  const error = (() => { try { parseEvaluationReport(report); } catch (e) { return e as InvalidEvaluationReport; } return undefined; })();
  expect(error?.problems).toHaveLength(4);
});

test.each([['not JSON', '{'], ['an array', '[]'], ['null', 'null']])('refuses %s', (_name, text) => {
  expect(() => parseEvaluationReport(text, 'x')).toThrow(/the evaluation report x is not valid: it is not (JSON|a JSON object)/);
});
