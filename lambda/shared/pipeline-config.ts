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
}
