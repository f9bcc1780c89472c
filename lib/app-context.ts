import { Duration } from 'aws-cdk-lib';
import { Node } from 'constructs';
import { checkHyperparameters, Hyperparameters } from '../lambda/shared/hyperparameter-spec';
import { JumpStartModel } from './algorithm/jumpstart-model';
import { ImageClassifierProps } from './image-classifier';
import { RetrainingSchedule } from './pipeline/retraining-schedule';
import { editDistance } from '../lambda/shared/edit-distance';
import { inspectImageFolder } from './private/image-folder';
import { emailAddressProblem } from './private/email-address';
import { datasetPrefixProblem } from './private/locations';
import { validateInferenceInstanceType, validateTrainingInstanceType } from './private/instance-type-checks';
import { closestModelIds, imageSizeProblem } from './private/model-catalog';
import { scheduleExpressionProblem } from './private/schedule-expression';
import { EndpointCapacity } from './serving/endpoint-capacity';
import { InferenceInstanceType } from './serving/inference-instance-type';
import { TrainingInstanceType } from './training/training-instance-type';

/** Prefix of every context key the app reads from cdk.json or `cdk synth -c key=value`. */
export const CONTEXT_PREFIX = 'imageClassifier:';

/** The context keys the app reads, with what each one sets. The README lists the same keys. */
export const CONTEXT_KEYS = {
  model: 'JumpStart model id to fine-tune (default tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4)',
  imageSize: 'input image edge in pixels, needed only for models without a published size (BiT)',
  datasetPrefix: 'key prefix of the dataset in its bucket (default dataset)',
  trainingInstanceType: 'training instance type (default ml.p3.2xlarge)',
  spot: 'true to train on managed spot capacity (default false)',
  maxRuntimeHours: 'longest a training job may run, in hours (default 6)',
  useValidationChannel: 'true to send <prefix>/validation/ as the validation channel (default false)',
  hyperparameters: 'JSON object of camelCase hyperparameters, e.g. {"epochs": 10, "learningRate": 0.0005}',
  endpointInstanceType: 'endpoint instance type (default ml.m5.large); ignored with endpointServerless',
  endpointServerless: 'true for a serverless endpoint (3 GiB, 5 concurrent) instead of instances (default false)',
  retrainSchedule: 'EventBridge Scheduler expression such as rate(7 days), cron(0 3 ? * SUN *) or at(2030-01-31T03:00:00), or off (default rate(7 days))',
  retrainOnNewData: 'true to retrain when images are added under the training folder (default false)',
  minimumAccuracy: 'validation accuracy a model needs to be promoted, 0-1 (default 0.5)',
  notificationEmail: 'email address told of each retraining run (default none)',
  seedDatasetFrom: 'local folder laid out as <class>/<image>.jpg uploaded to the training folder at deploy time (default none)',
  startRetrainingOnDeploy: 'true to start a retraining run when the stack is created (default: true with seedDatasetFrom)',
} as const;

type ContextKey = keyof typeof CONTEXT_KEYS;

/** Every problem in the app's settings, one line each, naming its context key: thrown before anything is built. */
export class SettingsError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the app's settings (cdk.json "context", or cdk -c key=value):\n  `
      + problems.join('\n  '));
    this.name = 'SettingsError';
  }
}

/**
 * Reads the `imageClassifier:*` context into `ImageClassifierProps`, checking every setting with the rules the
 * constructs apply (model catalog, image size, instance types, hyperparameters, schedule, email, dataset prefix and
 * seed folder) before anything is built. Values given on the command line arrive as strings, so booleans, numbers and
 * JSON are parsed. Keys that look like ours but are not (another case, a near miss) are errors naming the right key.
 *
 * @throws SettingsError with every problem at once
 */
