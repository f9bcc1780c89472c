/**
 * The algorithm's hyperparameters: types, defaults, ranges, validation and rendering. This module imports nothing
 * from aws-cdk-lib, so that the retraining pipeline's Lambda function validates run-time overrides with the very same
 * rules the constructs apply at synth time. Constructs use the token-aware wrappers in lib/private/hyperparameter-rendering.ts.
 */

/** Values that are placeholders resolved later (CDK tokens) are skipped by validation and rendered as they are. */
export type IsUnresolved = (value: unknown) => boolean;
const NEVER_UNRESOLVED: IsUnresolved = () => false;

/** The API text limits each hyperparameter value to 256 characters (the model allows 2500); stay within 256. */
const MAX_VALUE_LENGTH = 256;

/** The optimizer that fine-tunes the network. */
export enum Optimizer {
  ADAM = 'adam',
  SGD = 'sgd',
  NESTEROV = 'nesterov',
  RMSPROP = 'rmsprop',
  ADAGRAD = 'adagrad',
  ADADELTA = 'adadelta',
}

/** Whether the classification head is re-initialised before fine-tuning. */
export enum ReinitializeTopLayer {
  /** Re-initialise a pretrained head; keep the head of a model this algorithm already fine-tuned (incremental training). */
  AUTO = 'Auto',
  TRUE = 'True',
  FALSE = 'False',
}

/** The interpolation used to resize images to the model's input size during training. */
export enum ImageResizeInterpolation {
  BILINEAR = 'bilinear',
  NEAREST = 'nearest',
  BICUBIC = 'bicubic',
  AREA = 'area',
  LANCZOS3 = 'lanczos3',
  LANCZOS5 = 'lanczos5',
  GAUSSIAN = 'gaussian',
  MITCHELLCUBIC = 'mitchellcubic',
}

/** Random flips applied when `augmentation` is on. */
export enum AugmentationRandomFlip {
  HORIZONTAL_AND_VERTICAL = 'horizontal_and_vertical',
  HORIZONTAL = 'horizontal',
  VERTICAL = 'vertical',
  NONE = 'None',
}

/** The metric the training script evaluates and uses to pick the best epoch. */
export enum EvalMetric {
  ACCURACY = 'accuracy',
  /** Binary mode only. */
  PRECISION = 'precision',
  /** Binary mode only. */
  RECALL = 'recall',
  /** Binary mode only. */
  AUC = 'auc',
  /** Binary mode only. */
  PRC = 'prc',
}

/**
 * The hyperparameters of SageMaker's Image Classification - TensorFlow algorithm, in camelCase.
 *
 * Every field is optional; an absent field is sent with the algorithm's default, so the job runs exactly as the
 * JumpStart defaults describe. Defaults and ranges are those of the algorithm's JumpStart specification (v4.0.6).
 * AWS documents that some defaults differ per model ("for larger models, the default batch size is smaller and
 * train_only_top_layer is True"); the catalog holds one specification, so set those two for very large models.
 */
