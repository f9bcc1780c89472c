import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as fc from 'fast-check';
import {
  ClassifierDashboard, ClassifierEndpoint, DatasetBucket, ImageClassifier, ImageClassifierStack, InferenceFunction, ModelArtifact,
  RetrainingPipeline, TrainingJobDefinition,
} from '../../lib';
import { publishRunMetrics } from '../../lambda/pipeline/run-metrics';
import { createLogger } from '../../lambda/shared/log';
import { RUN_METRICS_NAMESPACE, ScoredOn } from '../../lambda/shared/run-metrics-contract';
import { expectCleanOutcome } from '../fuzz/expect-clean-outcome';
import { anyString } from '../fuzz/generators';
import { NO_BUNDLING, testStack } from '../helpers';
import { TemplateJson, resolveIntrinsics } from '../support/cfn-template';
import {
  DashboardWidget, GraphedMetric, dashboardWidgets, emfProblems, emittedMetrics, metricKey, stdoutOf, widgetMetrics,
} from '../support/cloudwatch-metrics';
import { Scenario, runPipeline } from '../support/pipeline-world';

/**
 * The dashboard as CloudFormation receives it (the DashboardBody's Fn::Join resolved and parsed), checked against the
 * metrics that exist: the run metrics the pipeline's real step function writes when the synthesized state machine
 * runs, and the AWS metrics of the classifier's own endpoint, function and state machines.
 */

/** A stack with every piece the dashboard shows, built one by one as a user's stack would. */
function piecesFixture() {
  const app = new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING });
  const stack = new Stack(app, 'TestStack');
  const dataset = new DatasetBucket(stack, 'Dataset');
  const training = new TrainingJobDefinition(stack, 'Training', { dataset, hyperparameters: { epochs: 8 } });
  const endpoint = new ClassifierEndpoint(stack, 'Endpoint');
  const pipeline = new RetrainingPipeline(stack, 'Pipeline', { training, endpoint });
  const inference = new InferenceFunction(stack, 'Inference', { endpointName: endpoint.endpointName, imageSize: 224 });
  const batch = new sfn.StateMachine(stack, 'Batch', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Classify')) });
  const dashboard = new ClassifierDashboard(stack, 'Dashboard', { endpoint, pipeline, inference });
  dashboard.addBatchWidgets(batch);
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const resolved = (value: unknown) => resolveIntrinsics(template, stack.resolve(value)) as string;
  const machine = template.Resources[stack.getLogicalId(pipeline.stateMachine.node.defaultChild as never)];
  return {
    stack, endpoint, pipeline, template, resolved,
    widgets: onlyDashboard(template),
    definition: JSON.parse(resolveIntrinsics(template, machine.Properties!.DefinitionString) as string) as Record<string, unknown>,
    names: {
      endpoint: resolved(endpoint.endpointName),
      function: resolved(inference.function.functionName),
      pipeline: resolved(pipeline.stateMachine.stateMachineArn),
      batch: resolved(batch.stateMachineArn),
    },
  };
}

function onlyDashboard(template: TemplateJson): DashboardWidget[] {
  const dashboards = [...dashboardWidgets(template).values()];
  expect(dashboards).toHaveLength(1);
  return dashboards[0];
}

const graphs = (widgets: DashboardWidget[]) => widgets.filter((w) => w.type === 'metric');
const allMetrics = (widgets: DashboardWidget[]): GraphedMetric[] => graphs(widgets).flatMap((w) => widgetMetrics(w).metrics);

let fixture: ReturnType<typeof piecesFixture>;
beforeAll(() => {
  fixture = piecesFixture();
});

