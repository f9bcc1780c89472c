/**
 * Prop generators of the public constructs, with the rules their documentation states: what each prop allows, what
 * it forbids, and the rules across props. `ImageClassifier`'s generator reuses the others'.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Lazy, RemovalPolicy, Size, SizeRoundingBehavior, TimeZone } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import {
  Deferred, Recipe, Shape, Verdict, anySize, anyString, arrayOf, durationOfSeconds, durationToken, field, fractionalDuration,
  isSafeKeyPrefix, isSageMakerName, mapShape, numberOutside, numberToken, oneOf, optional, realIn, record, safeKeyPrefix,
  sageMakerName, sizeOfMebibytes, sizeToken, stringOutside, stringToken, wholeIn, withUnknownFields,
} from './generators';
import {
  AlgorithmLocationOverrides, AugmentationRandomFlip, BatchInstanceType, ImageClassifierBatchOptions, ClassifierEndpoint, ClassifierEndpointProps, DataCaptureOptions, DatasetBucket,
  DatasetBucketProps, DeploymentStrategy, DeploymentStrategyOptions, EndpointCapacity, EndpointCleanupProps, EvalMetric, Hyperparameters,
  ImageClassifierDashboardOptions, ImageClassifierInferenceOptions, ImageClassifierProps, ImageClassifierRetrainingOptions, ImageClassifierServingOptions,
  ImageClassifierTrainingOptions, ImageResizeInterpolation, InferenceFunctionProps, InferenceInbox, InferenceInstanceType,
  InferencePackaging, InstanceCapacityOptions, JumpStartModel, ModelArtifact, Optimizer, Processor, ReinitializeTopLayer,
  PromotionMetric, RetrainingPipelineProps, RetrainingSchedule, ServerlessCapacity, ServerlessCapacityOptions, ShiftedDeploymentOptions,
  TrainingInstanceType, TrainingJobDefinition, TrainingJobDefinitionProps,
} from '../../lib';
import { CPU_INSTANCE_FAMILIES, GPU_INSTANCE_FAMILIES } from '../../lib/private/algorithm-facts';
import { HOSTING_CPU_FAMILIES, HOSTING_GPU_FAMILIES } from '../../lib/private/instance-type-checks';

// ---- things built in the stack ----------------------------------------------------------------------------------

function made<T>(label: string, make: (scope: Construct, id: string) => T): fc.Arbitrary<Deferred<T>> {
  return fc.constant(new Deferred(label, make));
}

const bucket = fc.oneof(
  made('s3.Bucket.fromBucketName(…)', (scope, id) => s3.Bucket.fromBucketName(scope, id, 'fuzz-imported-bucket')),
  made('new s3.Bucket(…)', (scope, id) => new s3.Bucket(scope, id)),
);
const key = fc.oneof(
  made('kms.Key.fromKeyArn(…)', (scope, id) => kms.Key.fromKeyArn(scope, id, 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab')),
  made('new kms.Key(…)', (scope, id) => new kms.Key(scope, id)),
);
const role = made('iam.Role.fromRoleArn(…)', (scope, id) => iam.Role.fromRoleArn(scope, id, 'arn:aws:iam::123456789012:role/fuzz-role'));
const importedVpc = (complete: boolean) => (scope: Construct, id: string): ec2.IVpc => ec2.Vpc.fromVpcAttributes(scope, id, {
  vpcId: 'vpc-12345678',
  availabilityZones: ['az-a', 'az-b'],
  publicSubnetIds: ['subnet-pub-a', 'subnet-pub-b'],
  privateSubnetIds: ['subnet-priv-a', 'subnet-priv-b'],
  ...(complete ? {
    vpcCidrBlock: '10.0.0.0/16',
    publicSubnetRouteTableIds: ['rtb-pub-a', 'rtb-pub-b'],
    privateSubnetRouteTableIds: ['rtb-priv-a', 'rtb-priv-b'],
  } : {}),
});
/** A VPC with public and private subnets (no isolated ones), imported. */
export const IMPORTED_VPC = new Deferred('ec2.Vpc.fromVpcAttributes(…)', importedVpc(true));
const vpc = fc.constant(IMPORTED_VPC);
/** A VPC imported without its CIDR block and route tables: nothing can add VPC endpoints to it. */
export const VPC_WITHOUT_ROUTE_TABLES = new Deferred('ec2.Vpc.fromVpcAttributes(…) without CIDR and route tables', importedVpc(false));
const securityGroups = fc.array(
  made('ec2.SecurityGroup.fromSecurityGroupId(…)', (scope, id) => ec2.SecurityGroup.fromSecurityGroupId(scope, id, 'sg-12345678')),
  { minLength: 1, maxLength: 2 },
);
const subnets = field({
  valid: fc.constantFrom<ec2.SubnetSelection>(
    { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, { subnetType: ec2.SubnetType.PUBLIC }, { availabilityZones: ['az-a'] }),
  // The imported VPC has no isolated subnets: aws-cdk-lib refuses the selection.
  open: fc.constantFrom<ec2.SubnetSelection>({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, { subnetGroupName: 'Nope' }),
});
const removalPolicy = field({
  valid: fc.constantFrom(RemovalPolicy.DESTROY, RemovalPolicy.RETAIN),
  open: fc.constantFrom(RemovalPolicy.SNAPSHOT, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'banana' as RemovalPolicy),
});
/** Log groups are kept or deleted; the other removal policies are refused with the prop named. */
const logRemovalPolicy = field({
  valid: fc.constantFrom(RemovalPolicy.DESTROY, RemovalPolicy.RETAIN),
  invalid: fc.constantFrom(RemovalPolicy.SNAPSHOT, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'banana' as RemovalPolicy),
});
const logRetention = field({
  valid: fc.constantFrom(...Object.values(logs.RetentionDays).filter((days): days is logs.RetentionDays => typeof days === 'number')),
  open: fc.constantFrom(42 as logs.RetentionDays, -1 as logs.RetentionDays),
});

/** Props that need a VPC: `vpcSubnets` and `securityGroups` without `vpc` are refused. */
function vpcRules(props: Recipe<{ vpc: unknown; vpcSubnets: unknown; securityGroups: unknown }>): string[] {
  if (props.vpc !== undefined) return [];
  return (['vpcSubnets', 'securityGroups'] as const).filter((name) => name in props && props[name] !== undefined);
}

// ---- the algorithm ------------------------------------------------------------------------------------------------

export const MODEL_IDS = JumpStartModel.all().map((model) => model.modelId);

export const model = field({
  valid: fc.oneof(
    fc.constantFrom(...JumpStartModel.all()),
    fc.tuple(fc.constantFrom(...MODEL_IDS), fc.integer({ min: 32, max: 1024 })).map(([id, imageSize]) => JumpStartModel.of(id, { imageSize })),
  ),
});

const HYPERPARAMETER_BOOLEANS = ['trainOnlyTopLayer', 'earlyStopping', 'augmentation', 'binaryMode'] as const;
const HYPERPARAMETER_INTEGERS = { epochs: [1, 1000], batchSize: [1, 1024], earlyStoppingPatience: [1, 1000], randomSeed: [0, Infinity] } as const;
const HYPERPARAMETER_REALS = {
  learningRate: [0, 1], beta1: [0, 1], beta2: [0, 1], momentum: [0, 1], epsilon: [0, 1], rho: [0, 1], initialAccumulatorValue: [0, 1],
  earlyStoppingMinDelta: [0, 1], dropoutRate: [0, 1], regularizersL2: [0, 1], labelSmoothing: [0, 1], validationSplitRatio: [0, 1],
  augmentationRandomRotation: [-1, 1], augmentationRandomZoom: [-1, 1],
} as const;
const HYPERPARAMETER_CHOICES = {
  optimizer: Optimizer, reinitializeTopLayer: ReinitializeTopLayer, imageResizeInterpolation: ImageResizeInterpolation,
  augmentationRandomFlip: AugmentationRandomFlip, evalMetric: EvalMetric,
} as const;
export const HYPERPARAMETER_FIELDS: readonly string[] = [
  ...HYPERPARAMETER_BOOLEANS, ...Object.keys(HYPERPARAMETER_INTEGERS), ...Object.keys(HYPERPARAMETER_REALS), ...Object.keys(HYPERPARAMETER_CHOICES),
];

/** Values of the wrong type for a hyperparameter. */
const wrongType = fc.constantFrom<unknown>('5', '0.1', 'true', 'True', null, {}, [], 1n);

function hyperparameterFields(): Record<string, Shape<unknown>> {
  const fields: Record<string, Shape<unknown>> = {};
  for (const name of HYPERPARAMETER_BOOLEANS) {
    fields[name] = field({ valid: fc.boolean(), invalid: fc.oneof(wrongType, fc.constantFrom(0, 1)) });
  }
  for (const [name, [min, max]] of Object.entries(HYPERPARAMETER_INTEGERS)) {
    const allowed = wholeIn(min, max);
    fields[name] = field({
      valid: fc.oneof(fc.integer({ min, max: Math.min(max, 2 ** 31) }), fc.constantFrom(min)),
      invalid: fc.oneof(numberOutside(allowed), wrongType),
      token: numberToken(min + 1),
    });
  }
  for (const [name, [min, max]] of Object.entries(HYPERPARAMETER_REALS)) {
    fields[name] = field({
      valid: fc.oneof(fc.double({ min, max, noNaN: true }), fc.constantFrom(min, max, 1e-7, 1e-5, 0.1)),
      invalid: fc.oneof(numberOutside(realIn(min, max)), wrongType),
      token: numberToken(max / 2),
    });
  }
  for (const [name, choices] of Object.entries(HYPERPARAMETER_CHOICES)) {
    const values: string[] = Object.values(choices);
    fields[name] = field({
      valid: fc.constantFrom(...values),
      invalid: fc.oneof(stringOutside((value) => values.includes(value)), fc.constantFrom(...values.map((value) => value.toUpperCase())), wrongType)
        .filter((value) => !values.includes(value as string)),
      token: stringToken(values[0]),
    });
  }
  return fields;
}

/** `evalMetric` other than accuracy needs `binaryMode: true`. */
function hyperparameterRules(value: Recipe<Hyperparameters>): Verdict {
  const metric = value.evalMetric;
  const needsBinary = typeof metric === 'string' && metric !== EvalMetric.ACCURACY && Object.values<string>(EvalMetric).includes(metric);
  return { invalid: needsBinary && value.binaryMode !== true ? ['evalMetric'] : [] };
}

export const hyperparameters: Shape<Recipe<Hyperparameters>> = withUnknownFields(
  record<Hyperparameters>(hyperparameterFields() as Record<keyof Hyperparameters, Shape<unknown>>, hyperparameterRules),
  HYPERPARAMETER_FIELDS, true,
);

/** The `hyperparameters` prop: absent, an object, or (open: a JavaScript caller, a JSON config) `null`. */
const hyperparametersProp: Shape<unknown> = (mode) => mode === 'valid'
  ? optional(hyperparameters)(mode)
  : fc.oneof({ weight: 9, arbitrary: optional(hyperparameters)(mode) }, { weight: 1, arbitrary: fc.constant({ value: null, invalid: [], open: true }) });

// ---- instance types -----------------------------------------------------------------------------------------------

const INSTANCE_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '48xlarge', 'metal'];
const UNKNOWN_FAMILIES = ['t2', 'x9', 'inf2', 'trn1', 'a1', 'P3', 'g4', ''];
/** Families of the algorithm's lists that real-time hosting does not offer. */
const NOT_HOSTED_FAMILIES = [...GPU_INSTANCE_FAMILIES, ...CPU_INSTANCE_FAMILIES]
  .filter((family) => !HOSTING_GPU_FAMILIES.includes(family) && !HOSTING_CPU_FAMILIES.includes(family));

function familyOf(name: string): string | undefined {
  return /^ml\.([a-z0-9]+)\.[a-z0-9]+$/.exec(name)?.[1];
}

function instanceTypeNames(allowed: readonly string[], refused: readonly string[]): { valid: fc.Arbitrary<string>; invalid: fc.Arbitrary<string> } {
  const isValid = (name: string): boolean => allowed.includes(familyOf(name) ?? '');
  return {
    valid: fc.tuple(fc.constantFrom(...allowed), fc.constantFrom(...INSTANCE_SIZES)).map(([family, size]) => `ml.${family}.${size}`),
    invalid: fc.oneof(
      stringOutside(isValid),
      fc.tuple(fc.constantFrom(...UNKNOWN_FAMILIES, ...refused), fc.constantFrom(...INSTANCE_SIZES)).map(([family, size]) => `ml.${family}.${size}`),
      fc.constantFrom(...allowed).map((family) => `ml.ml.${family}.xlarge`),
      fc.constantFrom(...allowed).map((family) => `${family}.xlarge`),
      fc.constantFrom(...allowed).map((family) => `ml.${family}`),
      fc.constantFrom(...allowed).map((family) => `ml.${family}.xlarge `),
    ).filter((name) => !isValid(name)),
  };
}

const TRAINING_FAMILIES = [...GPU_INSTANCE_FAMILIES, ...CPU_INSTANCE_FAMILIES];
/** Training instance type names the algorithm runs on, and names it refuses. */
export const trainingNames = instanceTypeNames(TRAINING_FAMILIES, []);
const TRAINING_CONSTANTS = Object.values(TrainingInstanceType).filter((value): value is TrainingInstanceType => value instanceof TrainingInstanceType);

/** A training instance type as a shape (for lists) and as a prop. */
const trainingInstanceTypeSpec = {
  valid: fc.oneof(fc.constantFrom(...TRAINING_CONSTANTS), trainingNames.valid.map((name) => TrainingInstanceType.of(name))),
  invalid: trainingNames.invalid.map((name) => TrainingInstanceType.of(name)),
  token: stringToken('ml.g5.xlarge').map((name) => TrainingInstanceType.of(name)),
};

const HOSTING_FAMILIES = [...HOSTING_GPU_FAMILIES, ...HOSTING_CPU_FAMILIES];
/** Hosting instance type names the algorithm is served on, and names it refuses. */
export const hostingNames = instanceTypeNames(HOSTING_FAMILIES, NOT_HOSTED_FAMILIES);
const INFERENCE_CONSTANTS = Object.values(InferenceInstanceType).filter((value): value is InferenceInstanceType => value instanceof InferenceInstanceType);

function processorOf(instanceTypeName: string): Processor | undefined {
  const family = familyOf(instanceTypeName) ?? '';
  if (GPU_INSTANCE_FAMILIES.includes(family)) return Processor.GPU;
  if (CPU_INSTANCE_FAMILIES.includes(family)) return Processor.CPU;
  return undefined;
}

// ---- algorithm locations -------------------------------------------------------------------------------------------

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[a-z0-9.]+\/([a-z0-9._/-]+)(:[\w.-]+|@sha256:[0-9a-f]{64})$/;
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

const TRAINING_IMAGES = [
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.9-gpu-py39',
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.9-cpu-py39',
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/tensorflow-training:latest',
  `123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/tf@sha256:${'a'.repeat(64)}`,
];
const INFERENCE_IMAGES = [
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.8-gpu',
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-inference:2.8-cpu',
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/tensorflow-inference:latest',
];

/** An ECR image URI field: the URI must be a literal, so a token is refused like a malformed URI. */
function imageUri(valid: readonly string[]): Shape<unknown> {
  return field({
    valid: fc.constantFrom(...valid),
    invalid: fc.oneof(
      stringOutside((uri) => ECR_IMAGE.test(uri) && uri.length <= 255),
      fc.constantFrom(...valid).map((uri) => uri.replace('.dkr.', '.dkr')),
      stringToken(valid[0]),
    ),
  });
}

function s3UriField(folder: boolean): Shape<unknown> {
  const isValid = (uri: string): boolean => S3_URI.test(uri) && (!folder || uri.endsWith('/'));
  const valid = folder ? ['s3://fuzz-models/pretrained/', 's3://a.b-c/x/y/'] : ['s3://fuzz-models/train.tar.gz', 's3://a.b-c/x/y z.tar.gz'];
  return field({
    valid: fc.constantFrom(...valid),
    invalid: fc.oneof(
      stringOutside(isValid),
      fc.constantFrom('http://fuzz-models/x/', 's3://Fuzz-Models/x/', 's3://fuzz-models', 's3://fuzz-models/', 'fuzz-models/x/', 's3://fuzz-models/x')
        .filter((uri) => !isValid(uri)),
      stringToken(valid[0]),
    ),
  });
}

export const locations = record<AlgorithmLocationOverrides>({
  trainingImage: imageUri(TRAINING_IMAGES),
  inferenceImage: imageUri(INFERENCE_IMAGES),
  trainingScriptUri: s3UriField(false),
  pretrainedModelUri: s3UriField(false),
  pretrainedInferenceModelUri: s3UriField(true),
});

// ---- DatasetBucket ------------------------------------------------------------------------------------------------

const DATASET_OWN_BUCKET_PROPS = ['encryptionKey', 'removalPolicy', 'noncurrentVersionExpiration', 'serverAccessLogsBucket', 'accessLogsRetention'] as const;
export const DATASET_BUCKET_NAMES = ['bucket', 'prefix', ...DATASET_OWN_BUCKET_PROPS];

function durationOfDays(min: number, max: number): fc.Arbitrary<Duration> {
  return fc.integer({ min, max }).chain((days) => fc.constantFrom(Duration.days(days), Duration.hours(days * 24), Duration.seconds(days * 86400)));
}

/** A retention or expiration in days: whole days allowed; a fraction of a day or none is left open by the docs. */
const retentionDuration = field({
  valid: durationOfDays(1, 3650),
  token: durationToken('days', 30),
  open: fc.oneof(fractionalDuration(), durationOfSeconds(0, 10 * 86400), fc.constant(Duration.days(0))),
});

export const datasetBucketProps = withUnknownFields(record<DatasetBucketProps>({
  bucket: field({ valid: bucket }),
  prefix: field({
    valid: fc.oneof(safeKeyPrefix(), fc.constant('')),
    invalid: stringOutside((prefix) => prefix === '' || (isSafeKeyPrefix(prefix) && prefix.length <= 512)),
    token: stringToken('datasets/flowers'),
  }),
  encryptionKey: field({ valid: key }),
  removalPolicy,
  noncurrentVersionExpiration: retentionDuration,
  serverAccessLogsBucket: field({ valid: bucket }),
  accessLogsRetention: retentionDuration,
}, (props) => ({
  // A given bucket is used as it is: the props that configure a new one are refused with it.
  invalid: props.bucket === undefined ? [] : DATASET_OWN_BUCKET_PROPS.filter((name) => props[name] !== undefined),
})), DATASET_BUCKET_NAMES, false);

// ---- TrainingJobDefinition ------------------------------------------------------------------------------------------

const MAX_TRAINING_SECONDS = 28 * 86400;
const DEFAULT_MAX_RUNTIME_SECONDS = 6 * 3600;

/** The processor a training configuration demands: `processor`, or the one an overridden training image's tag names. */
export function demandedProcessor(options: Recipe<TrainingJobDefinitionProps>): Processor | undefined {
  if (options.processor === Processor.GPU || options.processor === Processor.CPU) return options.processor;
  const image = (options.locations as Recipe<AlgorithmLocationOverrides> | undefined)?.trainingImage;
  if (typeof image !== 'string' || !ECR_IMAGE.test(image)) return undefined;
  const tag = image.split(/[:@]/).pop() ?? '';
  if (/gpu/i.test(tag)) return Processor.GPU;
  if (/cpu/i.test(tag)) return Processor.CPU;
  return undefined;
}

/** Whole seconds of a literal duration; `undefined` for a token or a fraction of a second. */
function literalSeconds(value: unknown): number | undefined {
  if (!(value instanceof Duration) || value.isUnresolved()) return undefined;
  const seconds = value.toSeconds({ integral: false });
  return Number.isInteger(seconds) ? seconds : undefined;
}

function trainingRules(options: Recipe<TrainingJobDefinitionProps>): Verdict {
  const invalid = vpcRules(options);
  const instanceType = options.instanceType ?? TrainingInstanceType.ML_P3_2XLARGE;
  const demanded = demandedProcessor(options);
  if (instanceType instanceof TrainingInstanceType && demanded !== undefined) {
    const actual = processorOf(instanceType.name);
    if (actual !== undefined && actual !== demanded) invalid.push('instanceType');
  }
  if (options.maxWaitTime !== undefined) {
    const runtime = options.maxRuntime === undefined ? DEFAULT_MAX_RUNTIME_SECONDS : literalSeconds(options.maxRuntime);
    const wait = literalSeconds(options.maxWaitTime);
    if (options.spot !== true) invalid.push('maxWaitTime');
    else if (runtime !== undefined && wait !== undefined && wait < runtime) invalid.push('maxWaitTime');
  }
  return { invalid };
}

const trainingOptionFields = {
  instanceType: field(trainingInstanceTypeSpec),
  processor: field({ valid: fc.constantFrom(Processor.GPU, Processor.CPU), open: fc.constantFrom('tpu' as Processor) }),
  volumeSize: field({
    valid: fc.oneof(fc.integer({ min: 1, max: 16384 }).map((gib) => Size.gibibytes(gib)),
      fc.integer({ min: 1, max: 64 }).map((gib) => Size.mebibytes(gib * 1024)), fc.constant(Size.tebibytes(1))),
    invalid: anySize().filter((size) => !wholeIn(1, Infinity)(size.toGibibytes({ rounding: SizeRoundingBehavior.NONE }))),
    token: sizeToken('gibibytes', 50),
  }),
  maxRuntime: field({
    valid: durationOfSeconds(1, MAX_TRAINING_SECONDS),
    invalid: fc.oneof(fc.constant(Duration.seconds(0)), durationOfSeconds(MAX_TRAINING_SECONDS + 1, 10 ** 8), fractionalDuration()),
    token: durationToken('seconds', 3600),
  }),
  spot: field({ valid: fc.boolean() }),
  maxWaitTime: field({ valid: durationOfSeconds(1, MAX_TRAINING_SECONDS), invalid: fractionalDuration(), token: durationToken('seconds', 7200) }),
  useValidationChannel: field({ valid: fc.boolean() }),
  artifactsBucket: field({ valid: bucket }),
  artifactsPrefix: field({
    valid: safeKeyPrefix(),
    invalid: stringOutside((prefix) => prefix === '' || isSafeKeyPrefix(prefix)),
    open: fc.constant(''),
    token: stringToken('training'),
  }),
  vpc: field({ valid: vpc }),
  vpcSubnets: subnets,
  securityGroups: field({ valid: securityGroups }),
  role: field({ valid: role }),
  locations: optional(locations),
  artifactsRemovalPolicy: removalPolicy,
  logRetention,
  logRemovalPolicy,
};
export const TRAINING_OPTION_NAMES = Object.keys(trainingOptionFields);

/** `ImageClassifier`'s `training`: the definition's props but the dataset, model, hyperparameters and key. */
export const trainingOptions = withUnknownFields(
  record<ImageClassifierTrainingOptions>(trainingOptionFields, trainingRules), TRAINING_OPTION_NAMES, false);

const dataset = made('new DatasetBucket(…)', (scope, id) => new DatasetBucket(scope, id));

export const TRAINING_JOB_DEFINITION_NAMES = ['dataset', 'model', 'hyperparameters', 'encryptionKey', ...TRAINING_OPTION_NAMES];
export const trainingJobDefinitionProps = withUnknownFields(record<TrainingJobDefinitionProps>({
  ...trainingOptionFields,
  dataset: field({ valid: dataset, required: true }),
  model,
  hyperparameters: hyperparametersProp,
  encryptionKey: field({ valid: key }),
}, trainingRules), TRAINING_JOB_DEFINITION_NAMES, false);

// ---- ClassifierEndpoint -------------------------------------------------------------------------------------------

export const instanceCapacityOptions = record<InstanceCapacityOptions>({
  instanceType: field({
    valid: fc.oneof(fc.constantFrom(...INFERENCE_CONSTANTS), hostingNames.valid.map((name) => InferenceInstanceType.of(name))),
    invalid: hostingNames.invalid.map((name) => InferenceInstanceType.of(name)),
    token: stringToken('ml.m5.large').map((name) => InferenceInstanceType.of(name)),
  }),
  minInstances: field({ valid: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constant(1e6)), invalid: numberOutside(wholeIn(1, Infinity)), token: numberToken(2) }),
  maxInstances: field({ valid: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(2e6)), invalid: numberOutside(wholeIn(1, Infinity)), token: numberToken(4) }),
  targetInvocationsPerInstance: field({
    valid: fc.oneof(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), fc.constantFrom(1, 100, 0.5)),
    invalid: numberOutside((value) => Number.isFinite(value) && value > 0),
    token: numberToken(100),
  }),
  scaleInCooldown: field({ valid: durationOfSeconds(0, 86400), invalid: fractionalDuration(), token: durationToken('seconds', 300) }),
  scaleOutCooldown: field({ valid: durationOfSeconds(0, 86400), invalid: fractionalDuration(), token: durationToken('seconds', 60) }),
}, (options) => {
  const min = options.minInstances ?? 1;
  const max = options.maxInstances;
  const literalWhole = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value < 1e100;
  return { invalid: literalWhole(min) && literalWhole(max) && max < min ? ['maxInstances'] : [] };
});

