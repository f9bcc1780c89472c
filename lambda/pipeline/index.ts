import { Champion, FinalMetric, GateDecision, TestSetChoice, TestSetScores, decidePromotion } from './promotion-gate';
import { planEvaluation, reportLink, summarizeEvaluation } from './evaluation-plan';
import { ExecutionContext, prepareRun } from '../shared/prepare-run';
import { publishRunMetrics } from './run-metrics';
import { createLogger } from '../shared/log';
import type { PipelineConfig, PromotionMetricName } from '../shared/pipeline-config';
import { ScoredOn } from '../shared/run-metrics-contract';
import { SupersededInput, supersededVersions } from './superseded-versions';

/** What the retraining state machine asks of this function. */
export type PipelineStepEvent =
  | { readonly action: 'prepare'; readonly execution: ExecutionContext; readonly input: unknown; readonly config: PipelineConfig }
  | {
    readonly action: 'evaluate';
    readonly metricName: string;
    /**
     * The endpoint the run's metrics are published for. Absent in a run that started before the definition passed it
     * (a deploy while it trained): that run publishes no metrics.
     */
    readonly endpointName?: string;
    /** The training job's description (DescribeTrainingJob); FinalMetricDataList and the times are optional in it. */
    readonly training?: TrainingDescription;
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

/** What the gate reads of DescribeTrainingJob's answer. */
interface TrainingDescription {
  readonly TrainingJobName?: string;
  readonly FinalMetricDataList?: FinalMetric[];
  readonly TrainingTimeInSeconds?: number;
  readonly BillableTimeInSeconds?: number;
}

/**
 * The retraining pipeline's pure steps: `prepare` validates the run input and names what the run creates;
 * `planEvaluation` decides whether the champion must be scored on the run's test set; `evaluate` decides whether
 * the trained model is promoted; `selectSuperseded` picks the versions a promotion makes obsolete. Errors keep
 * their name (InvalidRunInput) so that the state machine can tell a bad input from a fault. `evaluate` also
 * publishes the run's figures as CloudWatch metrics (run-metrics.ts), which never fails the step.
 */
export async function handler(event: PipelineStepEvent, context?: { readonly awsRequestId?: string }): Promise<unknown> {
  switch (event.action) {
    case 'prepare':
      return prepareRun(event.execution, event.input, event.config);
    case 'evaluate': {
      const decision = decidePromotion({
        ...event,
        finalMetrics: Array.isArray(event.training?.FinalMetricDataList) ? event.training.FinalMetricDataList : event.finalMetrics,
        champion: parseChampion(event.champion),
      });
      publishEvaluation(event, decision, context?.awsRequestId);
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

/** The run's figures as metrics (never throws): the validation scores, and both models' test-set scores when scored. */
function publishEvaluation(event: Extract<PipelineStepEvent, { action: 'evaluate' }>, decision: GateDecision, requestId = 'unknown'): void {
  const testSet = decision.challenger ? {
    [ScoredOn.TEST_SET]: {
      challengerAccuracy: decision.challenger.accuracy, championAccuracy: decision.champion?.accuracy,
      challengerMacroF1: decision.challenger.macroF1, championMacroF1: decision.champion?.macroF1,
    },
  } : {};
  publishRunMetrics({
    endpointName: event.endpointName,
    scores: { [ScoredOn.VALIDATION]: { challengerAccuracy: decision.candidateAccuracy, championAccuracy: decision.championAccuracy }, ...testSet },
    promoted: decision.promote,
    trainingSeconds: event.training?.TrainingTimeInSeconds,
    billableTrainingSeconds: event.training?.BillableTimeInSeconds,
    trainingJobName: event.training?.TrainingJobName,
  }, createLogger(requestId));
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
