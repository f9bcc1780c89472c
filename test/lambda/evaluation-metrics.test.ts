/**
 * The evaluation figures: a confusion matrix worked out by hand (with a class never predicted, a class with no test
 * images, and a class of the model in neither), binary-mode output read through the shared parser, and generated
 * properties that hold for any pairs.
 */
import * as fc from 'fast-check';
import { classificationMetrics, LabelPair } from '../../lambda/evaluation/metrics';
import { parseClassifierOutput } from '../../lambda/shared/classifier-output';

const pairs = (...rows: Array<[string, string, number]>): LabelPair[] =>
  rows.flatMap(([trueLabel, predictedLabel, count]) => Array.from({ length: count }, () => ({ trueLabel, predictedLabel })));

describe('a confusion matrix worked out by hand', () => {
  // The model knows five classes. The test set has 4 cats, 3 dogs and 2 foxes; no owl and no yak.
  //
  //                predicted:  cat  dog  fox  owl  yak   | support
  //   true cat                  3    1    0    0    0    |   4
  //   true dog                  1    2    0    0    0    |   3
  //   true fox                  0    1    0    1    0    |   2     (fox is never predicted)
  //   true owl                  0    0    0    0    0    |   0     (owl has no test image, but is predicted once)
  //   true yak                  0    0    0    0    0    |   0     (yak: no test image, never predicted)
  //   predicted (column sums)   4    4    0    1    0    |   n = 9
  //
  // accuracy = diagonal / n = (3 + 2) / 9 = 5/9
  // cat: TP 3, FP 1 (a dog), FN 1        precision 3/4, recall 3/4, F1 = 2·3/(2·3 + 1 + 1) = 6/8 = 3/4
  // dog: TP 2, FP 2 (a cat, a fox), FN 1 precision 2/4, recall 2/3, F1 = 2·2/(2·2 + 2 + 1) = 4/7
  // fox: TP 0, FP 0, FN 2                precision 0/0 = null, recall 0/2 = 0, F1 = 0/(0 + 0 + 2) = 0
  // owl: TP 0, FP 1, FN 0                precision 0/1 = 0, recall 0/0 = null, F1 = 0/(0 + 1 + 0) = 0
  // yak: TP 0, FP 0, FN 0                precision null, recall null, F1 0/0 = null
  // macro F1 over the classes in the test set or the predictions (cat, dog, fox, owl; not yak):
  //   (3/4 + 4/7 + 0 + 0) / 4 = (21/28 + 16/28) / 4 = 37/112 ≈ 0.3304
  // (scikit-learn: f1_score(y_true, y_pred, average='macro') on the same 9 pairs gives 37/112 too.)
  const classes = ['cat', 'dog', 'fox', 'owl', 'yak'];
  const scored = pairs(
    ['cat', 'cat', 3], ['cat', 'dog', 1],
    ['dog', 'cat', 1], ['dog', 'dog', 2],
    ['fox', 'dog', 1], ['fox', 'owl', 1],
  );
  const metrics = classificationMetrics(scored, classes);

  test('the matrix is [true][predicted] in class order', () => {
    expect(metrics.confusionMatrix).toEqual([
      [3, 1, 0, 0, 0],
      [1, 2, 0, 0, 0],
      [0, 1, 0, 1, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
  });

  test('accuracy is 5/9 and macro F1 is 37/112', () => {
    expect(metrics.accuracy).toBeCloseTo(5 / 9, 15);
    expect(metrics.macroF1).toBeCloseTo(37 / 112, 15);
  });

  test('per class: precision, recall, F1 and support, null where the ratio is 0/0', () => {
    expect(metrics.perClass).toEqual([
      { label: 'cat', precision: 3 / 4, recall: 3 / 4, f1: 3 / 4, support: 4 },
      { label: 'dog', precision: 2 / 4, recall: 2 / 3, f1: 4 / 7, support: 3 },
      { label: 'fox', precision: null, recall: 0, f1: 0, support: 2 },
      { label: 'owl', precision: 0, recall: null, f1: 0, support: 0 },
      { label: 'yak', precision: null, recall: null, f1: null, support: 0 },
    ]);
  });

  test('a class of the model in neither the test set nor the predictions changes no figure', () => {
    const without = classificationMetrics(scored, ['cat', 'dog', 'fox', 'owl']);
    expect(without.accuracy).toBe(metrics.accuracy);
    expect(without.macroF1).toBe(metrics.macroF1);
  });
});

describe('binary-mode output, read through the shared parser', () => {
  // A binary model answers one probability p, that of the second label ("real"); "real" is predicted when p > 0.5.
  //   image  truth  p      predicted
  //   1      fake   0.10   fake
  //   2      fake   0.50   fake   (exactly 0.5 is the first label)
  //   3      fake   0.90   real
  //   4      real   0.70   real
  //   5      real   0.51   real
  //   6      real   0.20   fake
  //   7      real   0.99   real
  //
  //              predicted: fake real | support
  //   true fake              2    1   |  3
  //   true real              1    3   |  4
  // accuracy = 5/7
  // fake: TP 2, FP 1, FN 1: precision 2/3, recall 2/3, F1 = 4/(4 + 1 + 1) = 2/3
  // real: TP 3, FP 1, FN 1: precision 3/4, recall 3/4, F1 = 6/(6 + 1 + 1) = 3/4
  // macro F1 = (2/3 + 3/4) / 2 = 17/24
  const answers: Array<[string, number]> = [['fake', 0.1], ['fake', 0.5], ['fake', 0.9], ['real', 0.7], ['real', 0.51], ['real', 0.2], ['real', 0.99]];

  test('gives the matrix and figures worked out by hand', () => {
    const scored = answers.map(([trueLabel, p]) => {
      const output = parseClassifierOutput(JSON.stringify({ probabilities: [p], labels: ['fake', 'real'], predicted_label: 'fake' }), { binaryMode: true });
      return { trueLabel, predictedLabel: output.predictedLabel };
    });
    const metrics = classificationMetrics(scored, ['fake', 'real']);
    expect(metrics.confusionMatrix).toEqual([[2, 1], [1, 3]]);
    expect(metrics.accuracy).toBeCloseTo(5 / 7, 15);
    expect(metrics.perClass.map((entry) => [entry.precision, entry.recall, entry.f1])).toEqual([[2 / 3, 2 / 3, 4 / 6], [3 / 4, 3 / 4, 6 / 8]]);
    expect(metrics.macroF1).toBeCloseTo(17 / 24, 15);
  });
});

describe('refusals', () => {
  test('no pair: the figures are undefined', () => {
    expect(() => classificationMetrics([], ['a'])).toThrow(/no scored image/);
  });
  test('a label outside the classes', () => {
    expect(() => classificationMetrics([{ trueLabel: 'a', predictedLabel: 'z' }], ['a', 'b'])).toThrow(/"z" is not one of the classes/);
  });
  test('a repeated class', () => {
    expect(() => classificationMetrics([{ trueLabel: 'a', predictedLabel: 'a' }], ['a', 'a'])).toThrow(/repeats a name/);
  });
});

/** Generated classes (1 to 6 distinct names) and 1 to 200 pairs over them. */
const scenario = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }).chain((classes) => fc.record({
  classes: fc.constant(classes),
  pairs: fc.array(fc.record({ trueLabel: fc.constantFrom(...classes), predictedLabel: fc.constantFrom(...classes) }), { minLength: 1, maxLength: 200 }),
}));

describe('properties over generated pairs', () => {
  test('the matrix sums to n, its rows to the supports, its columns to the prediction counts', () => {
    fc.assert(fc.property(scenario, ({ classes, pairs: scored }) => {
      const { confusionMatrix, perClass } = classificationMetrics(scored, classes);
      expect(confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(scored.length);
      classes.forEach((label, c) => {
        expect(confusionMatrix[c].reduce((a, b) => a + b, 0)).toBe(scored.filter((pair) => pair.trueLabel === label).length);
        expect(perClass[c].support).toBe(scored.filter((pair) => pair.trueLabel === label).length);
        expect(confusionMatrix.reduce((total, row) => total + row[c], 0)).toBe(scored.filter((pair) => pair.predictedLabel === label).length);
      });
    }));
  });

  test('accuracy is the diagonal sum / n and the share of correct pairs', () => {
    fc.assert(fc.property(scenario, ({ classes, pairs: scored }) => {
      const { accuracy, confusionMatrix } = classificationMetrics(scored, classes);
      const diagonal = confusionMatrix.reduce((total, row, i) => total + row[i], 0);
      expect(accuracy).toBe(diagonal / scored.length);
      expect(accuracy).toBe(scored.filter((pair) => pair.trueLabel === pair.predictedLabel).length / scored.length);
    }));
  });

  test('permuting the pairs changes nothing; permuting the classes permutes the matrix and the table alike', () => {
    fc.assert(fc.property(scenario.chain((s) => fc.record({
      s: fc.constant(s),
      pairOrder: fc.shuffledSubarray(s.pairs.map((_, i) => i), { minLength: s.pairs.length, maxLength: s.pairs.length }),
      classOrder: fc.shuffledSubarray(s.classes.map((_, i) => i), { minLength: s.classes.length, maxLength: s.classes.length }),
    })), ({ s, pairOrder, classOrder }) => {
      const reference = classificationMetrics(s.pairs, s.classes);
      const shuffled = classificationMetrics(pairOrder.map((i) => s.pairs[i]), s.classes);
      expect(shuffled).toEqual(reference);
      const permuted = classificationMetrics(s.pairs, classOrder.map((i) => s.classes[i]));
      expect(permuted.accuracy).toBe(reference.accuracy);
      expect(permuted.macroF1).toBeCloseTo(reference.macroF1, 12);
      classOrder.forEach((from, to) => {
        expect(permuted.perClass[to]).toEqual(reference.perClass[from]);
        classOrder.forEach((fromColumn, toColumn) => expect(permuted.confusionMatrix[to][toColumn]).toBe(reference.confusionMatrix[from][fromColumn]));
      });
    }));
  });

  test('F1 is the harmonic mean of precision and recall (undefined counted as 0), and every figure lies in [0, 1]', () => {
    fc.assert(fc.property(scenario, ({ classes, pairs: scored }) => {
      const { perClass, macroF1 } = classificationMetrics(scored, classes);
      for (const { precision, recall, f1 } of perClass) {
        for (const figure of [precision, recall, f1]) if (figure !== null) expect(figure >= 0 && figure <= 1).toBe(true);
        if (f1 === null) continue;
        const p = precision ?? 0;
        const r = recall ?? 0;
        expect(f1).toBeCloseTo(p + r === 0 ? 0 : (2 * p * r) / (p + r), 12);
      }
      expect(macroF1 >= 0 && macroF1 <= 1).toBe(true);
    }));
  });

  test('macro F1 is the mean F1 over the labels in the truth or the predictions, whatever other classes the model has', () => {
    fc.assert(fc.property(scenario, fc.uniqueArray(fc.string({ minLength: 7, maxLength: 9 }), { maxLength: 3 }), ({ classes, pairs: scored }, extra) => {
      const present = classes.filter((label) => scored.some((pair) => pair.trueLabel === label || pair.predictedLabel === label));
      const { perClass, macroF1 } = classificationMetrics(scored, classes);
      const f1s = perClass.filter((entry) => present.includes(entry.label)).map((entry) => entry.f1 as number);
      expect(macroF1).toBeCloseTo(f1s.reduce((a, b) => a + b, 0) / present.length, 12);
      expect(classificationMetrics(scored, [...classes, ...extra]).macroF1).toBe(macroF1);
    }));
  });

  test('a perfect classifier scores 1 everywhere it is defined', () => {
    fc.assert(fc.property(scenario, ({ classes, pairs: scored }) => {
      const perfect = scored.map((pair) => ({ trueLabel: pair.trueLabel, predictedLabel: pair.trueLabel }));
      const metrics = classificationMetrics(perfect, classes);
      expect(metrics.accuracy).toBe(1);
      expect(metrics.macroF1).toBe(1);
      for (const entry of metrics.perClass) expect(entry.f1).toBe(entry.support === 0 ? null : 1);
    }));
  });
});
