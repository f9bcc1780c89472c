/**
 * `train [--instance-type <type>] [--set name=value ...] [--promotion-metric accuracy|macroF1] [--minimum-improvement x] [--watch]`: starts a retraining run (StartExecution of the
 * stack's retraining state machine) with the run input README.md documents, checked as the pipeline checks it: the
 * hyperparameters alone before any AWS call, then the whole input against the deployed pipeline's configuration
 * (cli/run-input.ts), so a bad value never starts a run that would fail in PrepareRun.
 */
import { DescribeStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { Command, Option } from 'commander';
import type { PipelineConfig } from '../../lambda/shared/pipeline-config';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { writeJson } from '../output';
import { pipelineConfigOf } from '../pipeline-definition';
import { buildRunInput, RunInput } from '../run-input';
import { listRuns, stateMachineArnOf } from '../pipeline-runs';
import { intervalOption, watchRun } from './status';

interface TrainOptions {
  readonly instanceType?: string;
  readonly promotionMetric?: string;
  readonly minimumImprovement?: string;
  readonly set: string[];
  readonly watch: boolean;
  readonly interval: number;
  readonly json: boolean;
}

export function register(program: Command, context: CommandContext): void {
  program.command('train')
    .description('start a retraining run now, optionally with other hyperparameters or instance type for this run')
    .addOption(new Option('--instance-type <type>', 'the training instance type to try first; one of the pipeline\'s (e.g. ml.g5.xlarge)'))
    .addOption(new Option('--set <name=value>', 'a hyperparameter for this run, e.g. --set epochs=10 --set learning_rate=0.0005 (repeatable)')
      .argParser((value: string, previous: string[] = []) => [...previous, value]).default([]))
    .addOption(new Option('--promotion-metric <metric>', 'the test-set figure the gate compares for this run: accuracy or macroF1'))
    .addOption(new Option('--minimum-improvement <x>', 'how much the new model must beat the serving one by for this run, in [0, 1]'))
    .addOption(new Option('--watch', 'follow the run until it ends (see `status --watch`)').default(false))
    .addOption(intervalOption())
    .addOption(new Option('--json', 'print the started run as JSON').default(false))
    .action((options: TrainOptions) => train(context, options));
}

export async function train(context: CommandContext, options: TrainOptions): Promise<void> {
  // The hyperparameters alone first: a typo fails here, before any AWS call.
  const local = buildRunInput(options, undefined, new Date(context.io.now()));
  if (!local.ok) throw invalidInput(local.problems);

  const sfn = context.client(SFNClient);
  const stateMachineArn = await stateMachineArnOf(context, 'train');
  const config = await deployedConfig(context, sfn, stateMachineArn);
  const checked = buildRunInput(options, config, new Date(context.io.now()));
  if (!checked.ok) throw invalidInput(checked.problems);

  const running = await listRuns(sfn, stateMachineArn, 1, 'RUNNING');
  if (running.length > 0) {
    context.io.stderr.write(`Warning: run ${running[0].name} is in progress; the pipeline skips a run started while another runs (it notifies and ends).\n`);
  }
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(checked.input) }));
  const executionArn = started.executionArn ?? '';
  const name = executionArn.split(':').pop() ?? executionArn;
  if (options.json) {
    writeJson(context.io.stdout, { name, executionArn, startDate: started.startDate?.toISOString(), input: checked.input });
  } else {
    context.io.stdout.write(`Started run ${name}${describeInput(checked.input)}\n`);
    if (!options.watch) context.io.stdout.write(`Follow it with: status ${name} --watch\n`);
  }
  if (options.watch) await watchRun(context, executionArn, { interval: options.interval, json: false });
}

/** The configuration the deployed pipeline checks run inputs against; without it, a note and the local check only. */
async function deployedConfig(context: CommandContext, sfn: SFNClient, stateMachineArn: string): Promise<PipelineConfig | undefined> {
  try {
    const { definition } = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    const config = definition === undefined ? undefined : pipelineConfigOf(definition);
    if (config === undefined) context.io.stderr.write('Note: the state machine\'s definition holds no pipeline configuration; the instance type is checked when the run starts.\n');
    return config;
  } catch (error) {
    if ((error as Error).name !== 'AccessDeniedException') throw error;
    context.io.stderr.write('Note: not allowed to read the state machine (states:DescribeStateMachine); the instance type is checked when the run starts.\n');
    return undefined;
  }
}

function invalidInput(problems: readonly string[]): CliError {
  return new CliError('usage', `The run input is not valid; the pipeline would fail in PrepareRun with:\n  ${problems.join('\n  ')}`);
}

function describeInput(input: RunInput): string {
  const parts = [
    ...(input.instanceType === undefined ? [] : [`on ${input.instanceType}`]),
    ...Object.entries(input.hyperparameters ?? {}).map(([name, value]) => `${name}=${String(value)}`),
  ];
  return parts.length === 0 ? ' with the stack\'s settings' : ` (${parts.join(', ')})`;
}
