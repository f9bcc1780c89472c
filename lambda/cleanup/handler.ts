/**
 * The custom resource's lifecycle, as the CDK Provider framework drives it, with its dependencies passed in
 * (index.ts wires the real AWS SDK clients and the environment; tests can wire anything).
 *
 * - Create, Update: nothing is created. The physical id is derived from the endpoint name (cleanup-contract.ts), so renaming
 *   the endpoint replaces the resource: CloudFormation then sends a Delete for the previous id, with the previous
 *   properties, during the update's cleanup phase, and that Delete removes the previous endpoint, its scaling targets
 *   and the previous prefix's models and configs; never the new endpoint, whose name differs. When the prefix stayed
 *   the same, those are the current prefix's models and configs: at that point they served only the old endpoint,
 *   unless a pipeline run raced the deployment (it then fails and the next run starts afresh).
 * - Delete of a resource whose endpoint another resource of the stack still claims (claims.ts: the classifier moved in
 *   the construct tree, so CloudFormation created its new cleanup resource and now deletes the old one; or an update
 *   rolling back deletes the new one): nothing is touched, the endpoint keeps serving.
 * - Delete: `onEvent` runs one sweep (sweep.ts) and records when it began; `isComplete` sweeps again on every poll
 *   (which also removes what a pipeline run still in flight created meanwhile) until a pass finds nothing left.
 *   A Delete whose physical id is not the one this version derives from its properties (a resource left by a different
 *   id scheme) touches nothing: the resource that owns the endpoint now is another one.
 * - `isComplete` answers true at once for Create and Update (the framework calls it for every request type).
 */
import { createLogger, Logger, LogSink } from '../shared/log';
import { CleanupTarget, EnvironmentVariable, parseTarget, physicalResourceId, ResourceProperty } from '../shared/cleanup-contract';
import { otherClaimant } from './claims';
import { CleanupClients, sweep } from './sweep';

/** The parts of a CloudFormation custom resource request (as the Provider framework forwards it) the handler reads. */
export interface CleanupEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId?: string;
  readonly LogicalResourceId?: string;
  readonly StackId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Readonly<Record<string, unknown>>;
  readonly OldResourceProperties?: Readonly<Record<string, unknown>>;
  /** Set by `onEvent` on a Delete (ISO 8601) and passed on to `isComplete` by the framework. */
  readonly CleanupStartedAt?: string;
  /** Set by `onEvent` on a Delete that another resource's claim stops: the logical id of that resource. */
  readonly ClaimedBy?: string;
}

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly CleanupStartedAt?: string;
  readonly ClaimedBy?: string;
}

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
}

/** The parts of the Lambda context the handler reads. */
export interface LambdaContext {
  readonly awsRequestId: string;
}

export interface CleanupHandlerDependencies {
  /** The SDK clients, created on first use. */
  readonly clients: () => CleanupClients;
  /** See EnvironmentVariable.GIVE_UP_AFTER_SECONDS; undefined: never give up (the framework's timeout ends it). */
  readonly giveUpAfterSeconds?: number;
  readonly now?: () => Date;
  /** where log lines go; default stdout */
  readonly logSink?: LogSink;
}

export interface CleanupHandlers {
  onEvent(event: CleanupEvent, context?: LambdaContext): Promise<OnEventResponse>;
  isComplete(event: CleanupEvent, context?: LambdaContext): Promise<IsCompleteResponse>;
}

