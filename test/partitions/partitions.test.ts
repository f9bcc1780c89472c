import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { imageClassifierPropsFromContext } from '../../lib/app-context';
import { EndpointCapacity } from '../../lib/serving/endpoint-capacity';
import { InferenceFunction } from '../../lib/inference/inference-function';
import { ImageClassifier } from '../../lib/image-classifier';
import { ImageClassifierStack } from '../../lib/image-classifier-stack';
import { FUNCTION_URL_UNAVAILABLE_PARTITIONS, FUNCTION_URL_UNAVAILABLE_REGIONS } from '../../lib/private/region-features';
import { testStack } from '../helpers';
import { checkedApp, synthChecked } from '../support/checked-synth';

/** One region per partition the README lists as supported. */
const PARTITION_REGIONS = [
  { partition: 'aws', region: 'us-east-1', functionUrls: true },
  { partition: 'aws-cn', region: 'cn-north-1', functionUrls: false },
  { partition: 'aws-us-gov', region: 'us-gov-west-1', functionUrls: false },
] as const;

/** The app's stack in `region`, plus a classifier with a customer-managed key and the new-data trigger (more ARNs). */
function partitionApp(region: string): { app: App; stack: ImageClassifierStack; other: Stack } {
  const app = checkedApp();
  const env = { region, account: '123456789012' };
  const stack = new ImageClassifierStack(app, 'ImageClassifierStack', { env, classifier: imageClassifierPropsFromContext(app.node) });
  const other = new Stack(app, 'KeyedStack', { env });
  new ImageClassifier(other, 'Classifier', {
    encryptionKey: new kms.Key(other, 'Key', { enableKeyRotation: true }),
    retraining: { retrainOnNewData: true },
  });
  return { app, stack, other };
}

