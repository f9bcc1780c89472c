/**
 * What the command line reads from the deployed retraining state machine's definition (DescribeStateMachine): the
 * pipeline configuration the construct rendered into the PrepareRun step's payload (lib/pipeline/phases/guard.ts),
 * so `train` checks a run input against exactly what the deployed pipeline will check it against.
 */
import type { PipelineConfig } from '../lambda/shared/pipeline-config';

/**
 * The configuration passed to the pipeline function's `prepare` action, found wherever that Task state sits in the
 * definition; undefined when the definition has none (a pipeline built by another version of this package).
 */
export function pipelineConfigOf(definitionJson: string): PipelineConfig | undefined {
  let definition: unknown;
  try {
    definition = JSON.parse(definitionJson);
  } catch {
    return undefined;
  }
  for (const state of statesOf(definition)) {
    // The function's ARN as the Resource takes Parameters as the payload; lambda:invoke takes Parameters.Payload.
    const parameters = state.Parameters as (Record<string, unknown> & { Payload?: Record<string, unknown> }) | undefined;
    for (const payload of [parameters, parameters?.Payload]) {
      if (payload?.action === 'prepare' && isPipelineConfig(payload.config)) return payload.config;
    }
  }
  return undefined;
}

/** Every state of a definition, those inside Map and Parallel states included. */
function* statesOf(definition: unknown): Generator<Record<string, unknown>> {
  if (typeof definition !== 'object' || definition === null) return;
  const states = (definition as { States?: unknown }).States;
  if (typeof states !== 'object' || states === null) return;
  for (const state of Object.values(states as Record<string, unknown>)) {
    if (typeof state !== 'object' || state === null) continue;
    const record = state as Record<string, unknown>;
    yield record;
    yield* statesOf(record.ItemProcessor ?? record.Iterator);
    for (const branch of Array.isArray(record.Branches) ? record.Branches : []) yield* statesOf(branch);
  }
}

function isPipelineConfig(value: unknown): value is PipelineConfig {
  const config = value as Partial<PipelineConfig> | undefined;
  return typeof config === 'object' && config !== null && typeof config.resourceNamePrefix === 'string'
    && Array.isArray(config.trainingOptions) && typeof config.hyperparameters === 'object';
}
