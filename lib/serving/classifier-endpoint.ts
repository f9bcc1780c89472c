import { Annotations, ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { ClassifierEndpointBase, DEFAULT_VARIANT_NAME } from './classifier-endpoint-base';
import { EndpointCapacity, InstanceCapacity } from './endpoint-capacity';
import {
  CreateEndpointConfigRequest, CreateModelRequest, DataCaptureRequest, EndpointScalingRequests,
} from './endpoint-requests';
import { ModelArtifact, ModelData } from './model-artifact';
import { claimEndpointName, deriveEndpointName, isJsonataExpression, validateSageMakerName } from './private/endpoint-names';
import { AlgorithmLocationOverrides, AlgorithmLocations } from '../algorithm/algorithm-locations';
import { JumpStartModel } from '../algorithm/jumpstart-model';
import { ENABLE_NETWORK_ISOLATION } from '../private/algorithm-facts';
import { isSafeKeyPrefix, s3Uri } from '../private/locations';
import { requireServerlessInference, serverlessInferenceOffered } from '../private/region-features';
import { acknowledgeAnyResource, acknowledgeWildcardResource } from '../private/nag';
import {
  iamResourceNames, ownedResourceNamePattern, resourceNamePrefix, staticResourceName,
} from '../../lambda/shared/sagemaker-names';

/** Where and how much of the endpoint's traffic is captured. */
export interface DataCaptureOptions {
  /** The bucket receiving the captured requests and responses. */
  readonly bucket: s3.IBucket;
  /**
   * Key prefix in the bucket, without a trailing `/`. SageMaker writes below
   * `<prefix>/<endpoint name>/<variant name>/yyyy/mm/dd/hh/`.
   * @default 'data-capture'
   */
  readonly prefix?: string;
  /**
   * Share of invocations captured, a whole percentage 0-100.
   * @default 20
   */
  readonly samplingPercentage?: number;
}

/** Properties of a `ClassifierEndpoint`. */
export interface ClassifierEndpointProps {
  /**
   * The model family served; it decides the pretrained artifact of `ModelArtifact.pretrained()`.
   * @default JumpStartModel.MOBILENET_V2_100_224
   */
  readonly model?: JumpStartModel;
  /**
   * The model CloudFormation deploys. Given, CloudFormation creates and owns the SageMaker model, endpoint
   * configuration, endpoint and autoscaling. Absent, CloudFormation creates none of them: the retraining pipeline
   * creates the endpoint on its first promotion and updates it afterwards, so `cdk deploy` never reverts a promotion.
   * @default - the endpoint is managed by the retraining pipeline
   */
  readonly modelArtifact?: ModelArtifact;
  /**
   * Real-time instances with autoscaling, or serverless. Moving an existing endpoint from instances to serverless
   * is refused by SageMaker; it needs a new `endpointName`.
   * @default EndpointCapacity.instances() - 1 to 2 × ml.m5.large
   */
  readonly capacity?: EndpointCapacity;
  /**
   * The endpoint's name, fixed for the life of the stack: 1-63 letters, digits and hyphens, unique in the stack.
   * Changing it replaces the endpoint: the deploy deletes the old one and the next promotion creates the new one.
   * @default - derived from the stack name and this construct's id (not its path: moving the construct keeps the
   * name), lowercase, at most 38 characters
   */
  readonly endpointName?: string;
  /**
   * KMS key for the endpoint instances' storage volume (the endpoint configuration's `KmsKeyId`) and for captured
   * data. SageMaker refuses a volume key on instance types with local NVMe storage (g4dn, g5, c5d, m5d, …) and on
   * serverless endpoints, so it is not set there.
   * @default - AWS-managed encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Capture requests and responses to S3 (instance capacity only: serverless endpoints do not support it).
   * @default - no capture
   */
  readonly dataCapture?: DataCaptureOptions;
  /**
   * Run the model in this VPC (instance capacity only). It stays network-isolated; the VPC decides how SageMaker
   * reaches S3 and ECR.
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets for the model.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups for the model.
   * @default - a new security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Execution role of the SageMaker model. The construct adds the permissions it needs when it can.
   * @default - a new role with least-privilege permissions
   */
  readonly role?: iam.IRole;
  /**
   * Replace the resolved inference image or pretrained model location.
   * @default - resolved from the stack's region
   */
  readonly locations?: AlgorithmLocationOverrides;
  /**
   * Name of the endpoint's one production variant.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
}

/** What varies between the models the retraining pipeline creates. */
export interface CreateModelRequestOptions {
  /**
   * `<resourceNamePrefix>-<run id>`, or a JSONata expression (`{% … %}`) that yields it at run time.
   */
  readonly modelName: string;
  /** `s3://` URI of the fine-tuned `model.tar.gz`, or a JSONata expression that yields it. */
  readonly modelDataUrl: string;
}

/** What varies between the endpoint configurations the retraining pipeline creates. */
export interface CreateEndpointConfigRequestOptions {
  /** `<resourceNamePrefix>-<run id>`, or a JSONata expression (`{% … %}`) that yields it at run time. */
  readonly endpointConfigName: string;
  /** The model the configuration serves, as passed to `renderCreateModelRequest`. */
  readonly modelName: string;
}

const DEFAULT_CAPTURE_PREFIX = 'data-capture';
const DEFAULT_SAMPLING_PERCENTAGE = 20;
/** The algorithm answers `application/json` or `application/json;verbose`; captured as text, not base64. */
const JSON_CONTENT_TYPES = ['application/json', 'application/json;verbose'];

/**
 * The SageMaker endpoint of the image classifier, under one stable name for the life of the stack.
 *
 * By default the retraining pipeline owns the endpoint: this construct reserves the name, creates the model's
 * execution role, and renders the CreateModel, CreateEndpointConfig and autoscaling requests the pipeline sends, so
 * that a later `cdk deploy` can never revert a promoted model. With `modelArtifact`, CloudFormation creates the model,
 * endpoint configuration, endpoint and autoscaling from the very same rendered requests.
 *
 * Models and endpoint configurations are named `<resourceNamePrefix>-<run id>` (pipeline) or
 * `<resourceNamePrefix>-static-<hash>` (CloudFormation), which is what the cleanup at `cdk destroy` looks for.
 *
 * It is an aws-cdk-lib `sagemaker.IEndpoint` (for `apigateway.SagemakerIntegration`, say); an endpoint deployed by
 * another app is imported with `ClassifierEndpoint.fromEndpointName` or `fromEndpointAttributes`.
 */
export class ClassifierEndpoint extends ClassifierEndpointBase {
  /** The endpoint's name. */
  public readonly endpointName: string;
  /** The endpoint's ARN (SageMaker lowercases names in ARNs). */
  public readonly endpointArn: string;
  /** Prefix of the names of the models and endpoint configurations this endpoint owns (at most 38 characters). */
  public readonly resourceNamePrefix: string;
  /**
   * A regular expression matching exactly the model and endpoint configuration names this endpoint owns:
   * `<prefix>-<yyyymmdd>-<hhmmss>-<8 hex digits>` (pipeline) and `<prefix>-static-<8 hex digits>` (CloudFormation).
   */
  public readonly ownedResourceNamePattern: string;
  /**
   * IAM resource pattern of the models this endpoint owns, the same the retraining pipeline and the cleanup are
   * granted: `…:model/<prefix>-????????-??????-????????` (one `?` per run id character) for a pipeline-managed
   * endpoint, `…:model/<prefix>-static-????????` with a `modelArtifact` (SageMaker puts names in ARNs in lower case).
   */
  public readonly modelArnPattern: string;
  /** IAM resource pattern of the endpoint configurations this endpoint owns, of the same shape as `modelArnPattern`. */
  public readonly endpointConfigArnPattern: string;
  /** The production variant's name. */
  public readonly variantName: string;
  /**
   * The execution role of the SageMaker model. With a pipeline-managed endpoint it cannot read any model yet: let it
   * read the trained models with `trainingDefinition.grantReadModels(endpoint.role)`.
   */
  public readonly role: iam.IRole;
  /** Instances or serverless. */
  public readonly capacity: EndpointCapacity;
  /** The model family served. */
  public readonly model: JumpStartModel;
  /** Whether the retraining pipeline (not CloudFormation) creates and updates the endpoint. */
  public readonly managedByPipeline: boolean;
  protected readonly serverless: boolean;
  /** The algorithm's resolved locations. */
  public readonly locations: AlgorithmLocations;
  /** The KMS key of the endpoint; whoever calls CreateEndpoint with a `KmsKeyId` needs kms:CreateGrant on it. */
  public readonly encryptionKey?: kms.IKey;
  /** Security groups of the model, when it runs in a VPC. */
  public readonly securityGroups: ec2.ISecurityGroup[];
  /** The SageMaker model, when CloudFormation owns the endpoint. */
  public readonly cfnModel?: sagemaker.CfnModel;
  /** The endpoint configuration, when CloudFormation owns the endpoint. */
  public readonly cfnEndpointConfig?: sagemaker.CfnEndpointConfig;
  /** The endpoint, when CloudFormation owns it. */
  public readonly cfnEndpoint?: sagemaker.CfnEndpoint;
  /** The autoscaling target, when CloudFormation owns the endpoint and its capacity scales. */
  public readonly cfnScalableTarget?: appscaling.CfnScalableTarget;
  /** The target-tracking policy, when CloudFormation owns the endpoint and its capacity scales. */
  public readonly cfnScalingPolicy?: appscaling.CfnScalingPolicy;

  private readonly props: ClassifierEndpointProps;
  private readonly subnetIds: string[];

  constructor(scope: Construct, id: string, props: ClassifierEndpointProps = {}) {
    super(scope, id);
    this.props = props;
    this.model = props.model ?? JumpStartModel.MOBILENET_V2_100_224;
    this.capacity = props.capacity ?? EndpointCapacity.instances();
    this.serverless = this.capacity.isServerless;
    this.variantName = props.variantName ?? DEFAULT_VARIANT_NAME;
    this.endpointName = props.endpointName ?? deriveEndpointName(this, [id]);

    const problems = [...validateProps(props, this.capacity), ...claimEndpointName(this, this.endpointName)];
    const serverlessOffered = serverlessInferenceOffered(Stack.of(this));
    if (this.capacity.isServerless && serverlessOffered === false) {
      problems.push(`capacity: SageMaker offers no serverless inference in ${Stack.of(this).region} (China regions); use EndpointCapacity.instances()`);
    }
    if (problems.length > 0) {
      throw new Error(`${this.node.path}: invalid ClassifierEndpoint props:\n  ${problems.join('\n  ')}`);
    }
    // An environment-agnostic template with serverless capacity refuses, before creating anything, to deploy where it is not offered.
    if (this.capacity.isServerless && serverlessOffered === undefined) requireServerlessInference(Stack.of(this));
    this.locations = AlgorithmLocations.of(this, this.model, props.locations);
    this.managedByPipeline = props.modelArtifact === undefined;
    this.encryptionKey = props.encryptionKey;
    this.warnIfKeyUnused();

    const stack = Stack.of(this);
    this.resourceNamePrefix = resourceNamePrefix(this.endpointName);
    this.ownedResourceNamePattern = ownedResourceNamePattern(this.resourceNamePrefix);
    const arnName = this.endpointName.toLowerCase();
    this.endpointArn = stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: arnName });
    // Exactly the names this endpoint's models and configs get, with the wildcard shape the pipeline's and the
    // cleanup's IAM statements use (one `?` per character of the run id or hash).
    const arnPrefix = this.resourceNamePrefix.toLowerCase();
    const ownedArnNames = this.managedByPipeline ? iamResourceNames.runResources(arnPrefix) : iamResourceNames.staticResources(arnPrefix);
    this.modelArnPattern = stack.formatArn({ service: 'sagemaker', resource: 'model', resourceName: ownedArnNames });
    this.endpointConfigArnPattern = stack.formatArn({ service: 'sagemaker', resource: 'endpoint-config', resourceName: ownedArnNames });

    this.securityGroups = props.vpc
      ? props.securityGroups ?? [new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: 'Image classifier endpoint model',
        allowAllOutbound: true,
      })]
      : [];
    this.subnetIds = props.vpc ? props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds : [];

    this.role = props.role ?? new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Execution role of the image classifier endpoint model',
    });
    this.grantModelPermissions(this.role);

    if (props.modelArtifact) {
      const modelData = props.modelArtifact._bind(this, this.locations, this.role);
      const { model, config, endpoint } = this.createStaticEndpoint(modelData);
      this.cfnModel = model;
      this.cfnEndpointConfig = config;
      this.cfnEndpoint = endpoint;
      const scaling = this.renderScalingRequests();
      if (scaling) {
        this.cfnScalableTarget = new appscaling.CfnScalableTarget(this, 'ScalableTarget', {
          serviceNamespace: scaling.registerScalableTarget.ServiceNamespace,
          resourceId: scaling.registerScalableTarget.ResourceId,
          scalableDimension: scaling.registerScalableTarget.ScalableDimension,
          minCapacity: scaling.registerScalableTarget.MinCapacity,
          maxCapacity: scaling.registerScalableTarget.MaxCapacity,
        });
        this.cfnScalableTarget.node.addDependency(endpoint);
        const tracking = scaling.putScalingPolicy.TargetTrackingScalingPolicyConfiguration;
        this.cfnScalingPolicy = new appscaling.CfnScalingPolicy(this, 'ScalingPolicy', {
          policyName: scaling.putScalingPolicy.PolicyName,
          policyType: scaling.putScalingPolicy.PolicyType,
          scalingTargetId: this.cfnScalableTarget.ref,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: tracking.TargetValue,
            predefinedMetricSpecification: { predefinedMetricType: tracking.PredefinedMetricSpecification.PredefinedMetricType },
            scaleInCooldown: tracking.ScaleInCooldown,
            scaleOutCooldown: tracking.ScaleOutCooldown,
          },
        });
      }
    }
  }

  /**
   * The CreateModel request for a fine-tuned `model.tar.gz`: the algorithm's inference image for the capacity's
   * processor, its environment, network isolation (except on serverless, which does not support it), the VPC.
   * Literal names must be `<resourceNamePrefix>-<suffix>`; JSONata expressions and tokens pass unchecked.
   */
  public renderCreateModelRequest(options: CreateModelRequestOptions): CreateModelRequest {
    this.assertOwnedName(options.modelName, 'modelName');
    return this.renderModel(options.modelName, { ModelDataUrl: options.modelDataUrl });
  }

  /**
   * The CreateEndpointConfig request: one variant with all the traffic, the capacity, the KMS key where SageMaker
   * takes one, and data capture.
   */
  public renderCreateEndpointConfigRequest(options: CreateEndpointConfigRequestOptions): CreateEndpointConfigRequest {
    this.assertOwnedName(options.endpointConfigName, 'endpointConfigName');
    this.assertOwnedName(options.modelName, 'modelName');
    return this.renderEndpointConfig(options.endpointConfigName, options.modelName);
  }

  /**
   * The Application Auto Scaling requests that put the variant under target tracking of invocations per instance;
   * `undefined` for serverless or a fixed instance count. The pipeline sends them once the endpoint is InService.
   * SageMaker refuses an UpdateEndpoint that changes the instance type of a registered variant: deregister the
   * scalable target first, and register it again afterwards.
   */
  public renderScalingRequests(): EndpointScalingRequests | undefined {
    return this.capacity._renderScaling(this.endpointName, this.variantName);
  }

  /** Lets `grantee` (the pipeline's state machine, say) pass the model's execution role to SageMaker, and nothing else. */
  public grantPassRole(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [this.role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
  }

  /**
   * Retains or deletes the model, endpoint configuration and endpoint CloudFormation creates with `modelArtifact`.
   * A pipeline-managed endpoint has no CloudFormation resource: the cleanup deletes it with the classifier.
   */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    if (!this.cfnEndpoint) {
      throw new Error(`${this.node.path}: the retraining pipeline, not CloudFormation, owns this endpoint; its cleanup deletes it `
        + 'with the classifier, so there is no removal policy to apply (set serving.modelArtifact for a CloudFormation-owned endpoint)');
    }
    for (const resource of [this.cfnModel, this.cfnEndpointConfig, this.cfnEndpoint]) resource?.applyRemovalPolicy(policy);
  }

  private renderModel(modelName: string, modelData: ModelData): CreateModelRequest {
    return {
      ModelName: modelName,
      ExecutionRoleArn: this.role.roleArn,
      PrimaryContainer: {
        Image: this.locations.inferenceImage(this.capacity.processor),
        Environment: { ...this.locations.inferenceEnvironment },
        ...modelData,
      },
      // The algorithm's specification hosts with network isolation; serverless endpoints do not support it.
      EnableNetworkIsolation: this.capacity.isServerless ? false : ENABLE_NETWORK_ISOLATION,
      ...(this.props.vpc
        ? { VpcConfig: { SecurityGroupIds: this.securityGroups.map((group) => group.securityGroupId), Subnets: this.subnetIds } }
        : {}),
    };
  }

  private renderEndpointConfig(endpointConfigName: string, modelName: string): CreateEndpointConfigRequest {
    const kmsKeyId = this.volumeKmsKeyId();
    const capture = this.renderDataCapture();
    return {
      EndpointConfigName: endpointConfigName,
      ProductionVariants: [{
        VariantName: this.variantName,
        ModelName: modelName,
        InitialVariantWeight: 1,
        ...this.capacity._renderVariant(),
      }],
      ...(kmsKeyId ? { KmsKeyId: kmsKeyId } : {}),
      ...(capture ? { DataCaptureConfig: capture } : {}),
    };
  }

  /** The endpoint configuration's volume key: not on serverless, nor on instances with local NVMe storage. */
  private volumeKmsKeyId(): string | undefined {
    const capacity = this.capacity;
    if (!this.encryptionKey || !(capacity instanceof InstanceCapacity) || capacity.instanceType.hasLocalStorage) return undefined;
    return this.encryptionKey.keyArn;
  }

  private renderDataCapture(): DataCaptureRequest | undefined {
    const capture = this.props.dataCapture;
    if (!capture) return undefined;
    return {
      EnableCapture: true,
      InitialSamplingPercentage: capture.samplingPercentage ?? DEFAULT_SAMPLING_PERCENTAGE,
      DestinationS3Uri: s3Uri({ bucketName: capture.bucket.bucketName, key: capture.prefix ?? DEFAULT_CAPTURE_PREFIX }),
      ...(this.encryptionKey ? { KmsKeyId: this.encryptionKey.keyArn } : {}),
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { JsonContentTypes: [...JSON_CONTENT_TYPES] },
    };
  }

  /** Model and endpoint configuration named after a hash of their request, so any change replaces them cleanly. */
  private createStaticEndpoint(modelData: ModelData) {
    const stack = Stack.of(this);
    const staticName = (request: object) => staticResourceName(this.resourceNamePrefix, JSON.stringify(stack.resolve(request)));
    const modelName = staticName(this.renderModel('', modelData));
    const modelRequest = this.renderModel(modelName, modelData);
    const configName = staticName(this.renderEndpointConfig('', modelName));
    const configRequest = this.renderEndpointConfig(configName, modelName);

    const container = modelRequest.PrimaryContainer;
    const source = container.ModelDataSource?.S3DataSource;
    const model = new sagemaker.CfnModel(this, 'Model', {
      modelName: modelRequest.ModelName,
      executionRoleArn: modelRequest.ExecutionRoleArn,
      primaryContainer: {
        image: container.Image,
        environment: container.Environment,
        modelDataUrl: container.ModelDataUrl,
        modelDataSource: source && {
          s3DataSource: { s3Uri: source.S3Uri, s3DataType: source.S3DataType, compressionType: source.CompressionType },
        },
      },
      enableNetworkIsolation: modelRequest.EnableNetworkIsolation,
      vpcConfig: modelRequest.VpcConfig && {
        securityGroupIds: modelRequest.VpcConfig.SecurityGroupIds,
        subnets: modelRequest.VpcConfig.Subnets,
      },
    });
    // SageMaker checks the role's permissions when it creates the endpoint: attach the policies first.
    model.node.addDependency(this.role);

    const capture = configRequest.DataCaptureConfig;
    const config = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      endpointConfigName: configRequest.EndpointConfigName,
      productionVariants: configRequest.ProductionVariants.map((variant) => ({
        variantName: variant.VariantName,
        modelName: variant.ModelName,
        initialVariantWeight: variant.InitialVariantWeight,
        instanceType: variant.InstanceType,
        initialInstanceCount: variant.InitialInstanceCount,
        serverlessConfig: variant.ServerlessConfig && {
          memorySizeInMb: variant.ServerlessConfig.MemorySizeInMB,
          maxConcurrency: variant.ServerlessConfig.MaxConcurrency,
          provisionedConcurrency: variant.ServerlessConfig.ProvisionedConcurrency,
        },
      })),
      kmsKeyId: configRequest.KmsKeyId,
      dataCaptureConfig: capture && {
        enableCapture: capture.EnableCapture,
        initialSamplingPercentage: capture.InitialSamplingPercentage,
        destinationS3Uri: capture.DestinationS3Uri,
        kmsKeyId: capture.KmsKeyId,
        captureOptions: capture.CaptureOptions.map((option) => ({ captureMode: option.CaptureMode })),
        captureContentTypeHeader: { jsonContentTypes: capture.CaptureContentTypeHeader.JsonContentTypes },
      },
    });
    config.node.addDependency(model);

    const endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: config.attrEndpointConfigName,
    });
    return { model, config, endpoint };
  }

  /** Names the pipeline passes must follow the naming rule the cleanup relies on. */
  private assertOwnedName(name: string, field: string): void {
    if (Token.isUnresolved(name) || isJsonataExpression(name)) return;
    const problems = validateSageMakerName(name, field);
    if (problems.length === 0 && !name.startsWith(`${this.resourceNamePrefix}-`)) {
      problems.push(`${field} must start with the endpoint's resourceNamePrefix '${this.resourceNamePrefix}-' so that the cleanup finds it, got '${name}'`);
    }
    if (problems.length > 0) throw new Error(`${this.node.path}: ${problems.join('; ')}`);
  }

  private grantModelPermissions(role: iam.IRole): void {
    const stack = Stack.of(this);
    const image = this.locations.inferenceImageLocation(this.capacity.processor);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PullInferenceImage',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      resources: [`arn:${stack.partition}:ecr:${image.region}:${image.account}:repository/${image.repository}`],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'EcrLogin',
      // ecr:GetAuthorizationToken has no resource type: IAM only accepts '*' for it.
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }));
    acknowledgeAnyResource(role, 'ecr:GetAuthorizationToken (log in to ECR to pull the inference image) has no resource '
      + 'type in IAM and accepts only "*"; the image pull itself is limited to the algorithm inference repository.');
    // The container logs to /aws/sagemaker/Endpoints/<endpoint name>; the name is known, so the group is too.
    const logGroups = [...new Set([this.endpointName, this.endpointName.toLowerCase()])].map((name) => stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: `/aws/sagemaker/Endpoints/${name}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }));
    // SageMaker names the streams <variant>/<instance id> as instances start: '*' for the streams of this endpoint's
    // log group only.
    const logStreams = logGroups.map((group) => `${group}:log-stream:*`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteEndpointLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [...logGroups, ...logStreams],
    }));
    for (const streams of logStreams) {
      acknowledgeWildcardResource(role, streams, 'SageMaker names endpoint log streams <variant>/<instance id> as '
        + 'instances start; the wildcard covers only streams of this endpoint\'s /aws/sagemaker/Endpoints/<name> log group.');
    }
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PublishEndpointMetrics',
      // cloudwatch:PutMetricData has no resource type: IAM only accepts '*'; the namespace condition scopes it.
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }));
    acknowledgeAnyResource(role, 'cloudwatch:PutMetricData (endpoint metrics) has no resource type in IAM and accepts '
      + 'only "*"; the statement is conditioned on cloudwatch:namespace /aws/sagemaker/*.');
    const capture = this.props.dataCapture;
    if (capture) {
      // SageMaker writes captured data with the model's execution role, in parts when large; SSE-KMS uploads ask the
      // key for a data key.
      // '*' under the capture prefix: SageMaker names the files per endpoint, variant, hour and batch.
      const captured = capture.bucket.arnForObjects(`${capture.prefix ?? DEFAULT_CAPTURE_PREFIX}/*`);
      iam.Grant.addToPrincipalOrResource({ grantee: role, actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resourceArns: [captured], resource: capture.bucket });
      acknowledgeWildcardResource(role, captured, 'SageMaker writes data capture files under the capture prefix with '
        + 'names it makes per endpoint, variant, hour and request batch: write-only, scoped to the capture prefix.');
      this.encryptionKey?.grant(role, 'kms:Encrypt', 'kms:GenerateDataKey');
    }
    if (this.props.vpc) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'AttachModelToVpc',
        // SageMaker creates and describes the model's network interfaces; these EC2 actions cannot be scoped to
        // interfaces that do not exist yet, so IAM needs '*'.
        actions: [
          'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs',
          'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
      }));
      acknowledgeAnyResource(role, 'SageMaker attaches the model\'s instances to the VPC with network interfaces it '
        + 'creates as instances start: the ec2 network-interface and Describe actions cannot name interfaces that do not exist yet.');
    }
  }

  private warnIfKeyUnused(): void {
    if (!this.encryptionKey || this.volumeKmsKeyId() || this.props.dataCapture) return;
    const reason = this.capacity.isServerless
      ? 'serverless endpoints take no KMS key'
      : 'SageMaker refuses a volume key on instance types with local NVMe storage, which the hardware encrypts';
    Annotations.of(this).addWarningV2('cdk-sagemaker-image-classifier:endpointKeyUnused',
      `encryptionKey is not used by this endpoint: ${reason}.`);
  }
}

function validateProps(props: ClassifierEndpointProps, capacity: EndpointCapacity): string[] {
  const problems = capacity._validate('capacity');
  if (props.endpointName !== undefined) problems.push(...validateSageMakerName(props.endpointName, 'endpointName'));
  if (props.variantName !== undefined) problems.push(...validateSageMakerName(props.variantName, 'variantName'));
  problems.push(...(props.modelArtifact?._validate('modelArtifact') ?? []));

  const capture = props.dataCapture;
  if (capture) {
    const sampling = capture.samplingPercentage;
    if (sampling !== undefined && !Token.isUnresolved(sampling) && !(Number.isInteger(sampling) && sampling >= 0 && sampling <= 100)) {
      problems.push(`dataCapture.samplingPercentage must be a whole percentage in [0, 100], got ${sampling}`);
    }
    const prefix = capture.prefix;
    if (prefix !== undefined && !Token.isUnresolved(prefix) && !isSafeKeyPrefix(prefix)) {
      problems.push(`dataCapture.prefix must be a key prefix without leading or trailing '/', like 'data-capture', got '${prefix}'`);
    }
    if (capacity.isServerless) {
      problems.push('dataCapture is not supported by serverless endpoints; remove it or use EndpointCapacity.instances()');
    }
  }
  if (props.vpc && capacity.isServerless) {
    problems.push('vpc is not supported by serverless endpoints; remove it or use EndpointCapacity.instances()');
  }
  if (props.vpcSubnets && !props.vpc) problems.push('vpcSubnets needs vpc');
  if (props.securityGroups && !props.vpc) problems.push('securityGroups needs vpc');
  return problems;
}
