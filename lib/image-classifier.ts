import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ImageClassifierBase } from './image-classifier-base';
import { BatchClassification, BatchClassificationProps } from './batch/batch-classification';
import { BatchModel } from './batch/batch-model';
import { Hyperparameters } from './algorithm/hyperparameters';
import { JumpStartModel } from './algorithm/jumpstart-model';
import { DatasetBucket, DatasetBucketProps } from './dataset/dataset-bucket';
import { DatasetSeed } from './dataset/dataset-seed';
import { ClassifierDashboard, dashboardNameProblem } from './monitoring/classifier-dashboard';
import { claimIdentity, identityPath } from './private/construct-identity';
import { inspectImageFolder } from './private/image-folder';
import { logSettingsProblems } from './private/log-groups';
import { ClassifierVpcEndpoints } from './private/vpc-endpoints';
import { InferenceFunction, InferenceFunctionProps } from './inference/inference-function';
import { EndpointCleanup } from './lifecycle/endpoint-cleanup';
import { deriveEndpointName } from './serving/private/endpoint-names';
import { FirstRetrainingRun } from './lifecycle/first-run';
import { RetrainingPipeline, RetrainingPipelineProps } from './pipeline/retraining-pipeline';
import { ClassifierEndpoint, ClassifierEndpointProps } from './serving/classifier-endpoint';
import { TrainingJobDefinition, TrainingJobDefinitionProps } from './training/training-job-definition';

/** Training settings of an `ImageClassifier`: every `TrainingJobDefinition` prop it does not set itself. */
export type ImageClassifierTrainingOptions = Omit<TrainingJobDefinitionProps, 'dataset' | 'model' | 'hyperparameters' | 'encryptionKey'>;

/** Endpoint settings of an `ImageClassifier`: every `ClassifierEndpoint` prop it does not set itself. */
export type ImageClassifierServingOptions = Omit<ClassifierEndpointProps, 'model' | 'encryptionKey' | 'locations'>;

/** Retraining settings of an `ImageClassifier`: every `RetrainingPipeline` prop it does not set itself. */
export type ImageClassifierRetrainingOptions = Omit<RetrainingPipelineProps, 'training' | 'endpoint' | 'encryptionKey'>;

/** Batch classification settings of an `ImageClassifier`: every `BatchClassification` prop it does not set itself. */
export interface ImageClassifierBatchOptions extends Omit<BatchClassificationProps, 'model' | 'bucket' | 'encryptionKey' | 'binaryMode'> {
  /**
   * Create the batch classification state machine. It costs nothing while idle (a state machine, a function and log
   * groups bill per use; the transform instances bill only during a run), so it is on unless turned off.
   * @default true
   */
  readonly enabled?: boolean;
}

/** Inference function settings of an `ImageClassifier`. */
export interface ImageClassifierInferenceOptions extends Omit<InferenceFunctionProps, 'endpointName' | 'imageSize' | 'readableBuckets' | 'binaryMode'> {
  /**
   * Edge of the square image sent to the endpoint.
   * @default - the model's input size
   */
  readonly imageSize?: number;
  /**
   * Buckets the function may read images from (`{"s3Uri": …}` requests).
   * @default - the dataset bucket
   */
  readonly readableBuckets?: InferenceFunctionProps['readableBuckets'];
}

