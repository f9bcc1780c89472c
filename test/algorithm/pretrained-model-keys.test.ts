/**
 * Every catalogued model id, in every supported region: the pretrained model candidates the deploy-time check tries
 * are well-formed channel S3Uris (SageMaker's pattern and length), safe keys without IAM wildcard characters, distinct,
 * in the documented order, and accepted by the check's own property parsing.
 */
import { JumpStartModel, SUPPORTED_REGIONS } from '../../lib';
import { CONTENT_BUCKET_PREFIX, PRETRAINED_MODEL_KEY_LAYOUTS, pretrainedModelKeyCandidates, SAGEMAKER_LIMITS } from '../../lib/private/algorithm-facts';
import { isSafeKeyPrefix, parseS3Uri } from '../../lib/private/locations';
import { parseCheckRequest } from '../../lambda/shared/algorithm-check-contract';
import { REFERENCE } from '../helpers';

/** CreateTrainingJob's S3DataSource.S3Uri pattern (botocore service-2.json, in the reference facts). */
const S3_URI_PATTERN = new RegExp(`^${(REFERENCE as unknown as { sagemaker_api_constraints: { S3Uri: { pattern: string } } }).sagemaker_api_constraints.S3Uri.pattern}$`);
const MODELS = JumpStartModel.all();
const LONGEST_REGION = [...SUPPORTED_REGIONS].sort((a, b) => b.length - a.length)[0];

test('the sweep covers the whole catalogue', () => {
  expect(MODELS.length).toBe(REFERENCE.models.length);
  expect(MODELS.length).toBe(136);
});

test.each(MODELS.map((model) => [model.modelId]))('%s: well-formed, distinct candidates in layout order', (modelId) => {
  const keys = pretrainedModelKeyCandidates(modelId);
  expect(keys).toHaveLength(PRETRAINED_MODEL_KEY_LAYOUTS.length);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys[0]).toBe(`tensorflow-training/v3.0.0/train-${modelId}.tar.gz`);
  expect(JumpStartModel.of(modelId).pretrainedModelKey).toBe(keys[0]);
  for (const key of keys) {
    expect(key).toMatch(new RegExp(`^tensorflow-training/(v\\d+\\.\\d+\\.\\d+/)?train-${modelId}\\.tar\\.gz$`));
    // Safe key characters, no `*` or `?` that would widen the IAM grants on the key.
    expect(isSafeKeyPrefix(key)).toBe(true);
    expect(key).not.toMatch(/[*?]/);
    const uri = `s3://${CONTENT_BUCKET_PREFIX}${LONGEST_REGION}/${key}`;
    expect(uri).toMatch(S3_URI_PATTERN);
    expect(uri.length).toBeLessThanOrEqual(SAGEMAKER_LIMITS.s3UriMaxLength);
    expect(parseS3Uri(uri)).toEqual({ bucketName: `${CONTENT_BUCKET_PREFIX}${LONGEST_REGION}`, key });
  }
  const request = parseCheckRequest({
    ModelId: modelId,
    TrainingScript: { Bucket: 'b', Key: 'k' },
    PretrainedModelCandidates: keys.map((Key) => ({ Bucket: 'b', Key })),
  });
  expect(request.pretrainedModelCandidates.map((candidate) => candidate.key)).toEqual(keys);
});
