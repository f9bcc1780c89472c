/**
 * `report [execution] [--json]`: the evaluation of the newest run that has one (or of the run named): accuracy,
 * macro F1, the per-class table and the confusion matrix, read from the evaluation report JSON the pipeline's
 * evaluation phase writes to S3 (its URI is in the run's output, `evaluation.reportJsonUri`).
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Command, Option } from 'commander';
import { EvaluationReport, InvalidEvaluationReport, parseEvaluationReport } from '../../lambda/shared/evaluation-report';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { renderTable, writeJson } from '../output';
import { describeExecution, listRuns, readRun, resolveExecution, stateMachineArnOf } from '../pipeline-runs';
import { RunView, viewRun } from '../run-view';

interface ReportOptions {
  readonly json: boolean;
}

/** How many of the newest successful runs are searched for an evaluation. */
const SEARCHED_RUNS = 50;
/** Misclassified images listed in the terminal (all of them are in --json). */
const MISCLASSIFIED_SHOWN = 10;

export function register(program: Command, context: CommandContext): void {
  program.command('report')
    .description('show the latest evaluation on the test set: accuracy, macro F1, per-class figures, confusion matrix')
    .argument('[execution]', 'the run\'s execution name or ARN (default: the newest run with an evaluation)')
    .addOption(new Option('--json', 'print the evaluation report itself as JSON').default(false))
    .action(async (execution: string | undefined, options: ReportOptions) => {
      const sfn = context.client(SFNClient);
      const stateMachineArn = await stateMachineArnOf(context, 'report');
      const run = execution === undefined
        ? await latestEvaluatedRun(sfn, stateMachineArn)
        : await readRun(sfn, await resolveExecution(sfn, stateMachineArn, execution));
      const uri = run.evaluation?.reportJsonUri;
      if (uri === undefined) {
        throw new CliError('dataset', `Run ${run.name} (${run.status}) has no evaluation report: the run did not reach the evaluation phase, or the pipeline has none.`);
      }
      const report = await fetchReport(context.client(S3Client), uri);
      if (options.json) writeJson(context.io.stdout, report);
      else context.io.stdout.write(renderReport(context, run, uri, report));
    });
}

async function latestEvaluatedRun(sfn: SFNClient, stateMachineArn: string): Promise<RunView> {
  const runs = await listRuns(sfn, stateMachineArn, SEARCHED_RUNS, 'SUCCEEDED');
  for (const item of runs) {
    const run = viewRun(await describeExecution(sfn, item.executionArn!));
    if (run.evaluation?.reportJsonUri !== undefined) return run;
  }
  throw new CliError('dataset', runs.length === 0
    ? 'No retraining run has succeeded yet, so there is no evaluation to show. Start one with `train`.'
    : `None of the newest ${runs.length} successful runs has an evaluation report. The evaluation needs a test set: upload one with \`dataset push --test-split\`.`);
}

async function fetchReport(s3: S3Client, uri: string): Promise<EvaluationReport> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (match === null) throw new CliError('aws', `The run's evaluation report location '${uri}' is not an s3://bucket/key URI.`);
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }));
    text = await object.Body!.transformToString('utf8');
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') {
      throw new CliError('aws', `The evaluation report ${uri} does not exist (deleted by a lifecycle rule or by hand?).`, { cause: error });
    }
    throw error;
  }
  try {
    return parseEvaluationReport(text, uri);
  } catch (error) {
    if (!(error instanceof InvalidEvaluationReport)) throw error;
    throw new CliError('dataset', `The evaluation report is not one this command line can read (written by another version?): ${error.message}`, { cause: error });
  }
}

function renderReport(context: CommandContext, run: RunView, uri: string, report: EvaluationReport): string {
  const out = context.io.stdout;
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  // A ratio with a zero denominator (a class never predicted, or without test images) is null in the report.
  const fixed = (value: number | null) => (value === null ? '-' : value.toFixed(3));
  const lines = [
    `Evaluation of ${report.modelName} (${report.role}) from run ${run.name}`,
    `Test set   ${report.testSet.imageCount} images (${report.testSet.source}), version ${report.testSet.version.slice(0, 12)}`,
    `Accuracy   ${percent(report.accuracy)}`,
    `Macro F1   ${fixed(report.macroF1)}`,
    `Report     ${uri}${run.evaluation?.reportHtmlUri ? `\n           ${run.evaluation.reportHtmlUri}` : ''}`,
    '',
  ];
  const perClass = renderTable(out, ['Class', 'Precision', 'Recall', 'F1', 'Images'],
    report.perClass.map((c) => [c.label, fixed(c.precision), fixed(c.recall), fixed(c.f1), c.support]), { align: ['left', 'right', 'right', 'right', 'right'] });
  const matrix = renderTable(out, ['true \\ predicted', ...report.classes],
    report.confusionMatrix.map((row, index) => [report.classes[index], ...row]), { align: ['left', ...report.classes.map(() => 'right' as const)] });
  const misclassified = report.misclassified.slice(0, MISCLASSIFIED_SHOWN);
  const mistakes = misclassified.length === 0 ? '' : `\nMisclassified (${misclassified.length} of ${report.misclassified.length}):\n${renderTable(out,
    ['Image', 'True', 'Predicted', 'Probability'], misclassified.map((m) => [m.key, m.trueLabel, m.predictedLabel, fixed(m.probability)]))}`;
  const failures = report.failures.length === 0 ? '' : `\n${report.failures.length} test images could not be classified, e.g. ${report.failures[0].key}: ${report.failures[0].reason}\n`;
  return `${lines.join('\n')}\n${perClass}\nConfusion matrix (rows: true class, columns: predicted class):\n${matrix}${mistakes}${failures}`;
}
