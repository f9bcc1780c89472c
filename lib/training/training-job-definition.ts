import { Annotations, Duration, RemovalPolicy, Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AlgorithmObjectsCheck, keysByBucket } from './algorithm-objects-check';
import { logSettingsProblems } from '../private/log-groups';
import { CreateTrainingJobRequest, TrainingChannel } from './training-job-request';
import { TrainingInstanceType } from './training-instance-type';
import { validateTrainingInstanceType } from '../private/instance-type-checks';
import { AlgorithmLocationOverrides, AlgorithmLocations, Processor } from '../algorithm/algorithm-locations';
import { Hyperparameters } from '../algorithm/hyperparameters';
import { renderHyperparameters, validateHyperparameters } from '../private/hyperparameter-rendering';
import { JumpStartModel } from '../algorithm/jumpstart-model';
import { DatasetBucket, S3Folder } from '../dataset/dataset-bucket';
import {
  CONTAINER_HYPERPARAMETERS,
  ENABLE_INTER_CONTAINER_TRAFFIC_ENCRYPTION,
  ENABLE_NETWORK_ISOLATION,
  EXTRA_METRIC_DEFINITIONS,
  SAGEMAKER_LIMITS,
  VALIDATION_ACCURACY_METRIC,
} from '../private/algorithm-facts';
import { wholeSeconds } from '../private/durations';
import { isSageMakerName, SAGEMAKER_NAME_MAX_LENGTH } from '../../lambda/shared/sagemaker-names';
import { grantKeyForAwsResources } from '../private/kms-grants';
import { ImageUri, isSafeKeyPrefix, s3ObjectArn } from '../private/locations';
import { acknowledgeAnyResource, acknowledgeWildcardResource, grantHolder } from '../private/nag';
import { createAccessLogsBucket, createSecureBucket, S3_LOGS_USE_BUCKET_POLICY } from '../private/secure-bucket';

