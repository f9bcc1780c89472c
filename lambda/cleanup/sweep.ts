/**
 * One idempotent pass over what the pipeline left behind for one endpoint and one resource name prefix:
 * 1. deregister the Application Auto Scaling targets of the endpoint's variants (their scaling policies and scheduled
 *    actions go with them);
 * 2. delete the endpoint (SageMaker then takes a few minutes in `Deleting`);
 * 3. delete the champion record the pipeline keeps for the endpoint (an SSM parameter, see contract.ts);
 * 4. delete every endpoint config, then every model, named `${prefix}-${runId}`.
 *
 * Each list is read to the end before anything in it is deleted (a NextToken need not survive deletions between
 * pages). A resource that is already gone counts as done. The pass is complete only when it found nothing at all:
 * no scalable target, no endpoint, no config, no model; so whatever it deleted is confirmed by the next pass's
 * listing. Nothing outside the endpoint name and the exact naming rule is ever touched.
 */
import {
  ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  paginateDescribeScalableTargets,
  ScalableDimension,
  ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  paginateListEndpointConfigs,
  paginateListModels,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DeleteParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from '../shared/log';
import { championParameterName, CleanupTarget, SAGEMAKER_SERVICE_NAMESPACE, variantResourceIdPrefix } from '../shared/cleanup-contract';
import { isPipelineResourceName } from '../shared/sagemaker-names';
import {
  CleanupError,
  isConcurrentUpdate,
  isSageMakerNotFound,
  isSageMakerValidation,
  isScalableTargetNotFound,
  SageMakerResourceKind,
} from './errors';

export interface CleanupClients {
  readonly sageMaker: SageMakerClient;
  readonly autoScaling: ApplicationAutoScalingClient;
  readonly ssm: SSMClient;
  /** Reads the stack's resources before a Delete (claims.ts); the sweep itself does not use it. */
  readonly cloudFormation: CloudFormationClient;
}

/** What one pass found still present (each entry names the resource and its state). Empty: the cleanup is done. */
export interface SweepResult {
  readonly complete: boolean;
  readonly outstanding: readonly string[];
}

/** Largest page each list operation allows. */
const SAGEMAKER_PAGE_SIZE = 100;
const AUTOSCALING_PAGE_SIZE = 50;

/** Endpoint states in which SageMaker may refuse DeleteEndpoint ("Cannot update in-progress endpoint"). */
const IN_PROGRESS_STATUSES: readonly string[] = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack'];

export async function sweep(target: CleanupTarget, clients: CleanupClients, log: Logger): Promise<SweepResult> {
  const outstanding = [
    ...await deregisterScalableTargets(target.endpointName, clients.autoScaling, log),
    ...await deleteEndpoint(target.endpointName, clients.sageMaker, log),
    ...await deleteChampionRecord(target.endpointName, clients.ssm, log),
    ...await deleteNamed('endpoint configuration', target.resourceNamePrefix, clients.sageMaker, log),
    ...await deleteNamed('model', target.resourceNamePrefix, clients.sageMaker, log),
  ];
  return { complete: outstanding.length === 0, outstanding };
}

async function deregisterScalableTargets(endpointName: string, client: ApplicationAutoScalingClient, log: Logger): Promise<string[]> {
  const targets = await listVariantScalableTargets(endpointName, client);
  const outstanding: string[] = [];
  for (const { ResourceId: resourceId, ScalableDimension: dimension } of targets) {
    const resource = `scalable target ${resourceId} (${dimension})`;
    try {
      await client.send(new DeregisterScalableTargetCommand({ ServiceNamespace: SAGEMAKER_SERVICE_NAMESPACE, ResourceId: resourceId, ScalableDimension: dimension }));
      log.info('scalable-target-deregistered', { resourceId, scalableDimension: dimension });
      outstanding.push(`${resource}: deregistered, not yet confirmed`);
    } catch (error) {
      if (isScalableTargetNotFound(error)) {
        log.info('scalable-target-already-gone', { resourceId, scalableDimension: dimension });
      } else if (isConcurrentUpdate(error)) {
        log.warn('scalable-target-busy', { resourceId, scalableDimension: dimension, error });
        outstanding.push(`${resource}: another change is in progress, deregistration retried`);
      } else {
        throw new CleanupError('deregister', resource, error);
      }
    }
  }
  return outstanding;
}

/**
 * Every SageMaker scalable target whose resource id is one of the endpoint's variants. DescribeScalableTargets filters
 * only by exact resource ids, and the variant names are unknown once the endpoint is gone, so the whole `sagemaker`
 * namespace is listed and filtered here.
 */
async function listVariantScalableTargets(endpointName: string, client: ApplicationAutoScalingClient): Promise<Array<ScalableTarget & { ResourceId: string; ScalableDimension: ScalableDimension }>> {
  const prefix = variantResourceIdPrefix(endpointName);
  const found: Array<ScalableTarget & { ResourceId: string; ScalableDimension: ScalableDimension }> = [];
  try {
    const pages = paginateDescribeScalableTargets({ client }, { ServiceNamespace: SAGEMAKER_SERVICE_NAMESPACE, MaxResults: AUTOSCALING_PAGE_SIZE });
    for await (const page of pages) {
      for (const target of page.ScalableTargets ?? []) {
        // Stryker disable next-line ConditionalExpression: DescribeScalableTargets always gives the dimension (the test only narrows the type)
        if (target.ResourceId?.startsWith(prefix) && target.ScalableDimension !== undefined) {
          found.push(target as ScalableTarget & { ResourceId: string; ScalableDimension: ScalableDimension });
        }
      }
    }
  } catch (error) {
    throw new CleanupError('list', `the scalable targets of endpoint ${endpointName} (${prefix}*)`, error);
  }
  return found;
}

async function deleteEndpoint(endpointName: string, client: SageMakerClient, log: Logger): Promise<string[]> {
  const resource = `endpoint ${endpointName}`;
  let status: string;
  try {
    const described = await client.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
    // Stryker disable next-line StringLiteral: DescribeEndpoint always gives the status; the fallback is for the type
    status = described.EndpointStatus ?? 'unknown';
  } catch (error) {
    if (isSageMakerNotFound(error, 'endpoint')) {
      log.info('endpoint-gone', { endpointName });
      return [];
    }
    throw new CleanupError('describe', resource, error);
  }
  if (status === 'Deleting') {
    log.info('endpoint-deleting', { endpointName });
    return [`${resource}: Deleting`];
  }
  try {
    await client.send(new DeleteEndpointCommand({ EndpointName: endpointName }));
    log.info('endpoint-delete-started', { endpointName, previousStatus: status });
    return [`${resource}: deletion started (was ${status})`];
  } catch (error) {
    if (isSageMakerNotFound(error, 'endpoint')) {
      log.info('endpoint-already-gone', { endpointName });
      return [];
    }
    if (isSageMakerValidation(error) && IN_PROGRESS_STATUSES.includes(status)) {
      log.warn('endpoint-delete-deferred', { endpointName, status, error });
      return [`${resource}: ${status}, deletion retried when it settles`];
    }
    throw new CleanupError('delete', resource, error);
  }
}

async function deleteChampionRecord(endpointName: string, client: SSMClient, log: Logger): Promise<string[]> {
  const name = championParameterName(endpointName);
  try {
    await client.send(new DeleteParameterCommand({ Name: name }));
    log.info('champion-record-deleted', { name });
    return [`champion record ${name}: deleted, not yet confirmed`];
  } catch (error) {
    // Stryker disable next-line OptionalChaining: the SDK never throws undefined or null
    if ((error as Error)?.name === 'ParameterNotFound') return [];
    throw new CleanupError('delete', `champion record ${name}`, error);
  }
}

async function deleteNamed(kind: 'endpoint configuration' | 'model', prefix: string, client: SageMakerClient, log: Logger): Promise<string[]> {
  const names = await listPipelineNames(kind, prefix, client);
  const outstanding: string[] = [];
  for (const name of names) {
    try {
      if (kind === 'model') await client.send(new DeleteModelCommand({ ModelName: name }));
      else await client.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name }));
      log.info(kind === 'model' ? 'model-deleted' : 'endpoint-config-deleted', { name });
      outstanding.push(`${kind} ${name}: deleted, not yet confirmed`);
    } catch (error) {
      if (!isSageMakerNotFound(error, kind)) throw new CleanupError('delete', `${kind} ${name}`, error);
      log.info(kind === 'model' ? 'model-already-gone' : 'endpoint-config-already-gone', { name });
    }
  }
  return outstanding;
}