/** GIVE_UP_AFTER_SECONDS from an environment: a positive number, or undefined when absent or not one. */
export function readGiveUpAfterSeconds(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env[EnvironmentVariable.GIVE_UP_AFTER_SECONDS];
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export function createCleanupHandlers(deps: CleanupHandlerDependencies): CleanupHandlers {
  const now = deps.now ?? (() => new Date());
  const loggerFor = (event: CleanupEvent, context?: LambdaContext): Logger =>
    createLogger(context?.awsRequestId ?? event.RequestId ?? 'unknown', deps.logSink, {
      requestType: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      physicalResourceId: event.PhysicalResourceId,
    });

  return {
    async onEvent(event, context) {
      const log = loggerFor(event, context);
      switch (event.RequestType) {
        case 'Create':
        case 'Update':
          return { PhysicalResourceId: createOrUpdate(event, log) };
        case 'Delete': {
          const physicalId = event.PhysicalResourceId ?? '';
          const target = deletionTarget(event, log);
          if (target === undefined) return { PhysicalResourceId: physicalId };
          const claimedBy = await claimant(event, deps.clients(), log);
          if (claimedBy !== undefined) {
            log.info('delete-skipped-still-claimed', { ...target, claimedBy });
            return { PhysicalResourceId: physicalId, ClaimedBy: claimedBy };
          }
          const startedAt = now().toISOString();
          log.info('cleanup-started', { ...target });
          const result = await sweep(target, deps.clients(), log);
          log.info('sweep-finished', { outstanding: result.outstanding });
          return { PhysicalResourceId: physicalId, CleanupStartedAt: startedAt };
        }
        default:
          throw new Error(`unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}`);
      }
    },

    async isComplete(event, context) {
      if (event.RequestType !== 'Delete' || event.ClaimedBy !== undefined) return { IsComplete: true };
      const log = loggerFor(event, context);
      const target = deletionTarget(event, log);
      if (target === undefined) return { IsComplete: true };
      const result = await sweep(target, deps.clients(), log);
      if (result.complete) {
        log.info('cleanup-complete', { ...target });
        return { IsComplete: true };
      }
      const elapsedSeconds = secondsSince(event.CleanupStartedAt, now());
      log.info('cleanup-waiting', { outstanding: result.outstanding, elapsedSeconds });
      if (deps.giveUpAfterSeconds !== undefined && elapsedSeconds !== undefined && elapsedSeconds >= deps.giveUpAfterSeconds) {
        log.error('cleanup-gave-up', { outstanding: result.outstanding, elapsedSeconds });
        throw new Error(`endpoint cleanup gave up after ${Math.round(elapsedSeconds)} s with ${result.outstanding.length} resource(s) left: ${result.outstanding.join('; ')}`);
      }
      return { IsComplete: false };
    },
  };
}

/** Validates the properties of a Create or Update and returns the physical id. */
function createOrUpdate(event: CleanupEvent, log: Logger): string {
  const parsed = parseTarget(event.ResourceProperties);
  if ('problems' in parsed) throw new Error(`invalid properties: ${parsed.problems.join('; ')}`);
  const id = physicalResourceId(parsed.target.endpointName);
  if (event.RequestType === 'Update') {
    const previous = parseTarget(event.OldResourceProperties);
    const previousPrefix = 'target' in previous ? previous.target.resourceNamePrefix : undefined;
    if (id !== event.PhysicalResourceId) {
      // CloudFormation will send a Delete for the previous id, with the previous properties, once the update succeeds.
      log.info('endpoint-renamed', { previousPhysicalResourceId: event.PhysicalResourceId, physicalResourceId: id, ...parsed.target });
    } else if (previousPrefix !== undefined && previousPrefix !== parsed.target.resourceNamePrefix) {
      // Same endpoint, so no replacement and no Delete: the previous prefix's models and configs (one of which may be
      // serving the live endpoint) are no longer swept by this resource.
      log.warn('resource-name-prefix-changed', {
        previousResourceNamePrefix: previousPrefix,
        resourceNamePrefix: parsed.target.resourceNamePrefix,
        note: `models and endpoint configs named ${previousPrefix}-<run id> are no longer deleted with the stack; delete them by hand once unused`,
      });
    }
  }
  log.info('nothing-to-do', { ...parsed.target, physicalResourceId: id });
  return id;
}

/** The target of a Delete, or undefined (logged) when this Delete must touch nothing. */
function deletionTarget(event: CleanupEvent, log: Logger): CleanupTarget | undefined {
  const parsed = parseTarget(event.ResourceProperties);
  if ('problems' in parsed) {
    // Create refuses such properties, so nothing was ever created under them.
    log.warn('delete-skipped-invalid-properties', { problems: parsed.problems });
    return undefined;
  }
  const expected = physicalResourceId(parsed.target.endpointName);
  if (event.PhysicalResourceId !== expected) {
    log.warn('delete-skipped-foreign-physical-id', {
      expectedPhysicalResourceId: expected,
      [ResourceProperty.ENDPOINT_NAME]: parsed.target.endpointName,
    });
    return undefined;
  }
  return parsed.target;
}

/**
 * The logical id of another resource of the stack that still claims this Delete's endpoint (claims.ts), or undefined.
 * Without a stack id (never the case for CloudFormation's requests) nothing can claim it.
 */
async function claimant(event: CleanupEvent, clients: CleanupClients, log: Logger): Promise<string | undefined> {
  if (event.StackId === undefined || event.LogicalResourceId === undefined || event.PhysicalResourceId === undefined) return undefined;
  return otherClaimant(event.StackId, event.LogicalResourceId, event.PhysicalResourceId, clients.cloudFormation, log);
}

function secondsSince(iso: string | undefined, now: Date): number | undefined {
  const started = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(started) ? undefined : (now.getTime() - started) / 1000;
}
