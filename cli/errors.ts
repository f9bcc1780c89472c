/**
 * The command line's errors: each kind has its exit code, and main() prints the message alone (the stack trace only
 * with --debug). Anything thrown that is not a CliError is turned into one by `toCliError`.
 */
export const EXIT_CODES = {
  /** `dataset check` found errors in the dataset (also used by commands whose result is a failure) */
  dataset: 1,
  /** bad arguments or options */
  usage: 2,
  /** the AWS SDK found no credentials */
  credentials: 3,
  /** the stack (or an output the command needs) does not exist */
  'stack-not-found': 4,
  /** an AWS call failed */
  aws: 5,
  /** a fault of the command line itself (a bug): the message asks for --debug */
  internal: 70,
} as const;

export type CliErrorKind = keyof typeof EXIT_CODES;

export class CliError extends Error {
  public readonly exitCode: number;

  constructor(public readonly kind: CliErrorKind, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = EXIT_CODES[kind];
  }
}

/** Fields of an AWS SDK v3 service exception that the messages use. */
interface SdkServiceError {
  readonly name: string;
  readonly message: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
}

const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'UnrecognizedClientException',
  'InvalidClientTokenId', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'TokenRefreshRequired']);

/** The CliError for anything thrown while a command ran. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof Error) {
    const sdk = error as Error & SdkServiceError;
    if (CREDENTIAL_ERRORS.has(sdk.name)) {
      return new CliError('credentials', `No usable AWS credentials (${sdk.name}: ${firstLine(sdk.message)}). `
        + 'Configure them as for the AWS CLI (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and the region (AWS_REGION or --region).', { cause: error });
    }
    if (/region is missing/i.test(sdk.message)) {
      return new CliError('credentials', 'No AWS region is configured: pass --region, or set AWS_REGION or a region in your AWS profile.', { cause: error });
    }
    if (sdk.$metadata !== undefined) {
      const requestId = sdk.$metadata.requestId ? `, request id ${sdk.$metadata.requestId}` : '';
      return new CliError('aws', `AWS error ${sdk.name} (HTTP ${sdk.$metadata.httpStatusCode ?? '?'}${requestId}): ${firstLine(sdk.message)}`, { cause: error });
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
      return new CliError('aws', `Could not reach AWS (${code}): ${firstLine(error.message)}`, { cause: error });
    }
  }
  return new CliError('internal', `Unexpected failure: ${error instanceof Error ? firstLine(error.message) : String(error)} (run again with --debug for details)`, { cause: error });
}

function firstLine(text: string): string {
  return (text.split('\n')[0] || '(no message)').trim();
}
