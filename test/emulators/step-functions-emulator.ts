import { LoopbackServer, startLoopbackServer } from './loopback-server';

/**
 * A loopback Step Functions API (awsJson1_0: `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>`) holding the
 * executions of state machines: ListExecutions (by status, newest first) and StartExecution (names unique per state
 * machine, as the service enforces with ExecutionAlreadyExists).
 */
export interface EmulatedExecution {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
}

export interface StepFunctionsEmulator extends LoopbackServer {
  readonly executions: EmulatedExecution[];
  readonly operations: string[];
  /** An error the next StartExecution calls answer with (until cleared), e.g. `{ status: 400, type: 'AccessDeniedException' }`. */
  readonly faults: { startExecution?: { readonly status: number; readonly type: string } };
}

export async function startStepFunctionsEmulator(): Promise<StepFunctionsEmulator> {
  const executions: EmulatedExecution[] = [];
  const operations: string[] = [];
  const faults: StepFunctionsEmulator['faults'] = {};
  const json = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(body) });
  const server = await startLoopbackServer((request) => {
    const operation = String(request.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
    operations.push(operation);
    const body = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
    switch (operation) {
      case 'ListExecutions': {
        const matching = executions
          .filter((e) => e.stateMachineArn === body.stateMachineArn && (!body.statusFilter || e.status === body.statusFilter))
          .reverse()
          .slice(0, Number(body.maxResults ?? 100));
        return json(200, { executions: matching.map((e) => ({
          executionArn: `${String(e.stateMachineArn).replace(':stateMachine:', ':execution:')}:${e.name}`,
          stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: 1_795_000_000,
        })) });
      }
      case 'StartExecution': {
        if (faults.startExecution) {
          return json(faults.startExecution.status, { __type: faults.startExecution.type, message: `emulated ${faults.startExecution.type}` });
        }
        if (executions.some((e) => e.stateMachineArn === body.stateMachineArn && e.name === body.name)) {
          return json(400, { __type: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${String(body.name)}'` });
        }
        executions.push({ stateMachineArn: String(body.stateMachineArn), name: String(body.name), input: String(body.input ?? '{}'), status: 'RUNNING' });
        return json(200, { executionArn: `${String(body.stateMachineArn).replace(':stateMachine:', ':execution:')}:${String(body.name)}`, startDate: 1_795_000_000 });
      }
      default:
        return json(400, { __type: 'UnknownOperationException', message: `emulator does not implement ${operation}` });
    }
  });
  return { ...server, executions, operations, faults };
}
