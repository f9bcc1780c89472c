import { ExecutionAlreadyExists, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

const sfn = new SFNClient({});

/**
 * Starts a run of a state machine when images arrive (a retraining run, or a batch classification run), at most once
 * per quiet period and never while a run is in progress. Runs started in the same quiet period share one execution
 * name, so a burst of uploads starts one run. The run's input is EXECUTION_INPUT (JSON; default
 * `{"trigger": "new-data"}`) and its name `<EXECUTION_NAME_PREFIX>-<period>` (default prefix `new-data`).
 */
export async function handler(): Promise<{ started: boolean; reason: string }> {
  const stateMachineArn = requireEnv('STATE_MACHINE_ARN');
  const quietPeriodSeconds = Number(requireEnv('QUIET_PERIOD_SECONDS'));
  const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: 1 }));
  // Stryker disable next-line ArrayDeclaration: ListExecutions always answers an executions array; the fallback is for the type
  if ((running.executions ?? []).length > 0) {
    return log({ started: false, reason: `a run is in progress (${running.executions![0].name})` });
  }
  const window = Math.floor(Date.now() / 1000 / quietPeriodSeconds);
  const name = `${process.env.EXECUTION_NAME_PREFIX || 'new-data'}-${window}`;
  const input = process.env.EXECUTION_INPUT || JSON.stringify({ trigger: 'new-data' });
  try {
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }));
    return log({ started: true, reason: `started ${name}` });
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) {
      return log({ started: false, reason: `a run already started in this quiet period (${name})` });
    }
    throw error;
  }
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function log<T extends object>(result: T): T {
  process.stdout.write(`${JSON.stringify({ level: 'info', message: 'new-data trigger', ...result })}\n`);
  return result;
}