export const serverlessCapacityOptions = record<ServerlessCapacityOptions>({
  memorySize: field({
    valid: fc.integer({ min: 1, max: 6 }).chain((gib) => fc.constantFrom(Size.gibibytes(gib), Size.mebibytes(gib * 1024))),
    invalid: anySize().filter((size) => !wholeIn(1, 6)(size.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) / 1024)),
    token: sizeToken('mebibytes', 2048),
  }),
  maxConcurrency: field({ valid: fc.integer({ min: 1, max: 200 }), invalid: numberOutside(wholeIn(1, 200)), token: numberToken(10) }),
  provisionedConcurrency: field({ valid: fc.integer({ min: 1, max: 200 }), invalid: numberOutside(wholeIn(1, Infinity)), token: numberToken(1) }),
}, (options) => {
  const provisioned = options.provisionedConcurrency;
  const max = options.maxConcurrency;
  if (typeof provisioned !== 'number' || !wholeIn(1, 200)(provisioned)) return {};
  // Provisioned concurrency is capped by maxConcurrency (default 5) when that is a valid literal.
  const cap = max === undefined ? 5 : typeof max === 'number' && wholeIn(1, 200)(max) ? max : Infinity;
  return { invalid: provisioned > cap ? ['provisionedConcurrency'] : [] };
});

