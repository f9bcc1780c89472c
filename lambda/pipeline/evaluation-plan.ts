import type { Champion, GateDecision, ModelScore, TestSetChoice, TestSetScore } from './promotion-gate';

/** Which models the run's evaluation scores. */
export interface EvaluationPlan {
  /** Score the serving champion on this test set (it has no figures for this version yet). */
  readonly scoreChampion: boolean;
  /** The champion's SageMaker model, when it is scored. */
  readonly championModelName: string | null;
  /** The champion's figures on this version from its record, when it is not scored; null when nothing serves. */
  readonly recorded: TestSetScore | null;
}

/**
 * The champion is scored on the run's test set unless its record already holds its figures on this version of the
 * test set; with no champion (nothing promoted yet, or a record without a model) there is nothing to score.
 */
export function planEvaluation(champion: Champion | undefined, testSet: TestSetChoice): EvaluationPlan {
  const modelName = champion?.modelName;
  if (typeof modelName !== 'string' || modelName === '') return { scoreChampion: false, championModelName: null, recorded: null };
  const recorded = champion?.testSet;
  if (recorded && recorded.version === testSet.version && Number.isFinite(recorded.accuracy) && Number.isFinite(recorded.macroF1)) {
    return { scoreChampion: false, championModelName: null, recorded };
  }
  return { scoreChampion: true, championModelName: modelName, recorded: null };
}

/** What the execution's output says of the evaluation (the command line's `report` reads it). */
export interface EvaluationSummary {
  readonly reportJsonUri: string | null;
  readonly reportHtmlUri: string | null;
  readonly testSetVersion: string;
  readonly challenger: { readonly accuracy: number; readonly macroF1: number };
  readonly champion: { readonly accuracy: number; readonly macroF1: number } | null;
  readonly metric: string;
  readonly margin: number;
}

/** The evaluation's summary from the gate's decision and the challenger's score; null when the run had no test set. */
export function summarizeEvaluation(decision: GateDecision, challenger: ModelScore | null | undefined, version: string | undefined): EvaluationSummary | null {
  if (decision.gate !== 'test-set' || !decision.challenger) return null;
  return {
    reportJsonUri: typeof challenger?.reportJsonUri === 'string' ? challenger.reportJsonUri : null,
    reportHtmlUri: typeof challenger?.reportHtmlUri === 'string' ? challenger.reportHtmlUri : null,
    testSetVersion: String(version),
    challenger: decision.challenger,
    champion: decision.champion,
    metric: decision.metric,
    margin: decision.minimumImprovement,
  };
}

/** The sentence the notification ends with: where the HTML report is, or nothing. */
export function reportLink(summary: EvaluationSummary | null): string {
  return summary?.reportHtmlUri ? ` Evaluation report: ${summary.reportHtmlUri}` : '';
}
