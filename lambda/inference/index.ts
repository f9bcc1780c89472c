/**
 * Lambda entry point of the inference function: wires the AWS SDK clients (created once per container; they honour
 * the SDK's standard endpoint overrides AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME and AWS_ENDPOINT_URL_S3), the
 * preprocessing, and the environment read at cold start. A bad environment is logged here and answered with a 500
 * CONFIGURATION_ERROR on every request, never thrown at init (which Lambda would retry in a crash loop).
 * Event and response shapes: handler.ts.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createHandler, readConfiguration } from './handler';
import { createLogger } from './log';
import { preprocessImage } from './preprocess';

const configuration = readConfiguration(process.env);
if (!configuration.ok) createLogger('init').error('configuration-invalid', { error: configuration.error });

export const handler = createHandler({
  configuration,
  sageMaker: new SageMakerRuntimeClient({}),
  s3: new S3Client({}),
  preprocess: preprocessImage,
});