const capacity = optional(oneOf<unknown>(
  mapShape(instanceCapacityOptions, (options) => EndpointCapacity.instances(options as InstanceCapacityOptions)),
  mapShape(serverlessCapacityOptions, (options) => EndpointCapacity.serverless(options as ServerlessCapacityOptions)),
));

const nameOfSageMaker = (maxLength: number): Shape<unknown> => field({
  valid: sageMakerName(maxLength),
  invalid: fc.oneof(stringOutside((name) => isSageMakerName(name, maxLength)), stringToken('flowers')),
});

const modelArtifact = field({
  valid: fc.oneof(
    fc.constant(ModelArtifact.pretrained()),
    fc.oneof(anyString(), stringToken('models/model.tar.gz'))
      .filter((objectKey) => objectKey !== '' && !objectKey.startsWith('/') && !objectKey.endsWith('/'))
      .map((objectKey) => new Deferred(`ModelArtifact.fromS3(bucket, ${JSON.stringify(objectKey)})`,
        (scope, id) => ModelArtifact.fromS3(s3.Bucket.fromBucketName(scope, id, 'fuzz-models'), objectKey))),
  ),
  invalid: fc.constantFrom('', '/model.tar.gz', 'models/').map((objectKey) => new Deferred(`ModelArtifact.fromS3(bucket, '${objectKey}')`,
    (scope, id) => ModelArtifact.fromS3(s3.Bucket.fromBucketName(scope, id, 'fuzz-models'), objectKey))),
});