export interface Hyperparameters {
  /**
   * Fine-tune only the classification head (`True`) or the whole network (`False`).
   * @default true
   */
  readonly trainOnlyTopLayer?: boolean;
  /**
   * Number of passes over the training data, 1-1000.
   * @default 5
   */
  readonly epochs?: number;
  /**
   * Images per batch, 1-1024. On several GPUs this is the global batch size.
   * @default 32
   */
  readonly batchSize?: number;
  /** @default Optimizer.ADAM */
  readonly optimizer?: Optimizer;
  /**
   * Optimizer learning rate, 0-1.
   * @default 0.001
   */
  readonly learningRate?: number;
  /**
   * Adam beta_1, 0-1.
   * @default 0.9
   */
  readonly beta1?: number;
  /**
   * Adam beta_2, 0-1.
   * @default 0.999
   */
  readonly beta2?: number;
  /**
   * Momentum of the SGD and Nesterov optimizers, 0-1.
   * @default 0.9
   */
  readonly momentum?: number;
  /**
   * Epsilon of adam, rmsprop, adadelta and adagrad, 0-1.
   * @default 1e-7
   */
  readonly epsilon?: number;
  /**
   * Discounting factor of rmsprop and adadelta, 0-1.
   * @default 0.95
   */
  readonly rho?: number;
  /**
   * Starting accumulator value of adagrad, 0-1.
   * @default 0.1
   */
  readonly initialAccumulatorValue?: number;
  /** @default ReinitializeTopLayer.AUTO */
  readonly reinitializeTopLayer?: ReinitializeTopLayer;
  /**
   * Stop when the validation metric stops improving.
   * @default false
   */
  readonly earlyStopping?: boolean;
  /**
   * Epochs without improvement before early stopping, 1-1000.
   * @default 5
   */
  readonly earlyStoppingPatience?: number;
  /**
   * Smallest change that counts as an improvement for early stopping, 0-1.
   * @default 0
   */
  readonly earlyStoppingMinDelta?: number;
  /**
   * Dropout rate of the classification head's dropout layer, 0-1.
   * @default 0.2
   */
  readonly dropoutRate?: number;
  /**
   * L2 regularization factor of the classification head's dense layer, 0-1.
   * @default 0.0001
   */
  readonly regularizersL2?: number;
  /**
   * Label smoothing, 0-1.
   * @default 0.1
   */
  readonly labelSmoothing?: number;
  /** @default ImageResizeInterpolation.BILINEAR */
  readonly imageResizeInterpolation?: ImageResizeInterpolation;
  /**
   * Random flips, rotations and zooms of the training images.
   * @default false
   */
  readonly augmentation?: boolean;
  /** @default AugmentationRandomFlip.HORIZONTAL_AND_VERTICAL */
  readonly augmentationRandomFlip?: AugmentationRandomFlip;
  /**
   * Random rotation as a fraction of 2π, -1 to 1.
   * @default 0.2
   */
  readonly augmentationRandomRotation?: number;
  /**
   * Random zoom as a fraction, -1 to 1.
   * @default 0.1
   */
  readonly augmentationRandomZoom?: number;
  /**
   * Two classes, one output probability for the positive class. Needs exactly two class folders.
   * @default false
   */
  readonly binaryMode?: boolean;
  /**
   * Metric evaluated on the validation set. Anything but accuracy needs `binaryMode: true`.
   * @default EvalMetric.ACCURACY
   */
  readonly evalMetric?: EvalMetric;
  /**
   * Fraction of the training images held out for validation when no validation channel is given, 0-1.
   * Uncertain: one public copy of the training script declares this flag as `--validation-split-ratio`, in which case
   * the script ignores the value sent and keeps 0.2.
   * @default 0.2
   */
  readonly validationSplitRatio?: number;
  /**
   * Seed for shuffling and augmentation, 0 or more.
   * @default 123
   */
  readonly randomSeed?: number;
}

type Spec =
  | { readonly kind: 'boolean'; readonly default: boolean }
  | { readonly kind: 'int'; readonly default: number; readonly min: number; readonly max?: number }
  | { readonly kind: 'float'; readonly default: number; readonly min: number; readonly max: number }
  | { readonly kind: 'choice'; readonly default: string; readonly choices: Readonly<Record<string, string>> };

