import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { InferenceFunction } from '../../lib/inference/inference-function';
import { testStack } from '../helpers';

/** The statements of every policy attached to the role with logical id `roleId`. */
function statementsOfRole(template: Template, roleId: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy: any) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
}

describe('InferenceFunction.function', () => {
  test('is a lambda.Function: aliases with provisioned concurrency and environment variables can be added', () => {
    // GIVEN
    const stack = testStack('us-east-1');
    const inference = new InferenceFunction(stack, 'Inference', { endpointName: 'flowers', imageSize: 224 });
    // WHEN
    const fn: lambda.Function = inference.function;
    fn.addEnvironment('TEAM', 'vision');
    fn.addAlias('live', { provisionedConcurrentExecutions: 2 });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ TEAM: 'vision' }) } });
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } });
  });
});

describe('the role prop', () => {
  test('the function runs with the given role, which receives the function\'s permissions, and no other role is made', () => {
    // GIVEN
    const stack = testStack('us-east-1');
    const role = new iam.Role(stack, 'TeamRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const images = new s3.Bucket(stack, 'Images');
    // WHEN
    const inference = new InferenceFunction(stack, 'Inference', { endpointName: 'Flowers', imageSize: 224, role, readableBuckets: [images] });
    // THEN
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    expect(inference.role).toBe(role);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Role: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    const actions = statementsOfRole(template, roleId).flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['sagemaker:InvokeEndpoint', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 's3:ListBucket']));
    const invoke = statementsOfRole(template, roleId).find((statement) => statement.Action === 'sagemaker:InvokeEndpoint');
    expect(JSON.stringify(invoke.Resource)).toMatch(/:endpoint\/flowers"/);
  });

  test('an imported role gets the same permissions through a policy attached to it', () => {
    const stack = testStack('us-east-1');
    const role = iam.Role.fromRoleArn(stack, 'TeamRole', 'arn:aws:iam::123456789012:role/team-inference');
    new InferenceFunction(stack, 'Inference', { endpointName: 'flowers', imageSize: 224, role });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Role', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: ['team-inference'],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sagemaker:InvokeEndpoint' })]) },
    });
  });
});

describe('InferenceFunction.fromFunctionArn', () => {
  const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:prod-classify';

  test('grantInvoke allows the URL and direct invocation of that function only', () => {
    const stack = testStack('us-east-1');
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    InferenceFunction.fromFunctionArn(stack, 'Imported', ARN).grantInvoke(caller);
    const statements = statementsOfRole(Template.fromStack(stack), stack.getLogicalId(caller.node.defaultChild as iam.CfnRole));
    expect(statements).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: [ARN, `${ARN}:*`] }),
      expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', Resource: ARN }),
      // aws-cdk-lib's grantInvokeUrl: Function URLs also check lambda:InvokeFunction, only through the URL.
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: ARN, Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': true } } }),
    ]);
  });

  test('without a Function URL, grantInvoke allows direct invocation only', () => {
    const stack = testStack('us-east-1');
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    InferenceFunction.fromFunctionAttributes(stack, 'Imported', { functionArn: ARN, functionUrl: false }).grantInvoke(caller);
    const statements = statementsOfRole(Template.fromStack(stack), stack.getLogicalId(caller.node.defaultChild as iam.CfnRole));
    expect(statements.map((statement) => statement.Action)).toEqual(['lambda:InvokeFunction']);
  });

  test('metrics name the function', () => {
    const stack = testStack('us-east-1');
    const imported = InferenceFunction.fromFunctionArn(stack, 'Imported', ARN);
    for (const metric of [imported.metricErrors(), imported.metricDuration(), imported.metricInvocations(), imported.metricThrottles({ period: Duration.minutes(1) })]) {
      expect({ namespace: metric.namespace, dimensions: metric.dimensions }).toEqual({ namespace: 'AWS/Lambda', dimensions: { FunctionName: 'prod-classify' } });
    }
  });

  test.each([
    ['an alias ARN', `${ARN}:live`],
    ['another service', 'arn:aws:states:us-east-1:123456789012:stateMachine:prod-classify'],
    ['a function name', 'prod-classify'],
  ])('rejects %s', (_what, functionArn) => {
    const stack = testStack('us-east-1');
    expect(() => InferenceFunction.fromFunctionArn(stack, 'Imported', functionArn))
      .toThrow(new RegExp(`functionArn must be an unqualified function ARN like arn:aws:lambda:.*got '${functionArn}'`));
  });
});