const dataCapture = optional(record<DataCaptureOptions>({
  bucket: field({ valid: bucket, required: true }),
  prefix: field({ valid: safeKeyPrefix(), invalid: stringOutside(isSafeKeyPrefix), token: stringToken('data-capture') }),
  samplingPercentage: field({ valid: fc.integer({ min: 0, max: 100 }), invalid: numberOutside(wholeIn(0, 100)), token: numberToken(20) }),
}));

function endpointRules(props: Recipe<ClassifierEndpointProps>): Verdict {
  const invalid = vpcRules(props);
  if (props.capacity instanceof ServerlessCapacity) {
    if (props.dataCapture !== undefined) invalid.push('dataCapture');
    if (props.vpc !== undefined) invalid.push('vpc');
  }
  return { invalid };
}

const servingFields = {
  modelArtifact,
  capacity,
  endpointName: nameOfSageMaker(63),
  dataCapture,
  vpc: field({ valid: vpc }),
  vpcSubnets: subnets,
  securityGroups: field({ valid: securityGroups }),
  role: field({ valid: role }),
  variantName: nameOfSageMaker(63),
};
export const SERVING_NAMES = Object.keys(servingFields);

/** `ImageClassifier`'s `serving`: the endpoint's props but the model, key and locations. */
export const servingOptions = withUnknownFields(
  record<ImageClassifierServingOptions>(servingFields, endpointRules), SERVING_NAMES, false);

