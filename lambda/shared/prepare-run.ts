import { runId, runNames } from './sagemaker-names';
import { Hyperparameters, checkHyperparameters, toHyperparameterMap } from './hyperparameter-spec';
import { PROMOTION_METRIC_NAMES, PipelineConfig, PromotionConfig } from './pipeline-config';

/** The execution's context object fields the run id needs. */
export interface ExecutionContext {
  readonly id: string;
  readonly name: string;
  readonly startTime: string;
}

/** One training attempt: everything CreateTrainingJob needs that differs between attempts. */
export interface TrainingAttempt {
  readonly trainingJobName: string;
  readonly instanceType: string;
  readonly trainingImage: string;
  readonly resourceConfig: Record<string, unknown>;
  readonly checkpointConfig?: { readonly S3Uri: string };
}

/** Where the run's evaluation writes: everything under `folderUri`, which is `<evaluation output><run id>/`. */
export interface EvaluationLocations {
  readonly folderUri: string;
  /** The Batch Transform output folder of each model. */
  readonly predictions: { readonly challenger: string; readonly champion: string };
  /** The evaluation reports (JSON and HTML) of both models. */
  readonly reportsUri: string;
}

export interface PreparedRun {
  readonly runId: string;
  readonly trigger: string;
  readonly names: {
    readonly model: string;
    readonly endpointConfig: string;
    readonly transformJobs: { readonly challenger: string; readonly champion: string };
  };
  /** The gate's metric and improvement for this run: the construct's, or the input's. */
  readonly promotion: PromotionConfig;
  readonly evaluation: EvaluationLocations;
  readonly hyperparameters: Record<string, string>;
  readonly attempts: TrainingAttempt[];
  readonly attemptCount: number;
}

/** The run input is untrusted: a bad one fails the run with this error name before anything is created. */
export class InvalidRunInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRunInput';
  }
}

const INPUT_FIELDS = ['hyperparameters', 'instanceType', 'trigger', 'promotionMetric', 'minimumImprovement'];

/**
 * Validates the execution input (optional `hyperparameters` in camelCase, `instanceType`, `trigger`,
 * `promotionMetric`, `minimumImprovement`) against the construct's configuration and names everything the run will
 * create.
 */
export function prepareRun(execution: ExecutionContext, input: unknown, config: PipelineConfig): PreparedRun {
  const given = input === null || input === undefined ? {} : input;
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new InvalidRunInput(`the execution input must be a JSON object, got ${JSON.stringify(input)}`);
  }
  const fields = given as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(fields)) {
    if (!INPUT_FIELDS.includes(key)) problems.push(`input.${key} is not a run option; allowed: ${INPUT_FIELDS.join(', ')}`);
  }

  const overrides = fields.hyperparameters ?? {};
  // never null: `?? {}` above makes a null input.hyperparameters no overrides
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    problems.push(`input.hyperparameters must be an object of camelCase hyperparameters, got ${JSON.stringify(overrides)}`);
  }
  const hyperparameters = { ...config.hyperparameters, ...(typeof overrides === 'object' ? overrides : {}) } as Hyperparameters;
  problems.push(...checkHyperparameters(hyperparameters, 'input.hyperparameters'));

  let options = config.trainingOptions;
  if (fields.instanceType !== undefined) {
    const allowed = config.trainingOptions.map((option) => option.instanceType);
    const chosen = config.trainingOptions.find((option) => option.instanceType === fields.instanceType);
    if (!chosen) {
      problems.push(`input.instanceType must be one of the pipeline's training instance types (${allowed.join(', ')}), got ${JSON.stringify(fields.instanceType)}`);
    } else {
      options = [chosen, ...config.trainingOptions.filter((option) => option !== chosen)];
    }
  }
  const trigger = fields.trigger ?? 'manual';
  if (typeof trigger !== 'string' || !/^[a-z-]{1,32}$/.test(trigger)) {
    problems.push(`input.trigger must be a short lowercase word such as 'manual', got ${JSON.stringify(fields.trigger)}`);
  }
  const promotion = promotionOf(fields, config.promotion, problems);
  if (problems.length > 0) throw new InvalidRunInput(problems.join('; '));

  const id = runId(execution.id, execution.startTime);
  const names = runNames(config.resourceNamePrefix, id, options.length);
  return {
    runId: id,
    trigger: trigger as string,
    names: { model: names.model, endpointConfig: names.endpointConfig, transformJobs: names.transformJobs },
    promotion,
    evaluation: evaluationLocations(`${config.evaluation.outputUri}${id}/`),
    // Stryker disable next-line StringLiteral: the path only names fields in errors, and these hyperparameters were checked above
    hyperparameters: { ...toHyperparameterMap(hyperparameters, 'input.hyperparameters'), ...config.containerHyperparameters },
    attempts: options.map((option, index) => ({
      trainingJobName: names.trainingJobs[index],
      instanceType: option.instanceType,
      trainingImage: option.trainingImage,
      resourceConfig: option.resourceConfig,
      ...(config.checkpointPrefix ? { checkpointConfig: { S3Uri: `${config.checkpointPrefix}${names.trainingJobs[index]}/` } } : {}),
    })),
    attemptCount: options.length,
  };
}

/** The construct's promotion settings with the input's `promotionMetric` and `minimumImprovement`, checked. */
function promotionOf(fields: Record<string, unknown>, configured: PromotionConfig, problems: string[]): PromotionConfig {
  const metric = fields.promotionMetric ?? configured.metric;
  if (!PROMOTION_METRIC_NAMES.includes(metric as never)) {
    problems.push(`input.promotionMetric must be one of ${PROMOTION_METRIC_NAMES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(fields.promotionMetric)}`);
  }
  const improvement = fields.minimumImprovement ?? configured.minimumImprovement;
  if (typeof improvement !== 'number' || !(improvement >= 0 && improvement <= 1)) {
    problems.push(`input.minimumImprovement must be a number in [0, 1], got ${JSON.stringify(fields.minimumImprovement)}`);
  }
  return { metric: metric as PromotionConfig['metric'], minimumImprovement: improvement as number };
}

function evaluationLocations(folderUri: string): EvaluationLocations {
  return {
    folderUri,
    predictions: { challenger: `${folderUri}predictions/challenger/`, champion: `${folderUri}predictions/champion/` },
    reportsUri: `${folderUri}reports/`,
  };
}
