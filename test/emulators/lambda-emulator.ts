/**
 * A loopback AWS Lambda running one function's handler in process, reached two ways:
 * - the Invoke API as @aws-sdk/client-lambda sends it (AWS_ENDPOINT_URL_LAMBDA): `POST
 *   /2015-03-31/functions/{FunctionName}/invocations`, the event as the body; 200 with the handler's result as JSON
 *   and `X-Amz-Executed-Version`, or, when the handler throws, 200 with `X-Amz-Function-Error: Unhandled` and
 *   `{"errorType", "errorMessage"}`; an unknown function is a 404 ResourceNotFoundException;
 * - the function URL (`url`, any other path): the HTTP request becomes a payload format 2.0 event (the body
 *   base64-encoded unless its content type is text or JSON, as function URLs do) and the handler's HttpResponse
 *   becomes the HTTP response (a result without `statusCode` is sent as a 200 JSON body).
 *
 * Both check the SigV4 signature as AWS_IAM authorization does: the signature is computed again with the SDK's own
 * signer (@smithy/signature-v4) from the known test credentials, the signed headers, the path, the query and the
 * body, for the service `lambda` and the emulator's region. A request that is unsigned, signed for another service or
 * region, with another key, or altered after signing is refused with 403 and the function never runs.
 * Request bodies above 6 MB (the documented synchronous payload limit) are refused with 413.
 */
import { createHash, createHmac, Hash, Hmac, randomUUID } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { LoopbackEmulator, LoopbackRequest, LoopbackResponse } from './loopback-server';
import { EMULATOR_ACCOUNT } from './sagemaker-runtime-emulator';

const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export type FunctionHandler = (event: unknown, context: { readonly awsRequestId: string }) => Promise<unknown>;

export interface LambdaEmulatorOptions {
  readonly functionName: string;
  readonly handler: FunctionHandler;
  /** the credentials callers sign with (useEmulatorEnvironment's) */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** @default 'us-east-1' */
  readonly region?: string;
}

export interface RecordedLambdaRequest {
  readonly via: 'invoke' | 'url';
  readonly path: string;
  /** why the request was refused, if it was */
  readonly refused?: string;
  readonly event?: unknown;
}