export function imageClassifierPropsFromContext(node: Node): ImageClassifierProps {
  const all = node.getAllContext() as Record<string, unknown>;
  const problems = Object.keys(all).map(contextKeyProblem).filter((problem): problem is string => problem !== undefined);
  const key = (name: ContextKey): string => CONTEXT_PREFIX + name;
  const check = (problem: string | undefined): void => {
    if (problem !== undefined) problems.push(problem);
  };
  const read = <T>(name: ContextKey, parse: (value: unknown) => T | undefined, expected: string): T | undefined => {
    const value = all[key(name)];
    if (value === undefined) return undefined;
    const parsed = parse(value);
    if (parsed === undefined) problems.push(`${key(name)} must be ${expected}, got ${JSON.stringify(value)}`);
    return parsed;
  };

  const modelId = read('model', asString, 'a JumpStart model id');
  const knownModel = modelId === undefined || JumpStartModel.all().some((model) => model.modelId === modelId);
  if (!knownModel) {
    const closest = closestModelIds(modelId!).map((id) => `'${id}'`).join(', ');
    problems.push(`${key('model')} has an unknown model id '${modelId}'; use an id of the algorithm's catalog (README), closest: ${closest}`);
  }
  const imageSize = read('imageSize', asNumber, 'a number of pixels');
  const imageSizeIssue = imageSize === undefined ? undefined : imageSizeProblem(imageSize, key('imageSize'));
  check(imageSizeIssue);
  const model = knownModel && imageSizeIssue === undefined ? JumpStartModel.of(modelId ?? JumpStartModel.MOBILENET_V2_100_224.modelId, { imageSize }) : undefined;
  if (model && model.imageSize === undefined) {
    problems.push(`${key('model')} '${model.modelId}' publishes no input image size; set ${key('imageSize')} too (for example 384)`);
  }

  const datasetPrefix = read('datasetPrefix', (v) => (typeof v === 'string' ? v : undefined), 'a string');
  const datasetPrefixIssue = datasetPrefix === undefined ? undefined : datasetPrefixProblem(datasetPrefix, key('datasetPrefix'));
  check(datasetPrefixIssue);
  const instanceType = read('trainingInstanceType', asString, 'an instance type like ml.p3.2xlarge');
  const trainingInstanceType = instanceType !== undefined ? TrainingInstanceType.of(instanceType) : undefined;
  if (trainingInstanceType) problems.push(...validateTrainingInstanceType(trainingInstanceType, key('trainingInstanceType')));
  const spot = read('spot', asBoolean, 'true or false');
  const maxRuntimeHours = read('maxRuntimeHours', asNumber, 'a number of hours');
  const maxRuntimeMinutes = maxRuntimeHours !== undefined ? Math.round(maxRuntimeHours * 60) : undefined;
  if (maxRuntimeMinutes !== undefined && (maxRuntimeMinutes < 1 || maxRuntimeMinutes > MAX_RUNTIME_HOURS * 60)) {
    problems.push(`${key('maxRuntimeHours')} must be a number of hours from 0.0167 (1 minute) to ${MAX_RUNTIME_HOURS} (28 days, SageMaker's limit), got ${maxRuntimeHours}`);
  }
  const useValidationChannel = read('useValidationChannel', asBoolean, 'true or false');
  const hyperparameters = read('hyperparameters', asObject, 'a JSON object') as Hyperparameters | undefined;
  if (hyperparameters) problems.push(...checkHyperparameters(hyperparameters, key('hyperparameters')));
  const endpointType = read('endpointInstanceType', asString, 'an instance type like ml.m5.large');
  const endpointInstanceType = endpointType !== undefined ? InferenceInstanceType.of(endpointType) : undefined;
  if (endpointInstanceType) problems.push(...validateInferenceInstanceType(endpointInstanceType, key('endpointInstanceType')));
  const endpointServerless = read('endpointServerless', asBoolean, 'true or false');
  const retrainSchedule = read('retrainSchedule', (v) => (typeof v === 'string' ? v : undefined), "a schedule expression such as rate(7 days), or 'off'");
  const scheduleProblem = retrainSchedule === undefined || retrainSchedule === 'off' ? undefined : scheduleExpressionProblem(retrainSchedule);
  if (scheduleProblem) problems.push(`${key('retrainSchedule')}: ${scheduleProblem}`);
  const retrainOnNewData = read('retrainOnNewData', asBoolean, 'true or false');
  const minimumAccuracy = read('minimumAccuracy', asNumber, 'a number in [0, 1]');
  if (minimumAccuracy !== undefined && (minimumAccuracy < 0 || minimumAccuracy > 1)) {
    problems.push(`${key('minimumAccuracy')} must be a number in [0, 1] (a validation accuracy), got ${minimumAccuracy}`);
  }
  const seedDatasetFrom = read('seedDatasetFrom', asString, 'a folder path');
  if (seedDatasetFrom !== undefined) check(seedFolderProblem(seedDatasetFrom, key('seedDatasetFrom')));
  // The seed's upload (aws-cdk-lib's BucketDeployment) tags the bucket with 'aws-cdk:cr-owned:<prefix>:<8 chars>', and
  // tag keys end at 128 characters: the prefix may have 102 (its error message says 104).
  if (seedDatasetFrom !== undefined && datasetPrefix !== undefined && !datasetPrefixIssue && `${datasetPrefix}/training/`.length > MAX_SEED_KEY_PREFIX) {
    problems.push(`${key('datasetPrefix')} must be at most ${MAX_SEED_KEY_PREFIX - '/training/'.length} characters with ${key('seedDatasetFrom')} `
      + `(the upload's key prefix, <prefix>/training/, is limited to ${MAX_SEED_KEY_PREFIX}), got ${datasetPrefix.length}`);
  }
  const startRetrainingOnDeploy = read('startRetrainingOnDeploy', asBoolean, 'true or false');
  const notificationEmail = read('notificationEmail', asString, 'an email address');
  if (notificationEmail !== undefined) check(emailAddressProblem(notificationEmail, key('notificationEmail')));

  if (problems.length > 0) throw new SettingsError(problems);
  return {
    model: modelId !== undefined || imageSize !== undefined ? model : undefined,
    hyperparameters,
    dataset: datasetPrefix !== undefined ? { prefix: datasetPrefix } : undefined,
    training: {
      instanceType: trainingInstanceType,
      spot,
      maxRuntime: maxRuntimeMinutes !== undefined ? Duration.minutes(maxRuntimeMinutes) : undefined,
      useValidationChannel,
    },
    serving: {
      capacity: endpointServerless
        ? EndpointCapacity.serverless()
        : endpointInstanceType !== undefined ? EndpointCapacity.instances({ instanceType: endpointInstanceType }) : undefined,
    },
    retraining: {
      schedule: retrainSchedule === undefined ? undefined : retrainSchedule === 'off' ? RetrainingSchedule.DISABLED : RetrainingSchedule.expression(retrainSchedule),
      retrainOnNewData,
      minimumAccuracy,
      notificationEmail,
    },
    seedDatasetFrom,
    startRetrainingOnDeploy,
  };
}

