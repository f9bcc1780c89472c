import { isPipelineResourceName } from '../shared/sagemaker-names';

/** An endpoint config as ListEndpointConfigs returns it. */
export interface EndpointConfigSummary {
  readonly EndpointConfigName: string;
  /** Epoch seconds or an ISO timestamp, as the service integration returns it. */
  readonly CreationTime: number | string;
}

export interface SupersededInput {
  readonly configs: EndpointConfigSummary[];
  readonly resourceNamePrefix: string;
  /** How many of the newest versions of this endpoint to keep. */
  readonly keep: number;
  /** This run's config, never deleted. */
  readonly current: string;
}

/**
 * The endpoint configs (and same-named models) a promotion makes obsolete: versions this pipeline created for this
 * endpoint (exactly `<prefix>-<run id>`, so another endpoint whose name merely starts the same is never matched),
 * older than the newest `keep`, and never the one just deployed.
 */
export function supersededVersions(input: SupersededInput): string[] {
  return input.configs
    .filter((config) => isPipelineResourceName(config.EndpointConfigName, input.resourceNamePrefix))
    .sort((a, b) => time(b.CreationTime) - time(a.CreationTime))
    .slice(input.keep)
    .map((config) => config.EndpointConfigName)
    .filter((name) => name !== input.current);
}

function time(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}
