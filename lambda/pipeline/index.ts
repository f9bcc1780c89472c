import { Champion, FinalMetric, GateDecision, decidePromotion } from './promotion-gate';
import { ExecutionContext, prepareRun } from './prepare-run';
import { publishRunMetrics } from './run-metrics';
import { createLogger } from '../shared/log';
import type { PipelineConfig } from '../shared/pipeline-config';
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
  }
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
 * `evaluate` decides whether the trained model is promoted; `selectSuperseded` picks the versions a promotion
 * makes obsolete. Errors keep their name (InvalidRunInput) so that the
 * state machine can tell a bad input from a fault. `evaluate` also publishes the run's figures as CloudWatch metrics
 * (run-metrics.ts), which never fails the step.
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
      return decision;
    }
    case 'selectSuperseded':
      return { names: supersededVersions(event) };
    default:
      throw new Error(`unknown pipeline step action ${JSON.stringify((event as { action?: unknown }).action)}`);
  }
}

/** The run's figures as metrics (never throws): today's gate scores are on the validation split. */
function publishEvaluation(event: Extract<PipelineStepEvent, { action: 'evaluate' }>, decision: GateDecision, requestId = 'unknown'): void {
  publishRunMetrics({
    endpointName: event.endpointName,
    scores: { [ScoredOn.VALIDATION]: { challengerAccuracy: decision.candidateAccuracy, championAccuracy: decision.championAccuracy } },
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
