/**
 * The handler's control flow, with its dependencies passed in: index.ts wires the real AWS SDK clients, the real
 * preprocessing and the environment; tests can wire anything.
 *
 * Return values by event kind (see request.ts for the request shapes):
 * - HTTP (payload 2.0): always an HttpResponse; 200 with a ClassificationResult body, or an error status with
 *   `{"error": {"code", "message"}}` (503 adds `Retry-After`). Never throws.
 * - Direct invocation: the ClassificationResult itself, or a DirectErrorResult
 *   `{"error": {"code", "message", "status", "retryAfterSeconds"?}}`. Never throws.
 * - S3 notification: an InboxSummary; throws InboxBatchError after the batch if any object failed for a reason a
 *   retry may fix (and a ConfigurationError-backed InferenceError if the function is misconfigured), so that
 *   Lambda's retries and on-failure destination see the event. See s3-notifications.ts.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { ClassifierDependencies, classifyImage, loadImage, Preprocess } from './classify';
import { ConfigurationError, InferenceConfig, loadConfig } from '../shared/inference-environment';
import { InferenceError } from './inference-error';
import { createLogger, Logger, LogSink } from '../shared/log';
import { classifyEvent, HttpRequestEvent, looksLikeHttp, parseDirectRequest, parseHttpRequest } from './request';
import {
  ClassificationResult,
  describeError,
  DirectErrorResult,
  directErrorResult,
  httpErrorResponse,
  HttpResponse,
  httpResponse,
} from './response';
import { InboxBatchError, InboxSummary, processInbox, S3NotificationEvent } from './s3-notifications';

/** The parts of the Lambda context the handler reads. */
export interface LambdaContext {
  readonly awsRequestId: string;
}

export type HandlerResult = HttpResponse | ClassificationResult | DirectErrorResult | InboxSummary;
export type Handler = (event: unknown, context: LambdaContext) => Promise<HandlerResult>;

/** The environment, read once per container: either a valid config or the reason it is not. */
export type Configuration = { readonly ok: true; readonly config: InferenceConfig } | { readonly ok: false; readonly error: unknown };

export function readConfiguration(env: Readonly<Record<string, string | undefined>>): Configuration {
  try {
    return { ok: true, config: loadConfig(env) };
  } catch (error) {
    return { ok: false, error };
  }
}

export interface HandlerDependencies {
  readonly configuration: Configuration;
  readonly sageMaker: SageMakerRuntimeClient;
  /** the S3 client, created on first use (only S3 requests need it) */
  readonly s3: () => S3Client;
  readonly preprocess: Preprocess;
  /** where log lines go; default stdout */
  readonly logSink?: LogSink;
}

const UNSUPPORTED_EVENT_MESSAGE =
  'this function accepts HTTP requests in payload format 2.0, S3 ObjectCreated notifications, and {"s3Uri": "s3://bucket/key"} invocations';

export function createHandler(deps: HandlerDependencies): Handler {
  return async (event, context) => {
    const log = createLogger(context.awsRequestId, deps.logSink);
    const kind = classifyEvent(event);
    if (kind === 's3') return handleNotification(event as S3NotificationEvent, deps, log);

    const http = kind === 'http' || looksLikeHttp(event);
    const httpRequestId = http ? (event as Partial<HttpRequestEvent>).requestContext?.requestId : undefined;
    const requestLog = httpRequestId === undefined ? log : log.child({ httpRequestId });
    requestLog.info('request', { kind });
    try {
      const config = configured(deps.configuration, requestLog);
      if (kind === 'unsupported') throw new InferenceError(400, 'UNSUPPORTED_EVENT', UNSUPPORTED_EVENT_MESSAGE);
      const request = kind === 'http' ? parseHttpRequest(event as HttpRequestEvent, config) : parseDirectRequest(event, config);
      const classifier: ClassifierDependencies = { ...deps, config, log: requestLog };
      const bytes = await loadImage(request.source, classifier);
      const result = await classifyImage(bytes, request.topK, classifier);
      return http ? httpResponse(200, result) : result;
    } catch (error) {
      const description = describeError(error);
      if (description.expected) {
        requestLog.warn('request-rejected', { status: description.status, code: description.code, message: description.message });
      } else {
        requestLog.error('request-failed', { status: description.status, code: description.code, error });
      }
      return http ? httpErrorResponse(description) : directErrorResult(description);
    }
  };
}

async function handleNotification(event: S3NotificationEvent, deps: HandlerDependencies, log: Logger): Promise<InboxSummary> {
  log.info('request', { kind: 's3', records: event.Records?.length ?? 0 });
  const config = configured(deps.configuration, log);
  const summary = await processInbox(event, { ...deps, config, log });
  const counts = { succeeded: summary.succeeded.length, failed: summary.failed.length, skipped: summary.skipped.length };
  if (summary.failed.some((failure) => failure.retryable)) {
    const error = new InboxBatchError(summary);
    log.error('inbox-batch-failed', { ...counts, error: error.message });
    throw error;
  }
  log.info('inbox-batch-done', counts);
  return summary;
}

/** The config, or a 500 CONFIGURATION_ERROR whose details go to the log only. */
function configured(configuration: Configuration, log: Logger): InferenceConfig {
  if (configuration.ok) return configuration.config;
  const problems = configuration.error instanceof ConfigurationError ? configuration.error.problems : undefined;
  log.error('configuration-invalid', { problems, error: configuration.error });
  throw new InferenceError(500, 'CONFIGURATION_ERROR', 'the function is misconfigured; see its logs', { cause: configuration.error });
}
