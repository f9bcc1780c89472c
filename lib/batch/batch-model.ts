import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { championParameterName } from '../../lambda/shared/cleanup-contract';
import { iamResourceNames, isSageMakerName, RESOURCE_NAME_PREFIX_MAX_LENGTH, resourceNamePrefix } from '../../lambda/shared/sagemaker-names';

/** What a batch run needs of a classifier's endpoint to classify with its current model. `ClassifierEndpoint` has it. */
export interface IChampionSource {
  /** The endpoint's name: its retraining pipeline keeps the champion record under it. */
  readonly endpointName: string;
  /** The prefix of the names of the endpoint's models (`<prefix>-<run id>`), at most 38 characters. */
  readonly resourceNamePrefix: string;
  /** The execution role of the endpoint's models: transform jobs read and write S3 with it. */
  readonly role: iam.IRole;
  /** Whether the retraining pipeline creates the endpoint's models (false when it serves a fixed model artifact). */
  readonly managedByPipeline: boolean;
  /** The name of the fixed model CloudFormation creates, when the pipeline does not manage the endpoint. */
  readonly cfnModel?: { readonly modelName?: string };
}

/** Where a batch run finds the model it classifies with: the resolved choice the state machine renders. */
export interface BatchModelConfig {
  /** The model's name when it is fixed at synth time. */
  readonly modelName?: string;
  /** The SSM parameter holding the champion record (`{"modelName": …}`), read when each run starts. */
  readonly championParameterName?: string;
  /** The endpoint whose champion is used, for messages. */
  readonly endpointName?: string;
  /** Model names a run may choose with `{"modelName": …}`: a Step Functions StringMatches pattern (`*` wildcard). */
  readonly runModelNamePattern: string;
  /** IAM resource names (after `model/`, lower case) of the models transform jobs may run. */
  readonly iamModelNames: string[];
  /** The role the models run with, granted the batch folders. */
  readonly role: iam.IRole;
  /** The prefix of the names of this model's resources; transform jobs are `<prefix>-batch-<run id>`. */
  readonly namePrefix: string;
}

/**
 * The model a `BatchClassification` classifies with, by default for each run (a run may name another of the same
 * source with `{"modelName": …}` in its input).
 */
export abstract class BatchModel {
  /**
   * The model an image classifier's endpoint serves: the champion record its retraining pipeline keeps in the SSM
   * parameter `/sagemaker-image-classifier/<endpoint>/champion`, read when each run starts (a run before the first
   * promotion fails with `NoChampion`); the fixed model when the endpoint serves a `modelArtifact`. A run may name
   * any other model of the endpoint (`<prefix>-<run id>`, a previous champion the pipeline kept).
   */
  public static champion(endpoint: IChampionSource): BatchModel {
    return new ChampionModel(endpoint);
  }

  /**
   * The current model of a classifier deployed by another stack or app, by its endpoint name and its models'
   * execution role (for example `iam.Role.fromRoleArn(this, 'ModelRole', arn, { mutable: true })`, so that the batch
   * folders can be granted to it).
   */
  public static championOf(endpointName: string, modelRole: iam.IRole): BatchModel {
    return new ChampionModel({ endpointName, resourceNamePrefix: resourceNamePrefix(endpointName), role: modelRole, managedByPipeline: true });
  }

  /** A SageMaker model by name, run with `role` (its execution role, granted the batch folders). */
  public static fromModelName(modelName: string, role: iam.IRole): BatchModel {
    return new NamedModel(modelName, role);
  }

  /** Problems with the choice, each naming `path`. */
  public abstract validate(path: string): string[];

  /** @internal */
  public abstract _bind(): BatchModelConfig;
}

class ChampionModel extends BatchModel {
  constructor(private readonly endpoint: IChampionSource) {
    super();
  }

  public validate(path: string): string[] {
    const name = this.endpoint.endpointName;
    if (Token.isUnresolved(name)) return [`${path}: the endpoint name must be known at synth time (the champion record is named after it), got a token`];
    return isSageMakerName(name) ? [] : [`${path}: '${name}' is not a SageMaker endpoint name (1-63 letters, digits and hyphens)`];
  }

  public _bind(): BatchModelConfig {
    const prefix = this.endpoint.resourceNamePrefix;
    const arnPrefix = prefix.toLowerCase();
    const fixed = this.endpoint.managedByPipeline ? undefined : this.endpoint.cfnModel?.modelName;
    return {
      ...(fixed ? { modelName: fixed } : { championParameterName: championParameterName(this.endpoint.endpointName) }),
      endpointName: this.endpoint.endpointName,
      runModelNamePattern: `${prefix}-*`,
      iamModelNames: [this.endpoint.managedByPipeline ? iamResourceNames.runResources(arnPrefix) : iamResourceNames.staticResources(arnPrefix)],
      role: this.endpoint.role,
      namePrefix: prefix,
    };
  }
}

class NamedModel extends BatchModel {
  constructor(private readonly modelName: string, private readonly role: iam.IRole) {
    super();
  }

  public validate(path: string): string[] {
    const name = this.modelName;
    if (Token.isUnresolved(name)) return [`${path}: the model name must be known at synth time (it names the transform jobs and scopes their IAM), got a token`];
    return isSageMakerName(name) ? [] : [`${path}: '${name}' is not a SageMaker model name (1-63 letters, digits and hyphens)`];
  }

  public _bind(): BatchModelConfig {
    return {
      modelName: this.modelName,
      runModelNamePattern: this.modelName,
      iamModelNames: [this.modelName.toLowerCase()],
      role: this.role,
      // Transform jobs are `<prefix>-batch-<run id>`: the model name cut to the prefix length.
      namePrefix: this.modelName.slice(0, RESOURCE_NAME_PREFIX_MAX_LENGTH).replace(/-+$/, ''),
    };
  }
}
