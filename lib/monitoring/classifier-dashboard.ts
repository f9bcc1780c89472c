import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { IInferenceFunction } from '../inference/inference-function-base';
import type { IRetrainingPipeline } from '../pipeline/retraining-pipeline-base';
import type { IClassifierEndpoint } from '../serving/classifier-endpoint-base';
import { RetrainingRunMetrics, ScoredOn } from './run-metrics';

/** Properties of a `ClassifierDashboard`. */
export interface ClassifierDashboardProps {
  /** The endpoint: its invocations, latency and errors; its name is the dimension of the retraining run metrics. */
  readonly endpoint: IClassifierEndpoint;
  /**
   * The retraining pipeline: its runs, and each run's scores, promotion and training time.
   * @default - no retraining widgets
   */
  readonly pipeline?: IRetrainingPipeline;
  /**
   * The inference function: its invocations, errors, throttles and duration.
   * @default - no inference function widgets
   */
  readonly inference?: IInferenceFunction;
  /**
   * The dashboard's name: letters, digits, `-` and `_`, at most 255 characters.
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
  /**
   * The time range the dashboard shows when opened.
   * @default Duration.days(56), eight weekly runs
   */
  readonly defaultInterval?: Duration;
}

/** Width of a graph: two a row (the dashboard grid is 24 wide). */
const HALF = 12;
const HEIGHT = 6;
/** The period of the endpoint's and the function's graphs; the run metrics have one value per run (see run-metrics.ts). */
const TRAFFIC_PERIOD = Duration.minutes(5);
/** The period of the state machines' run counts: runs are hours or days apart. */
const RUN_PERIOD = Duration.hours(1);
/** Divisors for `scaled`: the training job's seconds, Step Functions' milliseconds and SageMaker's microseconds. */
const SECONDS_PER_MINUTE = 60;
const MILLISECONDS_PER_MINUTE = 60_000;
const MICROSECONDS_PER_MILLISECOND = 1000;

/**
 * A CloudWatch dashboard of one classifier: how each retraining run did (challenger and champion scores, promoted or
 * not, training and billable minutes, runs succeeded and failed), the endpoint's invocations, latency and errors, the
 * inference function's errors and duration, and batch runs (`addBatchWidgets`). Every piece but the endpoint is
 * optional, so it also describes a classifier deployed elsewhere (`ImageClassifier.fromAttributes`).
 *
 * Cost: CloudWatch bills $3 a month per dashboard beyond the account's 3 free ones (of up to 50 metrics; this one
 * graphs fewer). The run metrics are custom metrics ($0.30 a month each beyond the free 10, charged only for the hours
 * a run publishes them).
 */
