import * as fs from 'fs';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildVariant, constructPaths, Variant, VARIANTS } from './variants';

/**
 * Every `Resource: "*"` the library writes, by action, where it may appear (the construct path of the policy) and
 * why nothing narrower exists. A `*` statement passes only if each of its actions is listed here for its policy's
 * construct, with the listed condition; an unexplained `*` fails the test.
 */
const ALLOWED: ReadonlyArray<{ readonly actions: readonly string[]; readonly where: RegExp; readonly condition?: object; readonly reason: string }> = [
  {
    actions: ['ecr:GetAuthorizationToken'],
    where: /\/Classifier\/(Training|Endpoint)\/Role\//,
    reason: 'ECR login before SageMaker pulls the algorithm images: the action has no resource type (the pull is scoped to the repositories)',
  },
  {
    actions: ['cloudwatch:PutMetricData'],
    where: /\/Classifier\/(Training|Endpoint)\/Role\//,
    condition: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    reason: 'training and endpoint metrics: the action has no resource type; conditioned on the SageMaker namespace',
  },
  {
    actions: [
      'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
      'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs',
      'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
    ],
    where: /\/Classifier\/(Training|Endpoint)\/Role\//,
    reason: 'with vpc: SageMaker attaches training and model instances with network interfaces it creates per job or instance; they cannot be named in advance and Describe has no resource type',
  },
  {
    actions: [
      'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
    ],
    where: /\/Classifier\/Inference\/ServiceRole\//,
    reason: 'with vpc: Lambda manages the function\'s network interfaces with the execution role (AWSLambdaVPCAccessExecutionRole\'s actions, inline)',
  },
  {
    actions: ['sagemaker:ListEndpointConfigs'],
    where: /\/Classifier\/Retraining\/StateMachine\/Role\//,
    reason: 'finding superseded versions: List actions have no resource type; the deletes are scoped to exact <prefix>-<run id> ARNs',
  },
  {
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    where: /\/Classifier\/(Retraining|Batch)\/StateMachine\/Role\//,
    reason: 'X-Ray tracing of the pipeline and of batch runs (added by aws-cdk-lib for tracingEnabled): X-Ray actions have no resource type',
  },
  {
    actions: [
      'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
    ],
    where: /\/(Classifier\/Retraining\/StateMachine|Classifier\/Batch\/StateMachine|ImageClassifierEndpointCleanupProvider\/Provider\/waiter-state-machine)\/Role\//,
    reason: 'execution logs of the pipeline, of batch runs and of the cleanup waiter (added by aws-cdk-lib): vended log delivery actions have no resource type',
  },
  {
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    where: /\/ImageClassifierEndpointCleanupProvider\/Provider\/waiter-state-machine\/Role\//,
    reason: 'aws-cdk-lib\'s Provider waiter adds these to its log delivery statement when waiter logging is on (AwsSolutions-SF1); its role is internal and assumable by Step Functions only',
  },
  {
    actions: ['sagemaker:ListEndpointConfigs', 'sagemaker:ListModels'],
    // Each classifier's cleanup policy, attached to the stack's shared cleanup role.
    where: /\/Classifier\/EndpointCleanup\/Policy\//,
    reason: 'the cleanup finds the pipeline\'s configs and models: List actions have no resource type; deletes are scoped to exact names',
  },
  {
    actions: ['application-autoscaling:DescribeScalableTargets'],
    // Each classifier's cleanup policy, attached to the stack's shared cleanup role.
    where: /\/Classifier\/EndpointCleanup\/Policy\//,
    reason: 'the cleanup finds the endpoint\'s scalable targets: Describe actions have no resource type',
  },
];

/** How many `Resource: "*"` statements each variant has (after aws-cdk-lib merges statements of one policy). */
const EXPECTED_COUNT: Record<Variant, number> = { app: 9, kms: 9, vpc: 12, seed: 9 };

interface WildcardStatement {
  readonly where: string;
  readonly actions: string[];
  readonly condition?: object;
}

function wildcardStatements(stack: Stack): WildcardStatement[] {
  const paths = constructPaths(stack);
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties?: any }>;
  return Object.entries(resources).flatMap(([logicalId, resource]) => {
    const documents = resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy'
      ? [resource.Properties.PolicyDocument]
      : resource.Type === 'AWS::IAM::Role' ? (resource.Properties?.Policies ?? []).map((policy: any) => policy.PolicyDocument) : [];
    return documents.flatMap((document: any) => document.Statement)
      .filter((statement: any) => statement.Effect === 'Allow' && [statement.Resource].flat().includes('*'))
      .map((statement: any) => ({ where: paths.get(logicalId) ?? logicalId, actions: [statement.Action].flat(), condition: statement.Condition }));
  });
}

function unexplained(statement: WildcardStatement): string[] {
  return statement.actions.filter((action) => !ALLOWED.some((allowed) => allowed.actions.includes(action)
    && allowed.where.test(statement.where)
    && JSON.stringify(allowed.condition) === JSON.stringify(statement.condition)));
}

const statementsByVariant = new Map<Variant, WildcardStatement[]>();

describe.each(VARIANTS)('Resource "*" in the %s variant', (variant) => {
  let statements: WildcardStatement[];
  let outdir: string;
  beforeAll(() => {
    const built = buildVariant(variant, { bundle: false });
    outdir = built.outdir;
    statements = wildcardStatements(built.stack);
    statementsByVariant.set(variant, statements);
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('only in statements whose every action is explained for that policy', () => {
    const problems = statements.filter((statement) => unexplained(statement).length > 0)
      .map((statement) => `${statement.where}: ${unexplained(statement).join(', ')}${statement.condition ? ` with ${JSON.stringify(statement.condition)}` : ''}`);
    expect(problems).toEqual([]);
  });

  test(`in exactly ${EXPECTED_COUNT[variant]} statements`, () => {
    expect(statements.map((statement) => `${statement.where}: ${statement.actions.join(', ')}`)).toHaveLength(EXPECTED_COUNT[variant]);
  });
});

test('every allowed entry is used by some variant, so the list holds no stale explanation', () => {
  const all = [...statementsByVariant.values()].flat();
  expect(statementsByVariant.size).toBe(VARIANTS.length);
  const unused = ALLOWED.flatMap((allowed) => allowed.actions
    .filter((action) => !all.some((statement) => statement.actions.includes(action) && allowed.where.test(statement.where)))
    .map((action) => `${allowed.where.source}: ${action}`));
  expect(unused).toEqual([]);
});