/** Properties of a `TrainingJobDefinition`. */
export interface TrainingJobDefinitionProps {
  /** Where the labelled images are. */
  readonly dataset: DatasetBucket;
  /**
   * The pretrained model to fine-tune.
   * @default JumpStartModel.MOBILENET_V2_100_224
   */
  readonly model?: JumpStartModel;
  /**
   * The algorithm's hyperparameters; absent fields take the algorithm's defaults.
   * @default - the algorithm's defaults
   */
  readonly hyperparameters?: Hyperparameters;
  /**
   * The training instance type. The container image (GPU or CPU) follows its family.
   * @default TrainingInstanceType.ML_P3_2XLARGE
   */
  readonly instanceType?: TrainingInstanceType;
  /**
   * Require a GPU (or CPU) instance. A CPU instance type with `Processor.GPU` is an error at synth time.
   * @default - whatever the instance type's family has
   */
  readonly processor?: Processor;
  /**
   * Size of the training instance's storage volume, for the dataset and the model.
   * @default Size.gibibytes(30)
   */
  readonly volumeSize?: Size;
  /**
   * Longest a training job may run before SageMaker stops it (at most 28 days). This bounds the bill of a stuck job.
   * @default Duration.hours(6)
   */
  readonly maxRuntime?: Duration;
  /**
   * Train on managed spot capacity (up to ~70% cheaper, may be interrupted). Checkpoints go to a per-job folder.
   * The algorithm's script is not known to resume from checkpoints, so an interruption restarts training.
   * @default false
   */
  readonly spot?: boolean;
  /**
   * With `spot`, the longest to wait for spot capacity plus run time; at least `maxRuntime`.
   * @default - twice `maxRuntime`, at most 28 days
   */
  readonly maxWaitTime?: Duration;
  /**
   * Send the dataset's `validation/` folder as the `validation` channel. Without it the algorithm holds out
   * `validationSplitRatio` of the training images.
   * @default false
   */
  readonly useValidationChannel?: boolean;
  /**
   * Bucket for trained models and checkpoints.
   * @default - a new bucket (encrypted, TLS only, versioned, retained) whose server access logs go to the dataset's
   * log bucket (or, for a dataset in an existing bucket, to a new log bucket)
   */
  readonly artifactsBucket?: s3.IBucket;
  /**
   * Key prefix in the artifacts bucket, without a trailing `/`.
   * @default 'training'
   */
  readonly artifactsPrefix?: string;
  /**
   * KMS key for the model output, the checkpoints and the training volume (and the artifacts bucket created here).
   * @default - SageMaker's and S3's AWS-managed encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long the logs of the deploy-time algorithm check are kept (the stack's one check function, created by the
   * stack's first training definition, which decides for all of them).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the algorithm check's log groups when they leave the stack (decided like `logRetention`).
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Run the training instance in this VPC. The algorithm runs network-isolated either way; the VPC controls how
   * SageMaker reaches S3 (it needs an S3 gateway endpoint or a NAT in the chosen subnets).
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets for the training instance.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups for the training instance.
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Execution role SageMaker assumes for the job. The construct adds the permissions it needs when it can.
   * @default - a new role with least-privilege permissions
   */
  readonly role?: iam.IRole;
  /**
   * Replace the resolved image, script or pretrained model locations.
   * @default - resolved from the stack's region
   */
  readonly locations?: AlgorithmLocationOverrides;
  /**
   * What happens to an artifacts bucket created here when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly artifactsRemovalPolicy?: RemovalPolicy;
}

/** What may vary between runs of one definition. */
export interface TrainingJobRunOptions {
  /** The job's name, unique in the account and region (1-63 letters, digits and hyphens). */
  readonly trainingJobName: string;
  /**
   * Where this job keeps spot checkpoints.
   * @default - `<checkpoints folder><trainingJobName>/`
   */
  readonly checkpointS3Uri?: string;
  /**
   * Train on another instance type than the definition's, for example when capacity is short.
   * @default - the definition's instance type
   */
  readonly instanceType?: TrainingInstanceType;
}

const DEFAULT_MAX_RUNTIME = Duration.hours(6);
const DEFAULT_VOLUME = Size.gibibytes(30);
/** Why a grant on trained models needs `<model output>*`. */
const TRAINED_MODELS_REASON = 'Trained models are <model output>/<job name>/output/model.tar.gz, one folder per training '
  + 'job whose name is made per run (the job name has a run id): only the model output folder is covered.';

/**
 * Everything a training run of the Image Classification - TensorFlow algorithm needs, rendered as the complete
 * `CreateTrainingJob` request: the algorithm's image, script and pretrained model for the stack's region, typed and
 * validated hyperparameters, the dataset channels, where the model goes, instance and stopping limits, network
 * isolation and inter-container encryption, optional spot training, KMS and VPC, and a least-privilege execution role.
 *
 * It starts nothing by itself; the retraining pipeline (or any caller of the SageMaker API) sends `renderRequest()`.
 *
 * At deploy time a check (`algorithmCheck`) makes sure the training script and the pretrained model exist in the deploy
 * region, trying the pretrained model's known key layouts in order; the request and the role use the key it found, so
 * a missing object fails the deployment, naming the model id, the keys tried and the override to set.
 */
export class TrainingJobDefinition extends Construct {
  /** The role SageMaker assumes to run the job. */
  public readonly role: iam.IRole;
  /** The pretrained model being fine-tuned. */
  public readonly model: JumpStartModel;
  /** The algorithm's resolved locations. */
  public readonly locations: AlgorithmLocations;
  /**
   * The deploy-time check that the training script and the pretrained model exist in the deploy region; it finds
   * which of the pretrained model's candidate keys exists. Training requests and the role's policy read its result.
   */
  public readonly algorithmCheck: AlgorithmObjectsCheck;
  /** `s3://` URI of the pretrained model training starts from, as found by `algorithmCheck` at deploy time. */
  public readonly pretrainedModelUri: string;
  /** The instance type jobs run on unless a run says otherwise. */
  public readonly instanceType: TrainingInstanceType;
  /** The bucket receiving trained models and checkpoints. */
  public readonly artifactsBucket: s3.IBucket;
  /** Trained models land in `<modelOutput><job name>/output/model.tar.gz`. */
  public readonly modelOutput: S3Folder;
  /** Spot checkpoints land in `<checkpoints><job name>/`. */
  public readonly checkpoints: S3Folder;
  /** The retraining pipeline's evaluations (test manifests, predictions, reports) land in `<evaluationOutput><run id>/`. */
  public readonly evaluationOutput: S3Folder;
  /** The folder holding `modelOutput` and `checkpoints` (`<artifactsPrefix>/`). */
  private readonly artifactsRoot: S3Folder;
  /** The hyperparameter map sent to the algorithm, including the container's own keys. */
  public readonly renderedHyperparameters: Readonly<Record<string, string>>;
  /** Security groups of the training instance, when it runs in a VPC. */
  public readonly securityGroups: ec2.ISecurityGroup[];
  /** The dataset the jobs read. */
  public readonly dataset: DatasetBucket;
  /** The hyperparameters as given (camelCase); `renderedHyperparameters` holds what is sent. */
  public readonly hyperparameters: Hyperparameters;
  /** Whether jobs run on managed spot capacity. */
  public readonly spot: boolean;
  /** Whether jobs get the dataset's `validation/` folder as their `validation` channel (`useValidationChannel`). */
  public readonly usesValidationChannel: boolean;

