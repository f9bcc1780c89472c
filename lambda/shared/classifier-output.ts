/**
 * The one reader of the algorithm's answer for one image, used wherever an answer is read: the inference function
 * (InvokeEndpoint), the evaluation and batch functions (the `.out` objects Batch Transform writes) and the command line.
 *
 * Facts (reference/jumpstart-notes.md, section C): asked with accept `application/json;verbose`, the container answers
 * `{"probabilities": [...], "labels": [...], "predicted_label": "..."}`; the labels are the class folder names in the
 * algorithm's order (alphabetical). One image per request, whose body is at most 6,291,456 bytes (InvokeEndpoint's
 * limit, also Batch Transform's default MaxPayloadInMB of 6).
 *
 * Binary mode (the `binary_mode` hyperparameter "True"), what is certain and what is not:
 * - CERTAIN (algorithm spec and docs): the model then returns a single probability, that of the positive class.
 *   The training script loads the class folders with Keras' `label_mode="binary"`, which numbers the two folders in
 *   alphabetical order (the order of the label mapping) and trains a sigmoid towards 1 for the second: the
 *   probability is that of the second label, the first gets 1 - p.
 * - CERTAIN (Keras): the algorithm's own decision (its binary accuracy metric) is "second label when p > 0.5"; at
 *   exactly 0.5 it is the first label.
 * - UNCERTAIN: the JSON that carries the probability. Expected: the verbose object with `probabilities` as a one-element
 *   array (or a bare number) and `labels` holding both class names (the container reads them from the label mapping
 *   written at training). Its `predicted_label` is not trusted: an argmax over one probability would always name
 *   the first label. A two-probability answer is read like a multi-class one.
 *
 * Pure: no AWS SDK, no Node.js-only global (TextDecoder is standard JavaScript).
 */

/** The request content type and the accept header of the verbose answer. */
export const IMAGE_CONTENT_TYPE = 'application/x-image';
export const VERBOSE_ACCEPT = 'application/json;verbose';
/** The largest request body InvokeEndpoint accepts, and Batch Transform's default MaxPayloadInMB (6 MiB). */
export const MAX_REQUEST_PAYLOAD_BYTES = 6_291_456;
/** The probability above which a binary-mode model's answer is its second label (Keras' binary threshold). */
export const BINARY_THRESHOLD = 0.5;

/** One answer, validated: as many probabilities as labels, and the predicted label among them. */
export interface ClassifierOutput {
  readonly probabilities: readonly number[];
  readonly labels: readonly string[];
  readonly predictedLabel: string;
}

/** One label with its probability. */
export interface Prediction {
  readonly label: string;
  /** the model's probability for this label, in [0, 1] */
  readonly probability: number;
}

export interface ClassifierOutputOptions {
  /** Read a single probability as a binary-mode answer (see the top of this file). @default false */
  readonly binaryMode?: boolean;
  /**
   * What the reader should change when a binary-mode answer arrives without binaryMode, named in the error.
   * @default 'read it with binaryMode: true'
   */
  readonly binaryModeFix?: string;
}

/** The answer is not the algorithm's verbose answer; the message says what is wrong with it. */
export class ClassifierOutputError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ClassifierOutputError';
  }
}

const decoder = new TextDecoder('utf-8');

/**
 * Validates one verbose answer. Anything but one JSON object with equally long, non-empty `probabilities` (finite
 * numbers in [0, 1]) and `labels` (strings), and a `predicted_label` among the labels, is a ClassifierOutputError.
 * In binary mode a single probability (a one-element array or a number) with exactly two labels is also accepted and
 * answered for both labels.
 */
export function parseClassifierOutput(body: Uint8Array | string, options: ClassifierOutputOptions = {}): ClassifierOutput {
  const text = typeof body === 'string' ? body : decoder.decode(body);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new ClassifierOutputError(`${typeof body === 'string' ? `${body.length} characters` : `${body.length} bytes`} that are not JSON`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new ClassifierOutputError('not a JSON object');
  const { probabilities, labels, predicted_label: predictedLabel } = document as Record<string, unknown>;
  const single = typeof probabilities === 'number' || (Array.isArray(probabilities) && probabilities.length === 1);
  if (options.binaryMode && single) return binaryPrediction(Array.isArray(probabilities) ? probabilities[0] : probabilities, labels);
  if (!Array.isArray(probabilities) || probabilities.length === 0) throw new ClassifierOutputError('"probabilities" is not a non-empty array');
  if (!Array.isArray(labels)) throw new ClassifierOutputError('"labels" is not an array (was the model asked for application/json;verbose?)');
  if (labels.length !== probabilities.length) {
    const hint = probabilities.length === 1 && labels.length === 2
      ? ` (a model trained with binaryMode: true answers so; ${options.binaryModeFix ?? 'read it with binaryMode: true'})` : '';
    throw new ClassifierOutputError(`${labels.length} labels for ${probabilities.length} probabilities${hint}`);
  }
  const badProbability = probabilities.findIndex((p) => !isProbability(p));
  if (badProbability >= 0) throw new ClassifierOutputError(`probabilities[${badProbability}] is not a number in [0, 1]`);
  const badLabel = labels.findIndex((label) => typeof label !== 'string');
  if (badLabel >= 0) throw new ClassifierOutputError(`labels[${badLabel}] is not a string`);
  if (typeof predictedLabel !== 'string' || !labels.includes(predictedLabel)) {
    throw new ClassifierOutputError('"predicted_label" is not one of the labels');
  }
  return { probabilities: probabilities as number[], labels: labels as string[], predictedLabel };
}

/**
 * A binary-mode answer: p is the second label's probability. Both labels come back, the first with 1 - p, and the
 * predicted label is the algorithm's decision (second label only when p > 0.5), not the container's predicted_label.
 */
export function binaryPrediction(probability: unknown, labels: unknown): ClassifierOutput {
  if (!isProbability(probability)) throw new ClassifierOutputError('the binary-mode probability is not a number in [0, 1]');
  if (!Array.isArray(labels) || labels.length !== 2 || labels.some((label) => typeof label !== 'string')) {
    throw new ClassifierOutputError('a binary-mode answer needs "labels" with the two class names (was the model asked for application/json;verbose?)');
  }
  const [first, second] = labels as string[];
  if (first === second) throw new ClassifierOutputError(`the binary-mode labels are the same ${JSON.stringify(first)} twice`);
  return {
    probabilities: [1 - probability, probability],
    labels: [first, second],
    predictedLabel: probability > BINARY_THRESHOLD ? second : first,
  };
}

/** The `topK` labels with the highest probability, highest first; ties keep the model's label order. */
export function topPredictions(output: ClassifierOutput, topK: number): Prediction[] {
  return output.labels
    .map((label, index) => ({ label, probability: output.probabilities[index] }))
    // Array.prototype.sort is stable (ES2019), so equal probabilities keep the label order.
    .sort((a, b) => b.probability - a.probability)
    .slice(0, topK)
    .map(({ label, probability }) => ({ label, probability }));
}

/** The predicted label's probability (in binary mode, that of the decided label). */
export function predictedProbability(output: ClassifierOutput): number {
  return output.probabilities[output.labels.indexOf(output.predictedLabel)];
}

function isProbability(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}
