/**
 * The evaluation report: what scoring one model on the fixed test set found, written to S3 as JSON (beside its HTML
 * page) by the evaluation function, read back by the pipeline's gate, the champion record and the command line's
 * `report`. Pure: no AWS SDK, no CDK.
 *
 * How the figures are defined (the same as scikit-learn's defaults, `accuracy_score` and
 * `precision_recall_fscore_support(average=None | 'macro', zero_division="warn")`):
 * - n is the number of images that were scored (failures are listed apart and count in no figure);
 * - accuracy = images whose predicted label is the true label / n;
 * - per class c: precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2·TP / (2·TP + FP + FN), support = TP + FN
 *   (the test images of c). A ratio with a zero denominator is undefined and written as `null`: precision of a class
 *   never predicted, recall of a class with no test images, F1 of a class neither in the test set nor predicted;
 * - macro F1 is the unweighted mean of F1 over the classes that occur in the test set or in the predictions (the
 *   label set scikit-learn uses when none is given), with an undefined precision or recall counting as 0 (scikit-learn's
 *   zero_division result). So a class that has test images but is never predicted adds an F1 of 0 to the mean, and
 *   so does a class with no test images that is nonetheless predicted; a class of the model that has no test image and
 *   is never predicted is left out of the mean (its F1 is null).
 */

export const EVALUATION_REPORT_SCHEMA_VERSION = 1;

/** Which model of the comparison a report scores. */
export type EvaluationRole = 'challenger' | 'champion';
export const EVALUATION_ROLES: readonly EvaluationRole[] = ['challenger', 'champion'];

/** Where the test images came from: the dataset's `test/` folder, or the deterministic hold-out from `training/`. */
export type TestSetSource = 'test-folder' | 'hold-out';
export const TEST_SET_SOURCES: readonly TestSetSource[] = ['test-folder', 'hold-out'];

/** Which test set a score was taken on: scores compare only when their versions are equal. */
export interface TestSetIdentity {
  /** hex SHA-256 over the sorted test keys and their ETags */
  readonly version: string;
  readonly source: TestSetSource;
  readonly imageCount: number;
}

export interface ClassMetrics {
  readonly label: string;
  /** TP / (TP + FP); null when the class was never predicted */
  readonly precision: number | null;
  /** TP / (TP + FN); null when the class has no test image */
  readonly recall: number | null;
  /** 2·TP / (2·TP + FP + FN); null when the class is neither in the test set nor predicted */
  readonly f1: number | null;
  /** the number of test images of the class (scored ones) */
  readonly support: number;
}

export interface MisclassifiedImage {
  /** the test image's S3 key */
  readonly key: string;
  readonly trueLabel: string;
  readonly predictedLabel: string;
  /** the model's probability for its predicted label */
  readonly probability: number;
}

/** A test image with no usable answer (missing or unparsable output). */
export interface ScoringFailure {
  readonly key: string;
  readonly reason: string;
}

export interface EvaluationReport {
  readonly schemaVersion: 1;
  readonly runId: string;
  readonly modelName: string;
  readonly role: EvaluationRole;
  readonly testSet: TestSetIdentity;
  /** the algorithm's label order: the class folder names, sorted by code point */
  readonly classes: readonly string[];
  readonly accuracy: number;
  readonly macroF1: number;
  /** one entry per class, in `classes` order */
  readonly perClass: readonly ClassMetrics[];
  /** confusionMatrix[t][p]: images of class classes[t] predicted as classes[p] */
  readonly confusionMatrix: readonly (readonly number[])[];
  readonly misclassified: readonly MisclassifiedImage[];
  readonly failures: readonly ScoringFailure[];
}

/** Thrown by parseEvaluationReport; the message lists every problem found. */
export class InvalidEvaluationReport extends Error {
  public constructor(public readonly problems: readonly string[], where: string) {
    super(`the evaluation report ${where} is not valid: ${problems.join('; ')}`);
    this.name = 'InvalidEvaluationReport';
  }
}

/**
 * Validates a report read back (JSON text or an already parsed value) and returns it typed. Checks the shape and the
 * consistency of the parts: perClass and the matrix follow `classes`, support and the matrix row sums agree, the
 * figures are in [0, 1]. It does not recompute the figures.
 */
