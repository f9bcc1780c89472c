import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';

/** What may happen to a log group that leaves its stack: kept (with its retention) or deleted with its events. */
const LOG_REMOVAL_POLICIES: readonly RemovalPolicy[] = [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY];

/** The default for every log group of the library: logs outlive the stack (for audit) and expire by their retention. */
export const DEFAULT_LOG_REMOVAL_POLICY = RemovalPolicy.RETAIN;

/** The problem with a `logRemovalPolicy` prop, if any. */
export function logRemovalPolicyProblems(value: RemovalPolicy | undefined, name = 'logRemovalPolicy'): string[] {
  return value === undefined || LOG_REMOVAL_POLICIES.includes(value) ? []
    : [`${name} must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got ${value}`];
}

/** How a log group keeps its events: its key, its retention and what happens to it when it leaves the stack. */
export interface LogGroupSettings {
  readonly logEncryptionKey?: kms.IKey;
  readonly logRetention?: logs.RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * Whether two settings give a log group the same key, retention and removal policy, absent values counting as
 * `defaultRetention` and the library's default removal policy. A stack-wide provider (algorithm check, cleanup) keeps
 * its first user's settings and warns the others when theirs differ.
 */
export function sameLogGroupSettings(a: LogGroupSettings, b: LogGroupSettings, defaultRetention = logs.RetentionDays.ONE_MONTH): boolean {
  return (a.logRetention ?? defaultRetention) === (b.logRetention ?? defaultRetention)
    && (a.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY) === (b.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY)
    && a.logEncryptionKey === b.logEncryptionKey;
}
