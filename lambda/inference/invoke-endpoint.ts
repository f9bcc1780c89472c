/**
 * InvokeEndpoint for the Image Classification - TensorFlow algorithm: send one JPEG, ask for the verbose answer,
 * validate its shape, and turn every SageMaker runtime failure into an InferenceError with the right status.
 *
 * Facts (reference/jumpstart-notes.md, section C): content type `application/x-image`; accept
 * `application/json;verbose` returns `{"probabilities": [...], "labels": [...], "predicted_label": ...}`; one image
 * per request; the request body is at most 6,291,456 bytes.
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
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { InferenceError } from './inference-error';

export const IMAGE_CONTENT_TYPE = 'application/x-image';
export const VERBOSE_ACCEPT = 'application/json;verbose';
export const MAX_INVOKE_PAYLOAD_BYTES = 6_291_456;

/** How long a caller should wait when the endpoint is missing or not in service (creation takes minutes). */
export const RETRY_AFTER_ENDPOINT_UNAVAILABLE_SECONDS = 60;
/** How long a caller should wait when the endpoint is throttling or briefly unavailable. */
export const RETRY_AFTER_ENDPOINT_BUSY_SECONDS = 5;

/** The model's answer, validated. */
export interface EndpointPrediction {
  readonly probabilities: readonly number[];
  readonly labels: readonly string[];
  readonly predictedLabel: string;
}

/** A model message longer than this is cut, so a chatty container cannot flood the caller's response. */
const MAX_MODEL_MESSAGE_CHARS = 1000;

/** The probability above which a binary-mode model's answer is its second label (Keras' binary threshold). */
export const BINARY_THRESHOLD = 0.5;

export async function invokeEndpoint(client: SageMakerRuntimeClient, endpointName: string, jpeg: Uint8Array,
  binaryMode = false): Promise<EndpointPrediction> {
  if (jpeg.length > MAX_INVOKE_PAYLOAD_BYTES) {
    // The preprocessed image is at most 1024x1024 pixels, so this is not expected; refuse rather than send.
    throw new InferenceError(413, 'OBJECT_TOO_LARGE', `the preprocessed image is ${jpeg.length} bytes, above the endpoint's limit of ${MAX_INVOKE_PAYLOAD_BYTES}`);
  }
  let body: Uint8Array | undefined;
  try {
    const output = await client.send(new InvokeEndpointCommand({
      EndpointName: endpointName,
      ContentType: IMAGE_CONTENT_TYPE,
      Accept: VERBOSE_ACCEPT,
      Body: jpeg,
    }));
    body = output.Body;
  } catch (error) {
    throw endpointFailure(error, endpointName);
  }
  return parseEndpointResponse(body ?? new Uint8Array(), binaryMode);
}

/**
 * Validates the verbose response. Anything but one JSON object with equally long, non-empty `probabilities`
 * (finite numbers in [0, 1]) and `labels` (strings), and a `predicted_label` among the labels, is a 502.
 * In binary mode a single probability (a one-element array or a number) with exactly two labels is also accepted
 * and answered for both labels (see the top of this file).
 */
