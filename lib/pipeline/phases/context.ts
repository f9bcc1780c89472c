import type { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { PipelineConfig } from '../../../lambda/shared/pipeline-config';
import type { TrainingJobDefinition } from '../../training/training-job-definition';
import type { BatchInstanceType } from '../../batch/batch-instance-type';
import type { DeploymentStrategy } from '../deployment-strategy';
import type { IRetrainableEndpoint } from '../retraining-pipeline';

/** ARNs of what the pipeline touches; SageMaker lowercases names in ARNs. */
export interface PipelineArns {
  readonly endpoint: string;
  /** Exactly `<prefix>-<run id>`, as lambda/shared/sagemaker-names.ts makes them: one `?` per run id character. */
  readonly endpointConfigs: string;
  readonly models: string;
  /** Exactly `<job prefix>-<run id>-<attempt digit>`. */
  readonly trainingJobs: string;
  /** `<prefix cut>-evalc-<run id>` and `-evals-`: the evaluation's Batch Transform jobs. */
  readonly transformJobs: string;
  readonly stateMachine: string;
  /** Scalable targets get random ids, so their ARNs cannot be named in advance. */
  readonly scalableTargets: string;
}

/** The Batch Transform settings of the evaluation. */
export interface EvaluationSettings {
  readonly instanceType: BatchInstanceType;
  /** A transform job still running after this long is abandoned (and stopped by the failure phase). */
  readonly maxRuntime: Duration;
  /** The endpoint's key: it encrypts the transform instances' volumes and the predictions, as it does the endpoint's. */
  readonly encryptionKey?: kms.IKey;
}

/** Everything the phases of a run need: the construct's settings and the resources the states use. */
export interface PhaseContext {
  /** The scope the states are created in (their ids are the state names). */
  readonly scope: Construct;
  readonly training: TrainingJobDefinition;
  readonly endpoint: IRetrainableEndpoint;
  readonly arns: PipelineArns;
  readonly topic: sns.ITopic;
  readonly championParameter: ssm.IStringParameter;
  readonly stepFunction: lambda.IFunction;
  /** Selects the test set and scores a model's predictions on it (lambda/evaluation). */
  readonly evaluationFunction: lambda.IFunction;
  /** How the evaluation's Batch Transform jobs run. */
  readonly evaluation: EvaluationSettings;
  readonly config: PipelineConfig;
  readonly deployment: DeploymentStrategy;
  readonly scaling: ReturnType<IRetrainableEndpoint['renderScalingRequests']>;
  readonly rollbackAlarmNames: [string, string];
  readonly minimumAccuracy: number;
  readonly minimumImprovement: number;
  readonly keepVersions: number;
  readonly pollIntervalSeconds: number;
  readonly endpointTimeoutSeconds: number;
}

/**
 * Where a run keeps its state (JSONPath): every Catch of the run writes `$.error`, which the failure phase reads;
 * the cleanup's own errors go to `$.cleanupError`, so they never hide the run's.
 */
export const PATHS = {
  error: '$.error',
  cleanupError: '$.cleanupError',
  /**
   * How far the run got: 'creating' (the model, then the endpoint config), 'evaluating' (the model and the
   * evaluation's transform jobs), then 'deploying' (the endpoint).
   */
  stage: '$.stage',
} as const;
