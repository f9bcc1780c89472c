import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { InferenceFunctionBase, IInferenceFunction } from './inference/inference-function-base';
import { IRetrainingPipeline, RetrainingPipelineBase } from './pipeline/retraining-pipeline-base';
import { ClassifierEndpointBase, IClassifierEndpoint } from './serving/classifier-endpoint-base';

/**
 * An image classifier: an `ImageClassifier` of this app, or one deployed by another (`ImageClassifier.fromAttributes`).
 * Its parts carry the metrics (`endpoint.metricModelLatency()`, `inference.metricErrors()`,
 * `pipeline.metricFailedRuns()`, …).
 */
export interface IImageClassifier extends IConstruct {
  /** The endpoint serving the classifier. */
  readonly endpoint: IClassifierEndpoint;
  /** The function that preprocesses images and calls the endpoint, when known. */
  readonly inference?: IInferenceFunction;
  /** The retraining pipeline, when there is one. */
  readonly pipeline?: IRetrainingPipeline;
  /** Lets `grantee` classify images through the inference function (its URL, and direct invocation). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
  /** Lets `grantee` start a retraining run by hand. */
  grantStartRetraining(grantee: iam.IGrantable): iam.Grant;
}

/** What identifies an image classifier deployed by another stack or app (see the stack's outputs). */
export interface ImageClassifierAttributes {
  /** The endpoint's name. */
  readonly endpointName: string;
  /**
   * The endpoint's production variant.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
  /**
   * Whether the endpoint is serverless (it then publishes no CPU, GPU or disk metrics).
   * @default false
   */
  readonly serverless?: boolean;
  /**
   * The inference function's ARN (unqualified).
   * @default - no inference function: `grantInvoke` is refused; grant the endpoint with `endpoint.grantInvoke`
   */
  readonly inferenceFunctionArn?: string;
  /**
   * Whether the inference function has a Function URL.
   * @default true
   */
  readonly inferenceFunctionUrl?: boolean;
  /**
   * The retraining pipeline's state machine ARN.
   * @default - no pipeline: `grantStartRetraining` is refused
   */
  readonly stateMachineArn?: string;
}

/** The grants every image classifier has, from its parts. */
export abstract class ImageClassifierBase extends Construct implements IImageClassifier {
  /** An image classifier deployed by another stack or app, by the names and ARNs its stack outputs. */
  public static fromAttributes(scope: Construct, id: string, attributes: ImageClassifierAttributes): IImageClassifier {
    return new ImportedImageClassifier(scope, id, attributes);
  }

  public abstract readonly endpoint: IClassifierEndpoint;
  public abstract readonly inference?: IInferenceFunction;
  public abstract readonly pipeline?: IRetrainingPipeline;

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    if (!this.inference) {
      throw new Error(`${this.node.path}: grantInvoke needs the inference function; pass inferenceFunctionArn to `
        + 'ImageClassifier.fromAttributes, or let the caller call the endpoint itself with endpoint.grantInvoke(grantee)');
    }
    return this.inference.grantInvoke(grantee);
  }

  public grantStartRetraining(grantee: iam.IGrantable): iam.Grant {
    if (!this.pipeline) {
      throw new Error(`${this.node.path}: grantStartRetraining needs a retraining pipeline; this classifier has none `
        + '(an ImageClassifier with serving.modelArtifact, or fromAttributes without stateMachineArn)');
    }
    return this.pipeline.grantStartRetraining(grantee);
  }
}

/** An image classifier that exists already: its parts' grants and metrics, nothing created. */
class ImportedImageClassifier extends ImageClassifierBase {
  public readonly endpoint: IClassifierEndpoint;
  public readonly inference?: IInferenceFunction;
  public readonly pipeline?: IRetrainingPipeline;

  constructor(scope: Construct, id: string, attributes: ImageClassifierAttributes) {
    super(scope, id);
    const problems: string[] = [];
    const part = <T>(build: () => T): T | undefined => {
      try {
        return build();
      } catch (error) {
        problems.push((error as Error).message);
        return undefined;
      }
    };
    const endpoint = part(() => ClassifierEndpointBase.fromEndpointAttributes(this, 'Endpoint', {
      endpointName: attributes.endpointName, variantName: attributes.variantName, serverless: attributes.serverless,
    }));
    const functionArn = attributes.inferenceFunctionArn;
    this.inference = functionArn === undefined ? undefined : part(() => InferenceFunctionBase.fromFunctionAttributes(this, 'Inference', {
      functionArn, functionUrl: attributes.inferenceFunctionUrl,
    }));
    const stateMachineArn = attributes.stateMachineArn;
    this.pipeline = stateMachineArn === undefined ? undefined : part(() => RetrainingPipelineBase.fromStateMachineArn(this, 'Retraining', stateMachineArn));
    if (problems.length > 0 || endpoint === undefined) throw new Error(problems.join('\n'));
    this.endpoint = endpoint;
  }
}
