/**
 * Binary mode at the module level: a model trained with `binaryMode: true` answers with one probability p (of the
 * second label in the algorithm's order); the function answers for both labels, the first with 1 - p, and predicts
 * the second label only when p > 0.5. Generated sweeps over p (with exactly 0, 0.5, 1 and the floats next to 0.5),
 * the label names, the answer's form and topK.
 */
import * as fc from 'fast-check';
import { BINARY_THRESHOLD, parseEndpointResponse } from '../../lambda/inference/invoke-endpoint';
import { topPredictions } from '../../lambda/inference/response';

const encode = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const malformed = (message: RegExp) => expect.objectContaining({ status: 502, code: 'MALFORMED_ENDPOINT_RESPONSE', message: expect.stringMatching(message) });

/** The float just below and just above 0.5. */
const BELOW_HALF = 0.5 - Number.EPSILON / 4;
const ABOVE_HALF = 0.5 + Number.EPSILON / 2;
const probability = fc.oneof(
  fc.constantFrom(0, 1, 0.5, BELOW_HALF, ABOVE_HALF, Number.MIN_VALUE, 1 - Number.EPSILON / 2),
  fc.double({ min: 0, max: 1, noNaN: true }),
);
const twoLabels = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 2 });
/** The container's own predicted_label is not trusted: any of the two, or absent. */
const containerPrediction = (labels: readonly string[]) => fc.constantFrom<string | undefined>(labels[0], labels[1], undefined);

describe('binary-mode answers', () => {
  test('answer for both labels in the algorithm\'s order: first 1 - p, second p; the second predicted only when p > 0.5', () => {
    fc.assert(fc.property(probability, twoLabels, fc.boolean(), fc.integer({ min: 1, max: 1000 }), (p, labels, scalar, topK) => {
      const answer = { probabilities: scalar ? p : [p], labels, predicted_label: labels[0] };
      const prediction = parseEndpointResponse(encode(answer), true);
      expect(prediction.labels).toEqual(labels);
      expect(prediction.probabilities).toEqual([1 - p, p]);
      expect(prediction.predictedLabel).toBe(p > BINARY_THRESHOLD ? labels[1] : labels[0]);

      const predictions = topPredictions(prediction, topK);
      expect(predictions).toHaveLength(Math.min(topK, 2));
      // the top prediction is the predicted label, also at exactly 0.5 (a tie keeps the algorithm's order)
      expect(predictions[0].label).toBe(prediction.predictedLabel);
      for (const { probability: q } of predictions) expect(q >= 0 && q <= 1).toBe(true);
      if (predictions.length === 2) {
        expect(predictions[0].probability).toBeGreaterThanOrEqual(predictions[1].probability);
        expect(new Set(predictions.map((entry) => entry.label))).toEqual(new Set(labels));
        expect(predictions[0].probability + predictions[1].probability).toBeCloseTo(1, 12);
      }
    }), { numRuns: 500 });
  });

  test('the container\'s predicted_label does not change the answer', () => {
    fc.assert(fc.property(probability, twoLabels.chain((labels) => fc.tuple(fc.constant(labels), containerPrediction(labels))), (p, [labels, said]) => {
      const reference = parseEndpointResponse(encode({ probabilities: [p], labels }), true);
      expect(parseEndpointResponse(encode({ probabilities: [p], labels, predicted_label: said }), true)).toEqual(reference);
    }), { numRuns: 200 });
  });

  test.each([
    [0, 'first', [1, 0]],
    [1, 'second', [0, 1]],
    [0.5, 'first', [0.5, 0.5]],
    [0.75, 'second', [0.25, 0.75]],
  ])('p = %s: %s label predicted, probabilities %j', (p, which, probabilities) => {
    const prediction = parseEndpointResponse(encode({ probabilities: [p], labels: ['cat', 'dog'], predicted_label: 'cat' }), true);
    expect(prediction).toEqual({ labels: ['cat', 'dog'], probabilities, predictedLabel: which === 'first' ? 'cat' : 'dog' });
  });

  test('a two-probability answer in binary mode is read as it is', () => {
    const body = encode({ probabilities: [0.3, 0.7], labels: ['cat', 'dog'], predicted_label: 'dog' });
    expect(parseEndpointResponse(body, true)).toEqual({ probabilities: [0.3, 0.7], labels: ['cat', 'dog'], predictedLabel: 'dog' });
  });

  test('a probability that is not a number in [0, 1] is a 502, for generated values', () => {
    const notAProbability = fc.oneof(
      fc.double({ noNaN: true }).filter((x) => !(x >= 0 && x <= 1)),
      fc.string(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.integer()),
    );
    fc.assert(fc.property(notAProbability, fc.boolean(), (value, scalar) => {
      const body = encode({ probabilities: scalar ? value : [value], labels: ['cat', 'dog'], predicted_label: 'cat' });
      expect(() => parseEndpointResponse(body, true)).toThrow(malformed(/probabilit/));
    }), { numRuns: 300 });
  });

  test.each([
    ['NaN (as Python\'s json writes it)', '{"probabilities": [NaN], "labels": ["cat", "dog"], "predicted_label": "cat"}', /not JSON/],
    ['Infinity (1e999)', '{"probabilities": [1e999], "labels": ["cat", "dog"], "predicted_label": "cat"}', /not a number in \[0, 1\]/],
    ['-0.0001', { probabilities: [-0.0001], labels: ['cat', 'dog'] }, /not a number in \[0, 1\]/],
    ['1.0000001', { probabilities: 1.0000001, labels: ['cat', 'dog'] }, /not a number in \[0, 1\]/],
    ['"0.5"', { probabilities: ['0.5'], labels: ['cat', 'dog'] }, /not a number in \[0, 1\]/],
    ['no labels (the non-verbose answer)', { probabilities: [0.5] }, /two class names/],
    ['one label', { probabilities: [0.5], labels: ['cat'] }, /two class names/],
    ['three labels', { probabilities: [0.5], labels: ['cat', 'dog', 'cow'] }, /two class names/],
    ['a numeric label', { probabilities: [0.5], labels: ['cat', 2] }, /two class names/],
    ['the same label twice', { probabilities: [0.5], labels: ['cat', 'cat'] }, /same "cat" twice/],
    ['an empty probabilities array', { probabilities: [], labels: ['cat', 'dog'] }, /non-empty array/],
    ['a bare number', '0.5', /not a JSON object/],
  ])('rejects %s as 502 MALFORMED_ENDPOINT_RESPONSE', (_name, body, message) => {
    expect(() => parseEndpointResponse(encode(body), true)).toThrow(malformed(message));
  });

  test('outside binary mode, one probability for two labels is a 502 that names the setting to fix', () => {
    fc.assert(fc.property(probability, twoLabels, (p, labels) => {
      expect(() => parseEndpointResponse(encode({ probabilities: [p], labels, predicted_label: labels[0] })))
        .toThrow(malformed(/2 labels for 1 probabilities \(a model trained with binaryMode: true answers so; give the inference function binaryMode: true\)/));
    }), { numRuns: 50 });
  });
});
