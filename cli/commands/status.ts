/**
 * `status [execution] [--watch] [--interval <seconds>] [--json]`: a run's state (the newest run by default): where it
 * is in the pipeline, its training job's status and metrics (DescribeTrainingJob), the gate's decision and how it
 * ended. `--watch` polls until the run ends, printing each change; the exit code is 0 for a run that succeeded (or
 * is still running, without --watch) and 1 for one that failed, timed out or was stopped.
 */
import { DescribeTrainingJobCommand, DescribeTrainingJobResponse, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Command, Option } from 'commander';
import type { CommandContext } from '../context';
import { EXIT_CODES } from '../errors';
import { numberIn } from '../options';
import { formatDuration, writeJson } from '../output';
import { Figures, RunView } from '../run-view';
import { readRun, resolveExecution, stateMachineArnOf } from '../pipeline-runs';

interface StatusOptions {
  readonly watch: boolean;
  readonly interval: number;
  readonly json: boolean;
}

/** A training job as `status` shows it. */
export interface TrainingView {
  readonly name: string;
  readonly status?: string;
  readonly secondaryStatus?: string;
  /** the latest secondary status message, e.g. "Training image download completed. Training in progress." */
  readonly message?: string;
  readonly metrics: ReadonlyArray<{ readonly name: string; readonly value: number }>;
  readonly failureReason?: string;
  readonly billableSeconds?: number;
}

export interface StatusView {
  readonly run: RunView;
  /** undefined until the run names its training job; `exists: false` until SageMaker knows it */
  readonly training?: TrainingView | { readonly name: string; readonly exists: false };
}

const DEFAULT_INTERVAL_SECONDS = 15;

/** `--interval <seconds>` between polls, a positive number. */
export function intervalOption(): Option {
  return new Option('--interval <seconds>', 'seconds between polls with --watch').argParser(numberIn(0.001, 3600)).default(DEFAULT_INTERVAL_SECONDS);
}

export function register(program: Command, context: CommandContext): void {
  program.command('status')
    .description('show a retraining run: its step, its training job\'s status and metrics, the gate\'s decision')
    .argument('[execution]', 'the run\'s execution name or ARN (default: the newest run)')
    .addOption(new Option('--watch', 'poll until the run ends; the exit code tells whether it succeeded').default(false))
    .addOption(intervalOption())
    .addOption(new Option('--json', 'print the run as JSON (with --watch: once, when it ends)').default(false))
    .action(async (execution: string | undefined, options: StatusOptions) => {
      const sfn = context.client(SFNClient);
      const executionArn = await resolveExecution(sfn, await stateMachineArnOf(context, 'status'), execution);
      if (options.watch) {
        await watchRun(context, executionArn, options);
        return;
      }
      const view = await readStatus(context, executionArn);
      if (options.json) writeJson(context.io.stdout, view);
      else context.io.stdout.write(renderStatus(view, context.io.now()));
      context.exitCode = exitCodeOf(view.run);
    });
}

/** Polls the run every `interval` seconds until it ends, printing what changed; sets the exit code from its end. */
export async function watchRun(context: CommandContext, executionArn: string, options: { readonly interval: number; readonly json: boolean }): Promise<void> {
  const lines = options.json ? context.io.stderr : context.io.stdout;
  let previous: string[] = [];
  for (;;) {
    const view = await readStatus(context, executionArn);
    const current = changeLines(view);
    for (const line of current) {
      if (!previous.includes(line)) lines.write(`${new Date(context.io.now()).toISOString().slice(11, 19)}  ${line}\n`);
    }
    previous = current;
    if (view.run.status !== 'RUNNING') {
      if (options.json) writeJson(context.io.stdout, view);
      else context.io.stdout.write(`\n${renderStatus(view, context.io.now())}`);
      context.exitCode = exitCodeOf(view.run);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, options.interval * 1000));
  }
}

export async function readStatus(context: CommandContext, executionArn: string): Promise<StatusView> {
  const run = await readRun(context.client(SFNClient), executionArn);
  if (run.trainingJobName === undefined) return { run };
  return { run, training: await describeTraining(context.client(SageMakerClient), run.trainingJobName) };
}

async function describeTraining(sageMaker: SageMakerClient, name: string): Promise<StatusView['training']> {
  let job: DescribeTrainingJobResponse;
  try {
    job = await sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
  } catch (error) {
    // The run names its job before it creates it.
    if ((error as Error).name === 'ValidationException' && /not found/i.test((error as Error).message)) return { name, exists: false };
    throw error;
  }
  const transitions = job.SecondaryStatusTransitions ?? [];
  return {
    name,
    status: job.TrainingJobStatus,
    secondaryStatus: job.SecondaryStatus,
    message: transitions[transitions.length - 1]?.StatusMessage,
    metrics: (job.FinalMetricDataList ?? []).flatMap((metric) => (metric.MetricName !== undefined && metric.Value !== undefined ? [{ name: metric.MetricName, value: metric.Value }] : [])),
    failureReason: job.FailureReason,
    billableSeconds: job.BillableTimeInSeconds,
  };
}