/**
 * Names of every model or endpoint config that is exactly `${prefix}-${runId}`. NameContains narrows the listing
 * server-side (it also returns `x${prefix}…` and `${prefix}2-…`); the exact rule is applied here.
 */
async function listPipelineNames(kind: SageMakerResourceKind, prefix: string, client: SageMakerClient): Promise<string[]> {
  const input = { NameContains: prefix, MaxResults: SAGEMAKER_PAGE_SIZE };
  // Stryker disable next-line ArrayDeclaration: any name that is not exactly `${prefix}-${runId}` is filtered out below
  const names: string[] = [];
  try {
    if (kind === 'model') {
      for await (const page of paginateListModels({ client }, input)) {
        // Stryker disable next-line StringLiteral: listings always name their items; an empty or other name is filtered out below
        names.push(...(page.Models ?? []).map((model) => model.ModelName ?? ''));
      }
    } else {
      for await (const page of paginateListEndpointConfigs({ client }, input)) {
        // Stryker disable next-line StringLiteral: listings always name their items; an empty or other name is filtered out below
        names.push(...(page.EndpointConfigs ?? []).map((config) => config.EndpointConfigName ?? ''));
      }
    }
  } catch (error) {
    throw new CleanupError('list', `the ${kind}s whose names contain '${prefix}'`, error);
  }
  return [...new Set(names.filter((name) => isPipelineResourceName(name, prefix)))];
}
