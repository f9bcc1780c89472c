/**
 * What the RetrainingPipeline construct renders at synth and its pipeline function (lambda/shared/prepare-run.ts)
 * reads on every run. Types only: no AWS SDK, no CDK, so both sides can import it.
 */
import type { Hyperparameters } from './hyperparameter-spec';

/** One instance type the pipeline may train on, with the request parts that depend on it (rendered at synth). */
export interface TrainingOption {
  readonly instanceType: string;
  readonly trainingImage: string;
  readonly resourceConfig: Record<string, unknown>;
}

/** The test-set figure the promotion gate compares: accuracy, or the mean of the per-class F1 scores. */
export type PromotionMetricName = 'accuracy' | 'macroF1';
export const PROMOTION_METRIC_NAMES: readonly PromotionMetricName[] = ['accuracy', 'macroF1'];

/** Where a run's evaluation reads and writes, and how it picks its test set. */
export interface EvaluationConfig {
  /** `s3://<bucket>/<prefix>/`: the dataset, with its `training/` and optional `test/` folders. */
  readonly datasetUri: string;
  /** `s3://<bucket>/<prefix>/`: each run writes its manifests, predictions and reports under `<this><run id>/`. */
  readonly outputUri: string;
  /** Percentage of the training images held out as the test set when the dataset has no `test/` folder; 0: none. */
  readonly holdOutPercent: number;
}

/** How the gate decides; a run's input may override the metric and the improvement. */
export interface PromotionConfig {
  readonly metric: PromotionMetricName;
  /** The challenger must beat the champion's figure by at least this much, 0-1. */
  readonly minimumImprovement: number;
}

/** What the construct fixes at synth time and passes to every run. */
export interface PipelineConfig {
  readonly resourceNamePrefix: string;
  /** Hyperparameters set on the construct (camelCase); run input may override fields. */
  readonly hyperparameters: Hyperparameters;
  /** The container's own hyperparameters (sagemaker_program, ...), sent as they are. */
  readonly containerHyperparameters: Record<string, string>;
  /** Instance types in fallback order; a run tries the next one after a capacity error. */
  readonly trainingOptions: TrainingOption[];
  /** `s3://…/checkpoints/` for spot training, absent otherwise. */
  readonly checkpointPrefix?: string;
  readonly evaluation: EvaluationConfig;
  readonly promotion: PromotionConfig;
}
