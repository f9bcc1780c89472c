import * as iam from 'aws-cdk-lib/aws-iam';
import { RETRAINING_PIPELINE_NAMES, retrainingPipelineProps } from './construct-props';
import { expectCleanOutcome } from './expect-clean-outcome';
import { ConstructFuzz, expectBothOutcomes, fuzzConstruct, fuzzStack } from './fuzz-construct';
import { knownBugsOf, testKnownBugs } from './known-library-bugs';
import { ClassifierEndpoint, DatasetBucket, RetrainingPipeline, TrainingJobDefinition } from '../../lib';

const SPEC: ConstructFuzz<RetrainingPipeline> = {
  names: RETRAINING_PIPELINE_NAMES,
  create: (stack, props) => new RetrainingPipeline(stack, 'Pipeline', props),
  exercise: (pipeline, stack) => {
    pipeline.grantStartRetraining(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
    return [pipeline.metricFailedRuns().toMetricConfig(), pipeline.rollbackAlarms.map((alarm) => alarm.alarmName)];
  },
  synthesize: { every: 25, max: 5 },
  knownBugs: knownBugsOf('RetrainingPipeline'),
};

describe('RetrainingPipeline props fuzzing', () => {
  test('every generated prop set constructs, or is refused with an error naming the prop', () => {
    expectBothOutcomes(fuzzConstruct(retrainingPipelineProps, SPEC));
  });

  test('rejects keeping no versions, naming keepVersions', () => {
    const stack = fuzzStack();
    const training = new TrainingJobDefinition(stack, 'Training', { dataset: new DatasetBucket(stack, 'Dataset') });
    const endpoint = new ClassifierEndpoint(stack, 'Endpoint');
    const outcome = expectCleanOutcome(
      () => new RetrainingPipeline(stack, 'Pipeline', { training, endpoint, keepVersions: 0 }), RETRAINING_PIPELINE_NAMES);
    expect(!outcome.ok && outcome.error.message).toMatch(/keepVersions must be a whole number in \[1, 50\].*got 0/);
  });

  testKnownBugs('RetrainingPipeline', SPEC);
});