  private readonly props: TrainingJobDefinitionProps;
  private readonly subnetIds: string[];

  constructor(scope: Construct, id: string, props: TrainingJobDefinitionProps) {
    super(scope, id);
    // A log bucket created here takes S3 log delivery through its policy, as the dataset's does (see DatasetBucket).
    this.node.setContext(S3_LOGS_USE_BUCKET_POLICY, true);
    this.props = props;
    this.dataset = props.dataset;
    this.hyperparameters = props.hyperparameters ?? {};
    this.spot = props.spot ?? false;
    this.usesValidationChannel = props.useValidationChannel ?? false;
    this.model = props.model ?? JumpStartModel.MOBILENET_V2_100_224;
    this.instanceType = props.instanceType ?? TrainingInstanceType.ML_P3_2XLARGE;

    const problems = [
      ...validateHyperparameters(props.hyperparameters ?? {}, 'hyperparameters'),
      ...validateTrainingInstanceType(this.instanceType, 'instanceType', this.requiredProcessor()),
      ...validateLimits(props),
      ...logSettingsProblems(props),
    ];
    if (problems.length > 0) {
      throw new Error(`${this.node.path}: invalid TrainingJobDefinition props:\n  ${problems.join('\n  ')}`);
    }
    this.locations = AlgorithmLocations.of(this, this.model, props.locations);
    this.algorithmCheck = new AlgorithmObjectsCheck(this, 'AlgorithmCheck', {
      modelId: this.model.modelId,
      locations: this.locations,
      trainingScriptOverridden: props.locations?.trainingScriptUri !== undefined,
      pretrainedModelOverridden: props.locations?.pretrainedModelUri !== undefined,
      logEncryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.pretrainedModelUri = this.algorithmCheck.pretrainedModelUri;
    this.renderedHyperparameters = { ...renderHyperparameters(props.hyperparameters), ...CONTAINER_HYPERPARAMETERS };
    if (props.spot) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-image-classifier:spotRestarts',
        'Spot training: the algorithm\'s script is not known to resume from checkpoints, so an interrupted job starts over.');
    }

    const removalPolicy = props.artifactsRemovalPolicy ?? RemovalPolicy.RETAIN;
    this.artifactsBucket = props.artifactsBucket ?? createSecureBucket(this, 'ArtifactsBucket', {
      encryptionKey: props.encryptionKey,
      removalPolicy,
      noncurrentVersionExpiration: Duration.days(30),
      serverAccessLogsBucket: props.dataset.accessLogsBucket
        ?? createAccessLogsBucket(this, 'AccessLogsBucket', { removalPolicy, retention: Duration.days(365) }),
      serverAccessLogsPrefix: 'artifacts-bucket/',
    });
    this.artifactsRoot = new S3Folder(this.artifactsBucket, `${props.artifactsPrefix ?? 'training'}/`);
    this.modelOutput = this.artifactsRoot.folder('models');
    this.checkpoints = this.artifactsRoot.folder('checkpoints');
    this.evaluationOutput = this.artifactsRoot.folder('evaluation');

    this.securityGroups = props.vpc
      ? props.securityGroups ?? [new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: 'Image classifier training instances',
        allowAllOutbound: true,
      })]
      : [];
    this.subnetIds = props.vpc ? props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds : [];

