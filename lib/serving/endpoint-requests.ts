/**
 * The SageMaker and Application Auto Scaling requests a `ClassifierEndpoint` renders, in the APIs' own PascalCase
 * shapes, so that a Step Functions task or an SDK call can send them as they are. Only the members this library sets
 * are typed; the test suite checks the shapes against the AWS SDK's `CreateModelCommandInput`,
 * `CreateEndpointConfigCommandInput`, `RegisterScalableTargetCommandInput` and `PutScalingPolicyCommandInput`.
 */

/** The CreateModel request. */
export interface CreateModelRequest {
  readonly ModelName: string;
  readonly ExecutionRoleArn: string;
  readonly PrimaryContainer: ModelContainer;
  readonly EnableNetworkIsolation: boolean;
  readonly VpcConfig?: { readonly SecurityGroupIds: string[]; readonly Subnets: string[] };
}

/** The model's one container: the algorithm's inference image with either a `model.tar.gz` or an S3 folder. */
export interface ModelContainer {
  readonly Image: string;
  readonly Environment: Record<string, string>;
  /** `s3://` URI of a `model.tar.gz`. */
  readonly ModelDataUrl?: string;
  /** An uncompressed model in an S3 folder. */
  readonly ModelDataSource?: {
    readonly S3DataSource: {
      readonly S3Uri: string;
      readonly S3DataType: 'S3Prefix' | 'S3Object';
      readonly CompressionType: 'None' | 'Gzip';
    };
  };
}

/** The CreateEndpointConfig request. */
export interface CreateEndpointConfigRequest {
  readonly EndpointConfigName: string;
  readonly ProductionVariants: ProductionVariantRequest[];
  readonly KmsKeyId?: string;
  readonly DataCaptureConfig?: DataCaptureRequest;
}

/** The endpoint's one production variant: instances or serverless. */
export interface ProductionVariantRequest {
  readonly VariantName: string;
  readonly ModelName: string;
  readonly InitialVariantWeight: number;
  readonly InstanceType?: string;
  readonly InitialInstanceCount?: number;
  readonly ServerlessConfig?: {
    readonly MemorySizeInMB: number;
    readonly MaxConcurrency: number;
    readonly ProvisionedConcurrency?: number;
  };
}

/** Capture of the endpoint's requests and responses to S3. */
export interface DataCaptureRequest {
  readonly EnableCapture: boolean;
  readonly InitialSamplingPercentage: number;
  readonly DestinationS3Uri: string;
  readonly KmsKeyId?: string;
  readonly CaptureOptions: Array<{ readonly CaptureMode: 'Input' | 'Output' }>;
  readonly CaptureContentTypeHeader: { readonly JsonContentTypes: string[] };
}

/** The Application Auto Scaling RegisterScalableTarget request for the endpoint's variant. */
export interface RegisterScalableTargetRequest {
  readonly ServiceNamespace: 'sagemaker';
  /** `endpoint/<endpoint name>/variant/<variant name>`. */
  readonly ResourceId: string;
  readonly ScalableDimension: 'sagemaker:variant:DesiredInstanceCount';
  readonly MinCapacity: number;
  readonly MaxCapacity: number;
}

/** The Application Auto Scaling PutScalingPolicy request: target tracking on invocations per instance. */
export interface PutScalingPolicyRequest {
  readonly PolicyName: string;
  readonly ServiceNamespace: 'sagemaker';
  readonly ResourceId: string;
  readonly ScalableDimension: 'sagemaker:variant:DesiredInstanceCount';
  readonly PolicyType: 'TargetTrackingScaling';
  readonly TargetTrackingScalingPolicyConfiguration: {
    /** Invocations per instance per minute. */
    readonly TargetValue: number;
    readonly PredefinedMetricSpecification: { readonly PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' };
    /** Seconds. */
    readonly ScaleInCooldown: number;
    /** Seconds. */
    readonly ScaleOutCooldown: number;
  };
}

/** The two requests that put the endpoint's variant under target-tracking autoscaling, in the order to send them. */
export interface EndpointScalingRequests {
  readonly registerScalableTarget: RegisterScalableTargetRequest;
  readonly putScalingPolicy: PutScalingPolicyRequest;
}
