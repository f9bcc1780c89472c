/**
 * The error type of the request, S3 and endpoint modules (images have their own, ImageError). It carries the HTTP
 * status and a stable code for the caller; `message` is written for the caller and never holds a stack or a secret.
 * The underlying error, if any, stays in `cause` for the logs.
 */
export type InferenceErrorCode =
  // 400: the caller's request
  | 'MALFORMED_JSON'
  | 'INVALID_REQUEST'
  | 'INVALID_S3_URI'
  | 'INVALID_TOP_K'
  | 'UNSUPPORTED_EVENT'
  // 403, 404, 405, 413
  | 'BUCKET_NOT_ALLOWED'
  | 'OBJECT_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'OBJECT_TOO_LARGE'
  // 5xx: the function or its dependencies
  | 'CONFIGURATION_ERROR'
  | 'INTERNAL_ERROR'
  | 'S3_ERROR'
  | 'MODEL_ERROR'
  | 'ENDPOINT_ERROR'
  | 'MALFORMED_ENDPOINT_RESPONSE'
  | 'ENDPOINT_NOT_FOUND'
  | 'ENDPOINT_NOT_IN_SERVICE'
  | 'ENDPOINT_BUSY';

export interface InferenceErrorOptions {
  /** seconds the caller should wait before retrying (sent as `Retry-After` with 503) */
  readonly retryAfterSeconds?: number;
  /** the dependency's error, for the logs only */
  readonly cause?: unknown;
}

export class InferenceError extends Error {
  public readonly retryAfterSeconds?: number;

  constructor(
    public readonly status: number,
    public readonly code: InferenceErrorCode,
    message: string,
    options: InferenceErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InferenceError';
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
