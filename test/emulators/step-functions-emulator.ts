import { randomUUID } from 'node:crypto';
import { LoopbackServer, startLoopbackServer } from './loopback-server';
import type { LocalEvent } from '../support/pipeline-world';

/**
 * A loopback Step Functions API (awsJson1_0: `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>`, timestamps as
 * epoch seconds) holding state machines and their executions:
 * - DescribeStateMachine (the definition a test registers in `stateMachines`);
 * - StartExecution (names unique per state machine, as the service enforces with ExecutionAlreadyExists; a missing
 *   name becomes a UUID, as the service makes one);
 * - ListExecutions (by status, newest first, paged with nextToken);
 * - DescribeExecution and GetExecutionHistory (paged, `reverseOrder`), for executions that play a `ScriptedRun`:
 *   each DescribeExecution moves the run one frame on, revealing more of its history, until the last frame ends
 *   the execution with the run's final status and output. `scriptedRun` builds one from a run of the real
 *   definition by the local interpreter (test/support/pipeline-world.ts), so the history holds the state names and
 *   JSON the deployed pipeline would write.
 * Errors: 400 with `{"__type", "message"}` (ExecutionDoesNotExist, StateMachineDoesNotExist, InvalidArn), which the
 * SDK raises as its modelled exceptions.
 */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A history event as the service sends it (HistoryEvent with `timestamp` in epoch seconds). */
export type HistoryEventJson = Record<string, unknown> & { readonly id: number; readonly type: string; readonly timestamp: number };

/** An execution whose history is revealed frame by frame. */
export interface ScriptedRun {
  /** the whole history, oldest first */
  readonly events: readonly HistoryEventJson[];
  /** how many events are visible after the 1st, 2nd, ... DescribeExecution call; the last frame ends the run */
  readonly frames: readonly number[];
  readonly final: { readonly status: ExecutionStatus; readonly output?: string; readonly error?: string; readonly cause?: string };
}

export interface EmulatedExecution {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  status: ExecutionStatus;
  /** epoch seconds; default 1_795_000_000 */
  startDate?: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** what this execution plays; without one, the execution keeps the fields above and has a one-event history */
  run?: ScriptedRun;
  /** DescribeExecution calls so far */
  describes?: number;
}

export interface EmulatedError {
  readonly status: number;
  readonly type: string;
  readonly message?: string;
}

export interface StepFunctionsEmulator extends LoopbackServer {
  readonly executions: EmulatedExecution[];
  readonly operations: string[];
  /** definitions by state machine ARN; with none registered, StartExecution accepts any state machine ARN */
  readonly stateMachines: Map<string, string>;
  /** An error the next StartExecution calls answer with (until cleared), e.g. `{ status: 400, type: 'AccessDeniedException' }`. */
  readonly faults: { startExecution?: EmulatedError } & Partial<Record<string, EmulatedError>>;
  /** called (and awaited) with each execution StartExecution creates, e.g. to give it a run to play */
  onStart?: (execution: EmulatedExecution) => void | Promise<void>;
}

export const EXECUTION_START_DATE = 1_795_000_000;

