import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';

/** What may happen to a log group that leaves its stack: kept (with its retention) or deleted with its events. */
const LOG_REMOVAL_POLICIES: readonly RemovalPolicy[] = [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY];

/** The default for every log group of the library: logs outlive the stack (for audit) and expire by their retention. */
export const DEFAULT_LOG_REMOVAL_POLICY = RemovalPolicy.RETAIN;

/** The retentions CloudWatch Logs accepts (RetentionInDays), from aws-cdk-lib's enum. */
const LOG_RETENTIONS = Object.values(logs.RetentionDays).filter((days): days is logs.RetentionDays => typeof days === 'number');

/**
 * The problems with a construct's `logRetention` and `logRemovalPolicy` props, if any. A retention outside
 * RetentionDays (a JavaScript caller or a cast) would otherwise reach aws-cdk-lib, whose error does not name the prop,
 * or CloudFormation, which refuses it at deploy.
 */
export function logSettingsProblems(props: { readonly logRetention?: logs.RetentionDays; readonly logRemovalPolicy?: RemovalPolicy }): string[] {
  const problems: string[] = [];
  if (props.logRetention !== undefined && !LOG_RETENTIONS.includes(props.logRetention)) {
    problems.push(`logRetention must be a logs.RetentionDays value (for example RetentionDays.ONE_MONTH), got ${String(props.logRetention)}`);
  }
  if (props.logRemovalPolicy !== undefined && !LOG_REMOVAL_POLICIES.includes(props.logRemovalPolicy)) {
    problems.push(`logRemovalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got ${props.logRemovalPolicy}`);
  }
  return problems;
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
