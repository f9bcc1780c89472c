/**
 * Classifies one image through the stack's inference function, the way `predict` reaches it:
 * - the function URL (the InferenceUrl output, AWS_IAM auth): a POST of the image bytes (or of
 *   `{"s3Uri", "topK"}` for an S3 object) signed with SigV4 for the service `lambda` by the SDK's own signer
 *   (@smithy/signature-v4), with the credentials, region and hash of the SDK's Lambda client (its default chain);
 * - or a direct Invoke of the function (InferenceFunctionName), when the stack has no URL or `--invoke` is given:
 *   an S3 object as the direct request `{"s3Uri", "topK"}`, image bytes inside the function URL's own event shape
 *   (payload format 2.0, base64 body), which the function handles identically (lambda/inference/request.ts).
 *
 * The function's answers (lambda/inference/response.ts): a ClassificationResult, or `{"error": {"code", "message"}}`
 * with an HTTP status. Either way the caller gets a PredictOutcome; only failures to reach the function at all (no
 * permission, throttling, a crash of the function) are thrown, as AWS errors.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { CliError } from './errors';

/**
 * What the function answers for an image (lambda/inference/response.ts ClassificationResult), as far as the command
 * line reads it: a wire format, read here as any client of the function would (the predict tests run the real handler).
 */
export interface ClassificationResult {
  /** the top k labels, highest probability first */
  readonly predictions: ReadonlyArray<{ readonly label: string; readonly probability: number }>;
  readonly predictedLabel: string;
}

export type InferenceTarget =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'invoke'; readonly functionName: string };

export type ImageInput =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 's3'; readonly uri: string };

export type PredictOutcome =
  | { readonly ok: true; readonly result: ClassificationResult }
  /** the function refused or failed this image: its status, code and message */
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

/** The function URL's host names the region: `<id>.lambda-url.<region>.on.aws`. */
const URL_REGION = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

export async function classify(lambda: LambdaClient, target: InferenceTarget, image: ImageInput, topK: number): Promise<PredictOutcome> {
  return target.kind === 'url' ? viaFunctionUrl(lambda, target.url, image, topK) : viaInvoke(lambda, target.functionName, image, topK);
}

async function viaFunctionUrl(lambda: LambdaClient, functionUrl: string, image: ImageInput, topK: number): Promise<PredictOutcome> {
  const url = new URL(functionUrl);
  url.searchParams.set('topK', String(topK));
  const body = image.kind === 'bytes' ? image.bytes : Buffer.from(JSON.stringify({ s3Uri: image.uri, topK }));
  const region = URL_REGION.exec(url.hostname)?.[1] ?? await lambda.config.region();
  const signer = new SignatureV4({ service: 'lambda', region, credentials: lambda.config.credentials, sha256: lambda.config.sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === '' ? undefined : Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams.entries()),
    headers: { host: url.host, 'content-type': image.kind === 'bytes' ? 'application/octet-stream' : 'application/json' },
    body,
  });
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: signed.headers, body });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError('aws', `Could not reach the function URL ${functionUrl} (${cause?.code ?? (error as Error).message}).`, { cause: error });
  }
  const text = await response.text();
  if (response.status === 403 && /"Message"\s*:\s*"Forbidden"/.test(text)) {
    throw new CliError('aws', `The function URL refused the signed request (HTTP 403 Forbidden): the credentials need lambda:InvokeFunctionUrl on the inference function, `
      + 'or use --invoke to call the function with lambda:InvokeFunction.');
  }
  return outcomeOf(response.status, parseJson(text));
}

async function viaInvoke(lambda: LambdaClient, functionName: string, image: ImageInput, topK: number): Promise<PredictOutcome> {
  const event = image.kind === 's3' ? { s3Uri: image.uri, topK } : functionUrlEvent(image.bytes, topK);
  const output = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
  const payload = parseJson(Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8'));
  if (output.FunctionError !== undefined) {
    const failure = payload as { errorType?: string; errorMessage?: string } | undefined;
    throw new CliError('aws', `The inference function failed (${output.FunctionError}): ${failure?.errorType ?? 'Error'}: ${failure?.errorMessage ?? 'no message'}`);
  }
  const http = payload as { statusCode?: unknown; body?: unknown } | undefined;
  if (typeof http?.statusCode === 'number') {
    return outcomeOf(http.statusCode, typeof http.body === 'string' ? parseJson(http.body) : undefined);
  }
  const direct = payload as { error?: { status?: number; code?: string; message?: string } } | undefined;
  if (direct?.error !== undefined) return outcomeOf(direct.error.status ?? 500, { error: direct.error });
  return outcomeOf(200, payload);
}

/** The event a function URL makes of a POST of `bytes` (payload format 2.0), for a direct invocation. */
function functionUrlEvent(bytes: Uint8Array, topK: number): unknown {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: `topK=${topK}`,
    headers: { 'content-type': 'application/octet-stream' },
    queryStringParameters: { topK: String(topK) },
    requestContext: { http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'cdk-sagemaker-image-classifier' } },
    body: Buffer.from(bytes).toString('base64'),
    isBase64Encoded: true,
  };
}

function outcomeOf(status: number, body: unknown): PredictOutcome {
  const result = body as Partial<ClassificationResult> | undefined;
  if (status === 200 && Array.isArray(result?.predictions)) return { ok: true, result: result as ClassificationResult };
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return {
    ok: false,
    status,
    code: typeof error?.code === 'string' ? error.code : `HTTP_${status}`,
    message: typeof error?.message === 'string' ? error.message : `the function answered HTTP ${status} without an error message`,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
