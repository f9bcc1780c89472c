/**
 * Versions of an app's ImageClassifier as a deploy history sees them (placed under wrappers, renamed, given an
 * identity or a fixed endpoint name), their cleanup custom resource, and the requests CloudFormation sends it, played
 * against the cleanup handler as the Provider framework does. Shared by the move test and the deploy-history sweep.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { ImageClassifier } from '../../lib/image-classifier';
import { isComplete, onEvent } from '../../lambda/cleanup';
import { CleanupEvent } from '../../lambda/cleanup/handler';
import { CLEANUP_RESOURCE_TYPE } from '../../lambda/shared/cleanup-contract';
import { NO_BUNDLING } from '../helpers';

export interface Placement {
  /** Constructs the classifier sits in, outermost first. */
  readonly wrappers?: readonly string[];
  /** The classifier's construct id (`Classifier` unless given). */
  readonly id?: string;
  readonly identity?: string;
  readonly endpointName?: string;
  readonly startRetrainingOnDeploy?: boolean;
  /** Bundle the functions, as a deploy does: their asset hashes then come from their code alone. */
  readonly bundle?: boolean;
}

/** What CloudFormation knows of the classifier's cleanup resource. */
export interface CleanupResource {
  readonly logicalId: string;
  /** Its properties, less the provider's ServiceToken. */
  readonly properties: Record<string, unknown>;
}

export interface PlacedClassifier {
  readonly stack: Stack;
  readonly classifier: ImageClassifier;
  readonly template: Template;
  readonly cleanup: CleanupResource;
}

/** The classifier placed in stack `prod`, synthesized. */
export function placeClassifier(placement: Placement = {}): PlacedClassifier {
  const app = new App({ builtinCloudFormationValidation: false, context: placement.bundle ? {} : NO_BUNDLING });
  const stack = new Stack(app, 'Prod', { stackName: 'prod', env: { region: 'us-east-1', account: '123456789012' } });
  let scope: Construct = stack;
  for (const wrapper of placement.wrappers ?? []) scope = new Construct(scope, wrapper);
  const classifier = new ImageClassifier(scope, placement.id ?? 'Classifier', {
    startRetrainingOnDeploy: placement.startRetrainingOnDeploy, identity: placement.identity,
    serving: placement.endpointName ? { endpointName: placement.endpointName } : undefined,
  });
  const template = Template.fromStack(stack);
  const resources = Object.entries(template.findResources(CLEANUP_RESOURCE_TYPE));
  if (resources.length !== 1) throw new Error(`expected one ${CLEANUP_RESOURCE_TYPE}, found ${resources.length}`);
  const [logicalId, resource] = resources[0];
  const { ServiceToken: _token, ...properties } = resource.Properties as Record<string, unknown>;
  return { stack, classifier, template, cleanup: { logicalId, properties } };
}

/** The request CloudFormation sends the cleanup resource of `version` in stack `stackId`. */
export function cleanupRequest(stackId: string, type: CleanupEvent['RequestType'], version: CleanupResource, physicalId?: string,
  old?: CleanupResource): CleanupEvent {
  return {
    RequestType: type, RequestId: `cfn-${type}`, StackId: stackId, LogicalResourceId: version.logicalId,
    ResourceProperties: version.properties, ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    ...(old ? { OldResourceProperties: old.properties } : {}),
  };
}

/** onEvent, then isComplete until true (at most 20 polls), calling `check` after each call; the physical id. */
export async function playCleanupRequest(event: CleanupEvent, check: () => void = () => undefined): Promise<string> {
  const context = { awsRequestId: 'lambda-request' };
  const started = await onEvent(event, context);
  check();
  for (let poll = 0; poll < 20; poll += 1) {
    const { IsComplete } = await isComplete({ ...event, ...started }, context);
    check();
    if (IsComplete) return started.PhysicalResourceId;
  }
  throw new Error(`${event.RequestType} of ${event.LogicalResourceId} did not complete in 20 polls`);
}
