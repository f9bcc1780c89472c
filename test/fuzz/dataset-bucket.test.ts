import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DATASET_BUCKET_NAMES, datasetBucketProps } from './construct-props';
import { expectCleanOutcome } from './expect-clean-outcome';
import { ConstructFuzz, expectBothOutcomes, fuzzConstruct, fuzzStack } from './fuzz-construct';
import { knownBugsOf, testKnownBugs } from './known-library-bugs';
import { DatasetBucket } from '../../lib';

const SPEC: ConstructFuzz<DatasetBucket> = {
  names: DATASET_BUCKET_NAMES,
  create: (stack, props) => new DatasetBucket(stack, 'Dataset', props),
  exercise: (dataset, stack) => {
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    dataset.grantRead(reader);
    dataset.grantWrite(reader);
    return [dataset.trainingData.s3Uri, dataset.validationData.objectsArn, dataset.metricNumberOfObjects().toMetricConfig()];
  },
  synthesize: { every: 10, max: 20 },
  regions: [undefined, 'us-east-1'],
  knownBugs: knownBugsOf('DatasetBucket'),
};

describe('DatasetBucket props fuzzing', () => {
  test('every generated prop set constructs, or is refused with an error naming the prop', () => {
    expectBothOutcomes(fuzzConstruct(datasetBucketProps, SPEC));
  });

  test('rejects a prefix with a leading slash, naming prefix', () => {
    const outcome = expectCleanOutcome(() => new DatasetBucket(fuzzStack(), 'Dataset', { prefix: '/datasets' }), DATASET_BUCKET_NAMES);
    expect(!outcome.ok && outcome.error.message).toMatch(/prefix must be an S3 key prefix.*got '\/datasets'/);
  });

  test('rejects retention settings next to an existing bucket, naming them', () => {
    const stack = fuzzStack();
    const bucket = new DatasetBucket(stack, 'Existing').bucket;
    const outcome = expectCleanOutcome(
      () => new DatasetBucket(stack, 'Dataset', { bucket, accessLogsRetention: Duration.days(7) }), DATASET_BUCKET_NAMES);
    expect(!outcome.ok && outcome.error.message).toMatch(/accessLogsRetention only apply to a bucket this construct creates/);
  });

  testKnownBugs('DatasetBucket', SPEC);
});
