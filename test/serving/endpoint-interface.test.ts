import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { endpoint } from './helpers';
import { ClassifierEndpoint } from '../../lib/serving/classifier-endpoint';
import { IClassifierEndpoint } from '../../lib/serving/classifier-endpoint-base';
import { EndpointCapacity } from '../../lib/serving/endpoint-capacity';
import { ModelArtifact } from '../../lib/serving/model-artifact';
import { testStack } from '../helpers';

/**
 * Where SageMaker publishes each endpoint metric, from its CloudWatch documentation ("SageMaker endpoint invocation
 * metrics", "instance metrics", "Monitor a serverless endpoint"): written out here, not taken from the library.
 */
const PUBLISHED: ReadonlyArray<{ method: keyof IClassifierEndpoint; name: string; statistic: string; instances: string; serverless: string | 'none' }> = [
  { method: 'metricInvocations', name: 'Invocations', statistic: 'Sum', instances: 'AWS/SageMaker', serverless: 'AWS/SageMaker' },
  { method: 'metricModelLatency', name: 'ModelLatency', statistic: 'Average', instances: 'AWS/SageMaker', serverless: 'AWS/SageMaker' },
  { method: 'metricOverheadLatency', name: 'OverheadLatency', statistic: 'Average', instances: 'AWS/SageMaker', serverless: 'AWS/SageMaker' },
  { method: 'metricInvocation4XXErrors', name: 'Invocation4XXErrors', statistic: 'Sum', instances: 'AWS/SageMaker', serverless: 'AWS/SageMaker' },
  { method: 'metricInvocation5XXErrors', name: 'Invocation5XXErrors', statistic: 'Sum', instances: 'AWS/SageMaker', serverless: 'AWS/SageMaker' },
  { method: 'metricModelErrors', name: 'InvocationModelErrors', statistic: 'Sum', instances: 'AWS/SageMaker', serverless: 'AWS/SageMaker' },
  { method: 'metricCpuUtilization', name: 'CPUUtilization', statistic: 'Average', instances: '/aws/sagemaker/Endpoints', serverless: 'none' },
  { method: 'metricMemoryUtilization', name: 'MemoryUtilization', statistic: 'Average', instances: '/aws/sagemaker/Endpoints', serverless: 'AWS/SageMaker' },
  { method: 'metricGpuUtilization', name: 'GPUUtilization', statistic: 'Average', instances: '/aws/sagemaker/Endpoints', serverless: 'none' },
  { method: 'metricGpuMemoryUtilization', name: 'GPUMemoryUtilization', statistic: 'Average', instances: '/aws/sagemaker/Endpoints', serverless: 'none' },
  { method: 'metricDiskUtilization', name: 'DiskUtilization', statistic: 'Average', instances: '/aws/sagemaker/Endpoints', serverless: 'none' },
];

/** The four kinds of endpoint object a user holds: built here or imported, on instances or serverless. */
function endpoints(): Array<{ label: string; serverless: boolean; endpoint: IClassifierEndpoint }> {
  // One stack each: a stack refuses two endpoints of the same name, and all four are called 'flowers'.
  const stack = () => testStack('us-east-1');
  return [
    { label: 'ClassifierEndpoint on instances', serverless: false, endpoint: new ClassifierEndpoint(stack(), 'Instances', { endpointName: 'flowers', variantName: 'Blue' }) },
    { label: 'serverless ClassifierEndpoint', serverless: true, endpoint: new ClassifierEndpoint(stack(), 'Serverless', { endpointName: 'flowers', variantName: 'Blue', capacity: EndpointCapacity.serverless() }) },
    { label: 'imported endpoint', serverless: false, endpoint: ClassifierEndpoint.fromEndpointAttributes(stack(), 'Imported', { endpointName: 'flowers', variantName: 'Blue' }) },
    { label: 'imported serverless endpoint', serverless: true, endpoint: ClassifierEndpoint.fromEndpointAttributes(stack(), 'ImportedServerless', { endpointName: 'flowers', variantName: 'Blue', serverless: true }) },
  ];
}

