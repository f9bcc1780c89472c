/**
 * Finds the classifier's stack by name and reads its outputs (DescribeStacks), which say where everything is: the
 * dataset bucket and prefixes, the state machine, the function, the endpoint. The output names are shared with the
 * stack that writes them (lambda/shared/stack-outputs.ts).
 */
import { CloudFormationClient, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import { CliError } from './errors';
import { STACK_OUTPUTS, StackOutputKey } from '../lambda/shared/stack-outputs';

export { APP_STACK_NAME } from '../lambda/shared/stack-outputs';

export interface StackOutputs {
  readonly stackName: string;
  /** e.g. CREATE_COMPLETE, UPDATE_COMPLETE */
  readonly status: string;
  /** every output by its name (OutputKey) */
  readonly outputs: Readonly<Record<string, string>>;
  /** the output's value, or a CliError (stack-not-found) naming the output and why the command needs it */
  require(key: StackOutputKey, why: string): string;
  /** the output's value, undefined when the stack has none */
  optional(key: StackOutputKey): string | undefined;
}

export async function findStack(cloudFormation: CloudFormationClient, stackName: string): Promise<StackOutputs> {
  let stack: Stack | undefined;
  try {
    stack = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      const region = await cloudFormation.config.region().catch(() => 'the default region');
      throw new CliError('stack-not-found', `Stack '${stackName}' was not found in ${region}. Deploy it first (npx cdk deploy), `
        + 'or name yours with --stack <name> and its region with --region <region>.', { cause: error });
    }
    throw error;
  }
  if (stack === undefined) throw new CliError('stack-not-found', `DescribeStacks returned no stack named '${stackName}'.`);
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey !== undefined && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  const status = stack.StackStatus ?? 'UNKNOWN';
  return {
    stackName: stack.StackName ?? stackName,
    status,
    outputs,
    optional: (key) => outputs[STACK_OUTPUTS[key]],
    require(key, why) {
      const value = outputs[STACK_OUTPUTS[key]];
      if (value !== undefined) return value;
      const known = Object.keys(outputs).sort().join(', ') || 'none';
      throw new CliError('stack-not-found', `Stack '${stackName}' (${status}) has no output ${STACK_OUTPUTS[key]}, which ${why}. `
        + `Its outputs: ${known}. Deploy the current version of the stack (npx cdk deploy), or pass the --stack that holds the classifier.`);
    },
  };
}

/** Bucket and key prefix of an `s3://bucket/prefix/` URI (the prefix keeps its trailing slash). */
export function parseS3Uri(uri: string): { readonly bucket: string; readonly prefix: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (match === null) throw new CliError('stack-not-found', `Expected an s3://bucket/prefix/ URI in the stack's outputs, got '${uri}'.`);
  const prefix = match[2] === '' || match[2].endsWith('/') ? match[2] : `${match[2]}/`;
  return { bucket: match[1], prefix };
}
