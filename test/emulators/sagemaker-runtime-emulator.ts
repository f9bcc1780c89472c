/**
 * A loopback SageMaker runtime that speaks InvokeEndpoint's REST-JSON protocol as @aws-sdk/client-sagemaker-runtime
 * expects it (reached through AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME):
 * - request: POST /endpoints/{EndpointName}/invocations, `Content-Type` and `Accept` headers, the raw body;
 * - success: 200, the container's body, `Content-Type`, `x-Amzn-Invoked-Production-Variant`;
 * - errors: the status of the error shape (ValidationError 400, ModelError 424, ServiceUnavailable 503, ...), the
 *   `x-amzn-ErrorType: <Name>:<namespace>` header the SDK reads first, and a JSON body with `message` (ModelError:
 *   `Message`, `OriginalStatusCode`, `OriginalMessage`, `LogStreamArn`, `ErrorCode`).
 *
 * The model is a deterministic stub of the Image Classification - TensorFlow algorithm: fixed labels, probabilities
 * derived from a SHA-256 of the received bytes (so a test can predict them), summing to 1; the verbose answer for
 * `Accept: application/json;verbose`, the probabilities only for `application/json`.
 *
 * The `binary` behaviour stands for a model trained with `binary_mode` "True": one probability (given, or derived
 * from the bytes), for the second of exactly two labels. ASSUMED shape (the algorithm documents only "a single
 * probability"): the verbose object with a one-element `probabilities` (or the bare number with `scalar`), both labels,
 * and `predicted_label` as an argmax over the one probability would give it (always the first label).
 */
import { createHash, randomUUID } from 'node:crypto';
import { LoopbackEmulator, LoopbackRequest, LoopbackResponse } from './loopback-server';

export const EMULATOR_ACCOUNT = '123456789012';
export const DEFAULT_LABELS: readonly string[] = ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'];
/** InvokeEndpoint's documented body limit. */
const MAX_BODY_BYTES = 6_291_456;

export type EndpointStatus = 'InService' | 'Creating' | 'Updating' | 'Failed';

/** How the endpoint's container answers an invocation that reaches it. */
export type ContainerBehaviour =
  | { readonly kind: 'verbose' }
  | { readonly kind: 'binary'; readonly probability?: number; readonly scalar?: boolean }
  | { readonly kind: 'model-error'; readonly originalStatusCode: number; readonly originalMessage: string }
  | { readonly kind: 'malformed'; readonly body: string }
  | { readonly kind: 'service-unavailable' };

export interface RecordedInvocation {
  readonly endpointName: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface VerboseAnswer {
  readonly probabilities: number[];
  readonly labels: string[];
  readonly predicted_label: string;
}

/** The stub model: what the emulator answers for these bytes. */
export function stubAnswer(body: Uint8Array, labels: readonly string[] = DEFAULT_LABELS): VerboseAnswer {
  const digest = createHash('sha256').update(body).digest();
  const weights = labels.map((_, index) => digest[index % digest.length] + 1);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const probabilities = weights.map((weight) => weight / total);
  const best = probabilities.indexOf(Math.max(...probabilities));
  return { probabilities, labels: [...labels], predicted_label: labels[best] };
}

/** The binary stub model: the second label's probability for these bytes, in [0, 1]. */
export function stubBinaryProbability(body: Uint8Array): number {
  return createHash('sha256').update(body).digest().readUInt16BE(0) / 0xffff;
}

export class SageMakerRuntimeEmulator extends LoopbackEmulator {
  public static async start(labels: readonly string[] = DEFAULT_LABELS): Promise<SageMakerRuntimeEmulator> {
    return new SageMakerRuntimeEmulator(labels).listen();
  }

  /** endpoints that exist, by name; an invocation of any other name is "not found" as in the real service */
  public readonly endpoints = new Map<string, EndpointStatus>();
  public readonly invocations: RecordedInvocation[] = [];
  public behaviour: ContainerBehaviour = { kind: 'verbose' };

  private constructor(private readonly labels: readonly string[]) {
    super();
  }

  /** Back to a clean state between tests. */
  public reset(): void {
    this.endpoints.clear();
    this.invocations.length = 0;
    this.behaviour = { kind: 'verbose' };
  }

