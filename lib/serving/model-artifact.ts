import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ModelContainer } from './endpoint-requests';
import { AlgorithmLocations } from '../algorithm/algorithm-locations';
import { s3ObjectArn, s3Uri } from '../private/locations';
import { acknowledgeWildcardResource, grantHolder } from '../private/nag';

/** The members of a model container that say where the model is. */
export type ModelData = Pick<ModelContainer, 'ModelDataUrl' | 'ModelDataSource'>;

/**
 * The model a CloudFormation-managed (static) endpoint serves. Giving one to a `ClassifierEndpoint` makes
 * CloudFormation own the SageMaker model, endpoint configuration and endpoint; without one the retraining pipeline
 * owns them.
 */
export abstract class ModelArtifact {
  /**
   * A fine-tuned `model.tar.gz`, as a training job of this algorithm writes it (with the prepacked training script the
   * archive carries the inference code). The endpoint's role is granted read on this object.
   */
  public static fromS3(bucket: s3.IBucket, key: string): ModelArtifact {
    return new S3ModelArtifact(bucket, key);
  }

  /**
   * The JumpStart model ready to serve as it was pretrained, from the region's JumpStart content bucket (or
   * `locations.pretrainedInferenceModelUri`). It predicts the 1000 ImageNet labels, not your classes: use it only as a
   * smoke test of the endpoint, the role and the inference function before the first training run.
   */
  public static pretrained(): ModelArtifact {
    return new PretrainedModelArtifact();
  }

  /** @internal Problems with this artifact, each naming `path`. */
  public abstract _validate(path: string): string[];

  /** @internal Grants `grantee` read on the artifact and returns where the container finds it. */
  public abstract _bind(scope: Construct, locations: AlgorithmLocations, grantee: iam.IGrantable): ModelData;
}

class S3ModelArtifact extends ModelArtifact {
  constructor(private readonly bucket: s3.IBucket, private readonly key: string) {
    super();
  }

  public _validate(path: string): string[] {
    if (Token.isUnresolved(this.key)) return [];
    if (this.key === '' || this.key.startsWith('/') || this.key.endsWith('/')) {
      return [`${path}: ModelArtifact.fromS3 key must be the key of a model.tar.gz object, without a leading '/', got '${this.key}'`];
    }
    return [];
  }

  public _bind(_scope: Construct, _locations: AlgorithmLocations, grantee: iam.IGrantable): ModelData {
    // SageMaker downloads the one model.tar.gz object: s3:GetObject on its key, and kms:Decrypt with the bucket's key.
    iam.Grant.addToPrincipalOrResource({ grantee, actions: ['s3:GetObject'], resourceArns: [this.bucket.arnForObjects(this.key)], resource: this.bucket });
    this.bucket.encryptionKey?.grantDecrypt(grantee);
    return { ModelDataUrl: s3Uri({ bucketName: this.bucket.bucketName, key: this.key }) };
  }
}

class PretrainedModelArtifact extends ModelArtifact {
  public _validate(): string[] {
    return [];
  }

  public _bind(scope: Construct, locations: AlgorithmLocations, grantee: iam.IGrantable): ModelData {
    const folder = locations._pretrainedInferenceModel;
    const files = s3ObjectArn(scope, folder);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [files],
    });
    const holder = grantHolder(grantee);
    if (holder) {
      acknowledgeWildcardResource(holder, files, 'The pretrained model is an uncompressed folder of files in the JumpStart '
        + 'bucket that SageMaker copies whole (S3Prefix); AWS names the files. Read-only, scoped to the one model version folder.');
    }
    // SageMaker lists the folder to copy an uncompressed (S3Prefix) model; the listing is limited to the folder.
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [`arn:${Stack.of(scope).partition}:s3:::${folder.bucketName}`],
      conditions: { StringLike: { 's3:prefix': `${folder.key}*` } },
    });
    return {
      ModelDataSource: { S3DataSource: { S3Uri: locations.pretrainedInferenceModelUri, S3DataType: 'S3Prefix', CompressionType: 'None' } },
    };
  }
}
