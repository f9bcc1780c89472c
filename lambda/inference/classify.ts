/**
 * One classification: fetch the image (request body or S3), preprocess it to the model's input, invoke the
 * endpoint and shape the top-k answer. Used by every entry point of the handler; its dependencies are passed in so
 * the same code runs against the real services, the loopback emulators, or fakes.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { InferenceConfig } from '../shared/inference-environment';
import { invokeEndpoint } from './invoke-endpoint';
import { Logger } from '../shared/log';
import type { PreprocessedImage, PreprocessOptions } from '../image/preprocess';
import { ImageSource } from './request';
import { ClassificationResult, topPredictions } from './response';
import { assertReadable, readObject } from './s3-source';

/** Turns image bytes into the model's input; preprocess.ts's `preprocessImage` (tests may pass another). */
export type Preprocess = (bytes: Uint8Array, options: PreprocessOptions) => Promise<PreprocessedImage>;

export interface ClassifierDependencies {
  readonly config: InferenceConfig;
  readonly sageMaker: SageMakerRuntimeClient;
  /** the S3 client, created on first use (only S3 requests need it) */
  readonly s3: () => S3Client;
  readonly preprocess: Preprocess;
  readonly log: Logger;
}

export async function loadImage(source: ImageSource, deps: ClassifierDependencies): Promise<Uint8Array> {
  if (source.type === 'bytes') return source.bytes;
  assertReadable(source.location, deps.config);
  return readObject(deps.s3(), source.location, deps.config.maxImageBytes);
}

export async function classifyImage(bytes: Uint8Array, topK: number, deps: ClassifierDependencies): Promise<ClassificationResult> {
  const { config } = deps;
  const started = Date.now();
  const image = await deps.preprocess(bytes, { size: config.imageSize, maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels });
  const preprocessedMs = Date.now() - started;
  const prediction = await invokeEndpoint(deps.sageMaker, config.endpointName, image.jpeg, config.binaryMode);
  deps.log.info('classified', {
    engine: image.engine,
    source: image.source,
    inputBytes: bytes.length,
    modelInputBytes: image.jpeg.length,
    preprocessMs: preprocessedMs,
    invokeMs: Date.now() - started - preprocessedMs,
    predictedLabel: prediction.predictedLabel,
  });
  return {
    predictions: topPredictions(prediction, topK),
    predictedLabel: prediction.predictedLabel,
    model: { endpointName: config.endpointName, imageSize: config.imageSize },
    image: {
      format: image.source.format,
      width: image.source.width,
      height: image.source.height,
      orientation: image.source.orientation,
    },
  };
}
