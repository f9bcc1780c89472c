/**
 * The inference function's environment: variable names, defaults and limits, shared by the handler (which reads
 * them) and the CDK construct (which writes them). Pure: no AWS SDK, no CDK, so both sides can import it.
 */
import { isSageMakerName, SAGEMAKER_NAME_PATTERN } from './sagemaker-names';

/** Names of the environment variables the handler reads. */
export const EnvironmentVariable = {
  /** name of the SageMaker endpoint to invoke (required) */
  ENDPOINT_NAME: 'ENDPOINT_NAME',
  /** edge in pixels of the square image the model expects (required, integer in IMAGE_SIZE_RANGE) */
  IMAGE_SIZE: 'IMAGE_SIZE',
  /** comma-separated bucket names that `s3Uri` requests may read (optional, default none) */
  READABLE_BUCKETS: 'READABLE_BUCKETS',
  /** largest accepted image in bytes (optional, default DEFAULT_MAX_IMAGE_BYTES) */
  MAX_IMAGE_BYTES: 'MAX_IMAGE_BYTES',
  /** largest accepted image in pixels, checked on the header before decoding (optional) */
  MAX_IMAGE_PIXELS: 'MAX_IMAGE_PIXELS',
  /** number of predictions returned when the request names none (optional, default DEFAULT_TOP_K) */
  DEFAULT_TOP_K: 'DEFAULT_TOP_K',
  /** bucket whose ObjectCreated notifications the function classifies (optional, with INBOX_PREFIX) */
  INBOX_BUCKET: 'INBOX_BUCKET',
  /** key prefix of the inbox inside INBOX_BUCKET (required when INBOX_BUCKET is set) */
  INBOX_PREFIX: 'INBOX_PREFIX',
  /** how many inbox objects one invocation classifies at the same time (optional) */
  INBOX_CONCURRENCY: 'INBOX_CONCURRENCY',
  /**
   * `true` when the model was trained with the `binary_mode` hyperparameter "True" and answers with one probability
   * (optional, `true` or `false`, default false)
   */
  BINARY_MODE: 'BINARY_MODE',
} as const;

export type EnvironmentVariableName = (typeof EnvironmentVariable)[keyof typeof EnvironmentVariable];

/** Accepted model input sizes. The JumpStart TF IC models use 224..600; the range leaves room either side. */
export const IMAGE_SIZE_RANGE = { min: 32, max: 1024 } as const;
export const TOP_K_RANGE = { min: 1, max: 1000 } as const;
export const INBOX_CONCURRENCY_RANGE = { min: 1, max: 16 } as const;

/** Same defaults as preprocessImage (lambda/image/preprocess.ts). */
export const DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;
export const DEFAULT_TOP_K = 5;
/** Each in-flight image can hold a few hundred MB while decoding in pure JavaScript; keep the default low. */
export const DEFAULT_INBOX_CONCURRENCY = 2;

/** Suffixes of the objects the function writes next to an inbox image; objects with them are never classified. */
export const PREDICTION_SUFFIX = '.prediction.json';
export const ERROR_SUFFIX = '.error.json';

/** The validated environment. */
export interface InferenceConfig {
  readonly endpointName: string;
  readonly imageSize: number;
  readonly readableBuckets: readonly string[];
  readonly maxImageBytes: number;
  readonly maxImagePixels: number;
  readonly defaultTopK: number;
  /** the endpoint answers with one probability, of the second of its two labels (see invoke-endpoint.ts) */
  readonly binaryMode: boolean;
  readonly inbox?: { readonly bucket: string; readonly prefix: string; readonly concurrency: number };
}

/** Every problem found in the environment, so one log line tells the operator all that is wrong. */
export class ConfigurationError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`invalid environment: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }
}

/** S3 bucket names (general purpose buckets): 3-63 lowercase letters, digits, dots and hyphens. */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the environment; throws ConfigurationError listing every problem. */
export function loadConfig(env: Env): InferenceConfig {
  const problems: string[] = [];
  const text = (name: EnvironmentVariableName): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: EnvironmentVariableName, fallback: number | undefined, range: { min: number; max: number }): number => {
    const raw = text(name);
    if (raw === undefined) {
      if (fallback === undefined) problems.push(`${name} is required`);
      return fallback ?? NaN;
    }
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
      problems.push(`${name} must be an integer in [${range.min}, ${range.max}], got ${JSON.stringify(raw)}`);
    }
    return value;
  };

  const endpointName = text(EnvironmentVariable.ENDPOINT_NAME) ?? '';
  if (endpointName === '') {
    problems.push(`${EnvironmentVariable.ENDPOINT_NAME} is required`);
  } else if (!isSageMakerName(endpointName)) {
    problems.push(`${EnvironmentVariable.ENDPOINT_NAME} must match ${SAGEMAKER_NAME_PATTERN.source}, got ${JSON.stringify(endpointName)}`);
  }
  const imageSize = integer(EnvironmentVariable.IMAGE_SIZE, undefined, IMAGE_SIZE_RANGE);
  const maxImageBytes = integer(EnvironmentVariable.MAX_IMAGE_BYTES, DEFAULT_MAX_IMAGE_BYTES, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const maxImagePixels = integer(EnvironmentVariable.MAX_IMAGE_PIXELS, DEFAULT_MAX_IMAGE_PIXELS, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const defaultTopK = integer(EnvironmentVariable.DEFAULT_TOP_K, DEFAULT_TOP_K, TOP_K_RANGE);

  const binaryText = text(EnvironmentVariable.BINARY_MODE)?.toLowerCase() ?? 'false';
  if (binaryText !== 'true' && binaryText !== 'false') {
    problems.push(`${EnvironmentVariable.BINARY_MODE} must be true or false, got ${JSON.stringify(env[EnvironmentVariable.BINARY_MODE])}`);
  }
  const binaryMode = binaryText === 'true';

  const readableBuckets = (text(EnvironmentVariable.READABLE_BUCKETS) ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of readableBuckets) {
    if (!BUCKET_NAME_PATTERN.test(name)) {
      problems.push(`${EnvironmentVariable.READABLE_BUCKETS} holds an invalid bucket name ${JSON.stringify(name)}`);
    }
  }

  const inboxBucket = text(EnvironmentVariable.INBOX_BUCKET);
  const inboxPrefix = env[EnvironmentVariable.INBOX_PREFIX] ?? '';
  const concurrency = integer(EnvironmentVariable.INBOX_CONCURRENCY, DEFAULT_INBOX_CONCURRENCY, INBOX_CONCURRENCY_RANGE);
  let inbox: InferenceConfig['inbox'];
  if (inboxBucket !== undefined) {
    if (!BUCKET_NAME_PATTERN.test(inboxBucket)) {
      problems.push(`${EnvironmentVariable.INBOX_BUCKET} must be a bucket name, got ${JSON.stringify(inboxBucket)}`);
    }
    if (inboxPrefix === '') {
      problems.push(`${EnvironmentVariable.INBOX_PREFIX} is required when ${EnvironmentVariable.INBOX_BUCKET} is set`);
    }
    inbox = { bucket: inboxBucket, prefix: inboxPrefix, concurrency };
  } else if (inboxPrefix !== '') {
    problems.push(`${EnvironmentVariable.INBOX_PREFIX} is set but ${EnvironmentVariable.INBOX_BUCKET} is not`);
  }

  if (problems.length > 0) throw new ConfigurationError(problems);
  return { endpointName, imageSize, readableBuckets, maxImageBytes, maxImagePixels, defaultTopK, binaryMode, inbox };
}