  protected route(request: LoopbackRequest): LoopbackResponse {
    const match = /^\/endpoints\/([^/]+)\/invocations$/.exec(request.rawPath);
    if (request.method !== 'POST' || match === null) {
      return errorResponse(404, 'UnknownOperationException', 'The requested operation is not supported.');
    }
    const endpointName = decodeURIComponent(match[1]);
    this.invocations.push({ endpointName, headers: { ...request.headers }, body: request.body });

    const status = this.endpoints.get(endpointName);
    if (status === undefined) {
      // Verbatim shape of the real message (seen in SageMaker users' reports).
      return errorResponse(400, 'ValidationError', `Endpoint ${endpointName} of account ${EMULATOR_ACCOUNT} not found.`);
    }
    if (status !== 'InService') {
      // ASSUMED wording: SageMaker does not document the message for an endpoint that exists but is not InService.
      return errorResponse(400, 'ValidationError', `Endpoint ${endpointName} of account ${EMULATOR_ACCOUNT} is not in service. Current status: ${status}.`);
    }
    if (request.body.length > MAX_BODY_BYTES) {
      return errorResponse(413, 'ValidationError', `Request payload of ${request.body.length} bytes exceeds the limit of ${MAX_BODY_BYTES}.`);
    }
    return this.answer(endpointName, request);
  }

  private answer(endpointName: string, request: LoopbackRequest): LoopbackResponse {
    const behaviour = this.behaviour;
    switch (behaviour.kind) {
      case 'verbose': {
        // The algorithm takes only application/x-image, and answers application/json (probabilities only) or
        // application/json;verbose (jumpstart-notes C). ASSUMED: how its container refuses anything else.
        const contentType = request.headers['content-type'];
        const accept = request.headers.accept ?? 'application/json';
        if (contentType !== 'application/x-image') {
          return modelError(endpointName, 415, `Content type ${contentType} is not supported by this script.`);
        }
        if (accept !== 'application/json' && accept !== 'application/json;verbose') {
          return modelError(endpointName, 406, `Accept type ${accept} is not supported by this script.`);
        }
        const answer = stubAnswer(request.body, this.labels);
        return {
          status: 200,
          headers: { 'content-type': accept, 'x-amzn-invoked-production-variant': 'AllTraffic', 'x-amzn-requestid': requestId() },
          body: JSON.stringify(accept === 'application/json' ? { probabilities: answer.probabilities } : answer),
        };
      }
      case 'binary': {
        if (this.labels.length !== 2) throw new Error(`a binary-mode model has two labels, this emulator has ${this.labels.length}`);
        const probability = behaviour.probability ?? stubBinaryProbability(request.body);
        return {
          status: 200,
          headers: { 'content-type': 'application/json;verbose', 'x-amzn-invoked-production-variant': 'AllTraffic', 'x-amzn-requestid': requestId() },
          body: JSON.stringify({ probabilities: behaviour.scalar === true ? probability : [probability], labels: [...this.labels], predicted_label: this.labels[0] }),
        };
      }
      case 'malformed':
        return { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId() }, body: behaviour.body };
      case 'service-unavailable':
        return errorResponse(503, 'ServiceUnavailable', 'The service is unavailable. Please try again later.');
      case 'model-error':
        return modelError(endpointName, behaviour.originalStatusCode, behaviour.originalMessage);
    }
  }
}

/** The container answered with an error status: SageMaker wraps it in a ModelError (424). */
function modelError(endpointName: string, originalStatusCode: number, originalMessage: string): LoopbackResponse {
  return errorResponse(424, 'ModelError', `Received client error (${originalStatusCode}) from primary with message "${originalMessage}". See https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEventViewer:group=/aws/sagemaker/Endpoints/${endpointName} in account ${EMULATOR_ACCOUNT} for more information.`, {
    ErrorCode: 'CLIENT_ERROR_FROM_MODEL',
    LogStreamArn: `arn:aws:logs:us-east-1:${EMULATOR_ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${endpointName}`,
    OriginalMessage: originalMessage,
    OriginalStatusCode: originalStatusCode,
  });
}

function errorResponse(status: number, type: string, message: string, extra: Record<string, unknown> = {}): LoopbackResponse {
  // ModelError's members are capitalised in the real service's body; the others use `message`.
  const body = type === 'ModelError' ? { Message: message, ...extra } : { message, ...extra };
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.sagemaker.runtime/`,
      'x-amzn-requestid': requestId(),
    },
    body: JSON.stringify(body),
  };
}

function requestId(): string {
  return randomUUID();
}
