/**
 * Whether another cleanup resource of the same stack still claims the endpoint a Delete is about, so the Delete must
 * leave it alone. CloudFormation replaces a custom resource whose logical id changed (the classifier moved in the
 * construct tree, or the provider moved) by creating the new one and then, in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS,
 * deleting the old; an update that rolls back deletes the new one while the old stays. Both carry the same physical id
 * (derived from the endpoint name), so the resource that stays is found by listing the stack's resources: same
 * physical id, another logical id, not being deleted. A stack being deleted claims nothing: everything goes.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import type { Logger } from '../shared/log';
import { CleanupError } from './errors';

/** The logical id of the other resource claiming `physicalResourceId`, or undefined when none does. */
export async function otherClaimant(
  stackId: string, logicalResourceId: string, physicalResourceId: string, client: CloudFormationClient, log: Logger,
): Promise<string | undefined> {
  let status: string | undefined;
  try {
    const described = await client.send(new DescribeStacksCommand({ StackName: stackId }));
    // Stryker disable next-line OptionalChaining: DescribeStacks by stack id answers that one stack or a ValidationError, never an empty list
    status = described.Stacks?.[0]?.StackStatus;
  } catch (error) {
    throw new CleanupError('describe', `stack ${stackId}`, error);
  }
  if (status === 'DELETE_IN_PROGRESS') {
    log.info('stack-deleting', { stackStatus: status });
    return undefined;
  }
  try {
    for await (const page of paginateListStackResources({ client }, { StackName: stackId })) {
      for (const resource of page.StackResourceSummaries ?? []) {
        if (resource.PhysicalResourceId === physicalResourceId
          && resource.LogicalResourceId !== logicalResourceId
          && !String(resource.ResourceStatus).startsWith('DELETE_')) {
          return resource.LogicalResourceId;
        }
      }
    }
  } catch (error) {
    throw new CleanupError('list', `the resources of stack ${stackId}`, error);
  }
  return undefined;
}
