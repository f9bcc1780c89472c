import { Aws, CfnMapping, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { JumpStartModel } from './jumpstart-model';
import {
  CONTENT_BUCKET_PREFIX,
  DLC_ACCOUNT_BY_REGION,
  INFERENCE_ENVIRONMENT,
  INFERENCE_IMAGE_REPOSITORY,
  INFERENCE_IMAGE_TAG,
  TRAINING_IMAGE_REPOSITORY,
  TRAINING_IMAGE_TAG,
  TRAINING_SCRIPT_KEY,
  ecrDomain,
} from '../private/algorithm-facts';
import { ImageUri, S3ObjectLocation, parseImageUri, parseS3Uri, s3Uri } from '../private/locations';

/** The kind of processor an instance has, which decides the container image variant. */
export enum Processor {
  CPU = 'cpu',
  GPU = 'gpu',
}

/**
 * Replacements for the locations the algorithm is resolved to. JumpStart's catalog moves over time (new script
 * versions, new regions); set these to pin or mirror a location without waiting for a new release of this library.
 */
export interface AlgorithmLocationOverrides {
  /**
   * Training container image URI, for example `763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.9-gpu-py39`.
   * Used for every instance type, so it must match the processor of the training instance.
   * @default - the TensorFlow 2.9 deep learning container of the stack's region, GPU or CPU by instance family
   */
  readonly trainingImage?: string;
  /**
   * Inference container image URI.
   * @default - the TensorFlow Serving 2.8 deep learning container of the stack's region, GPU or CPU by instance family
   */
  readonly inferenceImage?: string;
  /**
   * `s3://` URI of the training script tarball (`sourcedir.tar.gz`).
   * @default - the prepacked v1.1.2 script in the region's JumpStart content bucket
   */
  readonly trainingScriptUri?: string;
  /**
   * `s3://` URI of the pretrained model tarball that training starts from. Checked at deploy time like the default.
   * @default - the first of the model's known layouts (`tensorflow-training/v3.0.0/train-<model id>.tar.gz`, then
   * older ones) that exists in the region's JumpStart content bucket, found by a check at deploy time
   */
  readonly pretrainedModelUri?: string;
  /**
   * `s3://` URI of the folder holding the pretrained model ready to serve (ends with `/`).
   * @default - `tensorflow-ic/<model id>/artifacts/inference-prepack/v1.0.0/` in the region's JumpStart content bucket
   */
  readonly pretrainedInferenceModelUri?: string;
}

/** The regions the algorithm's default locations resolve in. */
export const SUPPORTED_REGIONS: readonly string[] = Object.keys(DLC_ACCOUNT_BY_REGION);

const MAPPING_ID = 'ImageClassificationTensorFlowRegions';
const RULE_ID = 'ImageClassificationTensorFlowRegionSupported';

/**
 * Where the algorithm's images, script and pretrained models are, for one model in one stack's region.
 *
 * In a stack with a concrete region every location is a plain string, and a region the algorithm does not run in is
 * an error. In an environment-agnostic stack the locations are resolved by CloudFormation at deploy time from a
 * mapping of every supported region, and a template rule stops a deployment to any other region before it creates
 * anything.
 */
export class AlgorithmLocations {
  /** Resolves the locations of `model` for the stack that holds `scope`. */
  public static of(scope: Construct, model: JumpStartModel, overrides: AlgorithmLocationOverrides = {}): AlgorithmLocations {
    return new AlgorithmLocations(scope, model, overrides);
  }

  /** `s3://` URI of the training script tarball. */
  public readonly trainingScriptUri: string;
  /**
   * `s3://` URIs the pretrained model tarball training starts from may have, most likely first (one when overridden).
   * Which one exists is found at deploy time: see `TrainingJobDefinition.pretrainedModelUri`.
   */
  public readonly pretrainedModelCandidateUris: string[];
  /** `s3://` URI of the pretrained model ready to serve (a folder, ends with `/`). */
  public readonly pretrainedInferenceModelUri: string;
  /** Environment variables the inference container needs. */
  public readonly inferenceEnvironment: Readonly<Record<string, string>>;

  /** @internal */
  public readonly _trainingScript: S3ObjectLocation;
  /** @internal */
  public readonly _pretrainedModelCandidates: S3ObjectLocation[];
  /** @internal */
  public readonly _pretrainedInferenceModel: S3ObjectLocation;

  private readonly scope: Construct;
  private readonly overrides: AlgorithmLocationOverrides;

  private constructor(scope: Construct, model: JumpStartModel, overrides: AlgorithmLocationOverrides) {
    this.scope = scope;
    this.overrides = overrides;
    const stack = Stack.of(scope);
    const problems = validateOverrides(overrides);
    if (!Token.isUnresolved(stack.region) && !(stack.region in DLC_ACCOUNT_BY_REGION) && !(overrides.trainingImage && overrides.inferenceImage)) {
      problems.push(
        `region '${stack.region}' is not a region where the Image Classification - TensorFlow algorithm is known to run. `
        + `Supported regions: ${SUPPORTED_REGIONS.join(', ')}. For another region, set every location override `
        + '(trainingImage, inferenceImage, trainingScriptUri, pretrainedModelUri, pretrainedInferenceModelUri).',
      );
    }
    if (problems.length > 0) {
      throw new Error(`${scope.node.path}: invalid algorithm locations:\n  ${problems.join('\n  ')}`);
    }

    const contentBucket = `${CONTENT_BUCKET_PREFIX}${stack.region}`;
    this._trainingScript = overrides.trainingScriptUri
      ? parseS3Uri(overrides.trainingScriptUri)!
      : { bucketName: contentBucket, key: TRAINING_SCRIPT_KEY };
    this._pretrainedModelCandidates = overrides.pretrainedModelUri
      ? [parseS3Uri(overrides.pretrainedModelUri)!]
      : model.pretrainedModelKeyCandidates.map((key) => ({ bucketName: contentBucket, key }));
    this._pretrainedInferenceModel = overrides.pretrainedInferenceModelUri
      ? parseS3Uri(overrides.pretrainedInferenceModelUri)!
      : { bucketName: contentBucket, key: model.pretrainedInferenceModelKeyPrefix };
    this.trainingScriptUri = s3Uri(this._trainingScript);
    this.pretrainedModelCandidateUris = this._pretrainedModelCandidates.map(s3Uri);
    this.pretrainedInferenceModelUri = s3Uri(this._pretrainedInferenceModel);
    this.inferenceEnvironment = { ...INFERENCE_ENVIRONMENT };
  }

  /** URI of the training image for an instance with this processor. */
  public trainingImage(processor: Processor): string {
    return this.trainingImageLocation(processor).uri;
  }

  /** URI of the inference image for an instance with this processor. */
  public inferenceImage(processor: Processor): string {
    return this.inferenceImageLocation(processor).uri;
  }

  /** @internal */
  public trainingImageLocation(processor: Processor): ImageUri {
    return this.overrides.trainingImage
      ? parseImageUri(this.overrides.trainingImage)!
      : this.deepLearningContainer(TRAINING_IMAGE_REPOSITORY, TRAINING_IMAGE_TAG[processor]);
  }

  /** @internal */
  public inferenceImageLocation(processor: Processor): ImageUri {
    return this.overrides.inferenceImage
      ? parseImageUri(this.overrides.inferenceImage)!
      : this.deepLearningContainer(INFERENCE_IMAGE_REPOSITORY, INFERENCE_IMAGE_TAG[processor]);
  }

  private deepLearningContainer(repository: string, tag: string): ImageUri {
    const stack = Stack.of(this.scope);
    let account: string;
    let domain: string;
    if (Token.isUnresolved(stack.region)) {
      const mapping = regionMapping(stack);
      account = mapping.findInMap(Aws.REGION, 'dlcAccount');
      domain = mapping.findInMap(Aws.REGION, 'ecrDomain');
      regionRule(stack);
    } else {
      account = DLC_ACCOUNT_BY_REGION[stack.region];
      domain = ecrDomain(stack.region);
    }
    return {
      account,
      region: stack.region,
      repository,
      uri: `${account}.dkr.ecr.${stack.region}.${domain}/${repository}:${tag}`,
    };
  }
}

function validateOverrides(overrides: AlgorithmLocationOverrides): string[] {
  const problems: string[] = [];
  for (const field of ['trainingScriptUri', 'pretrainedModelUri', 'pretrainedInferenceModelUri'] as const) {
    const value = overrides[field];
    if (value !== undefined && !parseS3Uri(value)) {
      problems.push(`locations.${field} must be a literal s3://bucket/key URI, got '${value}'`);
    }
  }
  const folder = overrides.pretrainedInferenceModelUri;
  if (folder !== undefined && parseS3Uri(folder) && !folder.endsWith('/')) {
    problems.push(`locations.pretrainedInferenceModelUri must be a folder ending with '/', got '${folder}'`);
  }
  for (const field of ['trainingImage', 'inferenceImage'] as const) {
    const value = overrides[field];
    if (value !== undefined && !parseImageUri(value)) {
      problems.push(`locations.${field} must be a literal ECR image URI like '<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>', got '${value}'`);
    }
  }
  return problems;
}

/** One mapping per stack: region → DLC account and ECR domain; rendered only if a location needs it. */
function regionMapping(stack: Stack): CfnMapping {
  const existing = stack.node.tryFindChild(MAPPING_ID);
  if (existing) return existing as CfnMapping;
  const mapping: Record<string, Record<string, string>> = {};
  for (const region of SUPPORTED_REGIONS) {
    mapping[region] = { dlcAccount: DLC_ACCOUNT_BY_REGION[region], ecrDomain: ecrDomain(region) };
  }
  return new CfnMapping(stack, MAPPING_ID, { mapping, lazy: true });
}

/** One rule per environment-agnostic stack: deploying to an unsupported region fails before any resource is made. */
function regionRule(stack: Stack): void {
  if (stack.node.tryFindChild(RULE_ID)) return;
  new CfnRule(stack, RULE_ID, {
    assertions: [{
      assert: Fn.conditionContains([...SUPPORTED_REGIONS], Aws.REGION),
      assertDescription: `The Image Classification - TensorFlow algorithm runs in these regions only: ${SUPPORTED_REGIONS.join(', ')}. `
        + 'Deploy to one of them, or set every algorithm location override.',
    }],
  });
}
