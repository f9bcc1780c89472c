import { Reference, Stack, Tokenization, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';

/*
 * cdk-nag acknowledgements for what this library creates, written with aws-cdk-lib's own `Validations` API (cdk-nag 3
 * reads them from construct metadata; the library does not depend on cdk-nag). Each call acknowledges ONE finding id
 * on the construct that holds the permission or resource (a role, a bucket, a state machine), never on a stack or an
 * app, so an unexpected new finding of the same rule elsewhere still fails. The reason must say why the thing cannot
 * be narrower: a security reviewer reads it in the validation report.
 */

/** Rule ids of the AwsSolutions pack that this library acknowledges somewhere. */
export type AwsSolutionsRule = 'AwsSolutions-IAM4' | 'AwsSolutions-IAM5' | 'AwsSolutions-SF1' | 'AwsSolutions-SF2' | 'AwsSolutions-S1' | 'AwsSolutions-L1';

/** Acknowledges a finding that has no per-finding part (`AwsSolutions-SF2`, `AwsSolutions-S1`) on `scope`. */
export function acknowledgeRule(scope: IConstruct, rule: AwsSolutionsRule, reason: string): void {
  Validations.of(scope).acknowledge({ id: rule, reason });
}

/**
 * Acknowledges the `AwsSolutions-IAM5` finding for `resourceArn`, a resource ARN with a `*` that `scope` (a role, or
 * a construct whose policies are its children) is granted. The finding id is built the way cdk-nag writes it: the
 * ARN as the policy resolves it, with `Fn::GetAtt` as `<Logical.Attr>` and `Ref` as `<Logical>`.
 *
 * The ARN is resolved in `scope`'s stack: now, or, when it refers to another stack's resource, once the app is prepared
 * and the reference has become an import.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  const acknowledge = () => Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagResourceName(scope, resourceArn)}]`, reason });
  if (!referencesAnotherStack(scope, resourceArn)) {
    acknowledge();
    return;
  }
  // A reference to another stack (a bucket of a data stack, say) becomes an export only when the app is prepared for
  // synthesis: acknowledge then, when it resolves to the `Fn::ImportValue` that cdk-nag sees. Validations run after
  // that and before the policy validation plugins.
  scope.node.addValidation({
    validate: () => {
      acknowledge();
      return [];
    },
  });
}

/** Whether `value` holds a reference to a resource of a stack other than `scope`'s. */
function referencesAnotherStack(scope: IConstruct, value: string): boolean {
  const stack = Stack.of(scope);
  return Tokenization.reverseString(value).tokens.some((token) => Reference.isReference(token) && Stack.of(token.target) !== stack);
}

/** Acknowledges the `AwsSolutions-IAM5` finding for a `Resource: "*"` statement that `scope` holds. */
export function acknowledgeAnyResource(scope: IConstruct, reason: string): void {
  Validations.of(scope).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
}

/** Acknowledges the `AwsSolutions-IAM4` finding for an AWS managed policy attached to `role`. */
export function acknowledgeManagedPolicy(role: IConstruct, managedPolicyName: string, reason: string): void {
  Validations.of(role).acknowledge({ id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${managedPolicyName}]`, reason });
}

/** Construct id of aws-cdk-lib's stack-wide S3 notifications handler (aws-s3 NotificationsResourceHandler.singleton). */
const BUCKET_NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/**
 * Acknowledges the managed policy of aws-cdk-lib's stack-wide handler that applies S3 notification configurations,
 * which `addEventNotification` and `enableEventBridgeNotification` create and which takes no role of ours. Call it
 * right after one of those; does nothing if aws-cdk-lib built the handler differently (its finding then shows).
 */
export function acknowledgeBucketNotificationsHandler(scope: IConstruct): void {
  const role = Stack.of(scope).node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER_ID)?.node.tryFindChild('Role');
  if (role === undefined) return;
  acknowledgeManagedPolicy(role, 'service-role/AWSLambdaBasicExecutionRole', 'aws-cdk-lib\'s stack-wide '
    + 'BucketNotificationsHandler (it writes S3 notification configurations at deploy time) creates its own role with '
    + 'AWSLambdaBasicExecutionRole; a role can only be given by whoever creates the bucket, before the handler exists.');
}

/**
 * The construct to acknowledge a grant's findings on: the grantee when it is a construct (a role, or a function whose
 * role is its child); undefined for principals that are not constructs (their statements land in resource policies).
 */
export function grantHolder(grantee: iam.IGrantable): IConstruct | undefined {
  if (Construct.isConstruct(grantee)) return grantee;
  const principal = grantee.grantPrincipal;
  return Construct.isConstruct(principal) ? principal : undefined;
}

/** `arn` as cdk-nag prints it in an IAM5 finding id. */
export function nagResourceName(scope: IConstruct, arn: string): string {
  return flatten(Stack.of(scope).resolve(arn));
}

/** cdk-nag's flattening of a CloudFormation value (utils/flatten-cfn-reference in cdk-nag 3). */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const record = node as Record<string, unknown>;
  if (record['Fn::Join']) {
    const [delimiter, items] = record['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (record['Fn::Sub']) return flatten(record['Fn::Sub']);
  if (record['Fn::GetAtt']) {
    const [resource, attribute] = record['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (record['Fn::ImportValue']) return flatten(record['Fn::ImportValue']);
  if (record.Ref) return `<${flatten(record.Ref)}>`;
  return JSON.stringify(node);
}

/** Why a statement on Application Auto Scaling scalable targets needs `scalable-target/*`. */
export const SCALABLE_TARGETS_REASON = 'An Application Auto Scaling scalable target ARN ends in a random id given at '
  + 'registration, not the endpoint or variant name, so no ARN can name this endpoint\'s targets in advance; the account '
  + 'and region are pinned and the requests name the endpoint\'s variant as ResourceId.';
