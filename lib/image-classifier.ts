import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { Hyperparameters } from './algorithm/hyperparameters';
import { JumpStartModel } from './algorithm/jumpstart-model';
import { DatasetBucket, DatasetBucketProps } from './dataset/dataset-bucket';
import { TrainingJobDefinition, TrainingJobDefinitionProps } from './training/training-job-definition';

/** Training settings of an `ImageClassifier`: every `TrainingJobDefinition` prop it does not set itself. */
export type ImageClassifierTrainingOptions = Omit<TrainingJobDefinitionProps, 'dataset' | 'model' | 'hyperparameters' | 'encryptionKey'>;

/** Properties of an `ImageClassifier`. Every one is optional. */
export interface ImageClassifierProps {
  /**
   * The pretrained TensorFlow Hub model to fine-tune.
   * @default JumpStartModel.MOBILENET_V2_100_224
   */
  readonly model?: JumpStartModel;
  /**
   * The algorithm's hyperparameters.
   * @default - the algorithm's defaults
   */
  readonly hyperparameters?: Hyperparameters;
  /**
   * The dataset bucket: an existing bucket, a prefix, encryption, retention.
   * @default - a new secure bucket with the dataset under `dataset/`
   */
  readonly dataset?: DatasetBucketProps;
  /**
   * Training instance, limits, spot, VPC and location overrides.
   * @default - one ml.p3.2xlarge, 30 GiB, at most 6 hours, on-demand
   */
  readonly training?: ImageClassifierTrainingOptions;
  /**
   * One customer-managed KMS key for the dataset bucket, the artifacts bucket, training volumes and model output.
   * @default - AWS-managed encryption everywhere
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A continuously retrainable image classifier on SageMaker's Image Classification - TensorFlow algorithm:
 * the dataset bucket and the training job definition, with safe defaults for every setting.
 */
export class ImageClassifier extends Construct {
  /** The bucket holding the labelled images. */
  public readonly dataset: DatasetBucket;
  /** The complete training job request, its role and its output location. */
  public readonly training: TrainingJobDefinition;
  /** The pretrained model being fine-tuned. */
  public readonly model: JumpStartModel;

  constructor(scope: Construct, id: string, props: ImageClassifierProps = {}) {
    super(scope, id);
    if (props.dataset?.encryptionKey && props.encryptionKey) {
      throw new Error(`${this.node.path}: set either encryptionKey or dataset.encryptionKey, not both`);
    }
    this.model = props.model ?? JumpStartModel.MOBILENET_V2_100_224;
    this.dataset = new DatasetBucket(this, 'Dataset', {
      ...props.dataset,
      encryptionKey: props.dataset?.encryptionKey ?? (props.dataset?.bucket ? undefined : props.encryptionKey),
    });
    this.training = new TrainingJobDefinition(this, 'Training', {
      ...props.training,
      dataset: this.dataset,
      model: this.model,
      hyperparameters: props.hyperparameters,
      encryptionKey: props.encryptionKey,
    });
  }
}