export const CLASSIFIER_ENDPOINT_NAMES = ['model', 'encryptionKey', 'locations', ...SERVING_NAMES];
export const classifierEndpointProps = withUnknownFields(record<ClassifierEndpointProps>({
  ...servingFields,
  model,
  encryptionKey: field({ valid: key }),
  locations: optional(locations),
}, endpointRules), CLASSIFIER_ENDPOINT_NAMES, false);

// ---- InferenceFunction --------------------------------------------------------------------------------------------

const MAX_INBOX_PREFIX_LENGTH = 512;
function isInboxPrefix(prefix: string): boolean {
  return prefix.length <= MAX_INBOX_PREFIX_LENGTH && /^[A-Za-z0-9!_.'-]+(\/[A-Za-z0-9!_.'-]+)*\/?$/.test(prefix)
    && !prefix.split('/').some((segment) => segment === '.' || segment === '..');
}

const inbox = optional(record<InferenceInbox>({
  bucket: field({ valid: bucket, required: true }),
  prefix: field({
    valid: fc.oneof(fc.constantFrom('inbox/', 'inbox', 'a/b/c/'), safeKeyPrefix().map((prefix) => `${prefix}/`)).filter(isInboxPrefix),
    invalid: stringOutside(isInboxPrefix),
    token: stringToken('inbox/'),
    required: true,
  }),
  concurrency: field({ valid: fc.integer({ min: 1, max: 16 }), invalid: numberOutside(wholeIn(1, 16)), token: numberToken(2) }),
  onFailure: field({
    valid: made('SqsDestination(new sqs.Queue(…))', (scope, id) => new destinations.SqsDestination(new sqs.Queue(scope, id))),
  }),
}));

const inferenceOptionFields = {
  readableBuckets: field({ valid: fc.array(bucket, { maxLength: 3 }) }),
  inbox,
  packaging: field({ valid: fc.constantFrom(InferencePackaging.zip(), InferencePackaging.containerImage()) }),
  architecture: field({ valid: fc.constantFrom(lambda.Architecture.ARM_64, lambda.Architecture.X86_64) }),
  memorySize: field({
    valid: sizeOfMebibytes(128, 10240),
    invalid: anySize().filter((size) => !wholeIn(128, 10240)(size.toMebibytes({ rounding: SizeRoundingBehavior.NONE }))),
    token: sizeToken('mebibytes', 1024),
  }),
  timeout: field({
    valid: durationOfSeconds(1, 900),
    invalid: durationOfSeconds(901, 2 * 86400),
    open: fc.oneof(fractionalDuration(), fc.constant(Duration.seconds(0))),
    token: durationToken('seconds', 30),
  }),
  reservedConcurrency: field({ valid: fc.integer({ min: 0, max: 1000 }), invalid: numberOutside(wholeIn(0, Number.MAX_SAFE_INTEGER)), token: numberToken(5) }),
  functionUrl: field({ valid: fc.boolean() }),
  role: field({ valid: role }),
  vpc: field({ valid: vpc }),
  vpcSubnets: subnets,
  logRetention,
  logRemovalPolicy,
  logEncryptionKey: field({ valid: key }),
  defaultTopK: field({ valid: fc.integer({ min: 1, max: 1000 }), invalid: numberOutside(wholeIn(1, 1000)), token: numberToken(5) }),
  maxImageSize: field({
    valid: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 }).map((bytes) => Size.bytes(bytes)), fc.integer({ min: 1, max: 20 }).map((mib) => Size.mebibytes(mib)),
      fc.constant(Size.kibibytes(0.5))),
    invalid: fc.constantFrom(Size.bytes(0), Size.kibibytes(0), Size.mebibytes(0)),
    open: fc.constantFrom(Size.bytes(0.5), Size.pebibytes(1)),
    token: sizeToken('bytes', 1_000_000),
  }),
  maxImagePixels: field({ valid: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 }), fc.constant(Number.MAX_SAFE_INTEGER)), invalid: numberOutside(wholeIn(1, Number.MAX_SAFE_INTEGER)), token: numberToken(1_000_000) }),
};

function inferenceRules(props: Recipe<InferenceFunctionProps>): Verdict {
  return { invalid: props.vpc === undefined && props.vpcSubnets !== undefined ? ['vpcSubnets'] : [] };
}

const imageSizeSpec = { valid: fc.integer({ min: 32, max: 1024 }), invalid: numberOutside(wholeIn(32, 1024)), token: numberToken(224) };

export const INFERENCE_OPTION_NAMES = ['imageSize', ...Object.keys(inferenceOptionFields)];

/** `ImageClassifier`'s `inference`: the function's props but the endpoint name, with an optional image size. */
export const inferenceOptions = withUnknownFields(record<ImageClassifierInferenceOptions>({
  ...inferenceOptionFields,
  imageSize: field(imageSizeSpec),
}, inferenceRules), INFERENCE_OPTION_NAMES, false);

export const INFERENCE_FUNCTION_NAMES = ['endpointName', ...INFERENCE_OPTION_NAMES, 'binaryMode'];
export const inferenceFunctionProps = withUnknownFields(record<InferenceFunctionProps>({
  ...inferenceOptionFields,
  endpointName: field({ valid: sageMakerName(), invalid: stringOutside((name) => isSageMakerName(name)), token: stringToken('flowers'), required: true }),
  imageSize: field({ ...imageSizeSpec, required: true }),
  // ImageClassifier sets it from hyperparameters.binaryMode, so only the function's own props have it.
  binaryMode: field({ valid: fc.boolean(), invalid: fc.constantFrom<unknown>('true', 1, null) }),
}, inferenceRules), INFERENCE_FUNCTION_NAMES, false);

// ---- EndpointCleanup ----------------------------------------------------------------------------------------------

const INTERVAL_SECONDS = [1, 5, 10, 15, 20, 30, 60, 120, 300, 600];

function cleanupRules(props: Recipe<EndpointCleanupProps>): Verdict {
  const total = props.totalTimeout === undefined ? 1800 : literalSeconds(props.totalTimeout);
  const interval = props.queryInterval === undefined ? 30 : literalSeconds(props.queryInterval);
  if (total === undefined || interval === undefined) return {};
  const invalid: string[] = [];
  if (interval < 1) invalid.push('queryInterval');
  if (total > 3600 || (interval >= 1 && (total % interval !== 0 || total < 2 * interval))) invalid.push('totalTimeout');
  return { invalid };
}