/** Dashboard settings of an `ImageClassifier`. */
export interface ImageClassifierDashboardOptions {
  /**
   * The dashboard's name: letters, digits, `-` and `_`.
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
}

/** Properties of an `ImageClassifier`. Every one is optional. */
export interface ImageClassifierProps {
  /**
   * The name CloudFormation knows the classifier's resources by, instead of their construct path: each resource takes
   * the logical id it would have with the classifier at the top of the stack under this construct id, and the default
   * endpoint name comes from the stack name and it. So moving the classifier into or out of other constructs changes
   * nothing in the template. To rename a deployed classifier's construct id, set `identity` to the former id;
   * without it that deploy replaces every resource of the classifier (a new, empty dataset bucket beside the retained
   * old one, a new function URL, a new endpoint at the next promotion). Unique in the stack.
   * @default - the construct id
   */
  readonly identity?: string;
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
   * Endpoint capacity, name, data capture. With `modelArtifact`, CloudFormation creates the endpoint from that
   * artifact and there is no retraining pipeline; without it, the pipeline creates and owns the endpoint.
   * @default - one to two ml.m5.large instances, created by the first promotion
   */
  readonly serving?: ImageClassifierServingOptions;
  /**
   * Schedule, new-data trigger, promotion gate, deployment strategy, notifications.
   * @default - weekly retraining, promotion above 50% accuracy that does not lose to the serving model
   */
  readonly retraining?: ImageClassifierRetrainingOptions;
  /**
   * Packaging, Function URL, limits of the inference function.
   * @default - a zip-packaged function with an IAM-authenticated Function URL
   */
  readonly inference?: ImageClassifierInferenceOptions;
  /**
   * Batch classification with SageMaker Batch Transform of the images under `s3://<dataset bucket>/batch/input/`,
   * results under `batch/output/`, with the serving model (the pipeline's champion), started on demand.
   * @default - on, with BatchClassification's defaults (ml.m5.xlarge, no schedule)
   */
  readonly batch?: ImageClassifierBatchOptions;
  /**
   * One customer-managed KMS key for the dataset and artifacts buckets, training volumes and output, the endpoint,
   * the notification topic and the pipeline's logs.
   * @default - AWS-managed encryption everywhere
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * A local folder laid out as `<class>/<image>.jpg` to upload to the dataset's training folder at deploy time.
   * The layout is checked at synth time.
   * @default - no upload; add images with `aws s3 sync`
   */
  readonly seedDatasetFrom?: string;
  /**
   * Start a retraining run when the stack is created (after the seed upload), so that the deployment ends with a
   * model being trained and then served.
   * @default - true when `seedDatasetFrom` is set
   */
  readonly startRetrainingOnDeploy?: boolean;
  /**
   * Run training, the model (instance capacity; a serverless endpoint runs outside any VPC) and the inference
   * function in this VPC's private subnets.
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets for training, the model and the function.
   * @default - the VPC's private subnets with egress, or its isolated subnets when it has none
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * With `vpc`, create the VPC endpoints the classifier needs without a NAT: an S3 gateway endpoint (free) for the
   * training data and the function's reads, and a SageMaker Runtime interface endpoint (billed per hour and AZ) for
   * the function's calls to the endpoint. Turn off when the VPC already has them or reaches AWS through a NAT.
   * @default true
   */
  readonly createVpcEndpoints?: boolean;
  /**
   * With `vpc`, use this SageMaker Runtime interface endpoint (with private DNS) instead of creating VPC endpoints,
   * and let the inference function reach it on HTTPS. A VPC takes one such endpoint only: classifiers of other stacks
   * in the same VPC pass the first one's `sageMakerRuntimeEndpoint`. Its stack's S3 gateway endpoint (or a NAT) must
   * route this classifier's subnets. (Classifiers of one stack share one set of VPC endpoints per VPC by themselves.)
   * @default - the stack's VPC endpoints for `vpc`, created by its first classifier there (see `createVpcEndpoints`)
   */
  readonly sageMakerRuntimeEndpoint?: ec2.IInterfaceVpcEndpoint;
  /**
   * A CloudWatch dashboard of the classifier (`ClassifierDashboard`): each retraining run's scores, promotion and
   * training time, runs succeeded and failed, the endpoint's invocations, latency and errors, the inference function's
   * errors and duration. `false` for none, or its settings. Cost: $3 a month per dashboard beyond the account's 3
   * free ones, small beside the endpoint's instances; the run metrics it graphs are published whether or not it exists.
   * @default true
   */
  readonly dashboard?: boolean | ImageClassifierDashboardOptions;
  /**
   * How long every log group of the classifier keeps its events: the inference function's, the pipeline's, the
   * batch classification's, the cleanup's, the algorithm check's, the seed upload's and the first run's. A part's own `logRetention`
   * (`inference.logRetention`, `retraining.logRetention`, `training.logRetention`, `batch.logRetention`) wins for that part.
   * @default - one month; one year for the retraining pipeline's execution history
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to every log group of the classifier when it leaves the stack (`cdk destroy`, or the classifier
   * removed): `RETAIN` keeps it with its retention (its events expire, the empty group stays), `DESTROY` deletes it
   * with its events. A part's own `logRemovalPolicy` wins for that part. The log groups the stack's shared algorithm
   * check and cleanup use follow the stack's first classifier.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A continuously retrained image classifier on SageMaker's Image Classification - TensorFlow algorithm: the dataset
 * bucket, the training definition, the endpoint, the retraining pipeline that promotes better models to it, the
 * inference function in front of it, and a cleanup that leaves nothing billable behind at `cdk destroy`.
 * A classifier deployed by another app is imported with `ImageClassifier.fromAttributes`.
 */
export class ImageClassifier extends ImageClassifierBase {
  /** The pretrained model being fine-tuned. */
  public readonly model: JumpStartModel;
  /** The bucket holding the labelled images. */
  public readonly dataset: DatasetBucket;
  /** The complete training job request, its role and its output location. */
  public readonly training: TrainingJobDefinition;
  /** The endpoint serving the classifier. */
  public readonly endpoint: ClassifierEndpoint;
  /** The retraining pipeline; absent when the endpoint serves a fixed `serving.modelArtifact`. */
  public readonly pipeline?: RetrainingPipeline;
  /** Deletes the pipeline-created endpoint, configs, models and scaling targets when the stack is deleted. */
  public readonly cleanup?: EndpointCleanup;
  /** The function that preprocesses images and calls the endpoint. */
  public readonly inference: InferenceFunction;
  /** Batch classification with the serving model; absent with `batch: { enabled: false }`. */
  public readonly batch?: BatchClassification;
  /** The upload of `seedDatasetFrom`. */
  public readonly seed?: DatasetSeed;
  /** The run started when the stack is created. */
  public readonly firstRun?: FirstRetrainingRun;
  /**
   * The VPC endpoints the classifier uses in its VPC: the S3 gateway endpoint and the SageMaker Runtime interface
   * endpoint, shared by every classifier of the stack in the same VPC (empty when it creates none).
   */
  public readonly vpcEndpoints: ec2.IVpcEndpoint[] = [];
  /** The SageMaker Runtime interface endpoint the inference function calls the endpoint through, when in a VPC. */
  public readonly sageMakerRuntimeEndpoint?: ec2.IInterfaceVpcEndpoint;
  /** The CloudWatch dashboard, unless `dashboard: false`; it shows the classifier's batch runs too. */
  public readonly dashboard?: ClassifierDashboard;

