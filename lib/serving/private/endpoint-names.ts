import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  HASH_LENGTH, isSageMakerName, RESOURCE_NAME_PREFIX_MAX_LENGTH, SAGEMAKER_NAME_MAX_LENGTH, SAGEMAKER_NAME_PATTERN, shortHash,
} from '../../../lambda/shared/sagemaker-names';

// The naming rule the retraining pipeline and the cleanup rely on is in lambda/shared/sagemaker-names.ts; this module
// adds what needs the construct tree or tokens.

/** A derived endpoint name fits the prefix as it is, so its uniqueness hash is never cut off. */
const DERIVED_NAME_MAX_LENGTH = RESOURCE_NAME_PREFIX_MAX_LENGTH;

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