export const ENDPOINT_CLEANUP_NAMES = ['endpointName', 'resourceNamePrefix', 'totalTimeout', 'queryInterval', 'removalPolicy', 'dependsOn', 'logRetention', 'logRemovalPolicy', 'logEncryptionKey'];
export const endpointCleanupProps = withUnknownFields(record<EndpointCleanupProps>({
  endpointName: field({ valid: sageMakerName(), invalid: stringOutside((name) => isSageMakerName(name)), token: stringToken('flowers'), required: true }),
  resourceNamePrefix: field({
    valid: sageMakerName(38), invalid: stringOutside((name) => isSageMakerName(name, 38)), token: stringToken('flowers'), required: true,
  }),
  // Whether a pair is allowed depends on both (a zero interval too); the rule decides. Tokens are left open: the
  // provider framework needs numbers.
  totalTimeout: field({
    valid: fc.oneof(fc.integer({ min: 1, max: 6 }).chain((k) => durationOfSeconds(600 * k, 600 * k)), durationOfSeconds(1, 7200)),
    open: fc.oneof(fractionalDuration(), durationToken('seconds', 1800)),
  }),
  queryInterval: field({
    valid: fc.oneof(fc.constantFrom(...INTERVAL_SECONDS).chain((seconds) => durationOfSeconds(seconds, seconds)), durationOfSeconds(0, 4000)),
    open: fc.oneof(fractionalDuration(), durationToken('seconds', 30)),
  }),
  removalPolicy: field({
    valid: fc.constantFrom(RemovalPolicy.DESTROY, RemovalPolicy.RETAIN),
    invalid: fc.constantFrom(RemovalPolicy.SNAPSHOT, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'banana' as RemovalPolicy),
  }),
  dependsOn: field({ valid: fc.array(made('new s3.Bucket(…)', (scope, id) => new s3.Bucket(scope, id)), { maxLength: 2 }) }),
  logRetention,
  logRemovalPolicy,
  logEncryptionKey: field({ valid: key }),
}, cleanupRules), ENDPOINT_CLEANUP_NAMES, false);

// ---- RetrainingPipeline -------------------------------------------------------------------------------------------

/** A training definition for the pipeline, with what the pipeline's rules need to know of it. */
export class TrainingVariant extends Deferred<TrainingJobDefinition> {
  constructor(label: string, public readonly options: Recipe<TrainingJobDefinitionProps>) {
    super(label, (scope, id) => new TrainingJobDefinition(scope, id, {
      ...options as Partial<TrainingJobDefinitionProps>,
      dataset: new DatasetBucket(scope, `${id}Dataset`),
    }));
  }
}

const trainingVariant = fc.constantFrom(
  new TrainingVariant('TrainingJobDefinition (defaults)', {}),
  new TrainingVariant('TrainingJobDefinition (processor: GPU)', { processor: Processor.GPU }),
  new TrainingVariant('TrainingJobDefinition (CPU instance)', { instanceType: TrainingInstanceType.ML_M5_XLARGE }),
  new TrainingVariant('TrainingJobDefinition (spot, 2 h)', { spot: true, maxRuntime: Duration.hours(2), hyperparameters: { epochs: 3 } }),
  new TrainingVariant('TrainingJobDefinition (CPU image)', { instanceType: TrainingInstanceType.ML_C5_2XLARGE, locations: { trainingImage: TRAINING_IMAGES[1] } }),
  new TrainingVariant('TrainingJobDefinition (CPU, token instance type)', {
    processor: Processor.CPU, instanceType: TrainingInstanceType.of(Lazy.string({ produce: () => 'ml.m5.xlarge' })),
  }),
);

const endpointVariant = fc.constantFrom(
  new Deferred('ClassifierEndpoint (defaults)', (scope, id) => new ClassifierEndpoint(scope, id)),
  new Deferred('ClassifierEndpoint (serverless)', (scope, id) => new ClassifierEndpoint(scope, id, { capacity: EndpointCapacity.serverless() })),
  new Deferred('ClassifierEndpoint (2 fixed instances)', (scope, id) => new ClassifierEndpoint(scope, id, {
    capacity: EndpointCapacity.instances({ minInstances: 2, maxInstances: 2 }),
  })),
  new Deferred('ClassifierEndpoint (63-character name)', (scope, id) => new ClassifierEndpoint(scope, id, {
    endpointName: `Flowers-${'x'.repeat(55)}`, variantName: 'Blue',
  })),
);

/** The fallback list is checked against the training definition: at most 10 types in all, none of the wrong processor. */
export function fallbackRules(training: Recipe<TrainingJobDefinitionProps>, types: unknown): string[] {
  if (!Array.isArray(types)) return [];
  const first = training.instanceType ?? TrainingInstanceType.ML_P3_2XLARGE;
  const all = [first, ...types].filter((type): type is TrainingInstanceType => type instanceof TrainingInstanceType);
  const demanded = demandedProcessor(training);
  const wrongProcessor = demanded !== undefined && types.some((type) => type instanceof TrainingInstanceType
    && processorOf(type.name) !== undefined && processorOf(type.name) !== demanded);
  return new Set(all.map((type) => type.name)).size > 10 || wrongProcessor ? ['trainingInstanceTypes'] : [];
}

function pipelineOptionRules(props: Recipe<RetrainingPipelineProps>): string[] {
  return props.quietPeriod !== undefined && props.retrainOnNewData !== true ? ['quietPeriod'] : [];
}

/**
 * A duration the state machine is built from: whole seconds in [min, max]. A fraction of a second and a token (no
 * value at synth) are refused.
 */
function stateMachineDuration(min: number, max: number, outside: fc.Arbitrary<Duration>): Shape<unknown> {
  return field({ valid: durationOfSeconds(min, max), invalid: fc.oneof(outside, fractionalDuration(), durationToken('seconds', min + 1)) });
}

const strategyFields = {
  baking: stateMachineDuration(0, 3600, durationOfSeconds(3601, 10 ** 6)),
  maxExecutionTimeout: stateMachineDuration(600, 14400, fc.oneof(durationOfSeconds(0, 599), durationOfSeconds(14401, 10 ** 6))),
};
const shiftedOptions = record<ShiftedDeploymentOptions>({
  ...strategyFields,
  percent: field({ valid: fc.integer({ min: 1, max: 99 }), invalid: numberOutside(wholeIn(1, 99)), token: numberToken(10), required: true }),
  interval: stateMachineDuration(0, 3600, durationOfSeconds(3601, 10 ** 6)),
});

/** A deployment strategy made from generated options. */
export const deploymentStrategy = oneOf<unknown>(
  mapShape(record<DeploymentStrategyOptions>(strategyFields), (options) => DeploymentStrategy.allAtOnce(options as DeploymentStrategyOptions)),
  mapShape(shiftedOptions, (options) => DeploymentStrategy.canary(options as ShiftedDeploymentOptions)),
  mapShape(shiftedOptions, (options) => DeploymentStrategy.linear(options as ShiftedDeploymentOptions)),
);
const deployment = optional(deploymentStrategy);