export function parseEndpointResponse(body: Uint8Array, binaryMode = false): EndpointPrediction {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    throw malformed(`${body.length} bytes that are not JSON`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw malformed('not a JSON object');
  const { probabilities, labels, predicted_label: predictedLabel } = document as Record<string, unknown>;
  const single = typeof probabilities === 'number' || (Array.isArray(probabilities) && probabilities.length === 1);
  if (binaryMode && single) return binaryPrediction(Array.isArray(probabilities) ? probabilities[0] : probabilities, labels);
  if (!Array.isArray(probabilities) || probabilities.length === 0) throw malformed('"probabilities" is not a non-empty array');
  if (!Array.isArray(labels)) throw malformed('"labels" is not an array (was the endpoint asked for application/json;verbose?)');
  if (labels.length !== probabilities.length) {
    const hint = probabilities.length === 1 && labels.length === 2
      ? ' (a model trained with binaryMode: true answers so; give the inference function binaryMode: true)' : '';
    throw malformed(`${labels.length} labels for ${probabilities.length} probabilities${hint}`);
  }
  const badProbability = probabilities.findIndex((p) => !isProbability(p));
  if (badProbability >= 0) throw malformed(`probabilities[${badProbability}] is not a number in [0, 1]`);
  const badLabel = labels.findIndex((label) => typeof label !== 'string');
  if (badLabel >= 0) throw malformed(`labels[${badLabel}] is not a string`);
  if (typeof predictedLabel !== 'string' || !labels.includes(predictedLabel)) {
    throw malformed('"predicted_label" is not one of the labels');
  }
  return { probabilities: probabilities as number[], labels: labels as string[], predictedLabel };
}

/**
 * A binary-mode answer: p is the second label's probability. Both labels come back, the first with 1 - p, and the
 * predicted label is the algorithm's decision (second label only when p > 0.5), not the container's predicted_label.
 */
export function binaryPrediction(probability: unknown, labels: unknown): EndpointPrediction {
  if (!isProbability(probability)) throw malformed('the binary-mode probability is not a number in [0, 1]');
  if (!Array.isArray(labels) || labels.length !== 2 || labels.some((label) => typeof label !== 'string')) {
    throw malformed('a binary-mode answer needs "labels" with the two class names (was the endpoint asked for application/json;verbose?)');
  }
  const [first, second] = labels as string[];
  if (first === second) throw malformed(`the binary-mode labels are the same ${JSON.stringify(first)} twice`);
  return {
    probabilities: [1 - probability, probability],
    labels: [first, second],
    predictedLabel: probability > BINARY_THRESHOLD ? second : first,
  };
}

function isProbability(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

function malformed(why: string): InferenceError {
  return new InferenceError(502, 'MALFORMED_ENDPOINT_RESPONSE', `the endpoint answered with an unexpected response: ${why}`);
}

/**
 * Maps a SageMaker runtime failure (see the error shapes in @aws-sdk/client-sagemaker-runtime) to the caller's view:
 * - ValidationError "Endpoint <name> of account <id> not found." → 503 ENDPOINT_NOT_FOUND with Retry-After (the
 *   endpoint may still be being created by the first deployment or the first pipeline run);
 * - ValidationError about the endpoint's status → 503 ENDPOINT_NOT_IN_SERVICE. UNCERTAIN: the exact wording
 *   SageMaker uses for an endpoint that exists but is not InService is not documented; any ValidationError that
 *   mentions "not in service", "InService" or "status <EndpointStatus>" is treated as this case;
 * - ModelError (the container answered with an error) → 502 MODEL_ERROR with the model's message;
 * - ModelNotReadyException, ServiceUnavailable, ThrottlingException → 503 ENDPOINT_BUSY with Retry-After;
 * - anything else (InternalFailure, other ValidationErrors, network errors) → 502 ENDPOINT_ERROR.
 */
export function endpointFailure(error: unknown, endpointName: string): InferenceError {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const quoted = JSON.stringify(endpointName);
  if (name === 'ValidationError' && /\bnot found\b/i.test(message)) {
    return new InferenceError(503, 'ENDPOINT_NOT_FOUND', `endpoint ${quoted} does not exist yet (it may still be being created); retry later`, {
      retryAfterSeconds: RETRY_AFTER_ENDPOINT_UNAVAILABLE_SECONDS,
      cause: error,
    });
  }
  if (name === 'ValidationError' && /not in service|\bInService\b|\bstatus\W+(Creating|Updating|SystemUpdating|RollingBack|OutOfService|Deleting|Failed)\b/i.test(message)) {
    return new InferenceError(503, 'ENDPOINT_NOT_IN_SERVICE', `endpoint ${quoted} is not in service; retry later`, {
      retryAfterSeconds: RETRY_AFTER_ENDPOINT_UNAVAILABLE_SECONDS,
      cause: error,
    });
  }
  if (name === 'ModelError') {
    const model = error as Error & { OriginalStatusCode?: number; OriginalMessage?: string };
    const detail = model.OriginalMessage !== undefined && model.OriginalMessage !== '' ? model.OriginalMessage : message;
    const status = model.OriginalStatusCode === undefined ? '' : ` (status ${model.OriginalStatusCode})`;
    return new InferenceError(502, 'MODEL_ERROR', `the model failed${status}: ${truncate(detail)}`, { cause: error });
  }
  if (name === 'ModelNotReadyException' || name === 'ServiceUnavailable' || name === 'ThrottlingException') {
    return new InferenceError(503, 'ENDPOINT_BUSY', `endpoint ${quoted} is busy or briefly unavailable (${name}); retry later`, {
      retryAfterSeconds: RETRY_AFTER_ENDPOINT_BUSY_SECONDS,
      cause: error,
    });
  }
  const label = name === '' || name === 'Error' ? 'it could not be reached' : name;
  return new InferenceError(502, 'ENDPOINT_ERROR', `endpoint ${quoted} failed (${label})`, { cause: error });
}

function truncate(text: string): string {
  return text.length > MAX_MODEL_MESSAGE_CHARS ? `${text.slice(0, MAX_MODEL_MESSAGE_CHARS)}…` : text;
}