export class ClassifierDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The metrics each retraining run publishes, for alarms of your own. */
  public readonly runMetrics: RetrainingRunMetrics;

  constructor(scope: Construct, id: string, props: ClassifierDashboardProps) {
    super(scope, id);
    const problem = dashboardNameProblem(props.dashboardName, 'dashboardName');
    if (problem) throw new Error(`${this.node.path}: invalid ClassifierDashboard props: ${problem}`);
    this.runMetrics = new RetrainingRunMetrics(props.endpoint.endpointName);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: props.defaultInterval ?? Duration.days(56),
    });
    if (props.pipeline) this.addRetrainingWidgets(props.pipeline);
    this.addEndpointWidgets(props.endpoint);
    if (props.inference) this.addInferenceWidgets(props.inference);
  }

  /**
   * Adds a row for a batch classification state machine: runs started, succeeded, failed, timed out and aborted, and
   * how long they took. Call it once per state machine (a `BatchClassification`'s, or any other).
   */
  public addBatchWidgets(stateMachine: sfn.IStateMachine, title = 'Batch classification'): void {
    const runs = (metric: cloudwatch.Metric, label: string) => metric.with({ label, statistic: 'Sum', period: RUN_PERIOD });
    this.dashboard.addWidgets(heading(title));
    this.dashboard.addWidgets(
      graph('Batch runs', [
        runs(stateMachine.metricStarted(), 'started'),
        runs(stateMachine.metricSucceeded(), 'succeeded'),
        runs(stateMachine.metricFailed(), 'failed'),
        runs(stateMachine.metricTimedOut(), 'timed out'),
        runs(stateMachine.metricAborted(), 'aborted'),
      ], { leftYAxis: { min: 0, label: 'runs' } }),
      graph('Batch run duration (minutes)', [
        scaled(stateMachine.metricTime({ statistic: 'Maximum', period: RUN_PERIOD }), 'longest run', MILLISECONDS_PER_MINUTE),
      ], { leftYAxis: { min: 0, label: 'minutes' } }),
    );
  }

  private addRetrainingWidgets(pipeline: IRetrainingPipeline): void {
    const run = this.runMetrics;
    this.dashboard.addWidgets(heading('Retraining runs', 'One point per run that reached the promotion gate. The challenger is the '
      + 'model the run trained, the champion the one serving. Validation: each model\'s own validation split; test set: '
      + 'both models on the same fixed images.'));
    this.dashboard.addWidgets(
      graph('Accuracy per run', [
        run.metricChallengerAccuracy(ScoredOn.VALIDATION, { label: 'challenger, validation' }),
        run.metricChampionAccuracy(ScoredOn.VALIDATION, { label: 'champion, validation' }),
        run.metricChallengerAccuracy(ScoredOn.TEST_SET, { label: 'challenger, test set' }),
        run.metricChampionAccuracy(ScoredOn.TEST_SET, { label: 'champion, test set' }),
      ], { leftYAxis: { min: 0, max: 1, label: 'accuracy' } }),
      graph('Macro F1 per run (test set)', [
        run.metricChallengerMacroF1({ label: 'challenger' }),
        run.metricChampionMacroF1({ label: 'champion' }),
      ], { leftYAxis: { min: 0, max: 1, label: 'macro F1' } }),
    );
    this.dashboard.addWidgets(
      graph('Runs', [
        pipeline.metricSucceededRuns({ label: 'succeeded', statistic: 'Sum', period: RUN_PERIOD }),
        pipeline.metricFailedRuns({ label: 'failed', statistic: 'Sum', period: RUN_PERIOD }),
        run.metricPromoted({ label: 'promoted' }),
      ], { leftYAxis: { min: 0, label: 'runs' } }),
      graph('Training time per run (minutes)', [
        scaled(run.metricTrainingSeconds(), 'training', SECONDS_PER_MINUTE),
        scaled(run.metricBillableTrainingSeconds(), 'billable', SECONDS_PER_MINUTE),
      ], { leftYAxis: { min: 0, label: 'minutes' } }),
    );
  }

  private addEndpointWidgets(endpoint: IClassifierEndpoint): void {
    const options = { period: TRAFFIC_PERIOD };
    this.dashboard.addWidgets(heading(`Endpoint ${endpoint.endpointName}`));
    this.dashboard.addWidgets(
      graph('Endpoint invocations and errors', [
        endpoint.metricInvocations({ ...options, label: 'invocations' }),
      ], {
        leftYAxis: { min: 0, label: 'requests' },
        right: [
          endpoint.metricInvocation4XXErrors({ ...options, label: '4xx errors' }),
          endpoint.metricInvocation5XXErrors({ ...options, label: '5xx errors' }),
          endpoint.metricModelErrors({ ...options, label: 'model errors' }),
        ],
        rightYAxis: { min: 0, label: 'errors' },
      }),
      graph('Endpoint latency (milliseconds)', [
        scaled(endpoint.metricModelLatency({ ...options, statistic: 'Average' }), 'model, average', MICROSECONDS_PER_MILLISECOND),
        scaled(endpoint.metricModelLatency({ ...options, statistic: 'p99' }), 'model, p99', MICROSECONDS_PER_MILLISECOND),
        scaled(endpoint.metricOverheadLatency({ ...options, statistic: 'Average' }), 'SageMaker overhead, average', MICROSECONDS_PER_MILLISECOND),
      ], { leftYAxis: { min: 0, label: 'ms' } }),
    );
  }

  private addInferenceWidgets(inference: IInferenceFunction): void {
    const options = { period: TRAFFIC_PERIOD };
    this.dashboard.addWidgets(heading('Inference function'));
    this.dashboard.addWidgets(
      graph('Function invocations and errors', [
        inference.metricInvocations({ ...options, statistic: 'Sum', label: 'invocations' }),
      ], {
        leftYAxis: { min: 0, label: 'requests' },
        right: [
          inference.metricErrors({ ...options, statistic: 'Sum', label: 'errors' }),
          inference.metricThrottles({ ...options, statistic: 'Sum', label: 'throttles' }),
        ],
        rightYAxis: { min: 0, label: 'errors' },
      }),
      graph('Function duration (milliseconds)', [
        inference.metricDuration({ ...options, statistic: 'Average', label: 'average' }),
        inference.metricDuration({ ...options, statistic: 'p99', label: 'p99' }),
      ], { leftYAxis: { min: 0, label: 'ms' } }),
    );
  }
}

function heading(title: string, text?: string): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({ markdown: `## ${title}${text ? `\n${text}` : ''}`, width: 24, height: text ? 2 : 1 });
}

function graph(title: string, left: cloudwatch.IMetric[], options: Omit<cloudwatch.GraphWidgetProps, 'title' | 'left'>): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, width: HALF, height: HEIGHT, ...options });
}

/**
 * `metric` divided by `divisor`, labelled: a math expression (CloudWatch has no minutes unit, and SageMaker reports
 * latency in microseconds). The metric's id in the expression comes from the label, unique within a graph.
 */
function scaled(metric: cloudwatch.IMetric, label: string, divisor: number): cloudwatch.MathExpression {
  const id = `m_${label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
  // The expression's period replaces the metric's: keep the metric's.
  const period = metric.toMetricConfig().metricStat?.period;
  return new cloudwatch.MathExpression({ expression: `${id} / ${divisor}`, usingMetrics: { [id]: metric }, label, period });
}

/** What is wrong with a dashboard name given as `prop`, if anything (CloudWatch's PutDashboard rule). */
export function dashboardNameProblem(name: string | undefined, prop: string): string | undefined {
  if (name === undefined || Token.isUnresolved(name) || /^[A-Za-z0-9_-]{1,255}$/.test(name)) return undefined;
  return `${prop} must be 1 to 255 letters, digits, '-' or '_', got '${name}'`;
}
