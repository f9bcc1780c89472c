/**
 * The input `train` starts a run with (README, "Starting a run by hand"): `--set name=value` hyperparameter overrides
 * typed by the algorithm's specification, `--instance-type`, the gate's `--promotion-metric` and
 * `--minimum-improvement` for this run, and the trigger `manual`.
 *
 * It is checked here by the pipeline's own `prepareRun` (lambda/shared/prepare-run.ts) with the pipeline's own
 * configuration, read from the deployed state machine (`pipelineConfigOf`), so that a bad value fails on the user's
 * machine, before a run starts, with the very message the run would have failed with.
 */
import { editDistance } from '../lambda/shared/edit-distance';
import { InvalidRunInput, prepareRun } from '../lambda/shared/prepare-run';
import {
  checkHyperparameters, HYPERPARAMETER_FIELDS, Hyperparameters, hyperparameterKind, hyperparameterWireName,
} from '../lambda/shared/hyperparameter-spec';
import { PROMOTION_METRIC_NAMES, PipelineConfig } from '../lambda/shared/pipeline-config';

/** What the run input holds (the fields prepareRun accepts). */
export interface RunInput {
  readonly trigger: string;
  readonly hyperparameters?: Record<string, unknown>;
  readonly instanceType?: string;
  readonly promotionMetric?: string;
  readonly minimumImprovement?: number;
}

/** The outcome of reading the options: the input, or every problem found (each a full sentence). */
export type RunInputResult = { readonly ok: true; readonly input: RunInput } | { readonly ok: false; readonly problems: readonly string[] };

