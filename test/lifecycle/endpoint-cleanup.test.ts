import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EndpointCleanup, EndpointCleanupProps } from '../../lib/lifecycle/endpoint-cleanup';

/** An environment-agnostic stack; asset bundling is skipped unless asked for (one test bundles). */
function newStack(options: { bundle?: boolean } = {}): Stack {
  const context = options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] };
  return new Stack(new App({ builtinCloudFormationValidation: false, context }), 'TestStack');
}

const required: EndpointCleanupProps = { endpointName: 'Flowers-Endpoint', resourceNamePrefix: 'Flowers-IC' };

function synth(props: Partial<EndpointCleanupProps> = {}, stack = newStack()): { template: Template; cleanup: EndpointCleanup; stack: Stack } {
  const cleanup = new EndpointCleanup(stack, 'Cleanup', { ...required, ...props });
  return { template: Template.fromStack(stack), cleanup, stack };
}

/** Every statement of the handler role's policies (the provider framework's own roles have other policies). */
function handlerStatements(template: Template, stack: Stack, cleanup: EndpointCleanup): any[] {
  const roleId = stack.getLogicalId(cleanup.role.node.defaultChild as iam.CfnRole);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy: any) => policy.Properties.Roles.some((role: any) => role.Ref === roleId))
    .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
}

const arn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
});

