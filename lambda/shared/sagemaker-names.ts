/**
 * The one definition of how this package names what it creates in SageMaker, used by the constructs (validation,
 * IAM resources, the public patterns of ClassifierEndpoint), by the pipeline's functions (run names, superseded
 * versions) and by the cleanup (what it may delete):
 *
 * - the endpoint has one name for the life of the stack;
 * - models and endpoint configurations the pipeline creates are `<prefix>-<run id>`, those CloudFormation creates for
 *   an endpoint with a fixed model are `<prefix>-static-<hash>`;
 * - training jobs are `<prefix, cut to 36>-<run id>-<attempt digit>`;
 * - transform jobs are `<prefix, cut to leave room for the tag>-<tag>-<run id>` (`flowers-batch-<run id>`), the tag
 *   saying which feature ran them (`batch` for BatchClassification, `evalc` and `evals` for the retraining pipeline's
 *   evaluation of the challenger and of the serving champion), so that their IAM patterns never overlap;
 * - a run id is `YYYYMMDD-HHMMSS-<8 hex digits>` (24 characters), so `<prefix>-<run id>` fits SageMaker's 63 characters
 *   with a prefix of at most 38.
 *
 * Pure: no AWS SDK, no CDK (Node's crypto only, for hashes).
 */
import { createHash } from 'crypto';

/** SageMaker's pattern for training job, model, endpoint config, endpoint and variant names [botocore service-2.json]. */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** The longest such name. */
export const SAGEMAKER_NAME_MAX_LENGTH = 63;

/** Length of the hashes in derived names (hex digits). */
export const HASH_LENGTH = 8;

/** A run id: `YYYYMMDD-HHMMSS-<8 hex digits>`, as `runId` makes it. */
export const RUN_ID_PATTERN_SOURCE = `[0-9]{8}-[0-9]{6}-[0-9a-f]{${HASH_LENGTH}}`;
export const RUN_ID_LENGTH = 24;
/** A run id as an IAM resource wildcard: one `?` per character, so `<prefix>-` + this matches no longer name. */
export const RUN_ID_IAM_WILDCARD = '????????-??????-????????';

/** The suffix of the names of a CloudFormation-managed model or endpoint configuration: `static-<8 hex digits>`. */
const STATIC_PREFIX = 'static-';
const STATIC_SUFFIX_PATTERN_SOURCE = `${STATIC_PREFIX}[0-9a-f]{${HASH_LENGTH}}`;
const STATIC_SUFFIX_IAM_WILDCARD = `${STATIC_PREFIX}${'?'.repeat(HASH_LENGTH)}`;

/** The longest resource name prefix: `<prefix>-<run id>` must fit SageMaker's 63 characters (38 + 1 + 24). */
export const RESOURCE_NAME_PREFIX_MAX_LENGTH = SAGEMAKER_NAME_MAX_LENGTH - 1 - RUN_ID_LENGTH;
/** Training jobs add `-<attempt>` (one digit) to `<prefix>-<run id>`, so their prefix is 2 characters shorter. */
export const TRAINING_JOB_PREFIX_MAX_LENGTH = RESOURCE_NAME_PREFIX_MAX_LENGTH - 2;
/** At most this many training attempts per run, so the attempt is one digit. */
export const MAX_TRAINING_ATTEMPTS = 10;

/** Whether `name` is a valid SageMaker resource name. */
export function isSageMakerName(name: string): boolean {
  return name.length <= SAGEMAKER_NAME_MAX_LENGTH && SAGEMAKER_NAME_PATTERN.test(name);
}

/** Whether `prefix` can start the names of the models and endpoint configurations of a run. */
export function isResourceNamePrefix(prefix: string): boolean {
  return prefix.length <= RESOURCE_NAME_PREFIX_MAX_LENGTH && SAGEMAKER_NAME_PATTERN.test(prefix);
}

