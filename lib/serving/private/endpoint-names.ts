import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  HASH_LENGTH, isSageMakerName, RESOURCE_NAME_PREFIX_MAX_LENGTH, SAGEMAKER_NAME_MAX_LENGTH, SAGEMAKER_NAME_PATTERN, shortHash,
} from '../../../lambda/shared/sagemaker-names';

// The naming rule the retraining pipeline and the cleanup rely on is in lambda/shared/sagemaker-names.ts; this module
// adds what needs the construct tree or tokens.

/** A derived endpoint name fits the prefix as it is, so its uniqueness hash is never cut off. */
const DERIVED_NAME_MAX_LENGTH = RESOURCE_NAME_PREFIX_MAX_LENGTH;

/**
 * A deterministic endpoint name: the stack name and the classifier's identity (`identity`, the ids from the
 * classifier down: `[identity, 'Endpoint']` for an ImageClassifier, `['Endpoint']` for a ClassifierEndpoint used
 * alone), lowercased to `[a-z0-9-]`, cut to fit, plus a hash of both. The wrappers above the classifier are not
 * part of it, so moving the classifier in the construct tree keeps its endpoint (a classifier at the top of its stack
 * keeps the name versions before this one derived from its path). At most 38 characters, a literal string.
 *
 * `scope` is told at synth (an info annotation) what the name comes from and what renaming does, and warned when the
 * earlier, path-based derivation gave another name (an endpoint deployed by such a version would be replaced).
 */
export function deriveEndpointName(scope: Construct, identity: readonly string[]): string {
  const stack = Stack.of(scope);
  const stackName = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const name = nameFrom(stackName, identity.join('/'));
  const pathInStack = scope.node.scopes.slice(stack.node.scopes.length).map((c) => c.node.id);
  const formerPath = [...pathInStack, ...identity.slice(1)].join('/');
  const former = nameFrom(stackName, formerPath);
  Annotations.of(scope).addInfo(`Endpoint name '${name}' comes from the stack name '${stackName}' and '${identity.join('/')}', `
    + 'not from the construct path. Renaming the stack or changing that, or setting another endpointName, renames the '
    + 'endpoint: the deploy deletes the old endpoint and the next promotion creates the new one. '
    + `Set endpointName: '${name}' to keep it whatever you rename.`);
  if (former !== name) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-image-classifier:endpointNameDerivation',
      `Earlier versions of this library named this classifier's endpoint '${former}' (from its construct path); this version names it `
      + `'${name}'. If '${former}' is deployed, set endpointName: '${former}' to keep serving from it; otherwise the `
      + 'deploy deletes it and the endpoint is back only at the next promotion.');
  }
  return name;
}

function nameFrom(stackName: string, identity: string): string {
  const hash = shortHash(`${stackName}/${identity}`);
  const readable = `${stackName}-${identity}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '');
  const head = readable.slice(0, DERIVED_NAME_MAX_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '');
  return head ? `${head}-${hash}` : `endpoint-${hash}`;
}

/**
 * Refuses a second endpoint of the same name (SageMaker names are case-insensitive) in one stack, naming both
 * constructs and the fix: the two would share one SageMaker endpoint and the cleanup of either would delete it.
 */
export function claimEndpointName(scope: Construct, endpointName: string): string[] {
  if (Token.isUnresolved(endpointName)) return [];
  const stack = Stack.of(scope);
  let names = CLAIMED_NAMES.get(stack);
  if (names === undefined) CLAIMED_NAMES.set(stack, names = new Map());
  const key = endpointName.toLowerCase();
  const holder = names.get(key);
  if (holder !== undefined && holder !== scope.node.path) {
    return [`endpoint name '${endpointName}' is already the endpoint of ${holder} in this stack; give one of them another `
      + 'endpointName (or another construct id): two classifiers cannot share one endpoint'];
  }
  names.set(key, scope.node.path);
  return [];
}

const CLAIMED_NAMES = new WeakMap<Stack, Map<string, string>>();

/** Problems with a name SageMaker takes as an endpoint, endpoint configuration or variant name. */
export function validateSageMakerName(name: string, path: string): string[] {
  if (Token.isUnresolved(name)) {
    return [`${path} must be a literal string: the retraining pipeline and the cleanup derive resource names from it`];
  }
  if (!isSageMakerName(name)) {
    return [
      `${path} must be 1-${SAGEMAKER_NAME_MAX_LENGTH} letters, digits and hyphens, starting and ending with a letter or digit `
      + `(${SAGEMAKER_NAME_PATTERN.source}), got '${name}'`,
    ];
  }
  return [];
}

/** Whether `value` is a Step Functions JSONata expression (`{% … %}`), which is only known at run time. */
export function isJsonataExpression(value: string): boolean {
  return /^\{%[\s\S]*%\}$/.test(value);
}
