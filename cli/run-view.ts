/**
 * A retraining run as the command line shows it, read from its execution (DescribeExecution) and execution history
 * (GetExecutionHistory). Pure: the commands fetch, this reads.
 *
 * The run keeps its state in the execution's JSON as the pipeline's phases write it (lib/pipeline/phases/*.ts):
 * `run` (PrepareRun: run id, trigger, the training attempts with their job names), `current.attempt` (the attempt
 * being trained), `training` (the training job's description), `gate` (the promotion decision), `evaluation` (the
 * evaluation phase's report locations), `promotion` (the champion record of a promotion) and `error` (what failed).
 * Each state's input and output in the history carries that JSON; the newest one tells how far the run got.
 */
import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';

export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** The gate's decision (lambda/pipeline/promotion-gate.ts GateDecision). */
export interface GateView {
  readonly promote: boolean;
  readonly candidateAccuracy: number | null;
  readonly championAccuracy: number | null;
  readonly reason: string;
}

/** Test-set figures of one model. */
export interface Figures {
  readonly accuracy: number;
  readonly macroF1: number;
}

/** The evaluation phase's summary in the run's state (`evaluation`): where the reports are, both models' figures. */
export interface EvaluationView {
  readonly reportJsonUri?: string;
  readonly reportHtmlUri?: string;
  readonly challenger?: Figures;
  /** the serving model's figures on the same test set; undefined when nothing served */
  readonly champion?: Figures;
}

export interface RunView {
  readonly executionArn: string;
  readonly name: string;
  readonly status: RunStatus;
  readonly startDate?: Date;
  readonly stopDate?: Date;
  /** `manual`, `schedule`, `new-data`, `deploy` or what the input said */
  readonly trigger?: string;
  readonly runId?: string;
  /** the state the run is in (running), or ended in */
  readonly state?: string;
  /** the training job of the latest attempt, once the run has named it */
  readonly trainingJobName?: string;
  readonly instanceType?: string;
  readonly gate?: GateView;
  readonly evaluation?: EvaluationView;
  /** `promoted`, `not promoted`, `skipped` (another run was in progress), or undefined while undecided */
  readonly outcome?: 'promoted' | 'not promoted' | 'skipped' | 'failed';
  /** why a failed run failed */
  readonly error?: { readonly error?: string; readonly cause?: string };
}

/** The run's JSON state as the phases leave it (only what the command line reads). */
interface RunState {
  readonly run?: { readonly runId?: string; readonly trigger?: string; readonly attempts?: ReadonlyArray<{ readonly trainingJobName?: string; readonly instanceType?: string }> };
  readonly current?: { readonly attempt?: { readonly trainingJobName?: string; readonly instanceType?: string } };
  readonly training?: { readonly TrainingJobName?: string };
  readonly gate?: GateView;
  readonly evaluation?: { readonly reportJsonUri?: unknown; readonly reportHtmlUri?: unknown; readonly challenger?: unknown; readonly champion?: unknown } | null;
  readonly promotion?: unknown;
  readonly inProgress?: { readonly running?: number };
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** Reads a run from its execution's description and history (oldest event first, as GetExecutionHistory pages them). */
export function viewRun(execution: DescribeExecutionOutput, events: readonly HistoryEvent[] = []): RunView {
  let state: RunState = parseObject(execution.output) ?? {};
  let stateName: string | undefined;
  let failure: { error?: string; cause?: string } | undefined;
  // States inside a Map or Parallel state see an item or a branch's own data, not the run's state: only the top
  // level counts (the history brackets their events with <Map|Parallel>StateStarted and ...Succeeded/Failed/Aborted).
  let depth = 0;
  for (const event of events) {
    if (event.type === 'MapStateStarted' || event.type === 'ParallelStateStarted') depth += 1;
    if (/^(Map|Parallel)State(Succeeded|Failed|Aborted)$/.test(event.type ?? '')) depth -= 1;
    const entered = depth === 0 ? event.stateEnteredEventDetails : undefined;
    const exited = depth === 0 ? event.stateExitedEventDetails : undefined;
    if (entered) {
      stateName = entered.name;
      state = parseObject(entered.input) ?? state;
    } else if (exited) {
      state = parseObject(exited.output) ?? state;
    }
    const failed = event.executionFailedEventDetails ?? event.executionTimedOutEventDetails ?? event.executionAbortedEventDetails;
    if (failed) failure = { error: failed.error, cause: failed.cause };
  }
  if (execution.output) state = parseObject(execution.output) ?? state;
  const status = (execution.status ?? 'RUNNING') as RunStatus;
  const input = parseObject(execution.input) as { trigger?: unknown } | undefined;
  // The attempt being trained (SelectAttempt sets it just before the Train state creates the job).
  const attempt = state.current?.attempt;
  const trainingJobName = attempt?.trainingJobName ?? state.training?.TrainingJobName;
  const error = failure ?? (execution.error || execution.cause ? { error: execution.error, cause: execution.cause } : undefined)
    ?? (status !== 'RUNNING' && status !== 'SUCCEEDED' && state.error ? { error: state.error.Error, cause: state.error.Cause } : undefined);
  return {
    executionArn: execution.executionArn ?? '',
    name: execution.name ?? '',
    status,
    startDate: execution.startDate,
    stopDate: execution.stopDate,
    // PrepareRun's reading of the input's trigger; before it ran, the input's own (absent: 'manual', as PrepareRun reads it).
    trigger: state.run?.trigger ?? (typeof input?.trigger === 'string' ? input.trigger : input?.trigger === undefined ? 'manual' : undefined),
    runId: state.run?.runId,
    state: stateName,
    trainingJobName,
    instanceType: attempt?.instanceType,
    gate: isGate(state.gate) ? state.gate : undefined,
    evaluation: evaluationOf(state),
    outcome: outcomeOf(status, state),
    error,
  };
}

function outcomeOf(status: RunStatus, state: RunState): RunView['outcome'] {
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return undefined;
  if (status !== 'SUCCEEDED') return 'failed';
  if (state.promotion !== undefined) return 'promoted';
  if (isGate(state.gate)) return state.gate.promote ? 'promoted' : 'not promoted';
  if (state.run === undefined) return 'skipped';
  return undefined;
}

function evaluationOf(state: RunState): EvaluationView | undefined {
  const evaluation = state.evaluation;
  if (typeof evaluation !== 'object' || evaluation === null) return undefined;
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  const figures = (value: unknown): Figures | undefined => {
    const candidate = value as Partial<Figures> | null | undefined;
    return typeof candidate?.accuracy === 'number' && typeof candidate.macroF1 === 'number' ? { accuracy: candidate.accuracy, macroF1: candidate.macroF1 } : undefined;
  };
  const view: EvaluationView = {
    reportJsonUri: text(evaluation.reportJsonUri),
    reportHtmlUri: text(evaluation.reportHtmlUri),
    challenger: figures(evaluation.challenger),
    champion: figures(evaluation.champion),
  };
  return Object.values(view).every((value) => value === undefined) ? undefined : view;
}

function isGate(value: unknown): value is GateView {
  return typeof value === 'object' && value !== null && typeof (value as GateView).promote === 'boolean';
}

/** A JSON object from a state's input or output; anything else (absent, truncated, not an object) is undefined. */
function parseObject(text: string | undefined): RunState | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as RunState : undefined;
  } catch {
    return undefined;
  }
}
