import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Validations } from 'aws-cdk-lib';
import { ImageClassifier } from '../../lib/image-classifier';
import { ImageClassifierStack } from '../../lib/image-classifier-stack';
import { NO_BUNDLING } from '../helpers';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/**
 * What the classifier's app publishes in its stack outputs, taken from its synthesized template: the endpoint name
 * and state machine name are fixed at synth; the function's name is CloudFormation's choice at deploy, so the one
 * here stands for what the InferenceFunctionArn output shows after `cdk deploy`.
 */
function deployedClassifier() {
  const app = new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING });
  const stack = new ImageClassifierStack(app, 'ClassifierStack', { env: ENV });
  const template = Template.fromStack(stack);
  const outputs = template.toJSON().Outputs;
  const stateMachine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
  expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['EndpointName', 'InferenceFunctionArn', 'RetrainingStateMachineArn']));
  return {
    endpointName: outputs.EndpointName.Value as string,
    stateMachineArn: `arn:aws:states:${ENV.region}:${ENV.account}:stateMachine:${stateMachine.Properties.StateMachineName}`,
    inferenceFunctionArn: `arn:aws:lambda:${ENV.region}:${ENV.account}:function:ClassifierStack-ClassifierInferenceFunction-Xk3PqL9mN2aB`,
  };
}

describe('a classifier deployed by one app, granted and monitored from another', () => {
  const deployed = deployedClassifier();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'imported-classifier-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  // GIVEN another app, which imports the classifier by the names and ARNs the first one outputs
  const app = new App({ outdir });
  const stack = new Stack(app, 'TeamStack', { env: ENV });
  const classifier = ImageClassifier.fromAttributes(stack, 'Classifier', deployed);
  const role = new iam.Role(stack, 'TeamRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  // WHEN it grants a role and alarms on the parts' metrics
  classifier.grantInvoke(role);
  classifier.grantStartRetraining(role);
  classifier.endpoint.grantInvoke(role);
  const alarm = (id: string, metric: cloudwatch.IMetric) => new cloudwatch.Alarm(stack, id, { metric, threshold: 1, evaluationPeriods: 3 });
  alarm('ModelLatency', classifier.endpoint.metricModelLatency({ period: Duration.minutes(1) }));
  alarm('EndpointCpu', classifier.endpoint.metricCpuUtilization());
  alarm('InferenceErrors', classifier.inference!.metricErrors());
  alarm('FailedRuns', classifier.pipeline!.metricFailedRuns());
  const pack = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(pack);
  app.synth();
  const template = Template.fromStack(stack);

  test('the role may invoke exactly that function, endpoint and state machine', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const fn = deployed.inferenceFunctionArn;
    expect(statements).toEqual(expect.arrayContaining([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: [fn, `${fn}:*`] },
      { Action: 'lambda:InvokeFunctionUrl', Effect: 'Allow', Resource: fn, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } },
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: fn, Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': true } } },
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: deployed.stateMachineArn },
      {
        Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sagemaker:${ENV.region}:${ENV.account}:endpoint/${deployed.endpointName.toLowerCase()}`]] },
      },
    ]));
    expect(statements).toHaveLength(5);
  });

  test('the alarms watch the deployed endpoint, function and state machine', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((resource) => resource.Properties);
    const byMetric = (name: string) => alarms.find((properties) => properties.MetricName === name);
    const endpointDimensions = [{ Name: 'EndpointName', Value: deployed.endpointName }, { Name: 'VariantName', Value: 'AllTraffic' }];
    expect(byMetric('ModelLatency')).toMatchObject({ Namespace: 'AWS/SageMaker', Dimensions: endpointDimensions, Period: 60 });
    expect(byMetric('CPUUtilization')).toMatchObject({ Namespace: '/aws/sagemaker/Endpoints', Dimensions: endpointDimensions });
    expect(byMetric('Errors')).toMatchObject({ Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: 'ClassifierStack-ClassifierInferenceFunction-Xk3PqL9mN2aB' }] });
    expect(byMetric('ExecutionsFailed')).toMatchObject({ Namespace: 'AWS/States', Dimensions: [{ Name: 'StateMachineArn', Value: deployed.stateMachineArn }] });
  });

  test('nothing of the classifier is created again: only the role, its policy and the alarms', () => {
    expect([...new Set(Object.values(template.toJSON().Resources).map((resource: any) => resource.Type))].sort())
      .toEqual(['AWS::CloudWatch::Alarm', 'AWS::IAM::Policy', 'AWS::IAM::Role']);
  });

  test('cdk-nag\'s AwsSolutions pack ran on the importing app and reported nothing', () => {
    const reportFile = path.join(outdir, 'validation-report.json');
    const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : { pluginReports: [] };
    const violations = report.pluginReports.flatMap((entry: { violations?: unknown[] }) => entry.violations ?? []);
    expect(violations).toEqual([]);
    // The pack did look: without the library's acknowledgement, the function's version wildcard is a finding.
    const unacknowledged = new AwsSolutionsChecks();
    (unacknowledged as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const findings = unacknowledged.validateScope(app).violations.map((violation) => violation.ruleName);
    expect(findings).toEqual([`AwsSolutions-IAM5[Resource::${deployed.inferenceFunctionArn}:*]`]);
  });
});

describe('ImageClassifier.fromAttributes', () => {
  test('without the function or state machine, the grants that need them are refused with the fix', () => {
    const stack = new Stack(new App(), 'TeamStack');
    const classifier = ImageClassifier.fromAttributes(stack, 'Classifier', { endpointName: 'flowers' });
    const role = new iam.Role(stack, 'TeamRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => classifier.grantInvoke(role)).toThrow(/grantInvoke needs the inference function; pass inferenceFunctionArn .* endpoint\.grantInvoke/);
    expect(() => classifier.grantStartRetraining(role)).toThrow(/grantStartRetraining needs a retraining pipeline/);
    expect(classifier.endpoint.grantInvoke(role).success).toBe(true);
  });

  test('reports every bad attribute at once', () => {
    const stack = new Stack(new App(), 'TeamStack');
    expect(() => ImageClassifier.fromAttributes(stack, 'Classifier', {
      endpointName: 'flowers_prod', inferenceFunctionArn: 'classify', stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:activity:x',
    })).toThrow(/endpointName must be 1-63 letters[\s\S]*functionArn must be an unqualified function ARN[\s\S]*stateMachineArn must be a state machine ARN/);
  });

  test('an ImageClassifier of this app grants the same way', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'ClassifierStack');
    const classifier = new ImageClassifier(stack, 'Classifier');
    const role = new iam.Role(stack, 'TeamRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    classifier.grantInvoke(role);
    classifier.grantStartRetraining(role);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] } });
    const actions = Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement.map((statement: any) => statement.Action));
    expect(actions.sort()).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunction', 'lambda:InvokeFunctionUrl', 'states:StartExecution']);
  });
});
