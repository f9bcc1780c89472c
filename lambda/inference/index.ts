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
import { setFlagsFromString } from 'v8';

/*
 * On-stack replacement compiled on the main thread, for this process only: the image code runs once per request,
 * mostly inside one long loop per function (decoder, colour conversion, resize, encoder), and V8 optimises such a
 * loop while it runs (on-stack replacement). Compiled in the background (V8's default), the optimised loop arrives
 * late on a new process's first request, after most of the loop ran in the interpreter, and the compile's CPU time
 * counts anyway; compiled on the spot, the rest of the loop runs optimised at once. Set after the imports above
 * (a changed flag makes V8 refuse the code cache of Node.js's own modules loaded afterwards) and before any image
 * code runs. Measured with `npm run bench` (bench/README.md).
 */
setFlagsFromString('--no-concurrent-osr');

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
