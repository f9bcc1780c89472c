/**
 * The CloudWatch metrics a retraining run publishes, as the pipeline's step function writes them and the dashboard
 * graphs them: one namespace, the endpoint as dimension, and the set the scores were measured on. Pure (no AWS SDK,
 * no CDK), so that both sides import the same names.
 */

/** The namespace of every run metric. */
export const RUN_METRICS_NAMESPACE = 'SageMakerImageClassifier';

/** Dimension names. */
export const RunMetricDimension = {
  /** The endpoint the pipeline retrains: every run metric carries it. */
  ENDPOINT: 'Endpoint',
  /** Which images the scores come from (see `ScoredOn`): the score metrics carry it besides `Endpoint`. */
  SCORED_ON: 'ScoredOn',
} as const;

/** The images a run's scores were measured on: the values of the `ScoredOn` dimension. */
export enum ScoredOn {
  /**
   * The training job's own validation split (`FinalMetricDataList`); the champion's figure is the one its own run
   * recorded, on another split. What the gate compares without a fixed test set.
   */
  VALIDATION = 'Validation',
  /** The fixed test set, never trained on: challenger and champion scored on the same images. */
  TEST_SET = 'TestSet',
}

/** Metrics with the dimensions `Endpoint` and `ScoredOn`, each a fraction in [0, 1] (unit None). */
export const ScoreMetric = {
  CHALLENGER_ACCURACY: 'ChallengerAccuracy',
  CHAMPION_ACCURACY: 'ChampionAccuracy',
  /** Test set only (the training job reports no F1). */
  CHALLENGER_MACRO_F1: 'ChallengerMacroF1',
  CHAMPION_MACRO_F1: 'ChampionMacroF1',
} as const;

/** Metrics with the dimension `Endpoint` only, one value per run that reached the gate. */
export const RunMetric = {
  /** 1 when the gate chose the challenger, 0 when the champion stays (unit Count). */
  PROMOTED: 'Promoted',
  /** `TrainingTimeInSeconds` of the run's training job (unit Seconds). */
  TRAINING_SECONDS: 'TrainingSeconds',
  /** `BillableTimeInSeconds` of the run's training job, less than the training time with managed spot (unit Seconds). */
  BILLABLE_TRAINING_SECONDS: 'BillableTrainingSeconds',
} as const;

export type ScoreMetricName = typeof ScoreMetric[keyof typeof ScoreMetric];
export type RunMetricName = typeof RunMetric[keyof typeof RunMetric];