/** First 8 hex digits of the SHA-256 of `text`. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * The prefix of the names of the models and endpoint configurations an endpoint owns: the endpoint name when it has
 * at most 38 characters; otherwise its first 29 characters and a hash of the whole name, so that two long names
 * sharing their first 38 characters do not share a prefix (the cleanup deletes by prefix).
 */
export function resourceNamePrefix(endpointName: string): string {
  if (endpointName.length <= RESOURCE_NAME_PREFIX_MAX_LENGTH) return endpointName;
  const head = endpointName.slice(0, RESOURCE_NAME_PREFIX_MAX_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${shortHash(endpointName)}`;
}

/** The prefix of a run's training job names: the resource name prefix cut to 36 characters, without trailing hyphens. */
export function trainingJobPrefix(resourceNamePrefix: string): string {
  return resourceNamePrefix.slice(0, TRAINING_JOB_PREFIX_MAX_LENGTH).replace(/-+$/, '');
}

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
  return `${stamp}-${shortHash(executionArn)}`;
}

/** The longest transform job tag (`batch`, ...): the prefix keeps at least 32 characters. */
export const TRANSFORM_JOB_TAG_MAX_LENGTH = 5;
/** The tag of the transform jobs of BatchClassification runs. */
export const BATCH_TRANSFORM_TAG = 'batch';
/** The tags of the retraining pipeline's evaluation transform jobs: the challenger's and the serving champion's. */
export const EVALUATION_TRANSFORM_TAGS = { challenger: 'evalc', champion: 'evals' } as const;

/**
 * The prefix of the names of the transform jobs a feature runs for `resourceNamePrefix`: `<prefix>-<tag>`, the prefix
 * cut (without trailing hyphens) so that the whole is at most 38 characters and `<that>-<run id>` fits SageMaker's 63.
 */
export function transformJobPrefix(resourceNamePrefix: string, tag: string): string {
  if (!/^[a-z0-9]+$/.test(tag) || tag.length > TRANSFORM_JOB_TAG_MAX_LENGTH) {
    throw new Error(`a transform job tag is 1-${TRANSFORM_JOB_TAG_MAX_LENGTH} lower-case letters and digits, got '${tag}'`);
  }
  if (!isResourceNamePrefix(resourceNamePrefix)) {
    throw new Error(`resource name prefix '${resourceNamePrefix}' must be a SageMaker name of at most ${RESOURCE_NAME_PREFIX_MAX_LENGTH} characters`);
  }
  const head = resourceNamePrefix.slice(0, RESOURCE_NAME_PREFIX_MAX_LENGTH - tag.length - 1).replace(/-+$/, '');
  return `${head}-${tag}`;
}

/** A transform job's name: `<transform job prefix>-<run id>`, at most 63 characters. */
export function transformJobName(jobPrefix: string, id: string): string {
  const name = `${jobPrefix}-${id}`;
  if (!isSageMakerName(name)) throw new Error(`transform job name '${name}' is not a SageMaker name of at most ${SAGEMAKER_NAME_MAX_LENGTH} characters`);
  return name;
}

/** Names of what a run creates. */
export interface RunNames {
  /** The model and the endpoint config share this name. */
  readonly model: string;
  readonly endpointConfig: string;
  /** One training job name per attempt (instance type), in order. */
  readonly trainingJobs: string[];
  /** The evaluation's Batch Transform jobs: the challenger's (this run's model) and the serving champion's. */
  readonly transformJobs: { readonly challenger: string; readonly champion: string };
}


export function runNames(resourceNamePrefix: string, id: string, attempts: number): RunNames {
  if (!isResourceNamePrefix(resourceNamePrefix)) {
    throw new Error(`resource name prefix '${resourceNamePrefix}' must be a SageMaker name of at most ${RESOURCE_NAME_PREFIX_MAX_LENGTH} characters`);
  }
  if (attempts < 1 || attempts > MAX_TRAINING_ATTEMPTS) {
    throw new Error(`a run makes 1 to ${MAX_TRAINING_ATTEMPTS} training attempts, got ${attempts}`);
  }
  const resource = `${resourceNamePrefix}-${id}`;
  const jobPrefix = trainingJobPrefix(resourceNamePrefix);
  return {
    model: resource,
    endpointConfig: resource,
    trainingJobs: Array.from({ length: attempts }, (_, attempt) => `${jobPrefix}-${id}-${attempt}`),
    transformJobs: {
      challenger: transformJobName(transformJobPrefix(resourceNamePrefix, EVALUATION_TRANSFORM_TAGS.challenger), id),
      champion: transformJobName(transformJobPrefix(resourceNamePrefix, EVALUATION_TRANSFORM_TAGS.champion), id),
    },
  };
}

/**
 * Whether a model or endpoint config name is one the pipeline made under `prefix`: exactly `<prefix>-<run id>`, so
 * that the resources of an endpoint whose prefix merely starts with `<prefix>-` (`flowers`, `flowers-ic`) are never
 * taken for ours.
 */
export function isPipelineResourceName(name: string, prefix: string): boolean {
  // Stryker disable next-line ConditionalExpression: a cheap first test; the anchored run id pattern on the rest fixes the length anyway
  return name.length === prefix.length + 1 + RUN_ID_LENGTH
    && name.startsWith(`${prefix}-`)
    && new RegExp(`^${RUN_ID_PATTERN_SOURCE}$`).test(name.slice(prefix.length + 1));
}

/** The name of a CloudFormation-managed model or endpoint configuration: `<prefix>-static-<hash of its request>`. */
export function staticResourceName(prefix: string, request: string): string {
  return `${prefix}-${STATIC_PREFIX}${shortHash(request)}`;
}

/**
 * A regular expression (source) matching exactly the model and endpoint configuration names an endpoint with this
 * prefix owns: `<prefix>-<run id>` (pipeline) and `<prefix>-static-<8 hex digits>` (CloudFormation).
 */
export function ownedResourceNamePattern(prefix: string): string {
  return `^${escapeRegExp(prefix)}-(${RUN_ID_PATTERN_SOURCE}|${STATIC_SUFFIX_PATTERN_SOURCE})$`;
}

/**
 * IAM resource names (the part after `model/`, `endpoint-config/` or `training-job/` in an ARN) with one `?` per
 * character of the run id or hash, so that a longer name sharing the prefix is never matched. `arnPrefix` is the
 * resource name prefix as it appears in ARNs: SageMaker puts names in ARNs in lower case.
 */
export const iamResourceNames = {
  /** The models and endpoint configurations of the pipeline's runs. */
  runResources: (arnPrefix: string): string => `${arnPrefix}-${RUN_ID_IAM_WILDCARD}`,
  /** The training jobs of the pipeline's runs (one digit per attempt). */
  trainingJobs: (arnPrefix: string): string => `${trainingJobPrefix(arnPrefix)}-${RUN_ID_IAM_WILDCARD}-?`,
  /** The transform jobs named `<transform job prefix>-<run id>` (see `transformJobPrefix`). */
  transformJobs: (arnJobPrefix: string): string => `${arnJobPrefix}-${RUN_ID_IAM_WILDCARD}`,
  /**
   * The retraining pipeline's evaluation transform jobs of the endpoint whose resource name prefix (in ARNs) is
   * `arnPrefix`: both tags (`evalc`, `evals`) differ in their last letter only, which one `?` stands for.
   */
  evaluationTransformJobs: (arnPrefix: string): string =>
    `${transformJobPrefix(arnPrefix, EVALUATION_TRANSFORM_TAGS.challenger).slice(0, -1)}?-${RUN_ID_IAM_WILDCARD}`,
  /** The model and endpoint configuration CloudFormation creates for an endpoint with a fixed model. */
  staticResources: (arnPrefix: string): string => `${arnPrefix}-${STATIC_SUFFIX_IAM_WILDCARD}`,
} as const;

/** `text` with the characters that mean something in a regular expression escaped. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
