import type { PromotionMetricName } from '../../lambda/shared/pipeline-config';

/** The test-set figure the retraining pipeline's gate compares between the trained model and the serving one. */
export class PromotionMetric {
  /** The share of test images classified right. */
  public static readonly ACCURACY = new PromotionMetric('accuracy');
  /** The mean of the per-class F1 scores: each class counts the same, however many test images it has. */
  public static readonly MACRO_F1 = new PromotionMetric('macroF1');

  /** The name a run's `promotionMetric` input takes: `accuracy` or `macroF1`. */
  public readonly name: PromotionMetricName;

  private constructor(name: PromotionMetricName) {
    this.name = name;
  }

  public toString(): string {
    return this.name;
  }
}
