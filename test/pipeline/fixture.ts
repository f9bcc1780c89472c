import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DatasetBucket, Processor, TrainingInstanceType, TrainingJobDefinition } from '../../lib';
import { RetrainingPipeline, RetrainingPipelineProps } from '../../lib/pipeline/retraining-pipeline';
import { ClassifierEndpoint, ClassifierEndpointProps } from '../../lib/serving/classifier-endpoint';
import { NO_BUNDLING } from '../helpers';
import { TemplateJson, stateMachineDefinition } from '../support/cfn-template';

export interface PipelineFixture {
  readonly stack: Stack;
  readonly pipeline: RetrainingPipeline;
  readonly endpoint: ClassifierEndpoint;
  readonly training: TrainingJobDefinition;
  readonly template: Template;
  /** The state machine definition as synthesized, with every CloudFormation intrinsic resolved. */
  readonly definition: Record<string, unknown>;
}

/** An environment-agnostic stack with a dataset, a training definition, a pipeline-managed endpoint and the pipeline. */
export function pipelineFixture(
  pipelineProps: Partial<RetrainingPipelineProps> = {}, endpointProps: ClassifierEndpointProps = {},
  options: { readonly encrypt?: boolean; readonly trainingInstanceType?: TrainingInstanceType; readonly processor?: Processor } = {},
): PipelineFixture {
  const app = new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING });
  const stack = new Stack(app, 'TestStack');
  const dataset = new DatasetBucket(stack, 'Dataset');
  const training = new TrainingJobDefinition(stack, 'Training', {
    dataset, hyperparameters: { epochs: 8 }, instanceType: options.trainingInstanceType, processor: options.processor,
  });
  const encryptionKey = options.encrypt ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined;
  const endpoint = new ClassifierEndpoint(stack, 'Endpoint', { encryptionKey, ...endpointProps });
  // The tests run the hold-out paths too: the library's default (no hold-out, until it is proven on a real account) is
  // checked in retraining-pipeline.test.ts by passing testHoldOutPercent: undefined.
  const pipeline = new RetrainingPipeline(stack, 'Pipeline', { training, endpoint, encryptionKey, testHoldOutPercent: 10, ...pipelineProps });
  const template = Template.fromStack(stack);
  return { stack, pipeline, endpoint, training, template, definition: stateMachineDefinition(template.toJSON() as TemplateJson) };
}
