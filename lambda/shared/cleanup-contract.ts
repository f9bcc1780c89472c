/**
 * What the EndpointCleanup construct and its handler must agree on: the custom resource's property names, the
 * naming rule of the resources the pipeline creates, the physical resource id and the environment. Pure: no AWS SDK,
 * no CDK, so both sides can import it. The naming rule itself is in sagemaker-names.ts.
 */
import { isResourceNamePrefix, isSageMakerName, RESOURCE_NAME_PREFIX_MAX_LENGTH, SAGEMAKER_NAME_PATTERN } from './sagemaker-names';

/** Names of the custom resource's properties. */
export const ResourceProperty = {
  /** name of the SageMaker endpoint the pipeline creates and updates (required) */
  ENDPOINT_NAME: 'EndpointName',
  /** `P` in the `${P}-${runId}` names of the pipeline's models and endpoint configs (required) */
  RESOURCE_NAME_PREFIX: 'ResourceNamePrefix',
} as const;

/** Names of the environment variables the handler reads. */
export const EnvironmentVariable = {
  /**
   * Seconds after the Delete began at which `isComplete` stops waiting and fails with a message naming what is
   * left, instead of the Provider framework's bare "Operation timed out" (optional; without it, it never gives up).
   */
  GIVE_UP_AFTER_SECONDS: 'CLEANUP_GIVE_UP_AFTER_SECONDS',
} as const;

/** SageMaker's Application Auto Scaling service namespace, and the dimensions a variant can be scaled on. */
export const SAGEMAKER_SERVICE_NAMESPACE = 'sagemaker';
export const VARIANT_SCALABLE_DIMENSIONS: readonly string[] = [
  'sagemaker:variant:DesiredInstanceCount',
  'sagemaker:variant:DesiredProvisionedConcurrency',
];

/** What one custom resource cleans up. */
export interface CleanupTarget {
  readonly endpointName: string;
  readonly resourceNamePrefix: string;
}

/** Problems with the endpoint name, empty when it is a valid SageMaker name. */
export function endpointNameProblems(value: unknown): string[] {
  if (typeof value !== 'string' || !isSageMakerName(value)) {
    return [`${ResourceProperty.ENDPOINT_NAME} must be a SageMaker endpoint name (1-63 letters, digits and hyphens, ${SAGEMAKER_NAME_PATTERN.source}), got ${JSON.stringify(value)}`];
  }
  return [];
}

/** Problems with the resource name prefix, empty when `${prefix}-${runId}` is always a valid SageMaker name. */
export function resourceNamePrefixProblems(value: unknown): string[] {
  if (typeof value !== 'string' || !isResourceNamePrefix(value)) {
    return [`${ResourceProperty.RESOURCE_NAME_PREFIX} must be 1-${RESOURCE_NAME_PREFIX_MAX_LENGTH} letters, digits and hyphens, starting and ending with a letter or digit, got ${JSON.stringify(value)}`];
  }
  return [];
}

/** The target named by the resource properties, or every problem with them. */
export function parseTarget(properties: unknown): { readonly target: CleanupTarget } | { readonly problems: string[] } {
  const record = typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {};
  const endpointName = record[ResourceProperty.ENDPOINT_NAME];
  const resourceNamePrefix = record[ResourceProperty.RESOURCE_NAME_PREFIX];
  const problems = [...endpointNameProblems(endpointName), ...resourceNamePrefixProblems(resourceNamePrefix)];
  if (problems.length > 0) return { problems };
  return { target: { endpointName: endpointName as string, resourceNamePrefix: resourceNamePrefix as string } };
}

/**
 * The physical id of the custom resource that cleans up `endpointName`. Stable per endpoint name, so only a change of
 * endpoint name replaces the resource. Lower-cased because SageMaker treats names that differ only in case as the same
 * resource (its ARNs are lower case): a case-only rename must not make CloudFormation delete "the old" endpoint, which
 * is the live one.
 */
export function physicalResourceId(endpointName: string): string {
  return `sagemaker-endpoint-cleanup:${endpointName.toLowerCase()}`;
}

/** The scalable targets of the endpoint's variants all have resource ids starting with this. */
export function variantResourceIdPrefix(endpointName: string): string {
  return `endpoint/${endpointName}/variant/`;
}

/** The CloudFormation type of the cleanup custom resource. */
export const CLEANUP_RESOURCE_TYPE = 'Custom::SageMakerEndpointCleanup';

/**
 * The SSM parameter holding the champion record of `endpointName`: created, overwritten and cleared by the retraining
 * pipeline alone (never by CloudFormation, so no deploy can change it), deleted by the cleanup when the endpoint goes.
 * The pipeline and the cleanup are given the same endpoint name string, so the name is used as it is (no case
 * folding: it may be a CDK token when the construct builds it).
 */
export function championParameterName(endpointName: string): string {
  return `/sagemaker-image-classifier/${endpointName}/champion`;
}
