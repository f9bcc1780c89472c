/**
 * Facts about SageMaker's built-in "Image Classification - TensorFlow" algorithm (the JumpStart TensorFlow Hub
 * transfer-learning algorithm), gathered from public sources in November 2026. They are kept in this one file so that
 * a moved catalog is a one-line change. Confidence marks follow the project's research notes:
 *   [V] verified word for word in the cited source, [I] inferred from cited code or docs, [U] uncertain.
 * Sources: the SageMaker Python SDK v2.257.6 JumpStart spec (v4.0.6) for a sibling TF IC model, the SDK's
 * image_uri_config/tensorflow.json and jumpstart/region_config.json, the AWS developer guide pages IC-TF-*.
 */

/** Training container: the TensorFlow 2.9 deep learning container [V]. */
export const TRAINING_IMAGE_REPOSITORY = 'tensorflow-training';
export const TRAINING_IMAGE_TAG = { gpu: '2.9-gpu-py39', cpu: '2.9-cpu-py39' } as const;

/** Inference container: the TensorFlow Serving 2.8 deep learning container [V]. */
export const INFERENCE_IMAGE_REPOSITORY = 'tensorflow-inference';
export const INFERENCE_IMAGE_TAG = { gpu: '2.8-gpu', cpu: '2.8-cpu' } as const;

/** The JumpStart content bucket of a region holds the scripts and the pretrained models [V]. */
export const CONTENT_BUCKET_PREFIX = 'jumpstart-cache-prod-';

/**
 * The prepacked training script [V]. The SDK prefers it over the plain v2.1.2 script; its training output is
 * expected to contain the inference code, so the fine-tuned model.tar.gz can be served as it is [I, medium-high].
 */
export const TRAINING_SCRIPT_KEY = 'source-directory-tarballs/tensorflow/transfer_learning/ic/prepack/v1.1.2/sourcedir.tar.gz';
export const TRAINING_ENTRY_POINT = 'transfer_learning.py';

/**
 * The layouts JumpStart has published the pretrained training tarball under, most likely first. Each model's spec names
 * its own `training_artifact_key`, and the folder follows the spec's version, so which layout holds a given model id is
 * not known offline: the deploy-time check (lambda/algorithm-check) tries them in this order in the deploy region and
 * the training uses the first that exists.
 *
 * 1. `tensorflow-training/v3.0.0/train-<id>.tar.gz` [V for tensorflow-ic-bit-m-r101x1-ilsvrc2012-classification-1,
 *    spec 4.0.6: SageMaker Python SDK v2.257.6, tests/unit/sagemaker/jumpstart/constants.py; I, medium-high, for the
 *    other TF IC ids, which share that spec's script, container and version numbers].
 * 2. `tensorflow-training/v2.0.0/train-<id>.tar.gz` [I, low-medium: the SDK's unit test of JumpStartModelSpecs
 *    (tests/unit/sagemaker/jumpstart, BASE_SPEC) asserts `pytorch-training/v2.0.0/train-pytorch-ic-mobilenet-v2.tar.gz`
 *    for the sibling PyTorch IC family's spec 3.0.6: the framework folders were versioned v2.0.0 in the spec generation
 *    before TF IC's 4.x; the same folder for TF IC is unconfirmed].
 * 3. `tensorflow-training/train-<id>.tar.gz` [V for the same bit-m-r101x1 id at spec 1.0.0: the SDK's fixture before
 *    commit 132660835 (2024-12-12); the unversioned layout of the first JumpStart specs (the PyTorch IC fixture of
 *    that generation uses `pytorch-training/train-pytorch-ic-mobilenet-v2.tar.gz`)].
 */
export const PRETRAINED_MODEL_KEY_LAYOUTS: readonly ((modelId: string) => string)[] = [
  (modelId) => `tensorflow-training/v3.0.0/train-${modelId}.tar.gz`,
  (modelId) => `tensorflow-training/v2.0.0/train-${modelId}.tar.gz`,
  (modelId) => `tensorflow-training/train-${modelId}.tar.gz`,
];

/** Every key the pretrained training tarball of `modelId` may have, most likely first. */
export function pretrainedModelKeyCandidates(modelId: string): string[] {
  return PRETRAINED_MODEL_KEY_LAYOUTS.map((layout) => layout(modelId));
}

/** The most likely key of the pretrained training tarball; the deploy-time check decides which one is used. */
export function pretrainedModelKey(modelId: string): string {
  return pretrainedModelKeyCandidates(modelId)[0];
}

/** The pretrained model ready to serve (S3 prefix, uncompressed, with inference code) [V pattern, I per model]. */
export function pretrainedInferenceModelKeyPrefix(modelId: string): string {
  return `tensorflow-ic/${modelId}/artifacts/inference-prepack/v1.0.0/`;
}

/** Where the script tarball is mounted under network isolation; `sagemaker_submit_directory` points at it [V]. */
export const CODE_CHANNEL_TARBALL_PATH = '/opt/ml/input/data/code/sourcedir.tar.gz';

