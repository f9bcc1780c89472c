import { Aws, CfnCondition, CfnRule, Fn, ICfnConditionExpression, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * Partitions and regions where AWS Lambda offers no function URLs (AWS Lambda Developer Guide, "Creating and managing
 * Lambda function URLs", urls-configuration, November 2026): the China regions, AWS GovCloud (US), and these
 * commercial regions.
 */
export const FUNCTION_URL_UNAVAILABLE_PARTITIONS: readonly string[] = ['aws-cn', 'aws-us-gov'];
export const FUNCTION_URL_UNAVAILABLE_REGIONS: readonly string[] = [
  'ap-east-2', 'ap-south-2', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-west-1',
  'eu-central-2', 'eu-south-2', 'il-central-1', 'me-central-1',
];

/** Partitions where SageMaker offers no serverless inference (the China regions). */
export const SERVERLESS_INFERENCE_UNAVAILABLE_PARTITIONS: readonly string[] = ['aws-cn'];

/**
 * Whether a feature is offered where `stack` deploys: `true` or `false` for a stack with a concrete region, `undefined`
 * for an environment-agnostic stack (known only at deploy time).
 */
function offeredIn(stack: Stack, partitions: readonly string[], regions: readonly string[]): boolean | undefined {
  if (Token.isUnresolved(stack.region)) return undefined;
  const partition = RegionInfo.get(stack.region).partition;
  return !(regions.includes(stack.region) || (partition !== undefined && partitions.includes(partition)));
}

/** Whether Lambda function URLs exist in `stack`'s region; `undefined` when it is not known at synth. */
export function functionUrlsOffered(stack: Stack): boolean | undefined {
  return offeredIn(stack, FUNCTION_URL_UNAVAILABLE_PARTITIONS, FUNCTION_URL_UNAVAILABLE_REGIONS);
}

/** Whether SageMaker serverless inference exists in `stack`'s region; `undefined` when it is not known at synth. */
export function serverlessInferenceOffered(stack: Stack): boolean | undefined {
  return offeredIn(stack, SERVERLESS_INFERENCE_UNAVAILABLE_PARTITIONS, []);
}

const FUNCTION_URL_CONDITION_ID = 'ImageClassifierFunctionUrlsOffered';
const SERVERLESS_RULE_ID = 'ImageClassifierServerlessInferenceOffered';

/**
 * The stack's condition "the deploy region offers Lambda function URLs", for an environment-agnostic stack: its
 * function URLs (and what refers to them) are created only where it holds, so one template deploys everywhere.
 */
export function functionUrlsOfferedCondition(stack: Stack): CfnCondition {
  const existing = stack.node.tryFindChild(FUNCTION_URL_CONDITION_ID) as CfnCondition | undefined;
  if (existing) return existing;
  const lacking = [
    ...FUNCTION_URL_UNAVAILABLE_PARTITIONS.map((partition) => Fn.conditionEquals(Aws.PARTITION, partition)),
    ...FUNCTION_URL_UNAVAILABLE_REGIONS.map((region) => Fn.conditionEquals(Aws.REGION, region)),
  ];
  return new CfnCondition(stack, FUNCTION_URL_CONDITION_ID, { expression: Fn.conditionNot(anyOf(lacking)) });
}

/**
 * In an environment-agnostic stack, a template rule that stops a deployment of serverless capacity to a partition
 * without serverless inference before anything is created (the pipeline would otherwise fail at its first promotion).
 */
export function requireServerlessInference(stack: Stack): void {
  if (stack.node.tryFindChild(SERVERLESS_RULE_ID)) return;
  new CfnRule(stack, SERVERLESS_RULE_ID, {
    assertions: [{
      assert: Fn.conditionNot(anyOf(SERVERLESS_INFERENCE_UNAVAILABLE_PARTITIONS.map((partition) => Fn.conditionEquals(Aws.PARTITION, partition)))),
      assertDescription: 'SageMaker serverless inference is not offered in the China regions: deploy a classifier with '
        + 'EndpointCapacity.serverless() elsewhere, or use EndpointCapacity.instances().',
    }],
  });
}

/** `Fn::Or` of any number of conditions: CloudFormation takes 2 to 10 per `Fn::Or`, so larger lists are nested. */
function anyOf(conditions: ICfnConditionExpression[]): ICfnConditionExpression {
  if (conditions.length === 1) return conditions[0];
  if (conditions.length <= 10) return Fn.conditionOr(...conditions);
  const groups: ICfnConditionExpression[] = [];
  for (let start = 0; start < conditions.length; start += 10) groups.push(anyOf(conditions.slice(start, start + 10)));
  return anyOf(groups);
}