export async function startStepFunctionsEmulator(): Promise<StepFunctionsEmulator> {
  const executions: EmulatedExecution[] = [];
  const operations: string[] = [];
  const stateMachines = new Map<string, string>();
  const faults: StepFunctionsEmulator['faults'] = {};
  const json = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(body) });
  const fail = (type: string, message: string, status = 400) => json(status, { __type: type, message });
  const arnOf = (e: EmulatedExecution) => executionArn(e.stateMachineArn, e.name);
  const find = (arn: unknown) => executions.find((e) => arnOf(e) === arn);
  const emulator: StepFunctionsEmulator = {} as StepFunctionsEmulator;
  const server = await startLoopbackServer(async (request) => {
    const operation = String(request.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
    operations.push(operation);
    const body = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
    const fault = faults[operation[0].toLowerCase() + operation.slice(1)];
    if (fault) return fail(fault.type, fault.message ?? `emulated ${fault.type}`, fault.status);
    switch (operation) {
      case 'DescribeStateMachine': {
        const definition = stateMachines.get(String(body.stateMachineArn));
        if (definition === undefined) return fail('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(body.stateMachineArn)}'`);
        return json(200, {
          stateMachineArn: body.stateMachineArn, name: String(body.stateMachineArn).split(':').pop(), status: 'ACTIVE', definition,
          roleArn: 'arn:aws:iam::123456789012:role/pipeline', type: 'STANDARD', creationDate: EXECUTION_START_DATE - 86_400,
        });
      }
      case 'ListExecutions': {
        const matching = executions
          .filter((e) => e.stateMachineArn === body.stateMachineArn && (!body.statusFilter || e.status === body.statusFilter))
          .reverse();
        const offset = Number(body.nextToken ?? 0);
        const size = Number(body.maxResults ?? 100) || 100;
        const page = matching.slice(offset, offset + size);
        return json(200, {
          executions: page.map((e) => ({
            executionArn: arnOf(e), stateMachineArn: e.stateMachineArn, name: e.name, status: e.status,
            startDate: e.startDate ?? EXECUTION_START_DATE, ...(e.stopDate === undefined ? {} : { stopDate: e.stopDate }),
          })),
          ...(offset + size < matching.length ? { nextToken: String(offset + size) } : {}),
        });
      }
      case 'StartExecution': {
        if (stateMachines.size > 0 && !stateMachines.has(String(body.stateMachineArn))) {
          return fail('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(body.stateMachineArn)}'`);
        }
        const name = body.name === undefined ? randomUUID() : String(body.name);
        if (executions.some((e) => e.stateMachineArn === body.stateMachineArn && e.name === name)) {
          return fail('ExecutionAlreadyExists', `Execution Already Exists: '${name}'`);
        }
        const execution: EmulatedExecution = {
          stateMachineArn: String(body.stateMachineArn), name, input: String(body.input ?? '{}'), status: 'RUNNING',
          startDate: EXECUTION_START_DATE + executions.length,
        };
        executions.push(execution);
        await emulator.onStart?.(execution);
        return json(200, { executionArn: arnOf(execution), startDate: execution.startDate });
      }
      case 'DescribeExecution': {
        if (!String(body.executionArn).startsWith('arn:')) return fail('InvalidArn', `Invalid Arn: '${String(body.executionArn)}'`);
        const execution = find(body.executionArn);
        if (execution === undefined) return fail('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
        advance(execution);
        return json(200, {
          executionArn: arnOf(execution), stateMachineArn: execution.stateMachineArn, name: execution.name, status: execution.status,
          startDate: execution.startDate ?? EXECUTION_START_DATE, input: execution.input,
          ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate }),
          ...(execution.output === undefined ? {} : { output: execution.output }),
          ...(execution.error === undefined ? {} : { error: execution.error }),
          ...(execution.cause === undefined ? {} : { cause: execution.cause }),
        });
      }
      case 'GetExecutionHistory': {
        if (!String(body.executionArn).startsWith('arn:')) return fail('InvalidArn', `Invalid Arn: '${String(body.executionArn)}'`);
        const execution = find(body.executionArn);
        if (execution === undefined) return fail('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
        const visible = visibleHistory(execution);
        const ordered = body.reverseOrder === true ? [...visible].reverse() : visible;
        const offset = Number(body.nextToken ?? 0);
        const size = Number(body.maxResults ?? 100) || 100;
        return json(200, {
          events: ordered.slice(offset, offset + size),
          ...(offset + size < ordered.length ? { nextToken: String(offset + size) } : {}),
        });
      }
      default:
        return fail('UnknownOperationException', `emulator does not implement ${operation}`);
    }
  });
  return Object.assign(emulator, { ...server, executions, operations, stateMachines, faults });
}

export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** One DescribeExecution further into the execution's run; past the last frame the execution ends as the run did. */
function advance(execution: EmulatedExecution): void {
  const run = execution.run;
  if (run === undefined || execution.status !== 'RUNNING') return;
  execution.describes = (execution.describes ?? 0) + 1;
  if (execution.describes >= run.frames.length) {
    Object.assign(execution, run.final);
    execution.stopDate = (execution.startDate ?? EXECUTION_START_DATE) + 3600;
  }
}

