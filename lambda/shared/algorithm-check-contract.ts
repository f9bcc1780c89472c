/**
 * What the AlgorithmObjectsCheck construct and its handler agree on: the custom resource's properties, the attributes
 * it returns and the environment. Pure: no AWS SDK, no CDK, so both sides can import it.
 */

/** Names of the custom resource's properties. */
export const ResourceProperty = {
  /** the JumpStart model id, for messages */
  MODEL_ID: 'ModelId',
  /** `{ Bucket, Key }` of the training script tarball */
  TRAINING_SCRIPT: 'TrainingScript',
  /** `[{ Bucket, Key }, ...]`: where the pretrained model may be, most likely first */
  PRETRAINED_MODEL_CANDIDATES: 'PretrainedModelCandidates',
  /** `'true'` when the locations come from `locations.*` overrides rather than the known layouts */
  TRAINING_SCRIPT_OVERRIDDEN: 'TrainingScriptOverridden',
  PRETRAINED_MODEL_OVERRIDDEN: 'PretrainedModelOverridden',
} as const;

/** Names of the attributes (Fn::GetAtt) the resource returns once the objects are found. */
export const Attribute = {
  /** key of the pretrained model tarball that exists */
  PRETRAINED_MODEL_KEY: 'PretrainedModelKey',
  /** its bucket */
  PRETRAINED_MODEL_BUCKET: 'PretrainedModelBucket',
  /** `s3://<bucket>/<key>` of the pretrained model tarball that exists */
  PRETRAINED_MODEL_URI: 'PretrainedModelUri',
  /** `s3://<bucket>/<key>` of the training script tarball (checked) */
  TRAINING_SCRIPT_URI: 'TrainingScriptUri',
} as const;

/** Names of the environment variables the handler reads. */
export const EnvironmentVariable = {
  /** name of the role the check runs with, named in messages about missing permissions (optional) */
  CHECK_ROLE_NAME: 'ALGORITHM_CHECK_ROLE_NAME',
} as const;

/** How to replace each location, named in failure messages. */
export const OVERRIDE_HINT = {
  trainingScript: 'training.locations.trainingScriptUri (ImageClassifier) or locations.trainingScriptUri (TrainingJobDefinition)',
  pretrainedModel: 'training.locations.pretrainedModelUri (ImageClassifier) or locations.pretrainedModelUri (TrainingJobDefinition)',
} as const;

/** An object in S3. */
export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

/** What one custom resource checks, read from its properties. */
export interface CheckRequest {
  readonly modelId: string;
  readonly trainingScript: ObjectLocation;
  readonly pretrainedModelCandidates: ObjectLocation[];
  readonly trainingScriptOverridden: boolean;
  readonly pretrainedModelOverridden: boolean;
}

export function s3UriOf(location: ObjectLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** Reads the resource's properties; throws one error naming every malformed property. */
export function parseCheckRequest(properties: Readonly<Record<string, unknown>> | undefined): CheckRequest {
  const props = properties ?? {};
  const problems: string[] = [];
  const modelId = props[ResourceProperty.MODEL_ID];
  if (typeof modelId !== 'string' || modelId === '') problems.push(`${ResourceProperty.MODEL_ID} must be a model id, got ${JSON.stringify(modelId)}`);
  const trainingScript = parseLocation(props[ResourceProperty.TRAINING_SCRIPT]);
  if (!trainingScript) problems.push(`${ResourceProperty.TRAINING_SCRIPT} must be { Bucket, Key }, got ${JSON.stringify(props[ResourceProperty.TRAINING_SCRIPT])}`);
  const rawCandidates = props[ResourceProperty.PRETRAINED_MODEL_CANDIDATES];
  const candidates = Array.isArray(rawCandidates) ? rawCandidates.map(parseLocation) : [];
  if (candidates.length === 0 || candidates.some((candidate) => candidate === undefined)) {
    problems.push(`${ResourceProperty.PRETRAINED_MODEL_CANDIDATES} must be a non-empty list of { Bucket, Key }, got ${JSON.stringify(rawCandidates)}`);
  }
  if (problems.length > 0) throw new Error(`invalid algorithm check properties: ${problems.join('; ')}`);
  return {
    modelId: modelId as string,
    trainingScript: trainingScript!,
    pretrainedModelCandidates: candidates as ObjectLocation[],
    // CloudFormation passes every scalar property as a string.
    trainingScriptOverridden: String(props[ResourceProperty.TRAINING_SCRIPT_OVERRIDDEN]) === 'true',
    pretrainedModelOverridden: String(props[ResourceProperty.PRETRAINED_MODEL_OVERRIDDEN]) === 'true',
  };
}

function parseLocation(value: unknown): ObjectLocation | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { Bucket: bucket, Key: key } = value as Record<string, unknown>;
  return typeof bucket === 'string' && bucket !== '' && typeof key === 'string' && key !== '' ? { bucket, key } : undefined;
}
