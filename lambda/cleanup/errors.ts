/**
 * Which AWS errors mean "already gone" (success for a cleanup), which mean "try again on the next poll", and the
 * error that fails the custom resource, naming the action and the resource.
 *
 * SageMaker has no not-found error for these operations: it answers `ValidationException` with a message
 * `Could not find endpoint "arn:..."` / `Could not find endpoint configuration "..."` / `Could not find model "..."`
 * (the prefixes the AWS SageMaker Operator for Kubernetes and the Terraform AWS provider match on). Application Auto
 * Scaling answers `ObjectNotFoundException`.
 */

/** The SageMaker resource kinds, as their not-found messages name them. */
export type SageMakerResourceKind = 'endpoint' | 'endpoint configuration' | 'model';

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** SageMaker's "Could not find <kind> ..." (and not the longer kind that starts with the same words). */
export function isSageMakerNotFound(error: unknown, kind: SageMakerResourceKind): boolean {
  if (nameOf(error) !== 'ValidationException') return false;
  const message = messageOf(error);
  const lead = `Could not find ${kind}`;
  return message.startsWith(lead) && !message.slice(lead.length).startsWith(' configuration');
}

/** SageMaker refused an operation for another reason given as a ValidationException (e.g. an in-progress endpoint). */
export function isSageMakerValidation(error: unknown): boolean {
  return nameOf(error) === 'ValidationException';
}

export function isScalableTargetNotFound(error: unknown): boolean {
  return nameOf(error) === 'ObjectNotFoundException';
}

/** Application Auto Scaling is still applying another change to the target; the next poll tries again. */
export function isConcurrentUpdate(error: unknown): boolean {
  return nameOf(error) === 'ConcurrentUpdateException';
}

/** A failure that ends the cleanup: CloudFormation shows its message as the resource's status reason. */
export class CleanupError extends Error {
  constructor(action: string, resource: string, cause: unknown) {
    const name = nameOf(cause);
    const label = name === '' || name === 'Error' ? '' : `${name}: `;
    super(`could not ${action} ${resource}: ${label}${messageOf(cause)}`, { cause });
    this.name = 'CleanupError';
  }
}