/** Wire name, type, default and range of each hyperparameter, in the order the specification lists them. */
const SPECS: { readonly [K in keyof Required<Hyperparameters>]: Spec & { readonly wireName: string } } = {
  trainOnlyTopLayer: { wireName: 'train_only_top_layer', kind: 'boolean', default: true },
  epochs: { wireName: 'epochs', kind: 'int', default: 5, min: 1, max: 1000 },
  batchSize: { wireName: 'batch_size', kind: 'int', default: 32, min: 1, max: 1024 },
  optimizer: { wireName: 'optimizer', kind: 'choice', default: Optimizer.ADAM, choices: Optimizer },
  learningRate: { wireName: 'learning_rate', kind: 'float', default: 0.001, min: 0, max: 1 },
  beta1: { wireName: 'beta_1', kind: 'float', default: 0.9, min: 0, max: 1 },
  beta2: { wireName: 'beta_2', kind: 'float', default: 0.999, min: 0, max: 1 },
  momentum: { wireName: 'momentum', kind: 'float', default: 0.9, min: 0, max: 1 },
  epsilon: { wireName: 'epsilon', kind: 'float', default: 1e-7, min: 0, max: 1 },
  rho: { wireName: 'rho', kind: 'float', default: 0.95, min: 0, max: 1 },
  initialAccumulatorValue: { wireName: 'initial_accumulator_value', kind: 'float', default: 0.1, min: 0, max: 1 },
  reinitializeTopLayer: {
    wireName: 'reinitialize_top_layer', kind: 'choice', default: ReinitializeTopLayer.AUTO, choices: ReinitializeTopLayer,
  },
  earlyStopping: { wireName: 'early_stopping', kind: 'boolean', default: false },
  earlyStoppingPatience: { wireName: 'early_stopping_patience', kind: 'int', default: 5, min: 1, max: 1000 },
  earlyStoppingMinDelta: { wireName: 'early_stopping_min_delta', kind: 'float', default: 0, min: 0, max: 1 },
  dropoutRate: { wireName: 'dropout_rate', kind: 'float', default: 0.2, min: 0, max: 1 },
  regularizersL2: { wireName: 'regularizers_l2', kind: 'float', default: 0.0001, min: 0, max: 1 },
  labelSmoothing: { wireName: 'label_smoothing', kind: 'float', default: 0.1, min: 0, max: 1 },
  imageResizeInterpolation: {
    wireName: 'image_resize_interpolation', kind: 'choice', default: ImageResizeInterpolation.BILINEAR, choices: ImageResizeInterpolation,
  },
  augmentation: { wireName: 'augmentation', kind: 'boolean', default: false },
  augmentationRandomFlip: {
    wireName: 'augmentation_random_flip', kind: 'choice', default: AugmentationRandomFlip.HORIZONTAL_AND_VERTICAL, choices: AugmentationRandomFlip,
  },
  augmentationRandomRotation: { wireName: 'augmentation_random_rotation', kind: 'float', default: 0.2, min: -1, max: 1 },
  augmentationRandomZoom: { wireName: 'augmentation_random_zoom', kind: 'float', default: 0.1, min: -1, max: 1 },
  binaryMode: { wireName: 'binary_mode', kind: 'boolean', default: false },
  evalMetric: { wireName: 'eval_metric', kind: 'choice', default: EvalMetric.ACCURACY, choices: EvalMetric },
  validationSplitRatio: { wireName: 'validation_split_ratio', kind: 'float', default: 0.2, min: 0, max: 1 },
  randomSeed: { wireName: 'random_seed', kind: 'int', default: 123, min: 0 },
};

const FIELDS = Object.keys(SPECS) as ReadonlyArray<keyof Hyperparameters>;

/** Every hyperparameter field (camelCase), in the order the specification lists them. */
export const HYPERPARAMETER_FIELDS: ReadonlyArray<keyof Hyperparameters> = FIELDS;

/** How a hyperparameter's value is typed, for callers that read values from text (the command line's `--set`). */
export type HyperparameterKind = 'boolean' | 'int' | 'float' | 'choice';

/** The type of a hyperparameter field, and its allowed values when it is a choice. */
export function hyperparameterKind(field: keyof Hyperparameters): { readonly kind: HyperparameterKind; readonly choices?: readonly string[] } {
  const spec = SPECS[field];
  return spec.kind === 'choice' ? { kind: spec.kind, choices: Object.values(spec.choices) } : { kind: spec.kind };
}

/** The algorithm's wire name (`learning_rate`) of a camelCase hyperparameter field (`learningRate`). */
export function hyperparameterWireName(field: keyof Hyperparameters): string {
  return SPECS[field].wireName;
}

/**
 * Checks every field against the algorithm's types and ranges and returns one message per problem, naming the
 * field, the value received and what is allowed. Unresolved tokens are skipped. An empty list means valid.
 *
 * @param path how the messages name the object, for example `hyperparameters` or `training.hyperparameters`
 */
