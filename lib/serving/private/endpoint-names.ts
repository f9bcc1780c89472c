import * as crypto from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SAGEMAKER_LIMITS } from '../../private/algorithm-facts';

/**
 * The naming rule the retraining pipeline and the cleanup rely on:
 * - the endpoint has one stable name for the life of the stack;
 * - models and endpoint configurations are named `<resource name prefix>-<suffix>`, where the prefix is at most
 *   38 characters, so that a 24-character run id (`20261128-120000-a1b2c3d4`) keeps the name within SageMaker's 63.
 */
export const RESOURCE_NAME_PREFIX_MAX_LENGTH = 38;
/** A derived endpoint name fits the prefix as it is, so its uniqueness hash is never cut off. */
const DERIVED_NAME_MAX_LENGTH = RESOURCE_NAME_PREFIX_MAX_LENGTH;
const HASH_LENGTH = 8;

/** First 8 hex digits of the SHA-256 of `text`. */
export function shortHash(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * A deterministic endpoint name for `scope`: the stack name and the construct path within the stack, lowercased to
 * `[a-z0-9-]`, cut to fit, plus a hash of both, so two endpoints (or two stacks) never share a name. At most 38
 * characters, a literal string.
 */
export function deriveEndpointName(scope: Construct): string {
  const stack = Stack.of(scope);
  const stackName = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const pathInStack = scope.node.scopes.slice(stack.node.scopes.length).map((c) => c.node.id).join('/');
  const hash = shortHash(`${stackName}/${pathInStack}`);
  const readable = `${stackName}-${pathInStack}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '');
  const head = readable.slice(0, DERIVED_NAME_MAX_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '');
  return head ? `${head}-${hash}` : `endpoint-${hash}`;
}

/**
 * The prefix of the names of the models and endpoint configurations an endpoint owns: the endpoint name when it has
 * at most 38 characters; otherwise its first 29 characters and a hash of the whole name, so that two long names
 * sharing their first 38 characters do not share a prefix (the cleanup deletes by prefix).
 */
export function resourceNamePrefix(endpointName: string): string {
  if (endpointName.length <= RESOURCE_NAME_PREFIX_MAX_LENGTH) return endpointName;
  const head = endpointName.slice(0, RESOURCE_NAME_PREFIX_MAX_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${shortHash(endpointName)}`;
}

/** Problems with a name SageMaker takes as an endpoint, endpoint configuration or variant name. */
export function validateSageMakerName(name: string, path: string): string[] {
  if (Token.isUnresolved(name)) {
    return [`${path} must be a literal string: the retraining pipeline and the cleanup derive resource names from it`];
  }
  if (name.length > SAGEMAKER_LIMITS.nameMaxLength || !SAGEMAKER_LIMITS.namePattern.test(name)) {
    return [
      `${path} must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit `
      + `(${SAGEMAKER_LIMITS.namePattern.source}), got '${name}'`,
    ];
  }
  return [];
}

/** Whether `value` is a Step Functions JSONata expression (`{% … %}`), which is only known at run time. */
export function isJsonataExpression(value: string): boolean {
  return /^\{%[\s\S]*%\}$/.test(value);
}
