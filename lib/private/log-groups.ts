import { RemovalPolicy } from 'aws-cdk-lib';

/** What may happen to a log group that leaves its stack: kept (with its retention) or deleted with its events. */
const LOG_REMOVAL_POLICIES: readonly RemovalPolicy[] = [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY];

/** The default for every log group of the library: logs outlive the stack (for audit) and expire by their retention. */
export const DEFAULT_LOG_REMOVAL_POLICY = RemovalPolicy.RETAIN;

/** The problem with a `logRemovalPolicy` prop, if any. */
export function logRemovalPolicyProblems(value: RemovalPolicy | undefined, name = 'logRemovalPolicy'): string[] {
  return value === undefined || LOG_REMOVAL_POLICIES.includes(value) ? []
    : [`${name} must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got ${value}`];
}
