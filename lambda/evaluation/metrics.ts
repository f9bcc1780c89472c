/**
 * The figures of one evaluation, from (true label, predicted label) pairs: accuracy, macro F1, per-class precision,
 * recall, F1 and support, and the confusion matrix. Pure. The definitions (scikit-learn's defaults, including what an
 * undefined ratio becomes) are written out in lambda/shared/evaluation-report.ts.
 */
import type { ClassMetrics } from '../shared/evaluation-report';

export interface LabelPair {
  readonly trueLabel: string;
  readonly predictedLabel: string;
}

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly macroF1: number;
  /** in `classes` order */
  readonly perClass: readonly ClassMetrics[];
  /** confusionMatrix[t][p]: pairs whose true label is classes[t] and predicted label classes[p] */
  readonly confusionMatrix: readonly (readonly number[])[];
}

/**
 * Computes the figures over `classes` (the matrix's order). Every label of `pairs` must be one of `classes`, which
 * must not repeat; there must be at least one pair. Violations are programming errors and throw.
 */
export function classificationMetrics(pairs: readonly LabelPair[], classes: readonly string[]): ClassificationMetrics {
  const index = new Map(classes.map((label, i) => [label, i]));
  if (index.size !== classes.length) throw new Error(`the class list repeats a name: ${JSON.stringify(classes)}`);
  if (pairs.length === 0) throw new Error('no scored image: the figures are undefined');
  const matrix = classes.map(() => new Array<number>(classes.length).fill(0));
  for (const { trueLabel, predictedLabel } of pairs) {
    const t = index.get(trueLabel);
    const p = index.get(predictedLabel);
    if (t === undefined || p === undefined) {
      throw new Error(`label ${JSON.stringify(t === undefined ? trueLabel : predictedLabel)} is not one of the classes ${JSON.stringify(classes)}`);
    }
    matrix[t][p] += 1;
  }

  let correct = 0;
  const perClass = classes.map((label, c): ClassMetrics => {
    const truePositives = matrix[c][c];
    const support = sum(matrix[c]);
    const predicted = sum(matrix.map((row) => row[c]));
    correct += truePositives;
    const falsePositives = predicted - truePositives;
    const falseNegatives = support - truePositives;
    return {
      label,
      precision: ratio(truePositives, predicted),
      recall: ratio(truePositives, support),
      f1: ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives),
      support,
    };
  });
  // F1 is defined exactly for the classes present in the test set or in the predictions: scikit-learn's label set.
  const present = perClass.filter((entry) => entry.f1 !== null).map((entry) => entry.f1 as number);
  return {
    accuracy: correct / pairs.length,
    macroF1: sum(present) / present.length,
    perClass,
    confusionMatrix: matrix,
  };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