describe('EndpointCleanup with its defaults', () => {
  // GIVEN a stack WHEN the cleanup is added with the required props only
  const { template, cleanup, stack } = synth();

  test('the custom resource carries the endpoint name and the prefix, and is deleted with the stack', () => {
    template.hasResource('Custom::SageMakerEndpointCleanup', {
      Properties: {
        ServiceToken: Match.anyValue(),
        EndpointName: 'Flowers-Endpoint',
        ResourceNamePrefix: 'Flowers-IC',
      },
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
    expect(Object.keys(template.findResources('Custom::SageMakerEndpointCleanup'))).toHaveLength(1);
  });

  test('onEvent and isComplete run on the latest Node.js runtime, ARM, with the give-up time one poll before the timeout', () => {
    for (const handler of ['index.onEvent', 'index.isComplete']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: handler,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: 300,
        Environment: { Variables: Match.objectLike({ CLEANUP_GIVE_UP_AFTER_SECONDS: '1770' }) },
      });
    }
  });

  test('a provider with an isComplete waiter polling every 30 s for 30 minutes', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(1);
    const definition = JSON.stringify(machines[0].Properties.DefinitionString);
    expect(definition).toContain('\\"IntervalSeconds\\":30');
    expect(definition).toContain('\\"MaxAttempts\\":60');
    expect(cleanup.provider.serviceToken).toBeDefined();
  });

  test('the handler role may delete only this endpoint and `<prefix>-<24 characters>` configs and models, lower-cased', () => {
    const statements = handlerStatements(template, stack, cleanup);
    expect(statements).toEqual(expect.arrayContaining([
      { Sid: 'DeleteTheEndpoint', Effect: 'Allow', Action: ['sagemaker:DescribeEndpoint', 'sagemaker:DeleteEndpoint'], Resource: arn('endpoint/flowers-endpoint') },
      {
        Sid: 'DeletePipelineConfigsAndModels',
        Effect: 'Allow',
        Action: ['sagemaker:DeleteEndpointConfig', 'sagemaker:DeleteModel'],
        Resource: [arn('endpoint-config/flowers-ic-????????-??????-????????'), arn('model/flowers-ic-????????-??????-????????')],
      },
      {
        Sid: 'DeregisterEndpointScalableTargets',
        Effect: 'Allow',
        Action: 'application-autoscaling:DeregisterScalableTarget',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':application-autoscaling:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':scalable-target/*']] },
        Condition: {
          StringEquals: {
            'application-autoscaling:service-namespace': 'sagemaker',
            'application-autoscaling:scalable-dimension': ['sagemaker:variant:DesiredInstanceCount', 'sagemaker:variant:DesiredProvisionedConcurrency'],
          },
        },
      },
    ]));
  });

  test("exactly two statements use Resource '*': the list and describe actions that have no resource type", () => {
    // SageMaker's ListEndpointConfigs/ListModels and Application Auto Scaling's DescribeScalableTargets accept only '*'
    // (Service Authorization Reference); the handler filters their answers by exact name.
    const wildcard = handlerStatements(template, stack, cleanup).filter((statement) => [statement.Resource].flat().includes('*'));
    expect(wildcard).toEqual([
      { Sid: 'ListPipelineConfigsAndModels', Effect: 'Allow', Action: ['sagemaker:ListEndpointConfigs', 'sagemaker:ListModels'], Resource: '*' },
      { Sid: 'FindEndpointScalableTargets', Effect: 'Allow', Action: 'application-autoscaling:DescribeScalableTargets', Resource: '*' },
    ]);
  });

  test('the handler role has no managed policy and no other action than the cleanup and its logs', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('^Deletes the SageMaker endpoints of this stack'),
      ManagedPolicyArns: Match.absent(),
    });
    const actions = handlerStatements(template, stack, cleanup).flatMap((statement) => [statement.Action].flat()).sort();
    expect(actions).toEqual([
      'application-autoscaling:DeregisterScalableTarget',
      'application-autoscaling:DescribeScalableTargets',
      'cloudformation:DescribeStacks',
      'cloudformation:ListStackResources',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sagemaker:DeleteEndpoint',
      'sagemaker:DeleteEndpointConfig',
      'sagemaker:DeleteModel',
      'sagemaker:DescribeEndpoint',
      'sagemaker:ListEndpointConfigs',
      'sagemaker:ListModels',
      'ssm:DeleteParameter',
    ]);
  });

  test('the champion record and the stack\'s own resources are the only other things the handler reaches', () => {
    const statements = handlerStatements(template, stack, cleanup);
    const resourceOf = (action: string) => stack.resolve(statements.find((s) => [s.Action].flat().includes(action))!.Resource);
    expect(JSON.stringify(resourceOf('ssm:DeleteParameter'))).toContain(':parameter/sagemaker-image-classifier/Flowers-Endpoint/champion"');
    expect(resourceOf('cloudformation:ListStackResources')).toEqual({ Ref: 'AWS::StackId' });
  });

  test('no role has a managed policy: the provider framework runs with two roles of its own', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles.map((role) => role.Properties.ManagedPolicyArns)).toEqual(roles.map(() => undefined));
    template.hasResourceProperties('AWS::IAM::Role', { Description: Match.stringLikeRegexp('^Provider framework entry point') });
    template.hasResourceProperties('AWS::IAM::Role', { Description: Match.stringLikeRegexp('^Provider framework waiter') });
  });

  test('the waiter state machine logs every event with its data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [Match.anyValue()] },
    });
  });

  test('handler, framework and waiter logs are kept one month', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 3);
  });
});

describe('EndpointCleanup in a stack with several', () => {
  // GIVEN two cleanups in one stack
  const stack = newStack();
  const flowers = new EndpointCleanup(stack, 'Flowers', required);
  const birds = new EndpointCleanup(stack, 'Birds', { endpointName: 'Birds-Endpoint', resourceNamePrefix: 'Birds-IC' });
  const template = Template.fromStack(stack);

  test('share one handler, one role and one provider framework with one waiter', () => {
    expect(birds.provider).toBe(flowers.provider);
    expect(birds.role).toBe(flowers.role);
    expect(Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))).toHaveLength(1);
    // onEvent, isComplete and the framework's onEvent, isComplete and onTimeout: five functions for the stack.
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(5);
    expect(Object.keys(template.findResources('Custom::SageMakerEndpointCleanup'))).toHaveLength(2);
  });

  test('each cleanup\'s permissions are a policy of its own on the shared role, which its resource depends on', () => {
    for (const [cleanup, endpoint] of [[flowers, 'flowers-endpoint'], [birds, 'birds-endpoint']] as const) {
      const policyId = stack.getLogicalId(cleanup.policy.node.defaultChild as iam.CfnPolicy);
      const policy = template.toJSON().Resources[policyId];
      expect(policy.Properties.Roles).toEqual([{ Ref: stack.getLogicalId(cleanup.role.node.defaultChild as iam.CfnRole) }]);
      const deleteEndpoint = policy.Properties.PolicyDocument.Statement.find((statement: any) => statement.Sid === 'DeleteTheEndpoint');
      // Its own endpoint only: removing one classifier leaves the other's permissions alone.
      expect(deleteEndpoint.Resource).toEqual(arn(`endpoint/${endpoint}`));
      const resource = template.toJSON().Resources[stack.getLogicalId(cleanup.resource.node.defaultChild as any)];
      expect(resource.DependsOn).toEqual(expect.arrayContaining([policyId]));
    }
  });

  test('refuses a cleanup whose timing differs from the shared provider\'s, naming both', () => {
    expect(() => new EndpointCleanup(stack, 'Slow', { endpointName: 'Slow', resourceNamePrefix: 'Slow', totalTimeout: Duration.minutes(40) }))
      .toThrow('every cleanup of a stack shares one provider, created with totalTimeout 30 minutes, queryInterval 30 seconds; give this one the same, got totalTimeout 40 minutes, queryInterval 30 seconds');
  });

  test('warns when a later cleanup asks for other log settings, which the shared logs do not follow', () => {
    const other = newStack();
    new EndpointCleanup(other, 'First', required);
    new EndpointCleanup(other, 'Second', { ...required, logRetention: logs.RetentionDays.ONE_YEAR });
    new EndpointCleanup(other, 'Third', required);
    const warnings = Annotations.fromStack(other).findWarning('*', Match.stringLikeRegexp('sharedCleanupLogs'));
    expect(warnings.map((warning) => warning.id)).toEqual(['/TestStack/Second']);
    expect(String(warnings[0].entry.data)).toContain('keeps its logs 30 days, retain at deletion, with CloudWatch Logs\' own encryption');
  });
});

describe('EndpointCleanup options', () => {
  test('the cleanup resource depends on the constructs given in dependsOn and to addDependency', () => {
    // GIVEN
    const stack = newStack();
    const stateMachine = new sfn.StateMachine(stack, 'Pipeline', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Step')) });
    const modelRole = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    // WHEN
    const cleanup = new EndpointCleanup(stack, 'Cleanup', { ...required, dependsOn: [stateMachine] });
    cleanup.addDependency(modelRole);
    // THEN
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::SageMakerEndpointCleanup'))[0];
    expect(resource.DependsOn).toEqual(expect.arrayContaining([
      stack.getLogicalId(stateMachine.node.defaultChild as sfn.CfnStateMachine),
      stack.getLogicalId(modelRole.node.defaultChild as iam.CfnRole),
    ]));
  });

  test('RemovalPolicy.RETAIN keeps the custom resource, so nothing is deleted with the stack', () => {
    const { template } = synth({ removalPolicy: RemovalPolicy.RETAIN });
    template.hasResource('Custom::SageMakerEndpointCleanup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('totalTimeout and queryInterval set the waiter and the give-up time', () => {
    const { template } = synth({ totalTimeout: Duration.minutes(10), queryInterval: Duration.seconds(20) });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.isComplete',
      Environment: { Variables: Match.objectLike({ CLEANUP_GIVE_UP_AFTER_SECONDS: '580' }) },
    });
  });

  test('unresolved names are passed through and used as they resolve in the ARNs', () => {
    const stack = newStack();
    const endpointName = Lazy.string({ produce: () => 'Lazy-Endpoint' });
    const cleanup = new EndpointCleanup(stack, 'Cleanup', { endpointName, resourceNamePrefix: 'flowers' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::SageMakerEndpointCleanup', { EndpointName: 'Lazy-Endpoint' });
    expect(handlerStatements(template, stack, cleanup)).toEqual(expect.arrayContaining([
      expect.objectContaining({ Sid: 'DeleteTheEndpoint', Resource: arn('endpoint/Lazy-Endpoint') }),
    ]));
  });
});

describe('EndpointCleanup validation', () => {
  test('rejects an invalid endpoint name and a prefix too long for `<prefix>-<run id>`, in one error', () => {
    expect(() => synth({ endpointName: 'flowers_endpoint', resourceNamePrefix: 'p'.repeat(39) })).toThrow(
      /invalid EndpointCleanup props:\n {2}endpointName must be a SageMaker endpoint name .*got "flowers_endpoint"\n {2}resourceNamePrefix must be 1-38 letters.*got "p{39}"/,
    );
  });

  test('rejects a totalTimeout above one hour', () => {
    expect(() => synth({ totalTimeout: Duration.minutes(90) })).toThrow('totalTimeout must be at most 1 hour, got 1 hour 30 minutes');
  });

  test('rejects a totalTimeout that is not a whole multiple of queryInterval, or less than two of them', () => {
    expect(() => synth({ totalTimeout: Duration.minutes(10), queryInterval: Duration.seconds(7) })).toThrow(/totalTimeout must be a whole multiple of queryInterval/);
    expect(() => synth({ totalTimeout: Duration.seconds(30), queryInterval: Duration.seconds(30) })).toThrow(/at least two of them/);
  });

  test('rejects removal policies other than DESTROY and RETAIN', () => {
    expect(() => synth({ removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow('removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got snapshot');
  });
});

test('the handler bundles with the local esbuild, leaving the AWS SDK to the runtime', () => {
  // GIVEN a stack that bundles WHEN synthesized
  const stack = newStack({ bundle: true });
  new EndpointCleanup(stack, 'Cleanup', required);
  const assembly = (stack.node.root as App).synth();
  // THEN both functions use the one bundle, which requires @aws-sdk/* instead of inlining them
  const template = Template.fromStack(stack);
  const functions = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: Match.stringLikeRegexp('^index\\.(onEvent|isComplete)$') } }));
  const keys = new Set(functions.map((fn: any) => JSON.stringify(fn.Properties.Code.S3Key)));
  expect(functions).toHaveLength(2);
  expect(keys.size).toBe(1);
  const assetDir = fs.readdirSync(assembly.directory).find((entry) => entry.startsWith('asset.') && fs.existsSync(path.join(assembly.directory, entry, 'index.js')) && fs.readFileSync(path.join(assembly.directory, entry, 'index.js'), 'utf8').includes('sagemaker-endpoint-cleanup:'));
  expect(assetDir).toBeDefined();
  const bundle = fs.readFileSync(path.join(assembly.directory, assetDir!, 'index.js'), 'utf8');
  expect(bundle).toMatch(/require\("@aws-sdk\/client-sagemaker"\)/);
  expect(bundle).toMatch(/require\("@aws-sdk\/client-application-auto-scaling"\)/);
  expect(bundle.length).toBeLessThan(100_000);
});