const schedule = field({
  valid: fc.oneof(
    fc.constantFrom(RetrainingSchedule.WEEKLY, RetrainingSchedule.DISABLED, RetrainingSchedule.cron({ weekDay: 'SUN', hour: '3', minute: '0' }),
      RetrainingSchedule.expression('rate(1 day)'), RetrainingSchedule.expression('cron(0 3 ? * MON *)'),
      RetrainingSchedule.cron({ weekDay: 'SUN', hour: '3', minute: '0', timeZone: TimeZone.EUROPE_BERLIN }),
      RetrainingSchedule.fromScheduleExpression(scheduler.ScheduleExpression.at(new Date(Date.UTC(2030, 0, 31, 3)), TimeZone.AMERICA_NEW_YORK))),
    fc.integer({ min: 1, max: 2000 }).map((hours) => RetrainingSchedule.every(Duration.hours(hours))),
  ),
  token: stringToken('rate(7 days)').map((expression) => RetrainingSchedule.expression(expression)),
});

/** What the pipeline takes as an email address: something@somewhere.tld, without spaces. */
function isEmailAddress(text: string): boolean {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text);
}

const retrainingOptionFields = {
  schedule,
  retrainOnNewData: field({ valid: fc.boolean() }),
  quietPeriod: stateMachineDuration(300, 7 * 86400, durationOfSeconds(0, 299)),
  trainingInstanceTypes: optional(arrayOf(field({ ...trainingInstanceTypeSpec, required: true }), { maxLength: 12 })),
  minimumAccuracy: field({ valid: fc.double({ min: 0, max: 1, noNaN: true }), invalid: numberOutside(realIn(0, 1)), token: numberToken(0.8) }),
  minimumImprovement: field({ valid: fc.double({ min: 0, max: 1, noNaN: true }), invalid: numberOutside(realIn(0, 1)), token: numberToken(0.01) }),
  promotionMetric: field({ valid: fc.constantFrom(PromotionMetric.ACCURACY, PromotionMetric.MACRO_F1) }),
  testHoldOutPercent: field({ valid: fc.integer({ min: 0, max: 50 }), invalid: numberOutside(wholeIn(0, 50)), token: numberToken(10) }),
  // Valid when its processor is the endpoint's (a variant drawn elsewhere): either outcome is fine, as long as it is
  // a clear error; a family the algorithm is not hosted on never is.
  evaluationInstanceType: field({
    open: fc.constantFrom(BatchInstanceType.ML_M5_XLARGE, BatchInstanceType.ML_C5_XLARGE, BatchInstanceType.ML_G4DN_XLARGE),
    invalid: fc.constantFrom(BatchInstanceType.of('ml.t2.medium'), BatchInstanceType.of('ml.x1.large'), BatchInstanceType.of('m5.large')),
  }),
  deployment,
  latencyAlarmThreshold: field({
    valid: fc.integer({ min: 1, max: 60_000 }).map((ms) => Duration.millis(ms)),
    open: fc.oneof(fc.constant(Duration.seconds(0)), durationToken('seconds', 2)),
  }),
  endpointPollInterval: stateMachineDuration(10, 3600, fc.oneof(durationOfSeconds(0, 9), durationOfSeconds(3601, 10 ** 6))),
  endpointTimeout: stateMachineDuration(300, 12 * 3600, fc.oneof(durationOfSeconds(0, 299), durationOfSeconds(12 * 3600 + 1, 10 ** 6))),
  keepVersions: field({ valid: fc.integer({ min: 1, max: 50 }), invalid: numberOutside(wholeIn(1, 50)), token: numberToken(3) }),
  notificationEmail: field({
    valid: fc.oneof(fc.constantFrom('ops@example.com', 'a+b@example.org', 'ü@例え.jp'), fc.emailAddress()).filter(isEmailAddress),
    invalid: stringOutside(isEmailAddress),
    token: stringToken('ops@example.com'),
  }),
  logRetention,
  logRemovalPolicy,
};
export const RETRAINING_OPTION_NAMES = Object.keys(retrainingOptionFields);

/** `ImageClassifier`'s `retraining`: the pipeline's props but the training definition, endpoint and key. */
export const retrainingOptions = withUnknownFields(record<ImageClassifierRetrainingOptions>(
  retrainingOptionFields, (props) => ({ invalid: pipelineOptionRules(props) })), RETRAINING_OPTION_NAMES, false);

export const RETRAINING_PIPELINE_NAMES = ['training', 'endpoint', 'encryptionKey', 'deployment', ...RETRAINING_OPTION_NAMES];
export const retrainingPipelineProps = withUnknownFields(record<RetrainingPipelineProps>({
  ...retrainingOptionFields,
  training: field({ valid: trainingVariant, required: true }),
  endpoint: field({ valid: endpointVariant, required: true }),
  encryptionKey: field({ valid: key }),
}, (props) => ({
  invalid: [
    ...pipelineOptionRules(props),
    ...fallbackRules((props.training as TrainingVariant).options, props.trainingInstanceTypes),
  ],
})), RETRAINING_PIPELINE_NAMES, false);

// ---- BatchClassification -----------------------------------------------------------------------------------------

const batchInstanceType = field({
  valid: fc.constantFrom(
    ...Object.values(BatchInstanceType).filter((value): value is BatchInstanceType => value instanceof BatchInstanceType),
    BatchInstanceType.of('ml.c6i.2xlarge'), BatchInstanceType.of('ml.g6.xlarge'), BatchInstanceType.of('ml.m7i.large'),
  ),
  invalid: fc.constantFrom('ml.r5.xlarge', 'ml.t3.medium', 'ml.p4d.24xlarge', 'm5.xlarge', 'ml.ml.m5.xlarge', 'ml.m5').map((name) => BatchInstanceType.of(name)),
  token: stringToken('ml.m5.xlarge').map((name) => BatchInstanceType.of(name)),
});

const batchOptionFields = {
  inputPrefix: field({ valid: fc.oneof(safeKeyPrefix(), fc.constant('')), invalid: stringOutside((prefix) => prefix === '' || (isSafeKeyPrefix(prefix) && prefix.length <= 512)) }),
  outputPrefix: field({ valid: safeKeyPrefix(), invalid: stringOutside((prefix) => isSafeKeyPrefix(prefix) && prefix.length <= 512) }),
  instanceType: batchInstanceType,
  instanceCount: field({ valid: fc.integer({ min: 1, max: 100 }), invalid: numberOutside(wholeIn(1, 100)), token: numberToken(2) }),
  maxRuntime: stateMachineDuration(600, 5 * 86400, fc.oneof(durationOfSeconds(0, 599), durationOfSeconds(5 * 86400 + 1, 10 ** 7))),
  topK: field({ valid: fc.integer({ min: 1, max: 100 }), invalid: numberOutside(wholeIn(1, 100)), token: numberToken(3) }),
  schedule,
  classifyNewImages: field({ valid: fc.boolean() }),
  quietPeriod: stateMachineDuration(300, 7 * 86400, durationOfSeconds(0, 299)),
  logRetention,
  logRemovalPolicy,
};

