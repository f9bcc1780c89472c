import { Champion, FinalMetric, TestSetChoice, TestSetScores, decidePromotion } from './promotion-gate';
import { planEvaluation, reportLink, summarizeEvaluation } from './evaluation-plan';
import { ExecutionContext, prepareRun } from './prepare-run';
import type { PipelineConfig, PromotionMetricName } from '../shared/pipeline-config';
import { SupersededInput, supersededVersions } from './superseded-versions';

/** What the retraining state machine asks of this function. */
export type PipelineStepEvent =
  | { readonly action: 'prepare'; readonly execution: ExecutionContext; readonly input: unknown; readonly config: PipelineConfig }
  | {
    readonly action: 'evaluate';
    readonly metricName: string;
    /** The training job's description (DescribeTrainingJob); FinalMetricDataList is optional in it. */
    readonly training?: { readonly FinalMetricDataList?: FinalMetric[] };
    readonly finalMetrics?: FinalMetric[];
    /** The champion record as stored (a JSON string), or absent. */
    readonly champion?: string;
    readonly minimumAccuracy: number;
    readonly minimumImprovement: number;
    readonly metric?: PromotionMetricName;
    /** The run's test set (source `none`: validation accuracy decides) and both models' scores on it. */
    readonly testSet?: TestSetChoice;
    readonly scores?: TestSetScores;
  }
  | { readonly action: 'planEvaluation'; readonly champion?: string; readonly testSet: TestSetChoice }
  | ({ readonly action: 'selectSuperseded' } & SupersededInput);

/**
 * The retraining pipeline's pure steps: `prepare` validates the run input and names what the run creates;
 * `planEvaluation` decides whether the champion must be scored on the run's test set; `evaluate` decides whether
 * the trained model is promoted; `selectSuperseded` picks the versions a promotion makes obsolete. Errors keep
 * their name (InvalidRunInput) so that the state machine can tell a bad input from a fault.
 */
export async function handler(event: PipelineStepEvent): Promise<unknown> {
  switch (event.action) {
    case 'prepare':
      return prepareRun(event.execution, event.input, event.config);
    case 'evaluate': {
      const decision = decidePromotion({
        ...event,
        finalMetrics: Array.isArray(event.training?.FinalMetricDataList) ? event.training.FinalMetricDataList : event.finalMetrics,
        champion: parseChampion(event.champion),
      });
      const evaluation = summarizeEvaluation(decision, event.scores?.challenger, event.testSet?.version);
      return { ...decision, evaluation, reportLink: reportLink(evaluation) };
    }
    case 'planEvaluation':
      return planEvaluation(parseChampion(event.champion), event.testSet);
    case 'selectSuperseded':
      return { names: supersededVersions(event) };
    default:
      throw new Error(`unknown pipeline step action ${JSON.stringify((event as { action?: unknown }).action)}`);
  }
}

function parseChampion(record: string | undefined): Champion | undefined {
  if (!record) return undefined;
  try {
    const parsed = JSON.parse(record) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed as Champion : undefined;
  } catch {
    return undefined;
  }
}
