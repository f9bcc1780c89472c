/**
 * InvokeEndpoint for the Image Classification - TensorFlow algorithm: send one JPEG, ask for the verbose answer,
 * validate its shape (lambda/shared/classifier-output.ts, the one reader of the algorithm's answer, binary mode
 * included), and turn every SageMaker runtime failure into an InferenceError with the right status.
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { InferenceError } from './inference-error';
import {
  ClassifierOutput, ClassifierOutputError, IMAGE_CONTENT_TYPE, MAX_REQUEST_PAYLOAD_BYTES, parseClassifierOutput, VERBOSE_ACCEPT,
} from '../shared/classifier-output';

export { BINARY_THRESHOLD } from '../shared/classifier-output';
export const MAX_INVOKE_PAYLOAD_BYTES = MAX_REQUEST_PAYLOAD_BYTES;

/** How long a caller should wait when the endpoint is missing or not in service (creation takes minutes). */
export const RETRY_AFTER_ENDPOINT_UNAVAILABLE_SECONDS = 60;
/** How long a caller should wait when the endpoint is throttling or briefly unavailable. */
export const RETRY_AFTER_ENDPOINT_BUSY_SECONDS = 5;

/** The model's answer, validated. */
export type EndpointPrediction = ClassifierOutput;

/** A model message longer than this is cut, so a chatty container cannot flood the caller's response. */
const MAX_MODEL_MESSAGE_CHARS = 1000;

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
 * Validates the verbose response (parseClassifierOutput); an answer that is not the algorithm's is a 502
 * MALFORMED_ENDPOINT_RESPONSE naming what is wrong with it.
 */
export function parseEndpointResponse(body: Uint8Array, binaryMode = false): EndpointPrediction {
  try {
    return parseClassifierOutput(body, { binaryMode, binaryModeFix: 'give the inference function binaryMode: true' });
  } catch (error) {
    if (error instanceof ClassifierOutputError) {
      throw new InferenceError(502, 'MALFORMED_ENDPOINT_RESPONSE', `the endpoint answered with an unexpected response: ${error.message}`, { cause: error });
    }
    throw error;
  }
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