/** The longest destination key prefix of the seed's upload (aws-cdk-lib's BucketDeployment), as its tag key allows. */
const MAX_SEED_KEY_PREFIX = 128 - 'aws-cdk:cr-owned::'.length - 8;

/** SageMaker's longest training job, in hours. */
const MAX_RUNTIME_HOURS = 28 * 24;

const KNOWN_KEYS: readonly string[] = Object.keys(CONTEXT_KEYS).map((name) => CONTEXT_PREFIX + name);
const NAMESPACE = CONTEXT_PREFIX.slice(0, -1).toLowerCase();

/**
 * The problem with a context key that looks like one of the app's settings but is not, naming the right key:
 * another case (`imageclassifier:model`), a misspelled prefix or name (`imageClasifier:model`, `imageClassifier:modle`),
 * another separator (`imageClassifier.model`), or an unknown name after our prefix. `undefined` for our keys and for
 * keys of other tools (`@aws-cdk/...`, `aws:cdk:...`, `cli-telemetry`, a user's own `myApp:model`).
 */
export function contextKeyProblem(contextKey: string): string | undefined {
  if (KNOWN_KEYS.includes(contextKey)) return undefined;
  const sameLetters = KNOWN_KEYS.find((known) => known.toLowerCase() === contextKey.toLowerCase());
  if (sameLetters) return `context key '${contextKey}' is not read (keys are case-sensitive); write '${sameLetters}'`;
  // Compared without case and separators, so that 'imageClassifier.model' and 'ImageClassifier-Model' are near.
  const squash = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  const [closest] = KNOWN_KEYS.map((known) => ({ known, distance: editDistance(squash(contextKey), squash(known)) }))
    .sort((a, b) => a.distance - b.distance);
  const namespace = contextKey.split(/[^A-Za-z0-9]/)[0].toLowerCase();
  const looksLikeOurs = contextKey.startsWith(CONTEXT_PREFIX) || closest.distance <= 2 || editDistance(namespace, NAMESPACE) <= 2;
  if (!looksLikeOurs) return undefined;
  if (closest.distance <= 3) return `context key '${contextKey}' is not a setting of this app; did you mean '${closest.known}'?`;
  return `context key '${contextKey}' is not a setting of this app; its settings are ${KNOWN_KEYS.join(', ')}`;
}

/** The layout problems of a seed folder (one line each, naming `path`), or `undefined` for a usable folder. */
function seedFolderProblem(folder: string, path: string): string | undefined {
  try {
    inspectImageFolder(folder, path);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
}