function visibleHistory(execution: EmulatedExecution): readonly HistoryEventJson[] {
  const run = execution.run;
  if (run === undefined) {
    return [{ id: 1, type: 'ExecutionStarted', timestamp: execution.startDate ?? EXECUTION_START_DATE,
      executionStartedEventDetails: { input: execution.input, roleArn: 'arn:aws:iam::123456789012:role/pipeline' } }];
  }
  const frame = Math.max(0, Math.min((execution.describes ?? 0) - 1, run.frames.length - 1));
  return run.events.slice(0, execution.describes === undefined || execution.describes === 0 ? 1 : run.frames[frame]);
}

/** Map and Parallel states run other states inside them; the service brackets those with ...StateStarted / Succeeded. */
const nesting = (type: string): boolean => type === 'Map' || type === 'Parallel';

/**
 * A run for an execution to play, from the local interpreter's log of a run of the real definition: its events as
 * GetExecutionHistory would list them (`<StateType>StateEntered` / `Exited` with the state's JSON, TaskFailed,
 * Map/ParallelStateStarted / Succeeded / Failed around the states inside them, MapIteration*, ExecutionStarted /
 * Succeeded / Failed; the Task scheduling events the service adds in between, and the interpreter's own
 * ParallelBranch* events, which the service does not have, are left out), and one frame per top-level Task state
 * entered, held for `holds[state]` polls (default 1), then the end.
 */
export function scriptedRun(local: readonly LocalEvent[], options: { readonly holds?: Readonly<Record<string, number>>; readonly startDate?: number } = {}): ScriptedRun {
  const start = options.startDate ?? EXECUTION_START_DATE;
  const events: HistoryEventJson[] = [];
  const frames: number[] = [];
  let final: ScriptedRun['final'] = { status: 'RUNNING' };
  let depth = 0;
  const add = (type: string, details: Record<string, unknown>) => {
    events.push({ id: events.length + 1, ...(events.length > 0 ? { previousEventId: events.length } : {}), type, timestamp: start + events.length, ...details });
  };
  for (const event of local) {
    const state = event.state;
    switch (event.type) {
      case 'ExecutionStarted':
        add('ExecutionStarted', { executionStartedEventDetails: { input: JSON.stringify(event.input), roleArn: 'arn:aws:iam::123456789012:role/pipeline' } });
        break;
      case 'StateEntered':
        add(`${state!.type}StateEntered`, { stateEnteredEventDetails: { name: state!.name, input: JSON.stringify(state!.input) } });
        if (state!.type === 'Task' && depth === 0) {
          for (let i = 0; i < (options.holds?.[state!.name] ?? 1); i++) frames.push(events.length);
        }
        if (nesting(state!.type)) {
          add(`${state!.type}StateStarted`, {});
          depth += 1;
        }
        break;
      case 'StateExited':
        if (nesting(state!.type)) {
          depth -= 1;
          add(`${state!.type}StateSucceeded`, {});
        }
        add(`${state!.type}StateExited`, { stateExitedEventDetails: { name: state!.name, output: JSON.stringify(state!.output) } });
        break;
      case 'StateFailed':
        if (state!.type === 'Task') add('TaskFailed', { taskFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? '') } });
        if (nesting(state!.type)) {
          depth -= 1;
          add(`${state!.type}StateFailed`, {});
        }
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        add(event.type, { [`${event.type[0].toLowerCase()}${event.type.slice(1)}EventDetails`]: { index: event.index } });
        break;
      case 'ExecutionSucceeded':
        add('ExecutionSucceeded', { executionSucceededEventDetails: { output: JSON.stringify(event.output) } });
        final = { status: 'SUCCEEDED', output: JSON.stringify(event.output) };
        break;
      case 'ExecutionFailed':
        add('ExecutionFailed', { executionFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? '') } });
        final = { status: 'FAILED', error: event.Error, cause: String(event.Cause ?? '') };
        break;
    }
  }
  frames.push(events.length);
  return { events, frames, final };
}
