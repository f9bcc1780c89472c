/**
 * The reference handler of the first-request benchmark: the same work as the inference function's HTTP path, built
 * on sharp (libvips) and the AWS SDK the obvious way. Function URL event (payload 2.0) with the image as a base64
 * body → EXIF orientation → 224×224 (squashed, as ours) → JPEG q90 → InvokeEndpoint (application/json;verbose) →
 * JSON answer with the top 5 labels. Bundled by bench/run.ts with sharp and @aws-sdk/* external (sharp carries
 * platform binaries). Not part of the library.
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import sharp from 'sharp';

const SIZE = 224;
const client = new SageMakerRuntimeClient({});
const endpointName = process.env.ENDPOINT_NAME ?? '';

interface UrlEvent {
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

interface Verbose {
  readonly probabilities: number[];
  readonly labels: string[];
  readonly predicted_label: string;
}

export async function handler(event: UrlEvent): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded === true ? 'base64' : 'utf8');
  const jpeg = await sharp(bytes).rotate().resize(SIZE, SIZE, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
  const output = await client.send(new InvokeEndpointCommand({
    EndpointName: endpointName, ContentType: 'application/x-image', Accept: 'application/json;verbose', Body: jpeg,
  }));
  const answer = JSON.parse(Buffer.from(output.Body ?? new Uint8Array()).toString('utf8')) as Verbose;
  const predictions = answer.labels
    .map((label, index) => ({ label, probability: answer.probabilities[index] }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, 5);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ predictions, predictedLabel: answer.predicted_label }),
  };
}