/** Output inside the input folder would be classified by the next run; a quiet period needs the new-images trigger. */
function batchOptionRules(props: Recipe<ImageClassifierBatchOptions>): string[] {
  const invalid: string[] = [];
  if (props.quietPeriod !== undefined && props.classifyNewImages !== true) invalid.push('quietPeriod');
  const input = (props.inputPrefix ?? 'batch/input') as string;
  const output = (props.outputPrefix ?? 'batch/output') as string;
  if (typeof input === 'string' && typeof output === 'string' && (input === '' || `${output}/`.startsWith(`${input}/`))) invalid.push('outputPrefix');
  return invalid;
}
export const BATCH_OPTION_NAMES = ['enabled', ...Object.keys(batchOptionFields)];

/** `ImageClassifier`'s `batch`: BatchClassification's props but the model, bucket, key and binary mode. */
export const batchOptions = withUnknownFields(record<ImageClassifierBatchOptions>(
  { ...batchOptionFields, enabled: field({ valid: fc.constant(true) }) }, (props) => ({ invalid: batchOptionRules(props) })), BATCH_OPTION_NAMES, false);

// ---- ImageClassifier ----------------------------------------------------------------------------------------------

/** A folder laid out as `<class>/<image>.jpg`, written once to the temporary directory. */
function seedFolder(): string {
  const folder = path.join(os.tmpdir(), 'cdk-image-classifier-fuzz-seed');
  for (const label of ['daisy', 'roses']) {
    fs.mkdirSync(path.join(folder, label), { recursive: true });
    fs.writeFileSync(path.join(folder, label, 'a.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  }
  return folder;
}

export const SEED_FOLDER = new Deferred('a folder of two classes', () => seedFolder());
const seedDatasetFrom = field({
  valid: fc.constant(SEED_FOLDER),
  invalid: fc.oneof(
    fc.constantFrom('', 'no/such/folder', path.join(os.tmpdir(), 'cdk-image-classifier-fuzz-missing')),
    made('a folder of one class', () => path.join(seedFolder(), 'daisy')),
    made('a file', () => path.join(seedFolder(), 'daisy', 'a.jpg')),
    stringToken('/tmp/images'),
  ),
});

export const IMAGE_CLASSIFIER_PARTS = ['dataset', 'training', 'serving', 'retraining', 'inference', 'batch'] as const;
const IMAGE_CLASSIFIER_OWN_NAMES = [
  'identity', 'model', 'hyperparameters', 'encryptionKey', 'seedDatasetFrom', 'startRetrainingOnDeploy', 'vpc', 'vpcSubnets', 'createVpcEndpoints',
  'sageMakerRuntimeEndpoint', 'logRetention', 'logRemovalPolicy', 'dashboard',
];
export const IMAGE_CLASSIFIER_NAMES = [...new Set([
  ...IMAGE_CLASSIFIER_OWN_NAMES, ...IMAGE_CLASSIFIER_PARTS, ...DATASET_BUCKET_NAMES, ...TRAINING_OPTION_NAMES, ...CLASSIFIER_ENDPOINT_NAMES,
  ...RETRAINING_PIPELINE_NAMES, ...INFERENCE_FUNCTION_NAMES, ...BATCH_OPTION_NAMES,
])];

function imageClassifierRules(props: Recipe<ImageClassifierProps>): Verdict {
  const invalid: string[] = [];
  const allowed: string[] = [];
  const part = <T>(name: typeof IMAGE_CLASSIFIER_PARTS[number]): Recipe<T> => (props[name] ?? {}) as Recipe<T>;
  const datasetProps = part<DatasetBucketProps>('dataset');
  const training = part<TrainingJobDefinitionProps>('training');
  const serving = part<ClassifierEndpointProps>('serving');
  const inference = part<InferenceFunctionProps>('inference');
  const retraining = props.retraining as Recipe<RetrainingPipelineProps> | undefined;

  if (datasetProps.encryptionKey !== undefined && props.encryptionKey !== undefined) invalid.push('encryptionKey');
  if (serving.modelArtifact !== undefined && retraining !== undefined) invalid.push('retraining');
  if (serving.modelArtifact !== undefined && props.startRetrainingOnDeploy === true) invalid.push('startRetrainingOnDeploy');
  const chosen = (props.model ?? JumpStartModel.MOBILENET_V2_100_224) as JumpStartModel;
  if (inference.imageSize === undefined && chosen.imageSize === undefined) invalid.push('model');
  invalid.push(...fallbackRules(training, retraining?.trainingInstanceTypes).map((inner) => `retraining.${inner}`));

  if (props.vpc === undefined) {
    invalid.push(...(['vpcSubnets', 'createVpcEndpoints', 'sageMakerRuntimeEndpoint'] as const).filter((name) => props[name] !== undefined));
  } else {
    if (props.sageMakerRuntimeEndpoint !== undefined && props.createVpcEndpoints === true) invalid.push('createVpcEndpoints');
    if ([training, serving, inference].some((options) => options.vpc !== undefined)) invalid.push('vpc');
    // The whole's VPC is the parts' VPC: their subnets and security groups are allowed without their own `vpc`.
    allowed.push('training.vpcSubnets', 'training.securityGroups', 'serving.vpcSubnets', 'serving.securityGroups', 'inference.vpcSubnets');
  }
  return { invalid, allowed };
}

const isIdentity = (value: string) => value !== '' && !value.includes('/');

export const imageClassifierProps = withUnknownFields(record<ImageClassifierProps>({
  identity: field({ valid: fc.oneof(fc.constantFrom('Classifier', 'flowers', 'Team Classifier.v2'), fc.string({ minLength: 1, maxLength: 40 }).filter(isIdentity)), invalid: fc.oneof(stringOutside(isIdentity), stringToken('Classifier')) }),
  model,
  hyperparameters: hyperparametersProp,
  dataset: optional(datasetBucketProps),
  training: optional(trainingOptions),
  serving: optional(servingOptions),
  retraining: optional(retrainingOptions),
  inference: optional(inferenceOptions),
  batch: optional(batchOptions),
  encryptionKey: field({ valid: key }),
  seedDatasetFrom,
  startRetrainingOnDeploy: field({ valid: fc.boolean() }),
  vpc: field({ valid: vpc, open: fc.constant(VPC_WITHOUT_ROUTE_TABLES) }),
  vpcSubnets: subnets,
  createVpcEndpoints: field({ valid: fc.boolean() }),
  logRetention,
  logRemovalPolicy,
  dashboard: oneOf<boolean | ImageClassifierDashboardOptions | undefined>(field({ valid: fc.boolean() }), record<ImageClassifierDashboardOptions>({
    dashboardName: field({
      valid: fc.stringMatching(/^[A-Za-z0-9_-]{1,255}$/),
      invalid: stringOutside((name) => /^[A-Za-z0-9_-]{1,255}$/.test(name)),
      token: stringToken('classifier'),
    }),
  }) as Shape<ImageClassifierDashboardOptions>),
  sageMakerRuntimeEndpoint: field({
    valid: made('ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(…)', (scope, id) => ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(scope, id, {
      vpcEndpointId: 'vpce-12345678', port: 443, securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(scope, `${id}SecurityGroup`, 'sg-87654321')],
    })),
  }),
}, imageClassifierRules), IMAGE_CLASSIFIER_NAMES, false);
