import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClassifierEndpoint, ClassifierEndpointProps } from '../../lib/serving/classifier-endpoint';
import { testStack } from '../helpers';

/** An endpoint in a us-east-1 stack; `region: null` for an environment-agnostic one. */
export function endpoint(props: ClassifierEndpointProps = {}, region: string | null = 'us-east-1') {
  const stack = testStack(region ?? undefined);
  const classifier = new ClassifierEndpoint(stack, 'Endpoint', props);
  return { stack, endpoint: classifier };
}

export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** Every statement of every IAM policy in the stack. */
export function policyStatements(stack: Stack): PolicyStatementJson[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement) as PolicyStatementJson[];
}

/** The properties of the only resource of `type`. */
export function onlyResource(stack: Stack, type: string): { logicalId: string; properties: Record<string, any>; dependsOn: string[] } {
  const resources = Object.entries(Template.fromStack(stack).findResources(type));
  if (resources.length !== 1) throw new Error(`expected one ${type}, found ${resources.length}`);
  const [logicalId, resource] = resources[0];
  return { logicalId, properties: resource.Properties, dependsOn: [resource.DependsOn ?? []].flat() };
}

/** The eight environment variables a raw CreateModel of the algorithm must set, from the reference facts (section C). */
export const INFERENCE_ENVIRONMENT: Readonly<Record<string, string>> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'jumpstart-tf-ic.json'), 'utf8'),
).inference.environment;
