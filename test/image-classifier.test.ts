import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImageClassifier, JumpStartModel, TrainingInstanceType } from '../lib';
import { testStack } from './helpers';

describe('ImageClassifier', () => {
  test('needs no props: a dataset bucket, an artifacts bucket and a training definition with safe defaults', () => {
    const stack = testStack();
    const classifier = new ImageClassifier(stack, 'Classifier');
    expect(classifier.model).toBe(JumpStartModel.MOBILENET_V2_100_224);
    expect(classifier.training.instanceType).toBe(TrainingInstanceType.ML_P3_2XLARGE);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 3); // dataset, its access logs, artifacts
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('one encryption key covers the dataset bucket, the artifacts bucket and training output', () => {
    const stack = testStack('us-east-1');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const classifier = new ImageClassifier(stack, 'Classifier', { encryptionKey: key });
    const template = Template.fromStack(stack);
    const kmsBuckets = Object.values(template.findResources('AWS::S3::Bucket', {
      Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } })] } },
    }));
    expect(kmsBuckets).toHaveLength(2);
    expect(stack.resolve(classifier.training.renderRequest({ trainingJobName: 'r' }).OutputDataConfig.KmsKeyId)).toEqual(stack.resolve(key.keyArn));
  });

  test('rejects two keys for the dataset', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key');
    expect(() => new ImageClassifier(stack, 'Classifier', { encryptionKey: key, dataset: { encryptionKey: key } }))
      .toThrow('set either encryptionKey or dataset.encryptionKey, not both');
  });
});
