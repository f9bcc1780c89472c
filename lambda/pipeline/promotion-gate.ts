import type { PromotionMetricName } from '../shared/pipeline-config';

/** A metric as DescribeTrainingJob's FinalMetricDataList reports it. */
export interface FinalMetric {
  readonly MetricName: string;
  readonly Value: number;
}

/** A model's figures on one version of the test set, as the champion record keeps them. */
export interface TestSetScore {
  readonly version: string;
  readonly accuracy: number;
  readonly macroF1: number;
  readonly reportJsonUri?: string;
}

/** The model serving now, as the last promotion recorded it. */
export interface Champion {
  readonly runId?: string;
  readonly validationAccuracy?: number;
  readonly modelName?: string;
  /** Its figures on the test set version it was last scored on. */
  readonly testSet?: TestSetScore | null;
}

/** What the evaluation's score step returns for one model. */
export interface ModelScore {
  readonly accuracy: number;
  readonly macroF1: number;
  readonly reportJsonUri?: string;
  readonly reportHtmlUri?: string;
}

/** The run's test set, as the selection step describes it. */
export interface TestSetChoice {
  /** `test-folder` or `hold-out`; anything else (`none`) means no test set: the gate falls back to validation accuracy. */
  readonly source: string;
  readonly version?: string;
}

/** Whether the run scored its models on a test set. */
export function hasTestSet(testSet: TestSetChoice | undefined): boolean {
  return testSet?.source === 'test-folder' || testSet?.source === 'hold-out';
}

/** Both models' scores on the run's test set; `champion` is null when nothing serves. */
export interface TestSetScores {
  readonly challenger: ModelScore | null;
  readonly champion: ModelScore | null;
}

export interface GateInput {
  readonly metricName: string;
  readonly finalMetrics?: FinalMetric[];
  readonly champion?: Champion;
  /** The candidate must reach at least this accuracy (on the test set when there is one), 0-1. */
  readonly minimumAccuracy: number;
  /** ...and beat the champion by at least this much, 0-1. */
  readonly minimumImprovement: number;
  /** The test-set figure compared. @default 'accuracy' */
  readonly metric?: PromotionMetricName;
  readonly testSet?: TestSetChoice;
  readonly scores?: TestSetScores;
}

export interface GateDecision {
  readonly promote: boolean;
  /** Which comparison decided: both models on the same test images, or the validation accuracies (no test set). */
  readonly gate: 'test-set' | 'validation-accuracy';
  /** The figure compared: `accuracy` or `macroF1` on the test set, or the training's validation accuracy metric. */
  readonly metric: string;
  readonly minimumImprovement: number;
  /** The trained model's validation accuracy (kept in the champion record for the fallback gate). */
  readonly candidateAccuracy: number | null;
  readonly championAccuracy: number | null;
  /** Both models' test-set figures; null without a test set (champion: null also when nothing serves). */
  readonly challenger: { readonly accuracy: number; readonly macroF1: number } | null;
  readonly champion: { readonly accuracy: number; readonly macroF1: number } | null;
  /** The test-set figures the champion record keeps for the challenger if it is promoted. */
  readonly challengerTestSet: TestSetScore | null;
  /**
   * The serving champion's record with its figures on this test set version, when this run scored it (so that the
   * next run on the same version does not score it again); null when the record needs no update.
   */
  readonly rescoredChampion: Champion | null;
  readonly reason: string;
}

/** Scores that differ by less than this are equal (the figures are ratios of image counts). */
const TIE = 1e-9;

/**
 * Decides whether a trained model replaces the serving one. With a test set, both models' figures on the same test
 * images are compared (the chosen metric, plus the accuracy floor); without one, the validation accuracies.
 */
