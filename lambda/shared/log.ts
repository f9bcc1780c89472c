/**
 * Structured logs: one JSON object a line on stdout, each with the level, the time, the Lambda request id and an
 * event name, so CloudWatch Logs Insights can filter on any field. No free text is ever printed.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** a logger whose lines also carry `fields` */
  child(fields: LogFields): Logger;
}

/** Where lines go; stdout by default (Lambda ships it to CloudWatch Logs). */
export type LogSink = (line: string) => void;

const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(requestId: string, sink: LogSink = stdoutSink, base: LogFields = {}): Logger {
  const write = (level: LogLevel, event: string, fields: LogFields = {}): void => {
    const entry: Record<string, unknown> = { level, time: new Date().toISOString(), requestId, event, ...base };
    for (const [key, value] of Object.entries(fields)) entry[key] = value instanceof Error ? serializeError(value) : value;
    sink(safeStringify(entry));
  };
  return {
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (fields) => createLogger(requestId, sink, { ...base, ...fields }),
  };
}

/**
 * The loggable parts of an error, including what the AWS SDK attaches (`$metadata`, `$fault`) and the cause chain.
 * The stack goes to the log (for the operator), never to the caller.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  const sdk = error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number; requestId?: string }; code?: unknown };
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  if (typeof sdk.code === 'string' || typeof sdk.code === 'number') out.code = sdk.code;
  if (sdk.$fault !== undefined) out.fault = sdk.$fault;
  if (sdk.$metadata?.httpStatusCode !== undefined) out.httpStatusCode = sdk.$metadata.httpStatusCode;
  if (sdk.$metadata?.requestId !== undefined) out.awsRequestId = sdk.$metadata.requestId;
  if (error.stack !== undefined) out.stack = error.stack;
  if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

function safeStringify(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return JSON.stringify({ level: entry.level, time: entry.time, requestId: entry.requestId, event: entry.event, note: 'fields not serializable' });
  }
}
