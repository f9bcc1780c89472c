/**
 * The app's stack name and the names of the stack outputs that the command line reads (cli/stack.ts) and the stack
 * writes (lib/image-classifier-stack.ts): one list, so that neither side can rename an output alone.
 */
export const APP_STACK_NAME = 'ImageClassifierStack';

export const STACK_OUTPUTS = {
  /** the bucket holding the labelled images */
  datasetBucketName: 'DatasetBucketName',
  /** s3://<bucket>/<prefix>/training/: one folder per class */
  trainingDataUri: 'TrainingDataUri',
  /** s3://<bucket>/<prefix>/test/: the held-out test images, one folder per class */
  testDataUri: 'TestDataUri',
  /** s3://<bucket>/<prefix>/validation/: the validation channel's images (only when training sends that channel) */
  validationDataUri: 'ValidationDataUri',
  /** edge in pixels of the square model input (absent for models that publish none) */
  modelImageSize: 'ModelImageSize',
  modelOutputUri: 'ModelOutputUri',
  pretrainedModel: 'PretrainedModel',
  endpointName: 'EndpointName',
  /** the function URL (only where the region offers function URLs) */
  inferenceUrl: 'InferenceUrl',
  inferenceFunctionName: 'InferenceFunctionName',
  inferenceFunctionArn: 'InferenceFunctionArn',
  /** only with the retraining pipeline */
  retrainingStateMachineArn: 'RetrainingStateMachineArn',
  notificationTopicArn: 'NotificationTopicArn',
} as const;

export type StackOutputKey = keyof typeof STACK_OUTPUTS;
