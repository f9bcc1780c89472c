/**
 * `runs [--limit N] [--json]`: the newest retraining runs as a table (name, trigger, status, started, duration,
 * promoted), from ListExecutions and each run's DescribeExecution (its input names the trigger, its output the gate's
 * decision).
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { Command, Option } from 'commander';
import { mapWithConcurrency } from '../concurrency';
import type { CommandContext } from '../context';
import { formatDuration, renderTable, writeJson } from '../output';
import { integerIn } from '../options';
import { describeExecution, listRuns, stateMachineArnOf } from '../pipeline-runs';
import { RunView, viewRun } from '../run-view';

interface RunsOptions {
  readonly limit: number;
  readonly json: boolean;
}

/** DescribeExecution calls in flight at once (Step Functions allows bursts of a few hundred per second). */
const CONCURRENCY = 8;

export function register(program: Command, context: CommandContext): void {
  program.command('runs')
    .description('list the newest retraining runs: trigger, status, start, duration, whether they promoted a model')
    .addOption(new Option('--limit <n>', 'how many runs').argParser(integerIn(1, 1000)).default(10))
    .addOption(new Option('--json', 'print the runs as JSON').default(false))
    .action(async (options: RunsOptions) => {
      const sfn = context.client(SFNClient);
      const listed = await listRuns(sfn, await stateMachineArnOf(context, 'runs'), options.limit);
      const runs = await mapWithConcurrency(listed, CONCURRENCY, async (item) => viewRun(await describeExecution(sfn, item.executionArn!)));
      if (options.json) {
        writeJson(context.io.stdout, runs);
        return;
      }
      if (runs.length === 0) {
        context.io.stdout.write('The retraining pipeline has no run yet. Start one with `train`.\n');
        return;
      }
      const now = context.io.now();
      context.io.stdout.write(renderTable(context.io.stdout, ['Run', 'Trigger', 'Status', 'Started', 'Duration', 'Promoted'],
        runs.map((run) => [run.name, run.trigger ?? '-', run.status, run.startDate?.toISOString().replace('.000Z', 'Z') ?? '-', duration(run, now), promoted(run)])));
    });
}

function duration(run: RunView, now: number): string {
  if (run.startDate === undefined) return '-';
  return formatDuration((run.stopDate?.getTime() ?? now) - run.startDate.getTime());
}

function promoted(run: RunView): string {
  switch (run.outcome) {
    case 'promoted': return 'yes';
    case 'not promoted': return 'no';
    case 'skipped': return 'skipped';
    case 'failed': return 'no (failed)';
    default: return '-';
  }
}
