/**
 * What a SageMaker Batch Transform job does to S3, for tests of the functions around it: read a ManifestFile input
 * (`[{"prefix": "s3://bucket/p/"}, "rel/key", ...]`), send each object alone (SplitType None) to the model, and
 * write the model's answer for `rel/key` to `<output path>/rel/key.out`. The model is a function of the relative key
 * and the object's bytes; `undefined` leaves no output for that object (as when a record fails).
 * Also the S3 emulator fixture the evaluation and batch function tests share (useS3Emulator).
 */
import { useEmulatorEnvironment } from './aws-environment';
import { S3Emulator } from './s3-emulator';

export type StubModel = (relativeKey: string, body: Buffer) => string | undefined;

/** Runs the "transform" and returns how many outputs it wrote. */
export function runBatchTransform(s3: S3Emulator, manifestUri: string, outputUri: string, model: StubModel): number {
  const manifest = readJson(s3, manifestUri) as [{ prefix: string }, ...string[]];
  const input = splitUri(manifest[0].prefix);
  const output = splitUri(outputUri.endsWith('/') ? outputUri : `${outputUri}/`);
  let written = 0;
  for (const relativeKey of manifest.slice(1) as string[]) {
    const object = s3.getObject(input.bucket, `${input.key}${relativeKey}`);
    if (object === undefined) throw new Error(`the transform input s3://${input.bucket}/${input.key}${relativeKey} does not exist`);
    const answer = model(relativeKey, object.body);
    if (answer === undefined) continue;
    s3.putObject(output.bucket, `${output.key}${relativeKey}.out`, answer, 'application/json');
    written += 1;
  }
  return written;
}

/** A verbose answer: `labels` with `probability` on `predicted` and the rest shared by the others. */
export function verboseAnswer(labels: readonly string[], predicted: string, probability = 0.9): string {
  const rest = labels.length === 1 ? 0 : (1 - probability) / (labels.length - 1);
  return JSON.stringify({ probabilities: labels.map((label) => (label === predicted ? probability : rest)), labels, predicted_label: predicted });
}

export function readJson(s3: S3Emulator, uri: string): unknown {
  const { bucket, key } = splitUri(uri);
  const object = s3.getObject(bucket, key);
  if (object === undefined) throw new Error(`${uri} does not exist`);
  return JSON.parse(object.body.toString('utf8'));
}

export function splitUri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/s.exec(uri);
  if (match === null) throw new Error(`not an S3 URI: ${uri}`);
  return { bucket: match[1], key: match[2] };
}

/**
 * A loopback S3 for the tests of one file, with the AWS SDK pointed at it (no retries): started before the file's
 * tests, closed after them, reset with `buckets` created and listings of `listPageSize` keys before each test.
 */
export function useS3Emulator(buckets: readonly string[], listPageSize: number): { readonly s3: S3Emulator } {
  const holder = {} as { s3: S3Emulator };
  let restoreEnvironment: () => void;
  beforeAll(async () => {
    holder.s3 = await S3Emulator.start();
    restoreEnvironment = useEmulatorEnvironment({ s3: holder.s3.url }, { AWS_MAX_ATTEMPTS: '1' });
  });
  afterAll(async () => {
    restoreEnvironment();
    await holder.s3.close();
  });
  beforeEach(() => {
    holder.s3.reset();
    for (const bucket of buckets) holder.s3.createBucket(bucket);
    holder.s3.listPageSize = listPageSize;
  });
  return holder;
}