describe.each(PARTITION_REGIONS)('in $partition ($region)', ({ partition, region, functionUrls }) => {
  let result: ReturnType<typeof synthChecked>;
  let stack: ImageClassifierStack;
  beforeAll(() => {
    const built = partitionApp(region);
    stack = built.stack;
    result = synthChecked(built.app);
  });

  test('the templates pass aws-cdk-lib\'s CloudFormation validation and cdk-nag', () => {
    expect(result.templateFindings).toEqual([]);
    expect(result.nagFindings).toEqual([]);
  });

  test('no template holds a literal ARN of another partition', () => {
    expect(RegionInfo.get(region).partition).toBe(partition);
    for (const [name, template] of Object.entries(result.templates)) {
      const text = JSON.stringify(template);
      const literalArns = [...text.matchAll(/arn:(aws[a-z-]*):/g)].map((match) => match[1]);
      expect({ name, literalArns: literalArns.filter((found) => found !== partition) }).toEqual({ name, literalArns: [] });
      if (partition !== 'aws') expect({ name, hasAwsArn: text.includes('arn:aws:') }).toEqual({ name, hasAwsArn: false });
    }
    // The schedule's universal target is built with the partition.
    const schedule = Object.values(result.templates.ImageClassifierStack.Resources).find((resource) => resource.Type === 'AWS::Scheduler::Schedule')!;
    expect(JSON.stringify(schedule.Properties)).toContain(':scheduler:::aws-sdk:sfn:startExecution');
    expect(JSON.stringify(schedule.Properties)).not.toMatch(/"arn:aws:scheduler/);
  });

  test(functionUrls ? 'the inference function has a URL and its output' : 'the inference function has no URL, with a warning saying why', () => {
    const resources = Object.values(result.templates.ImageClassifierStack.Resources);
    expect(resources.filter((resource) => resource.Type === 'AWS::Lambda::Url')).toHaveLength(functionUrls ? 1 : 0);
    expect(stack.classifier.inference.functionUrl === undefined).toBe(!functionUrls);
    // The construct tree's warnings (Annotations.fromStack would synthesize the app again).
    const warnings = stack.node.findAll().flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:warning' && String(entry.data).includes(`No function URL: Lambda offers none in ${region}.`));
    expect(warnings).toHaveLength(functionUrls ? 0 : 1);
  });
});

describe('features a region lacks', () => {
  test.each(['cn-northwest-1', 'us-gov-east-1', ...FUNCTION_URL_UNAVAILABLE_REGIONS])('functionUrl: true is refused in %s, naming the alternative', (region) => {
    expect(() => new InferenceFunction(testStack(region), 'Inference', { endpointName: 'classifier', imageSize: 224, functionUrl: true }))
      .toThrow(`functionUrl: Lambda offers no function URLs in ${region}; remove functionUrl: true`);
    expect(() => new InferenceFunction(testStack('us-east-1'), 'Inference', { endpointName: 'classifier', imageSize: 224, functionUrl: true })).not.toThrow();
  });

  test('functionUrl: false is silent everywhere', () => {
    const stack = testStack('cn-north-1');
    new ImageClassifier(stack, 'Classifier', { inference: { functionUrl: false } });
    expect(Annotations.fromStack(stack).findWarning('*', /functionUrlUnavailable/)).toEqual([]);
  });

  test('serverless capacity is refused in the China regions and allowed in the others', () => {
    for (const region of RegionInfo.regions.map((info) => info.name)) {
      const build = () => new ImageClassifier(testStack(region), 'Classifier', { serving: { capacity: EndpointCapacity.serverless() } });
      if (RegionInfo.get(region).partition === 'aws-cn') expect(build).toThrow(`capacity: SageMaker offers no serverless inference in ${region}`);
      else expect(build).not.toThrow(/serverless inference/);
    }
  });
});

/** Evaluates a CloudFormation condition expression for a deployment to `region`. */
function evaluate(expression: unknown, region: string, conditions: Record<string, unknown>): boolean {
  const value = (operand: unknown): unknown => {
    const ref = (operand as { Ref?: string }).Ref;
    if (ref === 'AWS::Region') return region;
    if (ref === 'AWS::Partition') return RegionInfo.get(region).partition;
    if (typeof operand === 'string') return operand;
    throw new Error(`cannot evaluate ${JSON.stringify(operand)}`);
  };
  const node = expression as Record<string, unknown[]>;
  if (node['Fn::Not']) return !evaluate(node['Fn::Not'][0], region, conditions);
  if (node['Fn::Or']) {
    expect(node['Fn::Or'].length).toBeGreaterThanOrEqual(2);
    expect(node['Fn::Or'].length).toBeLessThanOrEqual(10); // CloudFormation's limits
    return node['Fn::Or'].some((operand) => evaluate(operand, region, conditions));
  }
  if (node['Fn::Equals']) return value(node['Fn::Equals'][0]) === value(node['Fn::Equals'][1]);
  if ((expression as { Condition?: string }).Condition) return evaluate(conditions[(expression as { Condition: string }).Condition], region, conditions);
  throw new Error(`cannot evaluate ${JSON.stringify(expression)}`);
}

describe('in an environment-agnostic stack', () => {
  test('the function URL and its output exist under a condition that holds exactly where Lambda offers URLs', () => {
    const stack = new ImageClassifierStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Agnostic');
    const template = Template.fromStack(stack).toJSON();
    const [urlId, url] = Object.entries(template.Resources as Record<string, { Type: string; Condition?: string }>).find(([, resource]) => resource.Type === 'AWS::Lambda::Url')!;
    expect(url.Condition).toBeDefined();
    expect(template.Outputs.InferenceUrl.Condition).toBe(url.Condition);
    expect(JSON.stringify(template.Outputs.InferenceUrl.Value)).toContain(urlId);
    const regions = [...RegionInfo.regions.map((info) => info.name), ...FUNCTION_URL_UNAVAILABLE_REGIONS];
    for (const region of new Set(regions)) {
      const partition = RegionInfo.get(region).partition ?? 'aws';
      const offered = !FUNCTION_URL_UNAVAILABLE_REGIONS.includes(region) && !FUNCTION_URL_UNAVAILABLE_PARTITIONS.includes(partition);
      expect({ region, created: evaluate(template.Conditions[url.Condition!], region, template.Conditions) }).toEqual({ region, created: offered });
    }
  });

  test('serverless capacity brings a rule that stops a deployment to China, and only there', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Agnostic');
    new ImageClassifier(stack, 'A', { serving: { capacity: EndpointCapacity.serverless() } });
    new ImageClassifier(stack, 'B', { serving: { capacity: EndpointCapacity.serverless() } });
    const rules = Template.fromStack(stack).toJSON().Rules as Record<string, { Assertions: Array<{ Assert: unknown; AssertDescription: string }> }>;
    const serverless = Object.values(rules).filter((rule) => rule.Assertions[0].AssertDescription.includes('serverless inference'));
    expect(serverless).toHaveLength(1);
    for (const region of RegionInfo.regions.map((info) => info.name)) {
      expect({ region, allowed: evaluate(serverless[0].Assertions[0].Assert, region, {}) })
        .toEqual({ region, allowed: RegionInfo.get(region).partition !== 'aws-cn' });
    }
  });
});
