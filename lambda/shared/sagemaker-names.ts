import { createHash } from 'crypto';

/** SageMaker's pattern for training job, model, endpoint config and endpoint names. */
export const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** Models and endpoint configs of a run are `<resource name prefix>-<run id>`: 38 + 1 + 24 = 63 characters at most. */
export const MAX_RESOURCE_NAME_PREFIX = 38;
/** Training jobs add `-<attempt>` (one digit), so their prefix is 2 characters shorter. */
const MAX_TRAINING_JOB_PREFIX = MAX_RESOURCE_NAME_PREFIX - 2;

/**
 * A run id that is unique per execution and valid inside any SageMaker name, whatever the execution's name (which
 * may hold 80 characters, underscores and other characters SageMaker refuses): `YYYYMMDD-HHMMSS-<8 hex>`, the
 * execution's start time in UTC and a hash of its unique execution ARN. 24 characters.
 */
export function runId(executionArn: string, startTime: string): string {
  const start = new Date(startTime);
  if (Number.isNaN(start.getTime())) {
    throw new Error(`execution start time '${startTime}' is not an ISO 8601 timestamp`);
  }
  const iso = start.toISOString(); // 2026-11-28T12:00:00.000Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  const hash = createHash('sha256').update(executionArn).digest('hex').slice(0, 8);
  return `${stamp}-${hash}`;
}

/** Names of what a run creates. */
export interface RunNames {
  /** The model and the endpoint config share this name. */
  readonly model: string;
  readonly endpointConfig: string;
  /** One training job name per attempt (instance type), in order. */
  readonly trainingJobs: string[];
}

export function runNames(resourceNamePrefix: string, id: string, attempts: number): RunNames {
  if (!SAGEMAKER_NAME.test(resourceNamePrefix) || resourceNamePrefix.length > MAX_RESOURCE_NAME_PREFIX) {
    throw new Error(`resource name prefix '${resourceNamePrefix}' must be a SageMaker name of at most ${MAX_RESOURCE_NAME_PREFIX} characters`);
  }
  if (attempts < 1 || attempts > 10) {
    throw new Error(`a run makes 1 to 10 training attempts, got ${attempts}`);
  }
  const resource = `${resourceNamePrefix}-${id}`;
  const jobPrefix = resourceNamePrefix.slice(0, MAX_TRAINING_JOB_PREFIX).replace(/-+$/, '');
  return {
    model: resource,
    endpointConfig: resource,
    trainingJobs: Array.from({ length: attempts }, (_, attempt) => `${jobPrefix}-${id}-${attempt}`),
  };
}
