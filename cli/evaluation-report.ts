/**
 * The evaluation report JSON the pipeline's evaluation phase writes to S3 (schema version 1), as `report` reads it.
 * The shape is agreed with the evaluation phase; this module checks what it relies on, so a report of another
 * version is named as such instead of printing nonsense.
 * NOTE: the writer's type is to live in lambda/shared/evaluation-report.ts; until it does, this is the agreed shape.
 */
import { CliError } from './errors';

export interface EvaluationReport {
  readonly schemaVersion: 1;
  readonly runId: string;
  readonly modelName: string;
  readonly role: 'challenger' | 'champion';
  readonly testSet: { readonly version: string; readonly source: 'test-folder' | 'hold-out'; readonly imageCount: number };
  readonly classes: readonly string[];
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perClass: ReadonlyArray<{ readonly label: string; readonly precision: number; readonly recall: number; readonly f1: number; readonly support: number }>;
  /** [true class][predicted class], in the order of `classes` */
  readonly confusionMatrix: ReadonlyArray<readonly number[]>;
  readonly misclassified: ReadonlyArray<{ readonly key: string; readonly trueLabel: string; readonly predictedLabel: string; readonly probability: number }>;
  readonly failures: ReadonlyArray<{ readonly key: string; readonly reason: string }>;
}

/** Parses and checks a report; a CliError naming every problem when it is not a version 1 report. */
export function readEvaluationReport(text: string, uri: string): EvaluationReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError('dataset', `The evaluation report ${uri} is not JSON.`);
  }
  const problems = reportProblems(value);
  if (problems.length > 0) {
    throw new CliError('dataset', `The evaluation report ${uri} is not a version 1 report this command line can read: ${problems.join('; ')}.`);
  }
  return value as EvaluationReport;
}

function reportProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['it is not a JSON object'];
  const report = value as Record<string, unknown>;
  if (report.schemaVersion !== 1) return [`schemaVersion is ${JSON.stringify(report.schemaVersion)}, not 1`];
  const problems: string[] = [];
  const fraction = (name: string) => {
    const number = report[name];
    if (typeof number !== 'number' || !(number >= 0 && number <= 1)) problems.push(`${name} must be a number in [0, 1]`);
  };
  fraction('accuracy');
  fraction('macroF1');
  for (const name of ['runId', 'modelName', 'role']) if (typeof report[name] !== 'string') problems.push(`${name} must be text`);
  const testSet = report.testSet as Record<string, unknown> | undefined;
  if (typeof testSet !== 'object' || testSet === null || typeof testSet.imageCount !== 'number') problems.push('testSet must hold imageCount');
  const classes = report.classes;
  if (!Array.isArray(classes) || !classes.every((label) => typeof label === 'string')) {
    problems.push('classes must be a list of labels');
    return problems;
  }
  const matrix = report.confusionMatrix;
  const square = Array.isArray(matrix) && matrix.length === classes.length
    && matrix.every((row) => Array.isArray(row) && row.length === classes.length && row.every((n) => Number.isInteger(n) && n >= 0));
  if (!square) problems.push(`confusionMatrix must be ${classes.length} rows of ${classes.length} counts, one per class`);
  const perClass = report.perClass;
  if (!Array.isArray(perClass) || !perClass.every((c) => typeof c?.label === 'string'
    && ['precision', 'recall', 'f1', 'support'].every((field) => typeof c[field] === 'number'))) {
    problems.push('perClass must list label, precision, recall, f1 and support per class');
  }
  for (const name of ['misclassified', 'failures']) if (!Array.isArray(report[name])) problems.push(`${name} must be a list`);
  return problems;
}
