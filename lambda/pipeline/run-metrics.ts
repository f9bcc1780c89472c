import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger } from '../shared/log';
import { RUN_METRICS_NAMESPACE, RunMetric, RunMetricDimension, ScoreMetric, ScoredOn } from '../shared/run-metrics-contract';

/** One set's scores of the challenger (the model this run trained) and the champion (the serving one). */
export interface RunScores {
  readonly challengerAccuracy?: number | null;
  readonly championAccuracy?: number | null;
  readonly challengerMacroF1?: number | null;
  readonly championMacroF1?: number | null;
}

/** What a run that reached the gate publishes. Figures that are absent or not finite numbers are left out. */
export interface RunFigures {
  /**
   * The `Endpoint` dimension. A run that started before the definition passed it (a deploy while it trained) has
   * none, and publishes nothing.
   */
  readonly endpointName?: unknown;
  /** The scores by the images they were measured on. */
  readonly scores: Partial<Record<ScoredOn, RunScores>>;
  readonly promoted: boolean;
  /** From the training job's description, as DescribeTrainingJob returned it (so of unchecked type). */
  readonly trainingSeconds?: unknown;
  readonly billableTrainingSeconds?: unknown;
  /** Searchable in the log line, not a dimension (one value per run). */
  readonly trainingJobName?: unknown;
}

type Unit = typeof MetricUnit[keyof typeof MetricUnit];
type Figure = readonly [name: string, unit: Unit, value: unknown];

/**
 * Writes the run's figures in CloudWatch's embedded metric format on stdout, with Powertools for AWS Lambda's Metrics:
 * CloudWatch Logs extracts the metrics from the function's log group, so there is no API call and no IAM permission.
 * One line per dimension set: the scores with `Endpoint` and `ScoredOn`, the run's other figures with `Endpoint`.
 *
 * Never throws: the metrics are a by-product of the run, so a failure to write them is logged as a warning and the
 * step goes on. Returns how many lines were handed to Powertools (which writes none while `POWERTOOLS_METRICS_DISABLED`
 * is true).
 */
export function publishRunMetrics(figures: RunFigures, log: Logger): number {
  let lines = 0;
  try {
    if (typeof figures.endpointName !== 'string' || figures.endpointName.length === 0) {
      log.warn('run-metrics-skipped', { reason: 'no endpoint name was given (a run started before the pipeline passed it)' });
      return 0;
    }
    const endpoint = { [RunMetricDimension.ENDPOINT]: figures.endpointName };
    for (const [scoredOn, scores] of Object.entries(figures.scores) as Array<[ScoredOn, RunScores | undefined]>) {
      lines += write({ ...endpoint, [RunMetricDimension.SCORED_ON]: scoredOn }, [
        [ScoreMetric.CHALLENGER_ACCURACY, MetricUnit.NoUnit, scores?.challengerAccuracy],
        [ScoreMetric.CHAMPION_ACCURACY, MetricUnit.NoUnit, scores?.championAccuracy],
        [ScoreMetric.CHALLENGER_MACRO_F1, MetricUnit.NoUnit, scores?.challengerMacroF1],
        [ScoreMetric.CHAMPION_MACRO_F1, MetricUnit.NoUnit, scores?.championMacroF1],
      ], figures.trainingJobName);
    }
    lines += write(endpoint, [
      [RunMetric.PROMOTED, MetricUnit.Count, figures.promoted ? 1 : 0],
      [RunMetric.TRAINING_SECONDS, MetricUnit.Seconds, figures.trainingSeconds],
      [RunMetric.BILLABLE_TRAINING_SECONDS, MetricUnit.Seconds, figures.billableTrainingSeconds],
    ], figures.trainingJobName);
  } catch (error) {
    try {
      log.warn('run-metrics-not-published', { error, endpointName: figures.endpointName, linesWritten: lines });
    } catch {
      // stdout itself failed, so there is nowhere left to report it; the step goes on.
    }
  }
  return lines;
}

/** One EMF line with `dimensions` for the figures that are finite numbers; none when there are none. */
function write(dimensions: Record<string, string>, figures: Figure[], trainingJobName: unknown): number {
  // Number.isFinite is false for anything but a finite number (a string, null, undefined, NaN, Infinity).
  const present = figures.filter(([, , value]) => Number.isFinite(value));
  if (present.length === 0) return 0;
  // One instance per line (no module-level state). Its default `service` dimension is dropped: the metrics are
  // identified by the endpoint alone, as the dashboard graphs them.
  const metrics = new Metrics({ namespace: RUN_METRICS_NAMESPACE });
  metrics.clearDefaultDimensions();
  for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
  for (const [name, unit, value] of present) metrics.addMetric(name, unit, value as number);
  if (typeof trainingJobName === 'string' && trainingJobName.length > 0) metrics.addMetadata('trainingJobName', trainingJobName);
  metrics.publishStoredMetrics();
  return 1;
}