export function checkHyperparameters(hyperparameters: Hyperparameters, path = 'hyperparameters', isUnresolved = NEVER_UNRESOLVED): string[] {
  if (typeof hyperparameters !== 'object' || hyperparameters === null || Array.isArray(hyperparameters)) {
    return [`${path} must be an object of camelCase hyperparameters like { epochs: 10 }, got ${describeValue(hyperparameters)}`];
  }
  const problems: string[] = [];
  const given = hyperparameters as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    // Own keys only: 'constructor' or 'toString' are not hyperparameters even though every object has them.
    if (!Object.prototype.hasOwnProperty.call(SPECS, key) && given[key] !== undefined) {
      problems.push(`${path}.${key} is not a hyperparameter of the algorithm; known fields: ${FIELDS.join(', ')}`);
    }
  }
  for (const field of FIELDS) {
    const value = given[field];
    if (value === undefined || isUnresolved(value)) continue;
    const problem = checkValue(SPECS[field], value);
    if (problem) problems.push(`${path}.${field} ${problem}, got ${describeValue(value)}`);
  }
  const evalMetric = given.evalMetric;
  const metricIsKnown = typeof evalMetric === 'string' && (Object.values(EvalMetric) as string[]).includes(evalMetric);
  if (metricIsKnown && evalMetric !== EvalMetric.ACCURACY && given.binaryMode !== true && !isUnresolved(given.binaryMode)) {
    problems.push(`${path}.evalMetric '${evalMetric}' is only used in binary mode; set ${path}.binaryMode to true or use EvalMetric.ACCURACY`);
  }
  return problems;
}

/** A value as an error message shows it: JSON where JSON can show it, and NaN, Infinity and BigInt as they are. */
function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    // JSON.stringify gives undefined for a function or a symbol.
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function checkValue(spec: Spec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'int': {
      const range = spec.max === undefined ? `a whole number of at least ${spec.min}` : `a whole number in [${spec.min}, ${spec.max}]`;
      const ok = typeof value === 'number' && Number.isInteger(value) && value >= spec.min && (spec.max === undefined || value <= spec.max);
      return ok ? undefined : `must be ${range}`;
    }
    case 'float': {
      const ok = typeof value === 'number' && Number.isFinite(value) && value >= spec.min && value <= spec.max;
      return ok ? undefined : `must be a number in [${spec.min}, ${spec.max}]`;
    }
    case 'choice': {
      const choices = Object.values(spec.choices);
      return choices.includes(value as string) ? undefined : `must be one of ${choices.map((c) => `'${c}'`).join(', ')}`;
    }
  }
}

/**
 * Renders hyperparameters to the string map CreateTrainingJob sends: snake_case keys, every algorithm
 * hyperparameter present (absent fields take the algorithm's default), booleans as `"True"`/`"False"`, numbers the
 * way the SageMaker Python SDK writes them (`"5"`, `"0.001"`, `"1e-07"`, `"0.0"`).
 *
 * @throws if any field is invalid, with every problem in one message.
 */
export function toHyperparameterMap(
  hyperparameters: Hyperparameters = {}, path = 'hyperparameters', isUnresolved = NEVER_UNRESOLVED,
): Record<string, string> {
  const problems = checkHyperparameters(hyperparameters, path, isUnresolved);
  if (problems.length > 0) {
    throw new Error(`Invalid hyperparameters:\n  ${problems.join('\n  ')}`);
  }
  const rendered: Record<string, string> = {};
  for (const field of FIELDS) {
    const spec = SPECS[field];
    const value = hyperparameters[field] ?? spec.default;
    const text = isUnresolved(value) ? String(value) : renderValue(spec, value);
    // Stryker disable all: a guard no valid value reaches (choices are fixed words, numbers print in at most 24
    // characters), so no test can tell it from its mutants.
    if (!isUnresolved(value) && text.length > MAX_VALUE_LENGTH) {
      throw new Error(`${path}.${field} renders to more than ${MAX_VALUE_LENGTH} characters`);
    }
    // Stryker restore all
    rendered[spec.wireName] = text;
  }
  return rendered;
}

function renderValue(spec: Spec, value: unknown): string {
  switch (spec.kind) {
    case 'boolean':
      return value ? 'True' : 'False';
    case 'int':
      return String(value);
    case 'float':
      return pythonFloat(value as number);
    case 'choice':
      return String(value);
  }
}

/**
 * Formats a number as Python's `str(float)` does, which is what the SageMaker SDK sends for float
 * hyperparameters: shortest round-trip digits, a `.0` on whole numbers, and scientific notation with a two-digit
 * exponent below 1e-4 or from 1e16 up.
 */
export function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  // Stryker disable next-line EqualityOperator: value is an infinity here, never 0
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    // Stryker disable next-line EqualityOperator: the exponent is below -4 or at least 16 here, never 0
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = String(value);
  return Number.isInteger(value) ? `${fixed}.0` : fixed;
}