export function parseEvaluationReport(input: unknown, where = ''): EvaluationReport {
  let value = input;
  const at = where === '' ? '(given)' : where;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new InvalidEvaluationReport(['it is not JSON'], at);
    }
  }
  const problems: string[] = [];
  if (!isRecord(value)) throw new InvalidEvaluationReport(['it is not a JSON object'], at);
  const r = value;
  if (r.schemaVersion !== EVALUATION_REPORT_SCHEMA_VERSION) problems.push(`schemaVersion must be ${EVALUATION_REPORT_SCHEMA_VERSION}, got ${JSON.stringify(r.schemaVersion)}`);
  for (const field of ['runId', 'modelName'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '') problems.push(`${field} must be a non-empty string`);
  }
  if (!EVALUATION_ROLES.includes(r.role as EvaluationRole)) problems.push(`role must be one of ${EVALUATION_ROLES.join(', ')}, got ${JSON.stringify(r.role)}`);
  problems.push(...testSetProblems(r.testSet, 'testSet'));

  const classes = r.classes;
  const classList = Array.isArray(classes) && classes.every((c) => typeof c === 'string' && c !== '') ? classes as string[] : undefined;
  if (!classList || classList.length === 0) problems.push('classes must be a non-empty array of class names');
  else if (new Set(classList).size !== classList.length) problems.push('classes must not repeat a name');
  for (const field of ['accuracy', 'macroF1'] as const) {
    if (!isFraction(r[field])) problems.push(`${field} must be a number in [0, 1], got ${JSON.stringify(r[field])}`);
  }

  const matrix = r.confusionMatrix;
  const size = classList?.length;
  const matrixOk = Array.isArray(matrix) && (size === undefined || matrix.length === size)
    && matrix.every((row) => Array.isArray(row) && (size === undefined || row.length === size) && row.every(isCount));
  if (!matrixOk) problems.push(`confusionMatrix must be a ${size ?? 'n'}×${size ?? 'n'} array of counts, [true][predicted] in classes order`);

  if (!Array.isArray(r.perClass)) {
    problems.push('perClass must be an array');
  } else {
    if (size !== undefined && r.perClass.length !== size) problems.push(`perClass must have one entry per class (${size}), got ${r.perClass.length}`);
    r.perClass.forEach((entry, index) => {
      if (!isRecord(entry)) {
        problems.push(`perClass[${index}] must be an object`);
        return;
      }
      if (classList && entry.label !== classList[index]) problems.push(`perClass[${index}].label must be ${JSON.stringify(classList[index])} (classes order), got ${JSON.stringify(entry.label)}`);
      for (const field of ['precision', 'recall', 'f1'] as const) {
        if (entry[field] !== null && !isFraction(entry[field])) problems.push(`perClass[${index}].${field} must be a number in [0, 1] or null`);
      }
      if (!isCount(entry.support)) problems.push(`perClass[${index}].support must be a count`);
      else if (matrixOk && (matrix as number[][])[index]?.reduce((sum, n) => sum + n, 0) !== entry.support) {
        problems.push(`perClass[${index}].support (${entry.support}) must equal the sum of confusionMatrix row ${index}`);
      }
    });
  }
  problems.push(...listProblems(r.misclassified, 'misclassified', (entry, name) => [
    ...(typeof entry.key === 'string' && entry.key !== '' ? [] : [`${name}.key must be a non-empty string`]),
    ...(['trueLabel', 'predictedLabel'] as const).filter((field) => typeof entry[field] !== 'string').map((field) => `${name}.${field} must be a string`),
    ...(isFraction(entry.probability) ? [] : [`${name}.probability must be a number in [0, 1]`]),
  ]));
  problems.push(...listProblems(r.failures, 'failures', (entry, name) =>
    typeof entry.key === 'string' && typeof entry.reason === 'string' ? [] : [`${name} must be {key, reason} strings`]));

  if (problems.length > 0) throw new InvalidEvaluationReport(problems, at);
  return value as unknown as EvaluationReport;
}

/** Problems with a TestSetIdentity, each naming `field`. */
export function testSetProblems(value: unknown, field: string): string[] {
  if (!isRecord(value)) return [`${field} must be {version, source, imageCount}`];
  const problems: string[] = [];
  if (typeof value.version !== 'string' || !/^[0-9a-f]{64}$/.test(value.version)) problems.push(`${field}.version must be a hex SHA-256, got ${JSON.stringify(value.version)}`);
  if (!TEST_SET_SOURCES.includes(value.source as TestSetSource)) problems.push(`${field}.source must be one of ${TEST_SET_SOURCES.join(', ')}, got ${JSON.stringify(value.source)}`);
  if (!isCount(value.imageCount)) problems.push(`${field}.imageCount must be a count, got ${JSON.stringify(value.imageCount)}`);
  return problems;
}

function listProblems(value: unknown, field: string, check: (entry: Record<string, unknown>, name: string) => string[]): string[] {
  if (!Array.isArray(value)) return [`${field} must be an array`];
  return value.flatMap((entry, index) => (isRecord(entry) ? check(entry, `${field}[${index}]`) : [`${field}[${index}] must be an object`]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFraction(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
