import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { RUN_METRICS_NAMESPACE, RunMetric, RunMetricDimension, ScoreMetric, ScoreMetricName, ScoredOn } from '../../lambda/shared/run-metrics-contract';

export { ScoredOn };

/**
 * The CloudWatch metrics each retraining run of an endpoint publishes (namespace `SageMakerImageClassifier`,
 * dimension `Endpoint`), one value per run that reached the promotion gate. The pipeline's step function writes them
 * in CloudWatch's embedded metric format, so they exist from the first such run on. Use them for graphs and alarms
 * (a run that did not promote, a drop in accuracy, training time going up).
 */
export class RetrainingRunMetrics {
  /** @param endpointName the endpoint the pipeline retrains (`RetrainingPipeline.endpointName`) */
  constructor(public readonly endpointName: string) {}

  /** Accuracy of the model the run trained, 0-1 (average per period). */
  public metricChallengerAccuracy(scoredOn: ScoredOn = ScoredOn.VALIDATION, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.score(ScoreMetric.CHALLENGER_ACCURACY, scoredOn, props);
  }

  /** Accuracy of the serving model the run compared against, 0-1 (average per period); absent before the first promotion. */
  public metricChampionAccuracy(scoredOn: ScoredOn = ScoredOn.VALIDATION, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.score(ScoreMetric.CHAMPION_ACCURACY, scoredOn, props);
  }

  /** Macro-averaged F1 of the model the run trained on the test set, 0-1 (average per period). */
  public metricChallengerMacroF1(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.score(ScoreMetric.CHALLENGER_MACRO_F1, ScoredOn.TEST_SET, props);
  }

  /** Macro-averaged F1 of the serving model on the test set, 0-1 (average per period). */
  public metricChampionMacroF1(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.score(ScoreMetric.CHAMPION_MACRO_F1, ScoredOn.TEST_SET, props);
  }

  /**
   * 1 for each run whose gate chose the new model, 0 for each that kept the serving one (sum: promotions per period).
   * A promotion whose deployment then fails counts here and among the pipeline's failed runs.
   */
  public metricPromoted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.run(RunMetric.PROMOTED, { statistic: 'Sum', ...props });
  }

  /** The training job's `TrainingTimeInSeconds` (sum per period). */
  public metricTrainingSeconds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.run(RunMetric.TRAINING_SECONDS, { statistic: 'Sum', ...props });
  }

  /** The training job's `BillableTimeInSeconds`, below the training time with managed spot (sum per period). */
  public metricBillableTrainingSeconds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.run(RunMetric.BILLABLE_TRAINING_SECONDS, { statistic: 'Sum', ...props });
  }

  private score(metricName: ScoreMetricName, scoredOn: ScoredOn, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.run(metricName, {
      statistic: 'Average',
      ...props,
      dimensionsMap: { ...props?.dimensionsMap, [RunMetricDimension.SCORED_ON]: scoredOn },
    });
  }

  private run(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: RUN_METRICS_NAMESPACE,
      metricName,
      period: Duration.hours(1),
      ...props,
      dimensionsMap: { ...props.dimensionsMap, [RunMetricDimension.ENDPOINT]: this.endpointName },
    });
  }
}
