/**
 * Everything the command line touches outside itself, passed in so that tests run `main()` in-process with captured
 * output: the two output streams, the environment, the working folder and the clock.
 *
 * The AWS SDK clients read their region, credentials and endpoint overrides (`AWS_ENDPOINT_URL_<SERVICE>`) from
 * `process.env` through the SDK's default chain, not from `env` here.
 */
export interface CliStream {
  write(chunk: string): unknown;
  /** true when the stream is a terminal: progress bars and colours are drawn only then */
  readonly isTTY?: boolean;
  /** the terminal's width in characters, when it is one */
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** the folder relative paths are resolved against */
  readonly cwd: string;
  /** milliseconds since the epoch */
  now(): number;
}

/** The real process: its streams, environment, working folder and clock. */
export function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
  };
}
