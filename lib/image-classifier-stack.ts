import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ImageClassifier, ImageClassifierProps } from './image-classifier';
import { STACK_OUTPUTS } from '../lambda/shared/stack-outputs';

/** Properties of an `ImageClassifierStack`. */
export interface ImageClassifierStackProps extends StackProps {
  /**
   * Settings of the classifier.
   * @default - every default of `ImageClassifier`
   */
  readonly classifier?: ImageClassifierProps;
}

/** A stack holding one `ImageClassifier`, with outputs that say where to upload images. */
export class ImageClassifierStack extends Stack {
  public readonly classifier: ImageClassifier;

  constructor(scope: Construct, id: string, props: ImageClassifierStackProps = {}) {
    super(scope, id, {
      description: 'Image classifier on SageMaker Image Classification - TensorFlow (cdk-sagemaker-image-classifier)',
      ...props,
    });
    this.classifier = new ImageClassifier(this, 'Classifier', props.classifier);
    const { dataset, training } = this.classifier;

    new CfnOutput(this, STACK_OUTPUTS.datasetBucketName, {
      description: 'Bucket holding the labelled images',
      value: dataset.bucket.bucketName,
    });
    new CfnOutput(this, STACK_OUTPUTS.trainingDataUri, {
      description: 'Upload images here, one folder per class: <uri><class>/<image>.jpg',
      value: dataset.trainingData.s3Uri,
    });
    new CfnOutput(this, STACK_OUTPUTS.testDataUri, {
      description: 'Held-out test images, one folder per class, never trained on: <uri><class>/<image>.jpg',
      value: dataset.root.folder('test').s3Uri,
    });
    if (training.usesValidationChannel) {
      new CfnOutput(this, STACK_OUTPUTS.validationDataUri, {
        description: 'Validation images the training jobs score each epoch on, one folder per class with exactly the training classes',
        value: dataset.validationData.s3Uri,
      });
    }
    new CfnOutput(this, 'UploadCommand', {
      description: 'Uploads a local folder laid out as <class>/<image>.jpg',
      value: `aws s3 sync ./images ${dataset.trainingData.s3Uri}`,
    });
    new CfnOutput(this, STACK_OUTPUTS.modelOutputUri, {
      description: 'Where trained models are written',
      value: training.modelOutput.s3Uri,
    });
    new CfnOutput(this, STACK_OUTPUTS.pretrainedModel, {
      description: 'The TensorFlow Hub model being fine-tuned',
      value: training.model.modelId,
    });
    if (training.model.imageSize !== undefined) {
      new CfnOutput(this, STACK_OUTPUTS.modelImageSize, {
        description: 'Edge in pixels of the square model input; the command line sizes uploaded images from it',
        value: String(training.model.imageSize),
      });
    }
    const { endpoint, pipeline, inference } = this.classifier;
    new CfnOutput(this, STACK_OUTPUTS.endpointName, {
      description: pipeline ? 'The SageMaker endpoint (created by the first promoted retraining run)' : 'The SageMaker endpoint',
      value: endpoint.endpointName,
    });
    if (inference.functionUrl) {
      new CfnOutput(this, STACK_OUTPUTS.inferenceUrl, {
        description: 'POST an image here (SigV4-signed, service lambda) to classify it',
        value: inference.functionUrl.url,
        // In an environment-agnostic stack, only where the deploy region offers function URLs.
        condition: inference.functionUrlCondition,
      });
    }
    new CfnOutput(this, STACK_OUTPUTS.inferenceFunctionName, { value: inference.function.functionName });
    new CfnOutput(this, STACK_OUTPUTS.inferenceFunctionArn, {
      description: 'For ImageClassifier.fromAttributes in another app, with EndpointName and RetrainingStateMachineArn',
      value: inference.function.functionArn,
    });
    if (pipeline) {
      new CfnOutput(this, STACK_OUTPUTS.retrainingStateMachineArn, { value: pipeline.stateMachine.stateMachineArn });
      new CfnOutput(this, 'StartRetrainingCommand', {
        description: 'Starts a retraining run now',
        value: `aws stepfunctions start-execution --state-machine-arn ${pipeline.stateMachine.stateMachineArn} --input '{"trigger":"manual"}'`,
      });
      new CfnOutput(this, STACK_OUTPUTS.notificationTopicArn, { value: pipeline.topic.topicArn });
    }
    if (this.classifier.batch) {
      new CfnOutput(this, 'BatchStateMachineArn', {
        description: 'Classifies every image under an S3 prefix: start it with {"input": "s3://…/", "output": "s3://…/"}',
        value: this.classifier.batch.stateMachine.stateMachineArn,
      });
    }
    if (this.classifier.dashboard) {
      new CfnOutput(this, 'DashboardName', {
        description: 'The CloudWatch dashboard of runs, endpoint and function (CloudWatch console, Dashboards)',
        value: this.classifier.dashboard.dashboard.dashboardName,
      });
    }
  }
}