/** A number as JSON writes it (no hex, no `Infinity`, no blanks), so `--set epochs=0x10` stays text and is refused. */
const NUMBER_TEXT = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Reads `--set` values (`epochs=10`, `learning_rate=0.01`: camelCase or the algorithm's snake_case names) into the
 * run input's `hyperparameters`, typed by the specification: whole and decimal numbers, `true`/`false` for switches
 * (the algorithm's `True`/`False` too), choices as text. A value that does not read as its type is kept as text,
 * so the pipeline's check names it (`... must be a whole number in [1, 1000], got "ten"`).
 */
export function readHyperparameterSettings(settings: readonly string[]): { readonly values: Record<string, unknown>; readonly problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const setting of settings) {
    const equals = setting.indexOf('=');
    if (equals <= 0) {
      problems.push(`--set ${JSON.stringify(setting)} must be name=value, for example --set epochs=10`);
      continue;
    }
    const name = setting.slice(0, equals).trim();
    const text = setting.slice(equals + 1).trim();
    const field = fieldNamed(name);
    const key = field ?? name;
    if (Object.prototype.hasOwnProperty.call(values, key)) {
      problems.push(`--set ${key} is given twice; give each hyperparameter once`);
      continue;
    }
    values[key] = field === undefined ? text : typedValue(field, text);
  }
  return { values, problems };
}

/**
 * The run input for `train`, checked as the pipeline checks it. With `config` (read from the state machine), the
 * check is the pipeline's whole `prepareRun`: hyperparameters merged over the stack's own, and the instance type
 * against the pipeline's list. Without it, the hyperparameters alone are checked.
 */
export function buildRunInput(options: {
  readonly set?: readonly string[]; readonly instanceType?: string; readonly promotionMetric?: string; readonly minimumImprovement?: string;
}, config: PipelineConfig | undefined, now: Date): RunInputResult {
  const settings = readHyperparameterSettings(options.set ?? []);
  const gate = readGateOptions(options);
  const input: RunInput = {
    trigger: 'manual',
    ...(Object.keys(settings.values).length > 0 ? { hyperparameters: settings.values } : {}),
    ...(options.instanceType === undefined ? {} : { instanceType: options.instanceType }),
    ...gate.values,
  };
  const problems = [...settings.problems, ...gate.problems, ...pipelineProblems(input, config, now)];
  const hints = Object.keys(settings.values).flatMap((name) => {
    const closest = fieldNamed(name) === undefined ? closestField(name) : undefined;
    return closest === undefined ? [] : [`did you mean --set ${closest}=${String(settings.values[name])}?`];
  });
  return problems.length > 0 ? { ok: false, problems: [...problems, ...hints] } : { ok: true, input };
}

/**
 * `--promotion-metric` and `--minimum-improvement` as run input fields. Without the deployed configuration they are
 * checked here with the rules prepareRun applies (one of the metric names; a number in [0, 1]); with it, prepareRun
 * checks them again and its message is the one shown.
 */
function readGateOptions(options: { readonly promotionMetric?: string; readonly minimumImprovement?: string }): {
  readonly values: Pick<RunInput, 'promotionMetric' | 'minimumImprovement'>; readonly problems: string[];
} {
  const problems: string[] = [];
  const values: { promotionMetric?: string; minimumImprovement?: number } = {};
  if (options.promotionMetric !== undefined) {
    values.promotionMetric = options.promotionMetric;
    if (!(PROMOTION_METRIC_NAMES as readonly string[]).includes(options.promotionMetric)) {
      problems.push(`--promotion-metric must be one of ${PROMOTION_METRIC_NAMES.join(', ')}, got '${options.promotionMetric}'`);
    }
  }
  if (options.minimumImprovement !== undefined) {
    const value = NUMBER_TEXT.test(options.minimumImprovement.trim()) ? Number(options.minimumImprovement) : Number.NaN;
    if (Number.isFinite(value) && value >= 0 && value <= 1) values.minimumImprovement = value;
    else problems.push(`--minimum-improvement must be a number in [0, 1], got '${options.minimumImprovement}'`);
  }
  return { values, problems };
}

/** The pipeline's message for the input (prepareRun's, or with no configuration checkHyperparameters' joined the same way). */
function pipelineProblems(input: RunInput, config: PipelineConfig | undefined, now: Date): string[] {
  if (config === undefined) {
    const problems = checkHyperparameters((input.hyperparameters ?? {}) as Hyperparameters, 'input.hyperparameters');
    return problems.length === 0 ? [] : [problems.join('; ')];
  }
  try {
    // The execution's id and start time only name the run's resources; these names are thrown away.
    prepareRun({ id: 'arn:aws:states:local:000000000000:execution:check:local', name: 'local', startTime: now.toISOString() }, input, config);
    return [];
  } catch (error) {
    if (error instanceof InvalidRunInput) return [error.message];
    throw error;
  }
}

/** The camelCase field a `--set` name stands for: its camelCase or snake_case name, in any letter case. */
function fieldNamed(name: string): keyof Hyperparameters | undefined {
  const folded = name.toLowerCase();
  return HYPERPARAMETER_FIELDS.find((field) => field.toLowerCase() === folded || hyperparameterWireName(field) === folded);
}

/** The field closest to a mistyped name, when it is close enough to be what was meant (at most 3 edits). */
function closestField(name: string): keyof Hyperparameters | undefined {
  const folded = name.toLowerCase().replace(/[_-]/g, '');
  let best: { field: keyof Hyperparameters; distance: number } | undefined;
  for (const field of HYPERPARAMETER_FIELDS) {
    const distance = editDistance(folded, field.toLowerCase());
    if (best === undefined || distance < best.distance) best = { field, distance };
  }
  return best !== undefined && best.distance <= Math.min(3, Math.floor(folded.length / 2)) ? best.field : undefined;
}

function typedValue(field: keyof Hyperparameters, text: string): unknown {
  const { kind } = hyperparameterKind(field);
  switch (kind) {
    case 'boolean':
      return /^true$/i.test(text) ? true : /^false$/i.test(text) ? false : text;
    case 'int':
    case 'float':
      return NUMBER_TEXT.test(text) ? Number(text) : text;
    case 'choice':
      return text;
  }
}