    this.role = props.role ?? new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Execution role of the image classifier training jobs',
    });
    this.grantJobPermissions(this.role);
  }

  /** The `training`, `validation`, `model` and `code` channels. */
  public get channels(): TrainingChannel[] {
    const channels = [channel('training', this.props.dataset.trainingData.s3Uri)];
    if (this.usesValidationChannel) {
      channels.push(channel('validation', this.props.dataset.validationData.s3Uri));
    }
    // The location the deploy-time check found: a request that holds it cannot reach CloudFormation before the check.
    channels.push(channel('model', this.pretrainedModelUri, 'application/x-sagemaker-model'));
    // Under network isolation the script cannot be downloaded by the container, so it comes in as a channel and
    // `sagemaker_submit_directory` points at the mounted file.
    channels.push(channel('code', this.locations.trainingScriptUri));
    return channels;
  }

  /** The complete CreateTrainingJob request for one run. */
  public renderRequest(options: TrainingJobRunOptions): CreateTrainingJobRequest {
    const instanceType = options.instanceType ?? this.instanceType;
    const problems = validateTrainingInstanceType(instanceType, 'instanceType', this.requiredProcessor());
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join('; ')}`);
    if (!Token.isUnresolved(options.trainingJobName) && !isSageMakerName(options.trainingJobName)) {
      throw new Error(`trainingJobName must be 1-${SAGEMAKER_NAME_MAX_LENGTH} letters, digits and hyphens, starting and ending with a letter or digit, got '${options.trainingJobName}'`);
    }
    const processor = instanceType.processor ?? Processor.GPU;
    const key = this.props.encryptionKey?.keyArn;
    const maxRuntime = this.maxRuntime.toSeconds();
    return {
      TrainingJobName: options.trainingJobName,
      RoleArn: this.role.roleArn,
      AlgorithmSpecification: {
        TrainingImage: this.locations.trainingImage(processor),
        TrainingInputMode: 'File',
        MetricDefinitions: [VALIDATION_ACCURACY_METRIC, ...EXTRA_METRIC_DEFINITIONS],
      },
      HyperParameters: { ...this.renderedHyperparameters },
      InputDataConfig: this.channels,
      OutputDataConfig: { S3OutputPath: this.modelOutput.s3Uri, ...(key ? { KmsKeyId: key } : {}) },
      ResourceConfig: {
        InstanceType: instanceType.name,
        InstanceCount: 1,
        VolumeSizeInGB: (this.props.volumeSize ?? DEFAULT_VOLUME).toGibibytes(),
        // Instances with local NVMe storage encrypt it in hardware; SageMaker refuses a volume key for them.
        ...(key && !instanceType.hasLocalStorage ? { VolumeKmsKeyId: key } : {}),
      },
      StoppingCondition: this.props.spot
        ? { MaxRuntimeInSeconds: maxRuntime, MaxWaitTimeInSeconds: this.maxWaitTime.toSeconds() }
        : { MaxRuntimeInSeconds: maxRuntime },
      EnableNetworkIsolation: ENABLE_NETWORK_ISOLATION,
      EnableInterContainerTrafficEncryption: ENABLE_INTER_CONTAINER_TRAFFIC_ENCRYPTION,
      EnableManagedSpotTraining: this.props.spot ?? false,
      ...(this.props.spot
        ? { CheckpointConfig: { S3Uri: options.checkpointS3Uri ?? this.checkpoints.folder(options.trainingJobName).s3Uri } }
        : {}),
      ...(this.props.vpc
        ? { VpcConfig: { SecurityGroupIds: this.securityGroups.map((group) => group.securityGroupId), Subnets: this.subnetIds } }
        : {}),
    };
  }

  /** Lets `grantee` (a state machine, say) pass the execution role to SageMaker, and nothing else. */
  public grantPassRole(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [this.role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
  }

  /**
   * Lets `grantee` read trained models, as a SageMaker model created from them does: `s3:GetObject` under the model
   * output folder, `s3:ListBucket` on the bucket, `kms:Decrypt` with the bucket's key.
   */
  public grantReadModels(grantee: iam.IGrantable): iam.Grant {
    const holder = grantHolder(grantee);
    if (holder) acknowledgeWildcardResource(holder, this.modelOutput.objectsArn, TRAINED_MODELS_REASON);
    const grant = iam.Grant.addToPrincipalOrResource({ grantee, actions: ['s3:GetObject'], resourceArns: [this.modelOutput.objectsArn], resource: this.artifactsBucket })
      .combine(iam.Grant.addToPrincipalOrResource({ grantee, actions: ['s3:ListBucket'], resourceArns: [this.artifactsBucket.bucketArn], resource: this.artifactsBucket }));
    this.artifactsBucket.encryptionKey?.grantDecrypt(grantee);
    return grant;
  }

  private get maxRuntime(): Duration {
    return this.props.maxRuntime ?? DEFAULT_MAX_RUNTIME;
  }

  private get maxWaitTime(): Duration {
    if (this.props.maxWaitTime) return this.props.maxWaitTime;
    // A token runtime has no value to double: wait up to the longest SageMaker allows, which is never shorter.
    if (this.maxRuntime.isUnresolved()) return Duration.seconds(SAGEMAKER_LIMITS.maxRuntimeSeconds);
    return Duration.seconds(Math.min(this.maxRuntime.toSeconds() * 2, SAGEMAKER_LIMITS.maxRuntimeSeconds));
  }

  /** The processor the configuration demands: the `processor` prop, or the one an overridden image names. */
  /**
   * The processor every instance type of this definition must have: the `processor` prop, or the one an overridden
   * training image names; undefined when the image follows each instance type.
   */
  public requiredProcessor(): Processor | undefined {
    if (this.props.processor) return this.props.processor;
    const image = this.props.locations?.trainingImage;
    if (image && !Token.isUnresolved(image)) {
      const tag = image.split(/[:@]/).pop() ?? '';
      if (/gpu/i.test(tag)) return Processor.GPU;
      if (/cpu/i.test(tag)) return Processor.CPU;
    }
    return undefined;
  }

  private grantJobPermissions(role: iam.IRole): void {
    const stack = Stack.of(this);
    this.props.dataset.grantRead(role);

    // SageMaker uploads <job>/output/model.tar.gz (in parts when large) and lists the output path (and, for spot
    // jobs, the checkpoint folder): listing is limited to keys under the artifacts prefix.
    const artifacts = (actions: string[], folder: S3Folder) => iam.Grant.addToPrincipalOrResource({
      grantee: role, actions, resourceArns: [folder.objectsArn], resource: this.artifactsBucket,
    });
    iam.Grant.addToPrincipalOrResource({
      grantee: role,
      actions: ['s3:ListBucket'],
      resourceArns: [this.artifactsBucket.bucketArn],
      resource: this.artifactsBucket,
      conditions: { StringLike: { 's3:prefix': [`${this.artifactsRoot.keyPrefix}*`] } },
    });
    artifacts(['s3:PutObject', 's3:AbortMultipartUpload'], this.modelOutput);
    acknowledgeWildcardResource(role, this.modelOutput.objectsArn, TRAINED_MODELS_REASON);
    if (this.spot) {
      // Spot jobs sync <checkpoints><job>/ both ways: read to resume, write and delete as the local folder changes.
      artifacts(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], this.checkpoints);
      acknowledgeWildcardResource(role, this.checkpoints.objectsArn, 'Spot training checkpoints: one folder per training '
        + 'job (<checkpoints>/<job name>/), whose names are made per run and whose files the algorithm names. Scoped to the folder.');
    }
    if (this.props.encryptionKey) {
      // The model output, the training volume and the checkpoints are encrypted with the key; listed one by one
      // rather than with grantEncryptDecrypt's kms:ReEncrypt* and kms:GenerateDataKey* (no asymmetric key pairs).
      this.props.encryptionKey.grant(role, 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
        'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext');
      // SageMaker attaches the encrypted training volume under the execution role.
      grantKeyForAwsResources(this.props.encryptionKey, role);
    }
    const artifactsKey = this.artifactsBucket.encryptionKey;
    if (artifactsKey && artifactsKey !== this.props.encryptionKey) {
      // An artifacts bucket of your own with another key: uploads need a data key, reads of checkpoints a decrypt.
      artifactsKey.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    }

    const algorithmObjects = [this.locations._trainingScript, this.algorithmCheck.pretrainedModel];
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadAlgorithmScriptAndPretrainedModel',
      actions: ['s3:GetObject'],
      resources: algorithmObjects.map((object) => s3ObjectArn(this, object)),
    }));
    // SageMaker lists every S3Prefix channel (with the channel's key as prefix) before it downloads it.
    for (const [bucketName, keys] of keysByBucket(algorithmObjects)) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: `ListAlgorithmChannels${bucketName === this.locations._trainingScript.bucketName ? '' : 'Model'}`,
        actions: ['s3:ListBucket'],
        resources: [`arn:${stack.partition}:s3:::${bucketName}`],
        conditions: { StringEquals: { 's3:prefix': keys } },
      }));
    }
    const images = imageRepositories([Processor.GPU, Processor.CPU].map((p) => this.locations.trainingImageLocation(p)));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PullTrainingImage',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      resources: images.map((image) => `arn:${stack.partition}:ecr:${image.region}:${image.account}:repository/${image.repository}`),
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'EcrLogin',
      // ecr:GetAuthorizationToken has no resource type: IAM only accepts '*' for it.
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }));
    acknowledgeAnyResource(role, 'ecr:GetAuthorizationToken (log in to ECR to pull the algorithm image) has no resource '
      + 'type in IAM and accepts only "*"; the image pull itself is limited to the algorithm repositories.');
    const logGroup = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/sagemaker/TrainingJobs`;
    const logStreams = `${logGroup}:log-stream:*`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteTrainingLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      // SageMaker names the streams <job name>/algo-<n>-<epoch seconds> when the job starts: '*' for the streams of
      // the one log group SageMaker writes training logs to.
      resources: [logGroup, logStreams],
    }));
    acknowledgeWildcardResource(role, logStreams, 'SageMaker names training log streams <job name>/algo-<n>-<epoch '
      + 'seconds> when a job starts; the wildcard covers only streams of the /aws/sagemaker/TrainingJobs log group.');
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PublishTrainingMetrics',
      // cloudwatch:PutMetricData has no resource type: IAM only accepts '*'; the namespace condition scopes it.
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }));
    acknowledgeAnyResource(role, 'cloudwatch:PutMetricData (training metrics) has no resource type in IAM and accepts '
      + 'only "*"; the statement is conditioned on cloudwatch:namespace /aws/sagemaker/*.');
    if (this.props.vpc) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'AttachTrainingInstanceToVpc',
        // SageMaker creates and describes the instance's network interfaces; these EC2 actions cannot be scoped to
        // interfaces that do not exist yet, so IAM needs '*'.
        actions: [
          'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs',
          'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
      }));
      acknowledgeAnyResource(role, 'SageMaker attaches the training instance to the VPC with network interfaces it creates '
        + 'per job: the ec2 network-interface and Describe actions it needs cannot name interfaces that do not exist yet.');
    }
  }
}