/** 0 for a run that succeeded or still runs, 1 for one that failed, timed out or was aborted. */
function exitCodeOf(run: RunView): number {
  return run.status === 'SUCCEEDED' || run.status === 'RUNNING' ? 0 : EXIT_CODES.dataset;
}

/** One line per fact a watcher wants to see change: the step, the training job's state, its metrics, the gate. */
function changeLines(view: StatusView): string[] {
  const { run, training } = view;
  const lines: string[] = [];
  if (run.state !== undefined) lines.push(`step ${run.state}`);
  if (training !== undefined) lines.push(`training ${trainingLine(training)}`);
  if (training !== undefined && 'metrics' in training && training.metrics.length > 0) lines.push(`metrics ${metricsLine(training)}`);
  if (run.evaluation !== undefined) lines.push(`evaluation ${evaluationLine(run)}`);
  if (run.gate !== undefined) lines.push(`gate ${gateLine(run)}`);
  if (run.status !== 'RUNNING') lines.push(`run ${run.status}${run.outcome === undefined ? '' : ` (${run.outcome})`}`);
  return lines;
}

/** The run as a block of `label  value` lines. */
export function renderStatus(view: StatusView, now: number): string {
  const { run, training } = view;
  const started = run.startDate;
  const ended = run.stopDate?.getTime() ?? now;
  const rows: Array<[string, string | undefined]> = [
    ['Run', `${run.name} (${run.status}${run.outcome === undefined ? '' : `, ${run.outcome}`})`],
    ['Started', started === undefined ? undefined : `${started.toISOString()} (${run.stopDate === undefined ? 'running for' : 'took'} ${formatDuration(ended - started.getTime())})`],
    ['Trigger', run.trigger],
    ['Run id', run.runId],
    ['Step', run.state],
    ['Training', training === undefined ? undefined : trainingLine(training)],
    ['Metrics', training !== undefined && 'metrics' in training && training.metrics.length > 0 ? metricsLine(training) : undefined],
    ['Gate', run.gate === undefined ? undefined : gateLine(run)],
    ['Evaluation', run.evaluation === undefined ? undefined : evaluationLine(run)],
    ['Error', run.error === undefined ? undefined : `${run.error.error ?? ''}${run.error.cause ? `: ${readableCause(run.error.cause)}` : ''}`],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined)
    .map(([label, value]) => `${label.padEnd(11)}${value}\n`).join('');
}

function trainingLine(training: NonNullable<StatusView['training']>): string {
  if (!('metrics' in training)) return `${training.name}: not created yet`;
  const state = [training.status, training.secondaryStatus !== training.status ? training.secondaryStatus : undefined].filter(Boolean).join(' / ');
  const detail = training.failureReason ?? training.message;
  return `${training.name}: ${state}${detail ? ` (${detail})` : ''}`;
}

function metricsLine(training: TrainingView): string {
  return training.metrics.map((metric) => `${metric.name} ${Number(metric.value.toFixed(4))}`).join(', ');
}

function evaluationLine(run: RunView): string {
  const { challenger, champion, reportHtmlUri, reportJsonUri } = run.evaluation!;
  const figures = (model: string, f: Figures) => `${model} accuracy ${f.accuracy.toFixed(3)}, macro F1 ${f.macroF1.toFixed(3)}`;
  const parts = [
    ...(challenger ? [figures('this model', challenger)] : []),
    ...(champion ? [figures('serving model', champion)] : []),
  ];
  const report = reportHtmlUri ?? reportJsonUri;
  return `${parts.join('; ') || 'no figures'}${report ? ` (report: ${report})` : ''}`;
}

function gateLine(run: RunView): string {
  return `${run.gate!.promote ? 'promote' : 'keep the serving model'}: ${run.gate!.reason}`;
}

/**
 * A failure's cause as people read it: a SageMaker task's cause is the whole job description as JSON, whose
 * FailureReason (or message) says what went wrong; anything else as it is, cut at 500 characters.
 */
function readableCause(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { FailureReason?: unknown; errorMessage?: unknown; message?: unknown };
    const reason = parsed.FailureReason ?? parsed.errorMessage ?? parsed.message;
    if (typeof reason === 'string') return reason;
  } catch {
    // not JSON: shown as it is
  }
  return cause.length > 500 ? `${cause.slice(0, 500)}…` : cause;
}
