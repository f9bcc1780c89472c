import { Duration } from 'aws-cdk-lib';
import { Node } from 'constructs';
import { Hyperparameters } from './algorithm/hyperparameters';
import { JumpStartModel } from './algorithm/jumpstart-model';
import { ImageClassifierProps } from './image-classifier';
import { RetrainingSchedule } from './pipeline/retraining-schedule';
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
  retrainSchedule: 'EventBridge Scheduler expression such as rate(7 days) or cron(0 3 ? * SUN *), or off (default rate(7 days))',
  retrainOnNewData: 'true to retrain when images are added under the training folder (default false)',
  minimumAccuracy: 'validation accuracy a model needs to be promoted, 0-1 (default 0.5)',
  notificationEmail: 'email address told of each retraining run (default none)',
  seedDatasetFrom: 'local folder laid out as <class>/<image>.jpg uploaded to the training folder at deploy time (default none)',
  startRetrainingOnDeploy: 'true to start a retraining run when the stack is created (default: true with seedDatasetFrom)',
} as const;

type ContextKey = keyof typeof CONTEXT_KEYS;

/**
 * Reads the `imageClassifier:*` context into `ImageClassifierProps`. Values given on the command line arrive as
 * strings, so booleans, numbers and JSON are parsed. Unknown keys and unreadable values are errors that name the key.
 */
export function imageClassifierPropsFromContext(node: Node): ImageClassifierProps {
  const problems: string[] = [];
  const all = node.getAllContext() as Record<string, unknown>;
  for (const key of Object.keys(all)) {
    if (key.startsWith(CONTEXT_PREFIX) && !(key.slice(CONTEXT_PREFIX.length) in CONTEXT_KEYS)) {
      problems.push(`unknown context key '${key}'; known keys: ${Object.keys(CONTEXT_KEYS).map((k) => CONTEXT_PREFIX + k).join(', ')}`);
    }
  }
  const read = <T>(key: ContextKey, parse: (value: unknown) => T | undefined, expected: string): T | undefined => {
    const value = all[CONTEXT_PREFIX + key];
    if (value === undefined) return undefined;
    const parsed = parse(value);
    if (parsed === undefined) problems.push(`context ${CONTEXT_PREFIX}${key} must be ${expected}, got ${JSON.stringify(value)}`);
    return parsed;
  };

  const modelId = read('model', asString, 'a JumpStart model id');
  const imageSize = read('imageSize', asNumber, 'a number');
  const datasetPrefix = read('datasetPrefix', (v) => (typeof v === 'string' ? v : undefined), 'a string');
  const instanceType = read('trainingInstanceType', asString, 'an instance type like ml.p3.2xlarge');
  const spot = read('spot', asBoolean, 'true or false');
  const maxRuntimeHours = read('maxRuntimeHours', asNumber, 'a number of hours');
  const useValidationChannel = read('useValidationChannel', asBoolean, 'true or false');
  const hyperparameters = read('hyperparameters', asObject, 'a JSON object') as Hyperparameters | undefined;
  const endpointInstanceType = read('endpointInstanceType', asString, 'an instance type like ml.m5.large');
  const endpointServerless = read('endpointServerless', asBoolean, 'true or false');
  const retrainSchedule = read('retrainSchedule', asSchedule, "'rate(…)', 'cron(…)' or 'off'");
  const retrainOnNewData = read('retrainOnNewData', asBoolean, 'true or false');
  const minimumAccuracy = read('minimumAccuracy', asNumber, 'a number in [0, 1]');
  const seedDatasetFrom = read('seedDatasetFrom', asString, 'a folder path');
  const startRetrainingOnDeploy = read('startRetrainingOnDeploy', asBoolean, 'true or false');
  const notificationEmail = read('notificationEmail', (v) => (typeof v === 'string' && /^[^@\s]+@[^@\s]+$/.test(v) ? v : undefined), 'an email address');

  if (problems.length > 0) {
    throw new Error(`Invalid cdk.json context:\n  ${problems.join('\n  ')}`);
  }
  return {
    model: modelId !== undefined || imageSize !== undefined
      ? JumpStartModel.of(modelId ?? JumpStartModel.MOBILENET_V2_100_224.modelId, { imageSize })
      : undefined,
    hyperparameters,
    dataset: datasetPrefix !== undefined ? { prefix: datasetPrefix } : undefined,
    training: {
      instanceType: instanceType !== undefined ? TrainingInstanceType.of(instanceType) : undefined,
      spot,
      maxRuntime: maxRuntimeHours !== undefined ? Duration.minutes(Math.round(maxRuntimeHours * 60)) : undefined,
      useValidationChannel,
    },
    serving: {
      capacity: endpointServerless
        ? EndpointCapacity.serverless()
        : endpointInstanceType !== undefined ? EndpointCapacity.instances({ instanceType: InferenceInstanceType.of(endpointInstanceType) }) : undefined,
    },
    retraining: { schedule: retrainSchedule, retrainOnNewData, minimumAccuracy, notificationEmail },
    seedDatasetFrom,
    startRetrainingOnDeploy,
  };
}

function asSchedule(value: unknown): RetrainingSchedule | undefined {
  if (value === 'off') return RetrainingSchedule.DISABLED;
  return typeof value === 'string' && /^(rate|cron)\(.+\)$/.test(value) ? RetrainingSchedule.expression(value) : undefined;
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
