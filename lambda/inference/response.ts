/**
 * What the caller gets back: the top-k predictions, and errors as `{"error": {"code", "message"}}` with an HTTP
 * status. Pure functions; the handler picks the HTTP envelope or the bare body depending on how it was invoked.
 */
import { ImageError } from '../image/image-error';
import { InferenceError } from './inference-error';
import { EndpointPrediction } from './invoke-endpoint';

export interface Prediction {
  readonly label: string;
  /** the model's probability for this label, in [0, 1] */
  readonly probability: number;
}

/** The successful answer (HTTP 200 body, or the direct invocation's return value). */
export interface ClassificationResult {
  /** the topK labels with the highest probability, highest first (ties keep the model's label order) */
  readonly predictions: readonly Prediction[];
  /** the label the model predicts (its `predicted_label`) */
  readonly predictedLabel: string;
  readonly model: { readonly endpointName: string; readonly imageSize: number };
  /** what was received: the format, the width and height as stored (before the EXIF orientation), and the orientation */
  readonly image: { readonly format: 'jpeg' | 'png'; readonly width: number; readonly height: number; readonly orientation: number };
}

/** The HTTP error body. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** The direct invocation's error return value: the HTTP body plus the status it would have had. */
export interface DirectErrorResult {
  readonly error: { readonly code: string; readonly message: string; readonly status: number; readonly retryAfterSeconds?: number };
}

/** A payload format 2.0 response. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: false;
}

export interface ErrorDescription {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
  /** whether the same request may succeed later (5xx); client errors never will */
  readonly retryable: boolean;
  /** whether the error is the caller's (known 4xx) rather than an unexpected failure to log with its stack */
  readonly expected: boolean;
}

export function topPredictions(prediction: EndpointPrediction, topK: number): Prediction[] {
  return prediction.labels
    .map((label, index) => ({ label, probability: prediction.probabilities[index], index }))
    // Stryker disable next-line ArithmeticOperator: the sort is stable, so ties keep the label order whatever the tie-break says
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, topK)
    .map(({ label, probability }) => ({ label, probability }));
}

/**
 * The caller's view of any error. Unknown errors become a 500 whose message says nothing about the internals
 * (the handler logs the real error with the request id).
 */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof ImageError) {
    return { status: error.status, code: error.code, message: error.message, retryable: false, expected: true };
  }
  if (error instanceof InferenceError) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      retryAfterSeconds: error.retryAfterSeconds,
      retryable: error.status >= 500,
      expected: error.status < 500,
    };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'the function failed unexpectedly; see its logs', retryable: true, expected: false };
}

export function httpResponse(statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

export function httpErrorResponse(error: ErrorDescription): HttpResponse {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.status === 405) headers.allow = 'POST';
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  return httpResponse(error.status, body, headers);
}

export function directErrorResult(error: ErrorDescription): DirectErrorResult {
  return {
    error: {
      code: error.code,
      message: error.message,
      status: error.status,
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    },
  };
}
