/**
 * Runs the command line in-process (main() with captured streams) against the loopback emulators, with the real
 * AWS SDK clients pointed at them through AWS_ENDPOINT_URL_<SERVICE>.
 */
import { main } from '../../cli/main';
import { CliIo } from '../../cli/io';
import { useEmulatorEnvironment } from '../emulators/aws-environment';
import { CloudFormationEmulator } from '../emulators/cloudformation-emulator';
import { S3Emulator } from '../emulators/s3-emulator';

/** A writable stream that keeps what is written; a terminal of `columns` characters when `isTTY`. */
export class CapturedStream {
  public text = '';
  constructor(public readonly isTTY = false, public readonly columns?: number) {}
  public write(chunk: string | Uint8Array, callback?: () => void): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    callback?.();
    return true;
  }
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(argv: readonly string[], options: { readonly cwd?: string; readonly tty?: boolean; readonly columns?: number } = {}): Promise<CliRun> {
  const stdout = new CapturedStream(options.tty, options.columns);
  const stderr = new CapturedStream(options.tty, options.columns);
  const io: CliIo = { stdout, stderr, env: process.env, cwd: options.cwd ?? process.cwd(), now: () => Date.now() };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/ImageClassifierStack/0f0e0d0c';
export const BUCKET = 'classifier-dataset';

/** The outputs the deployed app's stack has (names from lambda/shared/stack-outputs.ts, values as deployed). */
export const APP_OUTPUTS: Readonly<Record<string, string>> = {
  DatasetBucketName: BUCKET,
  TrainingDataUri: `s3://${BUCKET}/dataset/training/`,
  TestDataUri: `s3://${BUCKET}/dataset/test/`,
  ModelImageSize: '224',
  PretrainedModel: 'tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4',
};

export interface CliBed {
  readonly s3: S3Emulator;
  readonly cloudFormation: CloudFormationEmulator;
  /** back to an empty bucket and the app's stack */
  reset(): void;
}

/** Starts the emulators for the file's tests (beforeAll) and stops them (afterAll). */
export function useCliEmulators(): CliBed {
  const bed = {} as { s3: S3Emulator; cloudFormation: CloudFormationEmulator; reset(): void };
  let restore: () => void = () => undefined;
  beforeAll(async () => {
    [bed.s3, bed.cloudFormation] = await Promise.all([S3Emulator.start(), CloudFormationEmulator.start()]);
    restore = useEmulatorEnvironment({ s3: bed.s3.url }, { AWS_ENDPOINT_URL_CLOUDFORMATION: bed.cloudFormation.url });
    bed.reset();
  });
  afterAll(async () => {
    restore();
    await Promise.all([bed.s3?.close(), bed.cloudFormation?.close()]);
  });
  bed.reset = () => {
    bed.s3.reset();
    bed.s3.createBucket(BUCKET);
    bed.cloudFormation.reset();
    bed.cloudFormation.putStack(STACK_ID).setOutputs(STACK_ID, APP_OUTPUTS);
  };
  return bed;
}
