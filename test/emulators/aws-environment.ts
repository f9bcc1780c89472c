/**
 * Points the AWS SDK at the loopback emulators through its standard environment variables, with dummy
 * credentials and a region, and restores the previous environment afterwards.
 */
export interface EmulatorUrls {
  readonly sageMakerRuntime?: string;
  readonly s3?: string;
}

/** The credentials the SDK signs with against the emulators (those that check signatures compute them again). */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIAEMULATOREXAMPLE', secretAccessKey: 'emulator-secret-access-key' } as const;

/** Sets the variables (plus `extra`) and returns a function that puts the previous values back. */
export function useEmulatorEnvironment(urls: EmulatorUrls, extra: Readonly<Record<string, string>> = {}): () => void {
  const values: Record<string, string | undefined> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: urls.sageMakerRuntime,
    AWS_ENDPOINT_URL_S3: urls.s3,
    ...extra,
  };
  const previous = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  apply(values);
  return () => apply(previous);
}

function apply(values: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}
