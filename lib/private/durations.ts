import { Duration } from 'aws-cdk-lib';

/**
 * The whole seconds of a duration a SageMaker or Step Functions setting takes, or a problem naming `path`:
 * aws-cdk-lib's `toSeconds()` throws its own error for a fraction of a second, and a token has no value at synth.
 * `tokens: 'skip'` accepts a token (undefined seconds, no problem) where the value is only passed through.
 */
export function wholeSeconds(duration: Duration, path: string, tokens: 'skip' | 'refuse' = 'skip'): { seconds?: number; problem?: string } {
  if (duration.isUnresolved()) {
    return tokens === 'skip' ? {} : { problem: `${path} must be a literal duration (the state machine is built from it at synth), got a token` };
  }
  const seconds = duration.toSeconds({ integral: false });
  if (!Number.isInteger(seconds)) return { problem: `${path} must be a whole number of seconds, got ${seconds} seconds` };
  return { seconds };
}