/** Container hyperparameters the SDK sends next to the algorithm's own [V]. */
export const CONTAINER_HYPERPARAMETERS: Readonly<Record<string, string>> = {
  sagemaker_program: TRAINING_ENTRY_POINT,
  sagemaker_submit_directory: CODE_CHANNEL_TARBALL_PATH,
  sagemaker_container_log_level: '20',
};

/** Environment of the inference container; a raw CreateModel must set all eight [V]. */
export const INFERENCE_ENVIRONMENT: Readonly<Record<string, string>> = {
  SAGEMAKER_PROGRAM: 'inference.py',
  SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
  SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
  SAGEMAKER_MODEL_SERVER_TIMEOUT: '3600',
  ENDPOINT_SERVER_TIMEOUT: '3600',
  MODEL_CACHE_ROOT: '/opt/ml/model',
  SAGEMAKER_ENV: '1',
  SAGEMAKER_MODEL_SERVER_WORKERS: '1',
};

/**
 * The validation accuracy the training script logs each epoch. The JumpStart spec names it `tflow-ic:val-accuracy`
 * with this regex [V]; SageMaker keeps the last value in FinalMetricDataList.
 */
export const VALIDATION_ACCURACY_METRIC = { Name: 'tflow-ic:val-accuracy', Regex: 'val_accuracy: ([0-9\\.]+)' } as const;
/** More metrics the AWS example notebook defines with the same log format [V]. */
export const EXTRA_METRIC_DEFINITIONS = [
  { Name: 'val_loss', Regex: 'val_loss: ([0-9\\.]+)' },
  { Name: 'train_accuracy', Regex: '- accuracy: ([0-9\\.]+)' },
  { Name: 'train_loss', Regex: '- loss: ([0-9\\.]+)' },
] as const;

/** Network isolation and inter-container encryption, as the spec sets them for training and hosting [V]. */
export const ENABLE_NETWORK_ISOLATION = true;
export const ENABLE_INTER_CONTAINER_TRAFFIC_ENCRYPTION = true;

/** Instance families by the container image they need, from the spec's instance-type variants [V]. */
export const GPU_INSTANCE_FAMILIES: readonly string[] = ['g4dn', 'g5', 'g6', 'g6e', 'p2', 'p3', 'p3dn', 'p4d', 'p4de', 'p5'];
/** t2 is in the spec's CPU list, but SageMaker training no longer accepts T2 instances, so it is left out. */
export const CPU_INSTANCE_FAMILIES: readonly string[] = ['c4', 'c5', 'c5d', 'c5n', 'c6i', 'c6id', 'c7i', 'm4', 'm5', 'm5d', 'm6i', 'm6id', 'm7i', 'r5', 'r5d', 'r6i', 'r6id', 'r7i', 't3'];

/**
 * Families whose instances carry local NVMe storage, on which SageMaker refuses a VolumeKmsKeyId (local volumes are
 * encrypted by the instance's hardware) [I from the CreateTrainingJob ResourceConfig documentation; the list is
 * the families of this algorithm that have local instance storage].
 */
export const LOCAL_STORAGE_INSTANCE_FAMILIES: readonly string[] = ['g4dn', 'g5', 'g6', 'g6e', 'p3dn', 'p4d', 'p4de', 'p5', 'c5d', 'm5d', 'm6id', 'c6id', 'r5d', 'r6id'];

/**
 * Regions where the algorithm runs, with the account that owns the deep learning container images there. The list
 * is the spec's regional aliases (Dec 2024 snapshot) [V]; each account agrees with the SDK and CDK tables [V].
 * Newer regions with a JumpStart bucket (ap-east-2, ap-south-2, ap-southeast-4/6/7, ca-west-1, eu-south-2,
 * mx-central-1) are not listed because the TF IC artifacts there are unverified [U]: use the location overrides.
 */
export const DLC_ACCOUNT_BY_REGION: Readonly<Record<string, string>> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-northeast-1': '763104351884',
  'ap-northeast-2': '763104351884',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '763104351884',
  'ap-southeast-1': '763104351884',
  'ap-southeast-2': '763104351884',
  'ap-southeast-3': '907027046896',
  'ap-southeast-5': '550225433462',
  'ca-central-1': '763104351884',
  'cn-north-1': '727897471807',
  'cn-northwest-1': '727897471807',
  'eu-central-1': '763104351884',
  'eu-central-2': '380420809688',
  'eu-north-1': '763104351884',
  'eu-south-1': '692866216735',
  'eu-west-1': '763104351884',
  'eu-west-2': '763104351884',
  'eu-west-3': '763104351884',
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'sa-east-1': '763104351884',
  'us-east-1': '763104351884',
  'us-east-2': '763104351884',
  'us-gov-east-1': '446045086412',
  'us-gov-west-1': '442386744353',
  'us-west-1': '763104351884',
  'us-west-2': '763104351884',
};

/** ECR's DNS suffix differs outside the commercial partition [V]. */
export function ecrDomain(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** The request limits of CreateTrainingJob and friends [V, botocore service-2.json]; names: lambda/shared/sagemaker-names.ts. */
export const SAGEMAKER_LIMITS = {
  maxRuntimeSeconds: 2_419_200,
  s3UriMaxLength: 1024,
} as const;
