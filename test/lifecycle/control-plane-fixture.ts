/**
 * One SageMakerControlPlaneEmulator per test file, reached by the real SDK clients through their standard endpoint
 * variables (AWS_ENDPOINT_URL_ + the service id upper-cased with spaces as underscores: "SageMaker" and
 * "Application Auto Scaling"), with dummy credentials. Call in a describe/file body; the emulator is reset before
 * each test.
 */
import { CloudFormationEmulator } from '../emulators/cloudformation-emulator';
import { ControlPlaneOptions, SageMakerControlPlaneEmulator } from '../emulators/sagemaker-control-plane';
import { useEmulatorEnvironment } from '../emulators/aws-environment';

export const ENDPOINT_URL_VARIABLES = ['AWS_ENDPOINT_URL_SAGEMAKER', 'AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING', 'AWS_ENDPOINT_URL_SSM'] as const;

export interface ControlPlaneFixture {
  /** the running emulator (valid inside tests) */
  readonly emulator: SageMakerControlPlaneEmulator;
  /** the stacks the cleanup's Delete reads (valid inside tests); each test starts with none */
  readonly cloudFormation: CloudFormationEmulator;
}

export function useControlPlane(options: ControlPlaneOptions = {}): ControlPlaneFixture {
  let emulator: SageMakerControlPlaneEmulator | undefined;
  let cloudFormation: CloudFormationEmulator | undefined;
  let restore: (() => void) | undefined;
  beforeAll(async () => {
    emulator = await SageMakerControlPlaneEmulator.start(options);
    cloudFormation = await CloudFormationEmulator.start();
    restore = useEmulatorEnvironment({}, {
      ...Object.fromEntries(ENDPOINT_URL_VARIABLES.map((name) => [name, emulator!.url])),
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url,
    });
  });
  afterAll(async () => {
    restore?.();
    await emulator?.close();
    await cloudFormation?.close();
  });
  beforeEach(() => {
    emulator?.reset();
    cloudFormation?.reset();
  });
  return {
    get emulator() {
      if (emulator === undefined) throw new Error('the control plane emulator is not started');
      return emulator;
    },
    get cloudFormation() {
      if (cloudFormation === undefined) throw new Error('the CloudFormation emulator is not started');
      return cloudFormation;
    },
  };
}

/** A name the pipeline would give a model or endpoint config of run number `n` under `prefix`. */
export function runName(prefix: string, n: number): string {
  const hex = (0xa1b2c300 + n).toString(16).slice(-8);
  return `${prefix}-20261128-${String(120000 + n).padStart(6, '0')}-${hex}`;
}