/** SHA-256 and HMAC-SHA-256 from node:crypto, for the signer (the SDK's own hash packages are not direct dependencies). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (data: SourceData): string | Buffer => (typeof data === 'string' ? data
  : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));

class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret?: string | Buffer;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytesOf(secret);
    this.hash = this.fresh();
  }
  public update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  public digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  public reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
}

export class LambdaEmulator extends LoopbackEmulator {
  public static async start(options: LambdaEmulatorOptions): Promise<LambdaEmulator> {
    return new LambdaEmulator(options).listen();
  }

  public readonly requests: RecordedLambdaRequest[] = [];
  public readonly region: string;

  private constructor(private readonly options: LambdaEmulatorOptions) {
    super();
    this.region = options.region ?? 'us-east-1';
  }

  /** The function URL, as the stack's InferenceUrl output gives it. */
  public get functionUrl(): string {
    return `${this.url}/`;
  }

  public get functionArn(): string {
    return `arn:aws:lambda:${this.region}:${EMULATOR_ACCOUNT}:function:${this.options.functionName}`;
  }

  public reset(): void {
    this.requests.length = 0;
  }

  protected async route(request: LoopbackRequest): Promise<LoopbackResponse> {
    const invoke = INVOKE_PATH.exec(request.rawPath);
    const via = invoke === null ? 'url' : 'invoke';
    const refused = await this.signatureProblem(request);
    if (refused !== undefined) {
      this.requests.push({ via, path: request.rawPath, refused });
      return via === 'url'
        ? { status: 403, headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() }, body: JSON.stringify({ Message: 'Forbidden' }) }
        : apiError(403, 'InvalidSignatureException', refused);
    }
    if (request.body.length > MAX_PAYLOAD_BYTES) {
      this.requests.push({ via, path: request.rawPath, refused: 'payload too large' });
      return via === 'url'
        ? { status: 413, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' }) }
        : apiError(413, 'RequestTooLargeException', `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`);
    }
    return invoke === null ? this.functionUrlRequest(request) : this.invoke(decodeURIComponent(invoke[1]), request);
  }

  private async invoke(functionName: string, request: LoopbackRequest): Promise<LoopbackResponse> {
    if (request.method !== 'POST') return apiError(405, 'UnknownOperationException', 'Invoke is a POST');
    if (functionName !== this.options.functionName && functionName !== this.functionArn) {
      this.requests.push({ via: 'invoke', path: request.rawPath, refused: 'no such function' });
      return apiError(404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:${this.region}:${EMULATOR_ACCOUNT}:function:${functionName}`);
    }
    let event: unknown;
    try {
      event = request.body.length === 0 ? {} : JSON.parse(request.body.toString('utf8'));
    } catch {
      return apiError(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    this.requests.push({ via: 'invoke', path: request.rawPath, event });
    const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', 'x-amzn-requestid': randomUUID() };
    try {
      const result = await this.options.handler(event, { awsRequestId: randomUUID() });
      return { status: 200, headers, body: JSON.stringify(result ?? null) };
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      return { status: 200, headers: { ...headers, 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify({ errorType: failure.name, errorMessage: failure.message, trace: [] }) };
    }
  }

  private async functionUrlRequest(request: LoopbackRequest): Promise<LoopbackResponse> {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)]));
    const text = isTextual(headers['content-type']);
    const query = Object.fromEntries(request.query.entries());
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: request.rawPath,
      rawQueryString: request.query.toString(),
      headers,
      ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
      requestContext: {
        accountId: EMULATOR_ACCOUNT,
        domainName: headers.host,
        http: { method: request.method, path: request.rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: '$default',
        stage: '$default',
        timeEpoch: Date.now(),
      },
      ...(request.body.length === 0 ? {} : { body: text ? request.body.toString('utf8') : request.body.toString('base64') }),
      isBase64Encoded: !text && request.body.length > 0,
    };
    this.requests.push({ via: 'url', path: request.rawPath, event });
    let result: unknown;
    try {
      result = await this.options.handler(event, { awsRequestId: randomUUID() });
    } catch {
      return { status: 502, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Message: 'Internal Server Error' }) };
    }
    const response = result as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean } | null;
    if (typeof response?.statusCode !== 'number') {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
    }
    const body = response.body === undefined ? '' : response.isBase64Encoded ? Buffer.from(response.body, 'base64') : response.body;
    return { status: response.statusCode, headers: { ...response.headers }, body };
  }

  /** Why the request's SigV4 signature is not valid for this emulator, or undefined when it is. */
  private async signatureProblem(request: LoopbackRequest): Promise<string | undefined> {
    const authorization = String(request.headers.authorization ?? '');
    const parsed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
    if (parsed === null) return 'the request is not signed with SigV4';
    const [, accessKeyId, , region, service, signedHeaders, signature] = parsed;
    if (accessKeyId !== this.options.credentials.accessKeyId) return `unknown access key ${accessKeyId}`;
    if (service !== 'lambda') return `signed for the service '${service}', expected 'lambda'`;
    if (region !== this.region) return `signed for the region '${region}', expected '${this.region}'`;
    const date = String(request.headers['x-amz-date'] ?? '');
    const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    if (stamp === null) return 'X-Amz-Date is missing';
    const signingDate = new Date(Date.UTC(+stamp[1], +stamp[2] - 1, +stamp[3], +stamp[4], +stamp[5], +stamp[6]));
    const names = signedHeaders.split(';');
    if (!names.includes('host')) return 'the host header is not signed';
    const headers: Record<string, string> = {};
    for (const name of names) {
      const value = request.headers[name];
      if (value === undefined) return `signed header ${name} is missing`;
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    // The signer also sends the body's hash; AWS checks it against the body received, not only the signature.
    const contentHash = headers['x-amz-content-sha256'];
    if (contentHash !== undefined && contentHash !== createHash('sha256').update(request.body).digest('hex')) {
      return 'the body does not match its signed x-amz-content-sha256';
    }
    const host = headers.host;
    const [hostname, port] = host.split(':');
    const signer = new SignatureV4({ service: 'lambda', region: this.region, credentials: this.options.credentials, sha256: NodeSha256 });
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of request.query.entries()) {
      const existing = query[name];
      query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    const expected = await signer.sign({
      method: request.method, protocol: 'http:', hostname, port: port === undefined ? undefined : Number(port), path: request.rawPath,
      query, headers, body: request.body,
    }, { signingDate, signableHeaders: new Set(names) });
    const computed = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization ?? expected.headers.Authorization))?.[1];
    return computed === signature ? undefined : 'the signature does not match the request';
  }
}

/** Function URLs pass text bodies as they are and base64-encode everything else. */
function isTextual(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type.startsWith('text/') || /^application\/([a-z.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded)$/.test(type);
}

function apiError(status: number, type: string, message: string): LoopbackResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ Type: 'User', message }),
  };
}
