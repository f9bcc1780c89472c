/**
 * What the handler is asked to do, read from the Lambda event. Three event shapes are understood:
 *
 * 1. HTTP, payload format 2.0 (Lambda function URL, API Gateway HTTP API), method POST:
 *    - body = the raw image bytes (`isBase64Encoded: true`, any non-JSON content type), or
 *    - body = JSON `{"s3Uri": "s3://bucket/key", "topK"?: n}` (content type `application/json`, or any body whose
 *      first non-blank character is `{`: no JPEG or PNG starts that way);
 *    - `?topK=n` in the query string applies to both; a `topK` in the JSON body wins over the query string.
 * 2. Direct invocation (lambda:InvokeFunction) with the same JSON object as the event.
 * 3. S3 event notifications (`Records` with `eventSource: "aws:s3"`), see s3-notifications.ts.
 *
 * Everything here is pure: a bad request throws InferenceError (or ImageError for empty or oversized bodies).
 */
import { InferenceConfig, TOP_K_RANGE } from '../shared/inference-environment';
import { ImageError } from '../image/image-error';
import { InferenceError } from './inference-error';
import { parseS3Uri, S3Location } from './s3-source';

/** The parts of a payload format 2.0 event the handler reads. */
export interface HttpRequestEvent {
  readonly version: '2.0';
  readonly rawPath?: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: { readonly http: { readonly method: string; readonly path?: string }; readonly requestId?: string };
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/** The JSON request, as an HTTP body or a direct invocation event. */
export interface JsonRequest {
  /** `s3://bucket/key` of a JPEG or PNG the function may read */
  readonly s3Uri: string;
  /** how many predictions to return, highest probability first; default DEFAULT_TOP_K (5) */
  readonly topK?: number;
}

export type ImageSource =
  | { readonly type: 'bytes'; readonly bytes: Uint8Array }
  | { readonly type: 's3'; readonly location: S3Location };

export interface ImageRequest {
  readonly source: ImageSource;
  readonly topK: number;
}

export type EventKind = 'http' | 's3' | 'direct' | 'unsupported';

const JSON_REQUEST_FIELDS: ReadonlySet<string> = new Set(['s3Uri', 'topK']);

/** Tells the event shapes apart by their distinctive fields. */
export function classifyEvent(event: unknown): EventKind {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return 'unsupported';
  const record = event as Record<string, unknown>;
  if (Array.isArray(record.Records) || record.Event === 's3:TestEvent') return 's3';
  const context = record.requestContext as { http?: { method?: unknown } } | undefined;
  if (record.version === '2.0' && typeof context?.http?.method === 'string') return 'http';
  if (looksLikeHttp(record)) return 'unsupported';
  return 'direct';
}

/** Whether an event came through an HTTP front door (any payload version), so errors need an HTTP envelope. */
export function looksLikeHttp(event: unknown): boolean {
  return typeof event === 'object' && event !== null && ('requestContext' in event || 'httpMethod' in event);
}

export function parseHttpRequest(event: HttpRequestEvent, config: Pick<InferenceConfig, 'defaultTopK' | 'maxImageBytes'>): ImageRequest {
  const method = event.requestContext.http.method.toUpperCase();
  if (method !== 'POST') {
    throw new InferenceError(405, 'METHOD_NOT_ALLOWED', `use POST with the image as the body or {"s3Uri": "s3://bucket/key"}; got ${method}`);
  }
  const queryTopK = event.queryStringParameters?.topK;
  const defaultTopK = queryTopK === undefined ? config.defaultTopK : parseTopK(queryTopK, 'the topK query parameter', true);

  const bytes = decodeBody(event);
  if (bytes.length === 0) {
    throw new ImageError('EMPTY_IMAGE', 'the request body is empty; send the image bytes or {"s3Uri": "s3://bucket/key"}');
  }
  if (isJsonBody(header(event, 'content-type'), bytes)) {
    return parseJsonRequest(parseJson(bytes), defaultTopK);
  }
  if (bytes.length > config.maxImageBytes) {
    throw new ImageError('IMAGE_TOO_LARGE', `the image is ${bytes.length} bytes, above the limit of ${config.maxImageBytes}`);
  }
  return { source: { type: 'bytes', bytes }, topK: defaultTopK };
}

/** A direct invocation's event is the JSON request itself. */
export function parseDirectRequest(event: unknown, config: Pick<InferenceConfig, 'defaultTopK'>): ImageRequest {
  return parseJsonRequest(event, config.defaultTopK);
}

export function parseJsonRequest(document: unknown, defaultTopK: number): ImageRequest {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new InferenceError(400, 'INVALID_REQUEST', 'the request must be a JSON object like {"s3Uri": "s3://bucket/key", "topK": 5}');
  }
  const fields = document as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !JSON_REQUEST_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new InferenceError(400, 'INVALID_REQUEST', `unknown field(s) ${unknown.map((key) => JSON.stringify(key)).join(', ')}; allowed: "s3Uri", "topK"`);
  }
  if (!('s3Uri' in fields)) {
    throw new InferenceError(400, 'INVALID_REQUEST', 'the JSON request needs "s3Uri": "s3://bucket/key"');
  }
  const location = parseS3Uri(fields.s3Uri);
  const topK = fields.topK === undefined ? defaultTopK : parseTopK(fields.topK, '"topK"');
  return { source: { type: 's3', location }, topK };
}

/** topK: an integer in TOP_K_RANGE; a JSON number, or digits in the query string (`fromQuery`). */
export function parseTopK(value: unknown, where: string, fromQuery = false): number {
  const digits = fromQuery && typeof value === 'string' && /^\d{1,7}$/.test(value);
  const parsed = typeof value === 'number' ? value : digits ? Number(value) : NaN;
  if (!Number.isInteger(parsed) || parsed < TOP_K_RANGE.min || parsed > TOP_K_RANGE.max) {
    const shown = typeof value === 'string' || typeof value === 'number' ? JSON.stringify(value) : typeof value;
    throw new InferenceError(400, 'INVALID_TOP_K', `${where} must be an integer in [${TOP_K_RANGE.min}, ${TOP_K_RANGE.max}], got ${shown.slice(0, 50)}`);
  }
  return parsed;
}

function decodeBody(event: HttpRequestEvent): Uint8Array {
  if (!event.body) return new Uint8Array();
  return event.isBase64Encoded === true ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

function header(event: HttpRequestEvent, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

function isJsonBody(contentType: string | undefined, bytes: Uint8Array): boolean {
  if (contentType !== undefined && isJsonMediaType(contentType)) return true;
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b; // '{'
  }
  return false;
}

function isJsonMediaType(contentType: string): boolean {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    // JSON.parse of a string throws only SyntaxErrors.
    // Stryker disable next-line MethodExpression: V8's JSON.parse messages stay far below 120 characters; the cut only guards the response's size
    throw new InferenceError(400, 'MALFORMED_JSON', `the request body is not valid JSON: ${(error as SyntaxError).message.slice(0, 120)}`);
  }
}