describe('the run metrics: what the pipeline publishes is what the dashboard graphs', () => {
  const scenarios: Array<[string, Scenario, number]> = [
    ['first run (no champion)', {}, 1],
    ['a better model', { endpointExists: true, championAccuracy: 0.8, validationAccuracy: 0.9 }, 1],
    ['a worse model', { endpointExists: true, championAccuracy: 0.95, validationAccuracy: 0.9 }, 0],
  ];

  test.each(scenarios)('%s: every metric the run writes is graphed, same namespace, name and dimensions', async (_name, scenario, promoted) => {
    const result = await runPipeline(fixture.definition, scenario, fixture.endpoint);
    expect(result.status).toBe('SUCCEEDED');
    const lines = result.world.stepFunctionOutput.filter((line) => line.includes('"_aws"'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const emitted = emittedMetrics(lines);
    const graphed = new Set(allMetrics(fixture.widgets).map(metricKey));
    expect(emitted.map(metricKey).filter((key) => !graphed.has(key))).toEqual([]);
    // ...and they carry the run's figures.
    const value = (name: string) => emitted.find((m) => m.name === name)?.value;
    expect(value('Promoted')).toBe(promoted);
    expect(value('ChallengerAccuracy')).toBe(scenario.validationAccuracy ?? 0.9);
    expect(value('ChampionAccuracy')).toBe(scenario.championAccuracy);
    expect(value('TrainingSeconds')).toBe(420);
    expect(emitted.every((m) => m.namespace === RUN_METRICS_NAMESPACE && m.dimensions.Endpoint === fixture.names.endpoint)).toBe(true);
  });

  test('the dashboard graphs no run metric the step function could not write', async () => {
    const every = { challengerAccuracy: 0.9, championAccuracy: 0.8, challengerMacroF1: 0.85, championMacroF1: 0.75 };
    const { lines } = await stdoutOf(() => publishRunMetrics({
      endpointName: fixture.names.endpoint, scores: { [ScoredOn.VALIDATION]: every, [ScoredOn.TEST_SET]: every },
      promoted: true, trainingSeconds: 1, billableTrainingSeconds: 1,
    }, createLogger('test')));
    const writable = new Set(emittedMetrics(lines).map(metricKey));
    const graphedRunMetrics = allMetrics(fixture.widgets).filter((m) => m.namespace === RUN_METRICS_NAMESPACE).map(metricKey);
    expect(graphedRunMetrics.filter((key) => !writable.has(key))).toEqual([]);
    // Macro F1 has no validation figure: the dashboard graphs the test set's only.
    expect(new Set(graphedRunMetrics)).toEqual(new Set([...writable].filter((key) => !/MacroF1\{.*ScoredOn=Validation/.test(key))));
  });
});

describe('the dashboard graphs this classifier\'s own AWS metrics', () => {
  test('each graph shows the metrics its title promises, of the right resource', () => {
    const { endpoint, function: fn, pipeline, batch } = fixture.names;
    const sageMaker = { EndpointName: endpoint, VariantName: 'AllTraffic' };
    const run = { Endpoint: endpoint };
    const validation = { ...run, ScoredOn: 'Validation' };
    const testSet = { ...run, ScoredOn: 'TestSet' };
    const m = (namespace: string, name: string, dimensions: Record<string, string>) => metricKey({ namespace, name, dimensions });
    const expected: Record<string, string[]> = {
      'Accuracy per run': [
        m(RUN_METRICS_NAMESPACE, 'ChallengerAccuracy', validation), m(RUN_METRICS_NAMESPACE, 'ChampionAccuracy', validation),
        m(RUN_METRICS_NAMESPACE, 'ChallengerAccuracy', testSet), m(RUN_METRICS_NAMESPACE, 'ChampionAccuracy', testSet),
      ],
      'Macro F1 per run (test set)': [m(RUN_METRICS_NAMESPACE, 'ChallengerMacroF1', testSet), m(RUN_METRICS_NAMESPACE, 'ChampionMacroF1', testSet)],
      'Runs': [
        m('AWS/States', 'ExecutionsSucceeded', { StateMachineArn: pipeline }), m('AWS/States', 'ExecutionsFailed', { StateMachineArn: pipeline }),
        m(RUN_METRICS_NAMESPACE, 'Promoted', run),
      ],
      'Training time per run (minutes)': [m(RUN_METRICS_NAMESPACE, 'TrainingSeconds', run), m(RUN_METRICS_NAMESPACE, 'BillableTrainingSeconds', run)],
      'Endpoint invocations and errors': ['Invocations', 'Invocation4XXErrors', 'Invocation5XXErrors', 'InvocationModelErrors']
        .map((name) => m('AWS/SageMaker', name, sageMaker)),
      'Endpoint latency (milliseconds)': [m('AWS/SageMaker', 'ModelLatency', sageMaker), m('AWS/SageMaker', 'ModelLatency', sageMaker),
        m('AWS/SageMaker', 'OverheadLatency', sageMaker)],
      'Function invocations and errors': ['Invocations', 'Errors', 'Throttles'].map((name) => m('AWS/Lambda', name, { FunctionName: fn })),
      'Function duration (milliseconds)': [m('AWS/Lambda', 'Duration', { FunctionName: fn }), m('AWS/Lambda', 'Duration', { FunctionName: fn })],
      'Batch runs': ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']
        .map((name) => m('AWS/States', name, { StateMachineArn: batch })),
      'Batch run duration (minutes)': [m('AWS/States', 'ExecutionTime', { StateMachineArn: batch })],
    };
    const actual = Object.fromEntries(graphs(fixture.widgets).map((w) => [w.properties.title, widgetMetrics(w).metrics.map(metricKey).sort()]));
    expect(actual).toEqual(Object.fromEntries(Object.entries(expected).map(([title, keys]) => [title, keys.sort()])));
  });

  test('latency is graphed as average and p99, counts as sums; runs by the hour, traffic by 5 minutes', () => {
    // Average and 300 seconds are the dashboard's defaults, which aws-cdk-lib leaves out.
    const stats = (title: string) => widgetMetrics(graphs(fixture.widgets).find((w) => w.properties.title === title)!)
      .metrics.map((metric) => `${metric.name}:${String(metric.options.stat ?? 'Average')}`).sort();
    expect(stats('Endpoint latency (milliseconds)')).toEqual(['ModelLatency:Average', 'ModelLatency:p99', 'OverheadLatency:Average']);
    expect(stats('Function duration (milliseconds)')).toEqual(['Duration:Average', 'Duration:p99']);
    expect(stats('Runs')).toEqual(['ExecutionsFailed:Sum', 'ExecutionsSucceeded:Sum', 'Promoted:Sum']);
    expect(stats('Endpoint invocations and errors').every((s) => s.endsWith(':Sum'))).toBe(true);
    for (const metric of allMetrics(fixture.widgets)) {
      const hourly = metric.namespace === RUN_METRICS_NAMESPACE || metric.namespace === 'AWS/States';
      expect([metric.name, metric.options.period ?? 300]).toEqual([metric.name, hourly ? 3600 : 300]);
    }
  });

  test('every math expression uses only hidden metrics of its own graph, and is labelled', () => {
    let checked = 0;
    for (const widget of graphs(fixture.widgets)) {
      const { metrics, expressions } = widgetMetrics(widget);
      const ids = new Map(metrics.map((metric) => [metric.options.id as string | undefined, metric]));
      for (const expression of expressions) {
        const used = expression.expression.match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? [];
        expect(used.length).toBeGreaterThan(0);
        for (const id of used) expect(ids.get(id)?.options.visible).toBe(false);
        expect(expression.label).toEqual(expect.any(String));
        checked++;
      }
    }
    // Training and billable minutes, three latencies, the batch run duration.
    expect(checked).toBe(6);
  });

  test('graphs at most 50 metrics, the size of a dashboard CloudWatch\'s free tier covers', () => {
    const distinct = new Set(allMetrics(fixture.widgets).map((metric) => `${metricKey(metric)}:${String(metric.options.stat)}`));
    expect(distinct.size).toBeLessThanOrEqual(50);
  });
});

describe('ClassifierDashboard on its own', () => {
  test('describes a classifier deployed elsewhere, from its attributes', () => {
    const stack = testStack();
    const classifier = ImageClassifier.fromAttributes(stack, 'Deployed', {
      endpointName: 'flowers',
      inferenceFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:classify',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:retraining',
    });
    const dashboard = new ClassifierDashboard(stack, 'Dashboard', {
      endpoint: classifier.endpoint, pipeline: classifier.pipeline, inference: classifier.inference, dashboardName: 'flowers-classifier',
    });
    expect(dashboard.runMetrics.endpointName).toBe('flowers');
    const template = Template.fromStack(stack).toJSON() as TemplateJson;
    expect(Object.values(template.Resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')?.Properties?.DashboardName).toBe('flowers-classifier');
    const dimensions = allMetrics(onlyDashboard(template)).map((m) => JSON.stringify(m.dimensions));
    expect(dimensions).toEqual(expect.arrayContaining([
      JSON.stringify({ Endpoint: 'flowers' }),
      JSON.stringify({ EndpointName: 'flowers', VariantName: 'AllTraffic' }),
      JSON.stringify({ FunctionName: 'classify' }),
      JSON.stringify({ StateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:retraining' }),
    ]));
  });

  test('with the endpoint only: endpoint graphs, nothing of runs or functions', () => {
    const stack = testStack();
    new ClassifierDashboard(stack, 'Dashboard', { endpoint: ClassifierEndpoint.fromEndpointName(stack, 'Endpoint', 'flowers') });
    const namespaces = new Set(allMetrics(onlyDashboard(Template.fromStack(stack).toJSON() as TemplateJson)).map((m) => m.namespace));
    expect(namespaces).toEqual(new Set(['AWS/SageMaker']));
  });

  test('any dashboard name is accepted exactly when CloudWatch would take it, or refused with a message naming dashboardName', () => {
    const stack = testStack();
    const endpoint = ClassifierEndpoint.fromEndpointName(stack, 'Endpoint', 'flowers');
    let index = 0;
    fc.assert(fc.property(fc.oneof(anyString(), fc.stringMatching(/^[A-Za-z0-9_-]{1,255}$/)), (name) => {
      const outcome = expectCleanOutcome(() => new ClassifierDashboard(stack, `Dashboard${index++}`, { endpoint, dashboardName: name }),
        { names: ['dashboardName'], inputs: [name] });
      expect(outcome.ok).toBe(/^[A-Za-z0-9_-]{1,255}$/.test(name));
    }), { numRuns: 200 });
  });

  test.each(['has space', 'slash/name', 'x'.repeat(256), ''])('rejects the dashboard name %j, naming dashboardName', (name) => {
    const stack = testStack();
    expect(() => new ClassifierDashboard(stack, 'Dashboard', { endpoint: ClassifierEndpoint.fromEndpointName(stack, 'Endpoint', 'flowers'), dashboardName: name }))
      .toThrow(`Dashboard: invalid ClassifierDashboard props: dashboardName must be 1 to 255 letters, digits, '-' or '_', got '${name}'`);
  });
});

describe('ImageClassifier and its dashboard', () => {
  const dashboards = (stack: Stack) => dashboardWidgets(Template.fromStack(stack).toJSON() as TemplateJson);

  test('has one by default, of its endpoint, pipeline and function; the app\'s stack outputs its name', () => {
    const stack = new ImageClassifierStack(new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING }), 'TestStack');
    const classifier = stack.classifier;
    expect(classifier.dashboard?.runMetrics.endpointName).toBe(classifier.endpoint.endpointName);
    const template = Template.fromStack(stack).toJSON() as TemplateJson & { Outputs: Record<string, { Value: unknown }> };
    const [[logicalId, widgets]] = [...dashboardWidgets(template).entries()];
    expect(new Set(allMetrics(widgets).map((m) => m.namespace))).toEqual(new Set([RUN_METRICS_NAMESPACE, 'AWS/States', 'AWS/SageMaker', 'AWS/Lambda']));
    expect(template.Outputs.DashboardName.Value).toEqual({ Ref: logicalId });
  });

  test('dashboard: false creates none; a name is passed on', () => {
    const without = testStack();
    expect(new ImageClassifier(without, 'Classifier', { dashboard: false }).dashboard).toBeUndefined();
    expect(dashboards(without).size).toBe(0);
    const named = testStack();
    new ImageClassifier(named, 'Classifier', { dashboard: { dashboardName: 'flowers' } });
    Template.fromStack(named).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'flowers' });
  });

  test('rejects a bad name before creating anything, naming dashboard.dashboardName', () => {
    const stack = testStack();
    expect(() => new ImageClassifier(stack, 'Classifier', { dashboard: { dashboardName: 'my dashboard' } }))
      .toThrow("dashboard.dashboardName must be 1 to 255 letters, digits, '-' or '_', got 'my dashboard'");
    expect(stack.node.findAll().filter((c) => c.node.id === 'Dataset')).toEqual([]);
  });

  test('a fixed model artifact (no pipeline): no run or pipeline graphs', () => {
    const stack = testStack('us-east-1');
    const artifacts = new s3.Bucket(stack, 'Models');
    new ImageClassifier(stack, 'Classifier', { serving: { modelArtifact: ModelArtifact.fromS3(artifacts, 'flowers/model.tar.gz') } });
    const [widgets] = [...dashboards(stack).values()];
    expect(new Set(allMetrics(widgets).map((m) => m.namespace))).toEqual(new Set(['AWS/SageMaker', 'AWS/Lambda']));
  });
});