describe('endpoint metrics', () => {
  const cases = endpoints().flatMap((subject) => PUBLISHED.map((metric) => ({ ...subject, metric })));

  test.each(cases.map((c) => [c.label, c.metric.method, c] as const))('%s: %s is the metric SageMaker publishes, or refused', (_label, _method, c) => {
    const namespace = c.serverless ? c.metric.serverless : c.metric.instances;
    const call = () => (c.endpoint[c.metric.method] as (props?: object) => any).call(c.endpoint, { period: Duration.minutes(5) });
    if (namespace === 'none') {
      expect(call).toThrow(new RegExp(`${c.metric.method}: SageMaker publishes no ${c.metric.name} for a serverless endpoint`));
      return;
    }
    const metric = call();
    expect({ namespace: metric.namespace, name: metric.metricName, statistic: metric.statistic, dimensions: metric.dimensions, period: metric.period.toSeconds() })
      .toEqual({ namespace, name: c.metric.name, statistic: c.metric.statistic, dimensions: { EndpointName: 'flowers', VariantName: 'Blue' }, period: 300 });
  });

  test('metric(name) routes every published name to its namespace, and the caller\'s statistic wins', () => {
    for (const subject of endpoints()) {
      for (const published of PUBLISHED) {
        const namespace = subject.serverless ? published.serverless : published.instances;
        if (namespace === 'none') continue;
        const metric = subject.endpoint.metric(published.name, { statistic: 'p99' });
        expect([subject.label, metric.namespace, metric.statistic]).toEqual([subject.label, namespace, 'p99']);
      }
    }
  });

  test('an alarm on an imported endpoint\'s CPU utilisation names the endpoint and variant', () => {
    const stack = testStack('us-east-1');
    const imported = ClassifierEndpoint.fromEndpointName(stack, 'Imported', 'Prod-Flowers');
    imported.metricCpuUtilization().createAlarm(stack, 'Cpu', { threshold: 80, evaluationPeriods: 3 });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: '/aws/sagemaker/Endpoints',
      MetricName: 'CPUUtilization',
      Dimensions: Match.arrayWith([{ Name: 'EndpointName', Value: 'Prod-Flowers' }, { Name: 'VariantName', Value: 'AllTraffic' }]),
    });
  });
});

describe('the endpoint as aws-cdk-lib\'s sagemaker.IEndpoint', () => {
  test('API Gateway\'s SageMaker integration calls the endpoint with a role the endpoint granted', () => {
    // GIVEN
    const { stack, endpoint: classifier } = endpoint({ endpointName: 'flowers' });
    const asSageMakerEndpoint: sagemaker.IEndpoint = classifier;
    const role = new iam.Role(stack, 'ApiRole', { assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com') });
    classifier.grantInvoke(role);
    // WHEN
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addMethod('POST', new apigateway.SagemakerIntegration(asSageMakerEndpoint, { credentialsRole: role }));
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: Match.objectLike({
        Uri: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':runtime\\.sagemaker:path/endpoints/flowers/invocations$')])] },
      }),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':endpoint/flowers$')])] } }] },
      Roles: [{ Ref: Match.stringLikeRegexp('^ApiRole') }],
    });
    expect(classifier.endpointRef).toEqual({ endpointArn: classifier.endpointArn });
  });

  test('an imported endpoint\'s ARN lowercases its name as SageMaker does, and a token name passes', () => {
    const stack = testStack('us-east-1');
    const imported = ClassifierEndpoint.fromEndpointName(stack, 'Imported', 'Prod-Flowers');
    expect(stack.resolve(imported.endpointArn)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:endpoint/prod-flowers']] });
    const fromExport = ClassifierEndpoint.fromEndpointName(stack, 'FromExport', Fn.importValue('ClassifierEndpointName'));
    expect(JSON.stringify(stack.resolve(fromExport.endpointArn))).toContain('ClassifierEndpointName');
  });

  test('rejects an imported endpoint name SageMaker cannot have', () => {
    const stack = testStack('us-east-1');
    expect(() => ClassifierEndpoint.fromEndpointAttributes(stack, 'Imported', { endpointName: 'flowers_prod', variantName: '-blue' }))
      .toThrow(/endpointName must be 1-63 letters.*got 'flowers_prod'[\s\S]*variantName must be 1-63 letters.*got '-blue'/);
  });
});

describe('removal policy', () => {
  test('applies to the model, configuration and endpoint CloudFormation owns', () => {
    const stack = testStack('us-east-1');
    const bucket = new s3.Bucket(stack, 'Models');
    const classifier = new ClassifierEndpoint(stack, 'Endpoint', { modelArtifact: ModelArtifact.fromS3(bucket, 'model.tar.gz') });
    classifier.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const template = Template.fromStack(stack);
    for (const type of ['AWS::SageMaker::Model', 'AWS::SageMaker::EndpointConfig', 'AWS::SageMaker::Endpoint']) {
      template.hasResource(type, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  test('is refused with the reason for a pipeline-owned endpoint and an imported one', () => {
    const { stack, endpoint: classifier } = endpoint();
    expect(() => classifier.applyRemovalPolicy(RemovalPolicy.RETAIN)).toThrow(/the retraining pipeline, not CloudFormation, owns this endpoint/);
    const imported = ClassifierEndpoint.fromEndpointName(stack, 'Imported', 'flowers');
    expect(() => imported.applyRemovalPolicy(RemovalPolicy.RETAIN)).toThrow(/imported endpoint has no resource in this stack/);
  });
});