export function decidePromotion(input: GateInput): GateDecision {
  const metric = (input.finalMetrics ?? []).find((m) => m.MetricName === input.metricName);
  const candidateAccuracy = metric && Number.isFinite(metric.Value) ? metric.Value : null;
  const championAccuracy = typeof input.champion?.validationAccuracy === 'number' && input.champion.validationAccuracy >= 0
    ? input.champion.validationAccuracy : null;
  if (hasTestSet(input.testSet)) return testSetGate(input, candidateAccuracy, championAccuracy);

  const base = {
    gate: 'validation-accuracy' as const, metric: input.metricName, minimumImprovement: input.minimumImprovement,
    candidateAccuracy, championAccuracy, challenger: null, champion: null, challengerTestSet: null, rescoredChampion: null,
  };
  // Number.isFinite is false for anything but a finite number (a string, null, NaN, Infinity).
  if (candidateAccuracy === null) {
    return { ...base, promote: false, reason: `training reported no ${input.metricName} metric` };
  }
  const candidate = candidateAccuracy;
  const figures = `candidate ${format(candidate)}, serving ${championAccuracy === null ? 'none' : format(championAccuracy)}`;
  if (candidate < input.minimumAccuracy) {
    return { ...base, promote: false, reason: `below the minimum accuracy ${format(input.minimumAccuracy)} (${figures})` };
  }
  if (championAccuracy !== null && candidate < championAccuracy + input.minimumImprovement) {
    return { ...base, promote: false, reason: `does not beat the serving model by ${format(input.minimumImprovement)} (${figures})` };
  }
  return { ...base, promote: true, reason: championAccuracy === null ? `first model (${figures})` : `better than the serving model (${figures})` };
}

function testSetGate(input: GateInput, candidateAccuracy: number | null, championAccuracy: number | null): GateDecision {
  const metric = input.metric ?? 'accuracy';
  const version = String(input.testSet?.version);
  const challenger = figuresOf(input.scores?.challenger);
  const champion = figuresOf(input.scores?.champion);
  const recorded = input.champion?.testSet;
  // The champion was scored by this run unless its record already held this version's figures.
  const rescoredChampion = champion && input.scores?.champion && !(recorded && recorded.version === version)
    ? { ...input.champion, testSet: { version, ...champion, ...uri(input.scores.champion.reportJsonUri) } } : null;
  const base = {
    gate: 'test-set' as const, metric, minimumImprovement: input.minimumImprovement, candidateAccuracy, championAccuracy,
    challenger, champion, rescoredChampion,
    challengerTestSet: challenger ? { version, ...challenger, ...uri(input.scores?.challenger?.reportJsonUri) } : null,
  };
  if (!challenger) return { ...base, promote: false, reason: 'the evaluation reported no test-set figures for the trained model' };
  const label = metric === 'macroF1' ? 'macro F1' : 'accuracy';
  const figures = `test set ${version}, ${label}: challenger ${format(challenger[metric])}, champion ${champion ? format(champion[metric]) : 'none'}`;
  if (challenger.accuracy < input.minimumAccuracy - TIE) {
    return { ...base, promote: false, reason: `test accuracy ${format(challenger.accuracy)} is below the minimum accuracy ${format(input.minimumAccuracy)} (${figures})` };
  }
  if (champion && challenger[metric] < champion[metric] + input.minimumImprovement - TIE) {
    return { ...base, promote: false, reason: `does not beat the serving model by ${format(input.minimumImprovement)} (${figures})` };
  }
  return { ...base, promote: true, reason: champion ? `better than the serving model (${figures})` : `first model (${figures})` };
}

/** Accuracy and macro F1 when both are numbers in [0, 1], otherwise null. */
function figuresOf(score: ModelScore | null | undefined): { accuracy: number; macroF1: number } | null {
  if (!score) return null;
  const valid = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 1;
  return valid(score.accuracy) && valid(score.macroF1) ? { accuracy: score.accuracy, macroF1: score.macroF1 } : null;
}

function uri(reportJsonUri: string | undefined): { reportJsonUri?: string } {
  return typeof reportJsonUri === 'string' ? { reportJsonUri } : {};
}

function format(value: number): string {
  return value.toFixed(4);
}
