/**
 * Lambda entry point of the inference function: wires the AWS SDK clients (created once per container; they honour
 * the SDK's standard endpoint overrides AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME and AWS_ENDPOINT_URL_S3), the
 * preprocessing, and the environment read at cold start. A bad environment is logged here and answered with a 500
 * CONFIGURATION_ERROR on every request, never thrown at init (which Lambda would retry in a crash loop).
 * Event and response shapes: handler.ts.
 * The S3 client is loaded and created on the first request that reads S3 (see s3-source.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createHandler, readConfiguration } from './handler';
import { createLogger } from '../shared/log';
import { preprocessImage } from '../image/preprocess';
import { loadS3Sdk } from './s3-source';

const configuration = readConfiguration(process.env);
if (!configuration.ok) createLogger('init').error('configuration-invalid', { error: configuration.error });

let s3: S3Client | undefined;

export const handler = createHandler({
  configuration,
  sageMaker: new SageMakerRuntimeClient({}),
  s3: () => {
    s3 ??= new (loadS3Sdk().S3Client)({});
    return s3;
  },
  preprocess: preprocessImage,
});
