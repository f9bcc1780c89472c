import * as iam from 'aws-cdk-lib/aws-iam';
import { TRAINING_JOB_DEFINITION_NAMES, trainingJobDefinitionProps } from './construct-props';
import { expectCleanOutcome } from './expect-clean-outcome';
import { ConstructFuzz, expectBothOutcomes, fuzzConstruct, fuzzStack } from './fuzz-construct';
import { knownBugsOf, testKnownBugs } from './known-library-bugs';
import { DatasetBucket, TrainingJobDefinition } from '../../lib';

const SPEC: ConstructFuzz<TrainingJobDefinition> = {
  names: TRAINING_JOB_DEFINITION_NAMES,
  create: (stack, props) => new TrainingJobDefinition(stack, 'Training', props),
  exercise: (definition, stack) => {
    const pipeline = new iam.Role(stack, 'Pipeline', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    definition.grantPassRole(pipeline);
    definition.grantReadModels(pipeline);
    return [definition.renderRequest({ trainingJobName: 'fuzz-probe-1' }), definition.renderedHyperparameters];
  },
  synthesize: { every: 10, max: 20 },
  // The algorithm's locations are resolved, and checked, once the other props pass.
  checkedLater: ['locations.'],
  regions: [undefined, 'us-east-1', 'cn-north-1'],
  knownBugs: knownBugsOf('TrainingJobDefinition'),
};

describe('TrainingJobDefinition props fuzzing', () => {
  test('every generated prop set constructs and renders, or is refused with an error naming the prop', () => {
    expectBothOutcomes(fuzzConstruct(trainingJobDefinitionProps, SPEC));
  });

  test('rejects a learning rate above 1, naming hyperparameters.learningRate', () => {
    const stack = fuzzStack();
    const dataset = new DatasetBucket(stack, 'Dataset');
    const outcome = expectCleanOutcome(
      () => new TrainingJobDefinition(stack, 'Training', { dataset, hyperparameters: { learningRate: 3 } }), TRAINING_JOB_DEFINITION_NAMES);
    expect(!outcome.ok && outcome.error.message).toMatch(/hyperparameters\.learningRate must be a number in \[0, 1\], got 3/);
  });

  testKnownBugs('TrainingJobDefinition', SPEC);
});