  constructor(scope: Construct, id: string, props: ImageClassifierProps = {}) {
    super(scope, id);
    this.model = props.model ?? JumpStartModel.MOBILENET_V2_100_224;
    const identity = props.identity ?? id;
    const problems: string[] = identityProblems(props.identity);
    // Before any child exists: the children's logical ids and names come from the identity, not the path.
    if (problems.length === 0) problems.push(...claimIdentity(this, identity));
    if (props.dataset?.encryptionKey && props.encryptionKey) {
      problems.push('set either encryptionKey or dataset.encryptionKey, not both');
    }
    if (props.serving?.modelArtifact && props.retraining) {
      problems.push('retraining needs an endpoint the pipeline owns; remove serving.modelArtifact (the pipeline creates the endpoint) or remove retraining');
    }
    const imageSize = props.inference?.imageSize ?? this.model.imageSize;
    if (imageSize === undefined) {
      problems.push(`model ${this.model.modelId} publishes no input image size; use JumpStartModel.of('${this.model.modelId}', { imageSize: 384 }) or set inference.imageSize`);
    }
    if (props.startRetrainingOnDeploy && props.serving?.modelArtifact) {
      problems.push('startRetrainingOnDeploy needs the retraining pipeline; remove serving.modelArtifact or startRetrainingOnDeploy');
    }
    if (props.seedDatasetFrom !== undefined) {
      try {
        inspectImageFolder(props.seedDatasetFrom, 'seedDatasetFrom');
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    if ((props.vpcSubnets || props.createVpcEndpoints !== undefined || props.sageMakerRuntimeEndpoint) && !props.vpc) {
      problems.push('vpcSubnets, createVpcEndpoints and sageMakerRuntimeEndpoint need vpc');
    }
    if (props.sageMakerRuntimeEndpoint && props.createVpcEndpoints === true) {
      problems.push('sageMakerRuntimeEndpoint uses an existing endpoint instead of creating VPC endpoints; remove createVpcEndpoints: true');
    }
    if (props.vpc && props.createVpcEndpoints !== false && !props.sageMakerRuntimeEndpoint) {
      problems.push(...routeTableProblems(props.vpc, props.vpcSubnets ?? privateSubnets(props.vpc)));
    }
    if (props.vpc && (props.training?.vpc || props.serving?.vpc || props.inference?.vpc)) {
      problems.push('set vpc once on the ImageClassifier, not also in training, serving or inference');
    }
    problems.push(...logSettingsProblems(props));
    const dashboardOptions = typeof props.dashboard === 'object' && props.dashboard !== null ? props.dashboard : {};
    const dashboardProblem = dashboardNameProblem(dashboardOptions.dashboardName, 'dashboard.dashboardName');
    if (dashboardProblem) problems.push(dashboardProblem);
    if (problems.length > 0) {
      throw new Error(`${this.node.path}: invalid ImageClassifier props:\n  ${problems.join('\n  ')}`);
    }

    const network = props.vpc ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets ?? privateSubnets(props.vpc) } : {};
    this.dataset = new DatasetBucket(this, 'Dataset', {
      ...props.dataset,
      encryptionKey: props.dataset?.encryptionKey ?? (props.dataset?.bucket ? undefined : props.encryptionKey),
    });
    const logSettings = { logRetention: props.logRetention, logRemovalPolicy: props.logRemovalPolicy };
    // A part's own log settings win over the whole's.
    const logsOf = (part?: { readonly logRetention?: logs.RetentionDays; readonly logRemovalPolicy?: RemovalPolicy }) => ({
      logRetention: part?.logRetention ?? props.logRetention,
      logRemovalPolicy: part?.logRemovalPolicy ?? props.logRemovalPolicy,
    });
    if (props.seedDatasetFrom !== undefined) {
      this.seed = new DatasetSeed(this, 'DatasetSeed', { dataset: this.dataset, sourceFolder: props.seedDatasetFrom, ...logSettings });
    }
    this.training = new TrainingJobDefinition(this, 'Training', {
      ...network,
      ...props.training,
      ...logsOf(props.training),
      dataset: this.dataset,
      model: this.model,
      hyperparameters: props.hyperparameters,
      encryptionKey: props.encryptionKey,
    });
    this.endpoint = new ClassifierEndpoint(this, 'Endpoint', {
      // A serverless endpoint runs outside any VPC; the classifier's VPC applies to training and the function.
      ...(props.serving?.capacity?.isServerless ? {} : network),
      ...props.serving,
      // Derived from the identity, not the path: wrapping the classifier keeps its endpoint.
      endpointName: props.serving?.endpointName ?? deriveEndpointName(this, [identity, 'Endpoint']),
      model: this.model,
      encryptionKey: props.encryptionKey,
      locations: props.training?.locations,
    });
    if (this.endpoint.managedByPipeline) {
      this.pipeline = new RetrainingPipeline(this, 'Retraining', {
        ...props.retraining,
        ...logsOf(props.retraining),
        training: this.training,
        endpoint: this.endpoint,
        encryptionKey: props.encryptionKey,
      });
      // Deleted first at `cdk destroy` (it depends on them), so the pipeline's endpoint, configs and models go
      // while the roles they need still exist.
      this.cleanup = new EndpointCleanup(this, 'EndpointCleanup', {
        endpointName: this.endpoint.endpointName,
        resourceNamePrefix: this.endpoint.resourceNamePrefix,
        dependsOn: [this.pipeline, this.endpoint],
        logEncryptionKey: props.encryptionKey,
        ...logSettings,
      });
      if (props.startRetrainingOnDeploy ?? props.seedDatasetFrom !== undefined) {
        this.firstRun = new FirstRetrainingRun(this, 'FirstRun', {
          pipeline: this.pipeline,
          after: [this.cleanup, ...(this.seed ? [this.seed.deployment] : [])],
          ...logSettings,
        });
      }
    }
    if (props.batch?.enabled !== false) {
      const { enabled: _enabled, ...batch } = props.batch ?? {};
      this.batch = new BatchClassification(this, 'Batch', {
        ...batch,
        ...logsOf(props.batch),
        model: BatchModel.champion(this.endpoint),
        bucket: this.dataset.bucket,
        encryptionKey: props.encryptionKey,
        binaryMode: props.hyperparameters?.binaryMode,
      });
    }
    this.inference = new InferenceFunction(this, 'Inference', {
      ...network,
      ...props.inference,
      ...logsOf(props.inference),
      endpointName: this.endpoint.endpointName,
      imageSize: imageSize!,
      // The model's answer has one probability when it was trained in binary mode.
      binaryMode: props.hyperparameters?.binaryMode,
      logEncryptionKey: props.inference?.logEncryptionKey ?? props.encryptionKey,
      readableBuckets: props.inference?.readableBuckets ?? [this.dataset.bucket],
    });
    if (props.sageMakerRuntimeEndpoint) {
      this.sageMakerRuntimeEndpoint = props.sageMakerRuntimeEndpoint;
    } else if (props.vpc && props.createVpcEndpoints !== false) {
      const shared = ClassifierVpcEndpoints.of(this, props.vpc, network.vpcSubnets!);
      this.sageMakerRuntimeEndpoint = shared.sageMakerRuntime;
      this.vpcEndpoints.push(shared.s3, shared.sageMakerRuntime);
    }
    this.sageMakerRuntimeEndpoint?.connections.allowDefaultPortFrom(this.inference.function, `${identityPath(this)!.join('/')} inference function to SageMaker Runtime`);
    if (props.dashboard !== false) {
      this.dashboard = new ClassifierDashboard(this, 'Dashboard', {
        endpoint: this.endpoint,
        pipeline: this.pipeline,
        inference: this.inference,
        dashboardName: dashboardOptions.dashboardName,
      });
      if (this.batch) this.dashboard.addBatchWidgets(this.batch.stateMachine);
    }
  }
}

/** An identity stands for a construct id, so it takes what a construct id takes: a literal string without `/`. */
function identityProblems(identity: string | undefined): string[] {
  if (identity === undefined) return [];
  if (typeof identity !== 'string' || identity === '' || identity.includes('/') || Token.isUnresolved(identity)) {
    return [`identity must be a literal, non-empty string without '/' (the construct id the classifier's resources are `
      + `named after; to rename a deployed classifier, its former construct id), got ${JSON.stringify(identity)}`];
  }
  return [];
}

function privateSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return { subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED };
}

/** The S3 gateway endpoint routes the subnets' route tables: an imported VPC may not say which they are. */
function routeTableProblems(vpc: ec2.IVpc, subnets: ec2.SubnetSelection): string[] {
  let selected: ec2.ISubnet[];
  try {
    selected = vpc.selectSubnets(subnets).subnets;
  } catch {
    return []; // the parts report subnets the VPC lacks, with their own message
  }
  return selected.some((subnet) => subnet.routeTable?.routeTableId === undefined)
    ? [`vpc ${vpc.node.path} does not give the route tables of the selected subnets, which the S3 gateway endpoint needs: `
      + 'import it with routeTableIds (ec2.Vpc.fromVpcAttributes), or set createVpcEndpoints: false when the VPC already reaches S3']
    : [];
}