function channel(name: string, s3Uri: string, contentType?: string): TrainingChannel {
  return {
    ChannelName: name,
    ...(contentType ? { ContentType: contentType } : {}),
    InputMode: 'File',
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: s3Uri, S3DataDistributionType: 'FullyReplicated' } },
  };
}

function imageRepositories(images: ImageUri[]): ImageUri[] {
  const seen = new Map<string, ImageUri>();
  for (const image of images) seen.set(`${image.account}/${image.region}/${image.repository}`, image);
  return [...seen.values()];
}

function validateLimits(props: TrainingJobDefinitionProps): string[] {
  const problems: string[] = [];
  const maxRuntime = props.maxRuntime ?? DEFAULT_MAX_RUNTIME;
  const runtime = wholeSeconds(maxRuntime, 'maxRuntime');
  if (runtime.problem) problems.push(runtime.problem);
  const runtimeSeconds = runtime.seconds;
  if (runtimeSeconds !== undefined && (runtimeSeconds < 1 || runtimeSeconds > SAGEMAKER_LIMITS.maxRuntimeSeconds)) {
    problems.push(`maxRuntime must be between 1 second and 28 days, got ${maxRuntime.toHumanString()}`);
  }
  if (props.maxWaitTime && !props.spot) {
    problems.push('maxWaitTime only applies to spot training; set spot: true or remove maxWaitTime');
  }
  const wait = props.maxWaitTime ? wholeSeconds(props.maxWaitTime, 'maxWaitTime') : {};
  if (wait.problem) problems.push(wait.problem);
  if (props.spot && runtimeSeconds !== undefined && wait.seconds !== undefined && wait.seconds < runtimeSeconds) {
    problems.push(`maxWaitTime must be at least maxRuntime (${maxRuntime.toHumanString()}), got ${props.maxWaitTime!.toHumanString()}`);
  }
  const volumeGiB = props.volumeSize?.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (volumeGiB !== undefined && !Token.isUnresolved(volumeGiB) && (!Number.isInteger(volumeGiB) || volumeGiB < 1)) {
    problems.push(`volumeSize must be a whole number of GiB, at least 1, got ${volumeGiB} GiB`);
  }
  const prefix = props.artifactsPrefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix) && !isSafeKeyPrefix(prefix)) {
    problems.push(`artifactsPrefix must be a key prefix without leading or trailing '/', like 'training', got '${prefix}'`);
  }
  if (props.vpcSubnets && !props.vpc) problems.push('vpcSubnets needs vpc');
  if (props.securityGroups && !props.vpc) problems.push('securityGroups needs vpc');
  return problems;
}
