/**
 * Finding and reading the retraining pipeline's runs, for `train`, `status`, `runs` and `report`: the state machine
 * from the stack's outputs, an execution by name, ARN or "the latest", and a run's view (run-view.ts) from
 * DescribeExecution and GetExecutionHistory.
 */
import {
  DescribeExecutionCommand, DescribeExecutionOutput, ExecutionListItem, ExecutionStatus, GetExecutionHistoryCommand, HistoryEvent, ListExecutionsCommand, SFNClient,
} from '@aws-sdk/client-sfn';
import type { CommandContext } from './context';
import { CliError } from './errors';
import { RunView, viewRun } from './run-view';

/** The retraining state machine's ARN, from the stack's RetrainingStateMachineArn output. */
export async function stateMachineArnOf(context: CommandContext, command: string): Promise<string> {
  const stack = await context.stack();
  return stack.require('retrainingStateMachineArn', `\`${command}\` needs (the stack was deployed without the retraining pipeline?)`);
}

/** The newest executions, newest first, at most `limit` (ListExecutions, paged). */
export async function listRuns(sfn: SFNClient, stateMachineArn: string, limit: number, statusFilter?: ExecutionStatus): Promise<ExecutionListItem[]> {
  const runs: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: Math.min(1000, limit - runs.length), nextToken, statusFilter }));
    runs.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined && runs.length < limit);
  return runs.slice(0, limit);
}

/**
 * The ARN of the execution the user named: an execution ARN as given, a name of an execution of this state machine,
 * or, when none is named, the newest execution (a CliError when the pipeline never ran).
 */
export async function resolveExecution(sfn: SFNClient, stateMachineArn: string, execution: string | undefined): Promise<string> {
  if (execution === undefined) {
    const [latest] = await listRuns(sfn, stateMachineArn, 1);
    if (latest?.executionArn === undefined) {
      throw new CliError('dataset', 'The retraining pipeline has no run yet. Start one with `train`.');
    }
    return latest.executionArn;
  }
  if (execution.startsWith('arn:')) return execution;
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(execution)) {
    throw new CliError('usage', `'${execution}' is neither an execution name (1-80 letters, digits, - and _) nor an execution ARN. See \`runs\` for the names.`);
  }
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution}`;
}

/** DescribeExecution, with a CliError naming the run when it does not exist. */
export async function describeExecution(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionOutput> {
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist' || (error as Error).name === 'InvalidArn') {
      throw new CliError('usage', `There is no run ${executionArn.split(':').pop()} (${executionArn}). See \`runs\` for the names.`, { cause: error });
    }
    throw error;
  }
}

/** The whole history of an execution, oldest event first. */
export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return events;
}

/** A run read whole: its execution and its history. */
export async function readRun(sfn: SFNClient, executionArn: string): Promise<RunView> {
  const execution = await describeExecution(sfn, executionArn);
  return viewRun(execution, await executionHistory(sfn, executionArn));
}
