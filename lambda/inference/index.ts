/**
 * Lambda entry point of the inference function: wires the AWS SDK clients (created once per container; they honour
 * the SDK's standard endpoint overrides AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME and AWS_ENDPOINT_URL_S3), the
 * preprocessing, and the environment read at cold start. A bad environment is logged here and answered with a 500
 * CONFIGURATION_ERROR on every request, never thrown at init (which Lambda would retry in a crash loop).
 * Event and response shapes: handler.ts.
 * The S3 client is loaded and created on the first request that reads S3 (see s3-source.ts).
 */
import { setFlagsFromString } from 'v8';
import type { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createHandler, readConfiguration } from './handler';
import { createLogger } from '../shared/log';
import { preprocessImage } from '../image/preprocess';
import { loadS3Sdk } from './s3-source';

/*
 * On-stack replacement compiled on the main thread, for this process only. The image code runs once per request,
 * mostly inside one long loop per function (decoder, colour conversion, area average, resize, encoder), which V8
 * optimises while it runs (on-stack replacement). Compiled in the background (V8's default), the optimised loop
 * arrived late on a new process's first request, after much of the loop ran in the interpreter, and the compile's
 * CPU time counts anyway; compiled on the spot, the rest of the loop runs optimised at once. `npm run bench`
 * (bench/README.md): ~10 ms less CPU on a first request (bench/first-request-stages.ts), and `--trace-opt` shows the
 * OSR compiles as synchronous after this line. Set after the imports: set before the AWS SDK's require, the require
 * took ~20 ms more CPU (most likely V8 rejecting the code cache of the Node.js modules loaded after a flag change).
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
