/** A metric as DescribeTrainingJob's FinalMetricDataList reports it. */
export interface FinalMetric {
  readonly MetricName: string;
  readonly Value: number;
}

/** The model serving now, as the last promotion recorded it. */
export interface Champion {
  readonly runId?: string;
  readonly validationAccuracy?: number;
}

export interface GateInput {
  readonly metricName: string;
  readonly finalMetrics?: FinalMetric[];
  readonly champion?: Champion;
  /** The candidate must reach at least this accuracy, 0-1. */
  readonly minimumAccuracy: number;
  /** ...and beat the champion by at least this much, 0-1. */
  readonly minimumImprovement: number;
}

export interface GateDecision {
  readonly promote: boolean;
  readonly candidateAccuracy: number | null;
  readonly championAccuracy: number | null;
  readonly reason: string;
}

/** Decides whether a trained model replaces the serving one. */
export function decidePromotion(input: GateInput): GateDecision {
  const metric = (input.finalMetrics ?? []).find((m) => m.MetricName === input.metricName);
  const championAccuracy = typeof input.champion?.validationAccuracy === 'number' && input.champion.validationAccuracy >= 0
    ? input.champion.validationAccuracy : null;
  // Number.isFinite is false for anything but a finite number (a string, null, NaN, Infinity).
  if (!metric || !Number.isFinite(metric.Value)) {
    return { promote: false, candidateAccuracy: null, championAccuracy, reason: `training reported no ${input.metricName} metric` };
  }
  const candidate = metric.Value;
  const figures = `candidate ${format(candidate)}, serving ${championAccuracy === null ? 'none' : format(championAccuracy)}`;
  if (candidate < input.minimumAccuracy) {
    return { promote: false, candidateAccuracy: candidate, championAccuracy, reason: `below the minimum accuracy ${format(input.minimumAccuracy)} (${figures})` };
  }
  if (championAccuracy !== null && candidate < championAccuracy + input.minimumImprovement) {
    return {
      promote: false, candidateAccuracy: candidate, championAccuracy,
      reason: `does not beat the serving model by ${format(input.minimumImprovement)} (${figures})`,
    };
  }
  return {
    promote: true, candidateAccuracy: candidate, championAccuracy,
    reason: championAccuracy === null ? `first model (${figures})` : `better than the serving model (${figures})`,
  };
}

function format(value: number): string {
  return value.toFixed(4);
}
