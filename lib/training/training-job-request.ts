/**
 * The CreateTrainingJob request a `TrainingJobDefinition` renders, in the API's own PascalCase shape, so that it can
 * be sent as it is by a Step Functions `sagemaker:createTrainingJob` task or an SDK call. Only the members this
 * library sets are typed; the test suite checks the shape against the AWS SDK's `CreateTrainingJobCommandInput`.
 */
export interface CreateTrainingJobRequest {
  readonly TrainingJobName: string;
  readonly RoleArn: string;
  readonly AlgorithmSpecification: {
    readonly TrainingImage: string;
    readonly TrainingInputMode: 'File';
    readonly MetricDefinitions: Array<{ readonly Name: string; readonly Regex: string }>;
  };
  readonly HyperParameters: Record<string, string>;
  readonly InputDataConfig: TrainingChannel[];
  readonly OutputDataConfig: { readonly S3OutputPath: string; readonly KmsKeyId?: string };
  readonly ResourceConfig: {
    readonly InstanceType: string;
    readonly InstanceCount: number;
    readonly VolumeSizeInGB: number;
    readonly VolumeKmsKeyId?: string;
  };
  readonly StoppingCondition: { readonly MaxRuntimeInSeconds: number; readonly MaxWaitTimeInSeconds?: number };
  readonly EnableNetworkIsolation: boolean;
  readonly EnableInterContainerTrafficEncryption: boolean;
  readonly EnableManagedSpotTraining: boolean;
  readonly CheckpointConfig?: { readonly S3Uri: string; readonly LocalPath?: string };
  readonly VpcConfig?: { readonly SecurityGroupIds: string[]; readonly Subnets: string[] };
  }

/** One input channel of a training job. */
export interface TrainingChannel {
  readonly ChannelName: string;
  readonly ContentType?: string;
  readonly InputMode: 'File';
  readonly DataSource: {
    readonly S3DataSource: {
      readonly S3DataType: 'S3Prefix';
      readonly S3Uri: string;
      readonly S3DataDistributionType: 'FullyReplicated';
    };
  };
}
