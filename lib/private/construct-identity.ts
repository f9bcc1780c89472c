import { Annotations, Aspects, CfnElement, IAspect, Names, Stack, Token, UniqueResourceNameOptions } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/**
 * A classifier's identity: the name its resources are known by to CloudFormation, instead of its construct path.
 *
 * CloudFormation knows a resource by its logical id, and aws-cdk-lib derives that id from the construct path, so
 * wrapping a classifier in one more construct would replace every resource in it: a new, empty dataset bucket (the
 * old one retained, orphaned with the images), new roles, a new function URL, a new state machine (stopping a run in
 * progress), a new topic whose email subscription waits for confirmation again. Under an identity root, every
 * CloudFormation element takes the logical id (and the path-derived names, such as state machine names, the value)
 * it would have if the root sat at the top of its stack under the construct id `identity`: a classifier at the top of
 * its stack keeps the ids it always had, and moving it anywhere in the tree changes none.
 *
 * The ids are aws-cdk-lib's own (`Names.uniqueId`, `Names.uniqueResourceName`) computed on a detached construct path
 * of the same ids, rather than a copy of their hashing rules here, so they stay what aws-cdk-lib would allocate.
 */

/** The identity of each identity root. */
const ROOTS = new WeakMap<IConstruct, string>();
/** Per stack, the path of the root holding each identity. */
const IDENTITIES = new WeakMap<Stack, Map<string, string>>();

/**
 * Makes `root` an identity root named `identity` (unique per stack): its resources' logical ids and path-derived
 * names are computed as if it were at the top of its stack with that id. Returns the problems (a second root of the
 * same identity in the stack), for the construct's props check.
 */
export function claimIdentity(root: Construct, identity: string): string[] {
  const stack = Stack.of(root);
  let identities = IDENTITIES.get(stack);
  if (identities === undefined) IDENTITIES.set(stack, identities = new Map());
  const holder = identities.get(identity);
  if (holder !== undefined && holder !== root.node.path) {
    return [`identity '${identity}' is already the identity of ${holder} in this stack: their resources would take the same `
      + `logical ids. Give this one another construct id, or set identity to a name no other classifier of the stack has`];
  }
  identities.set(identity, root.node.path);
  ROOTS.set(root, identity);
  Annotations.of(root).addInfo(`The resources of ${root.node.path} take their logical ids from its identity '${identity}' `
    + `(as if it were ${stack.node.id}/${identity}), not from its construct path: moving it into or out of other constructs `
    + `changes nothing in the template. To rename its construct id, set identity: '${identity}'; without it, that deploy `
    + 'replaces every resource of the classifier.');
  if (!isAtTopAs(root, identity)) {
    Aspects.of(root).add(new PathIndependentLogicalIds());
    Annotations.of(root).addWarningV2('cdk-sagemaker-image-classifier:pathIndependentIds', 'Versions of this library '
      + 'before identity gave the resources of a classifier inside other constructs logical ids from its path. If one '
      + `deployed ${root.node.path}, this deploy replaces its resources (a new, empty dataset bucket beside the retained `
      + 'one, a new function URL): run cdk diff first, and move its images to the new bucket after the deploy.');
  }
  return [];
}

/** `Names.uniqueResourceName`, but for the construct's path under its identity root (the real path outside one). */
export function identityResourceName(construct: IConstruct, options: UniqueResourceNameOptions): string {
  const stack = Stack.of(construct);
  const relative = identityPath(construct);
  if (relative === undefined || Token.isUnresolved(stack.stackName)) return Names.uniqueResourceName(construct, options);
  return Names.uniqueResourceName(detachedPath(stack.stackName, relative), options);
}

/** The ids from the stack down to `construct` as if its identity root were at the top of the stack; undefined outside one. */
export function identityPath(construct: IConstruct): string[] | undefined {
  const scopes = construct.node.scopes;
  for (let index = scopes.length - 1; index >= 0; index -= 1) {
    const identity = ROOTS.get(scopes[index]);
    if (identity !== undefined) return [identity, ...scopes.slice(index + 1).map((scope) => scope.node.id)];
    // A stack between the construct and any root (a nested stack) allocates its own ids.
    if (Stack.isStack(scopes[index])) return undefined;
  }
  return undefined;
}

/** Whether the root is already where its identity says: directly under its stack, with that construct id. */
function isAtTopAs(root: IConstruct, identity: string): boolean {
  return root.node.scope === Stack.of(root) && root.node.id === identity;
}

/**
 * A detached construct path (its own root, named `rootId`) with the given ids, for aws-cdk-lib's naming functions:
 * `Names.uniqueId` of its leaf is the logical id a stack allocates to that path, and `Names.uniqueResourceName` the
 * name it derives with the stack name `rootId`.
 */
function detachedPath(rootId: string, ids: readonly string[]): Construct {
  let scope = new Construct(undefined as unknown as Construct, rootId);
  for (const id of ids) scope = new Construct(scope, id);
  return scope;
}

/**
 * Gives every CloudFormation element under an identity root its path-independent logical id, at synthesis, so that
 * elements added after construction (default policies created by a grant, say) get one too. An id set explicitly
 * (`overrideLogicalId`, by this library or the user) is left as it is.
 */
class PathIndependentLogicalIds implements IAspect {
  public visit(node: IConstruct): void {
    if (!CfnElement.isCfnElement(node)) return;
    const stack = node.stack;
    const relative = identityPath(node);
    if (relative === undefined || stack.resolve(node.logicalId) !== stack.getLogicalId(node)) return;
    node.overrideLogicalId(Names.uniqueId(detachedPath('', relative)));
  }
}
