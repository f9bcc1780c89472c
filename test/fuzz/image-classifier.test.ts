import { IMAGE_CLASSIFIER_NAMES, IMAGE_CLASSIFIER_PARTS, imageClassifierProps } from './construct-props';
import { expectCleanOutcome, mentions } from './expect-clean-outcome';
import { ConstructFuzz, expectBothOutcomes, fuzzConstruct, fuzzStack } from './fuzz-construct';
import { knownBugsOf, testKnownBugs } from './known-library-bugs';
import { ImageClassifier, ModelArtifact } from '../../lib';

/** A part's message names its own prop (`prefix`), not the path through the whole (`dataset.prefix`). */
function namesPartProp(message: string, path: string): boolean {
  const inPart = path.replace(new RegExp(`^(${IMAGE_CLASSIFIER_PARTS.join('|')})\\.`), '');
  return mentions(message, path) || mentions(message, inPart);
}

const SPEC: ConstructFuzz<ImageClassifier> = {
  names: IMAGE_CLASSIFIER_NAMES,
  create: (stack, props) => new ImageClassifier(stack, 'Classifier', props),
  exercise: (classifier) => [classifier.endpoint.renderScalingRequests(), classifier.training.renderedHyperparameters],
  synthesize: { every: 25, max: 5 },
  // The parts are built one after the other: the first part with a problem reports its own.
  naming: 'some',
  matchesPath: namesPartProp,
  regions: [undefined, 'us-east-1'],
  knownBugs: knownBugsOf('ImageClassifier'),
};

describe('ImageClassifier props fuzzing', () => {
  test('every generated prop set constructs, or is refused with an error naming a prop it got wrong', () => {
    expectBothOutcomes(fuzzConstruct(imageClassifierProps, SPEC));
  });

  test('rejects retraining next to a fixed model artifact, naming retraining', () => {
    const outcome = expectCleanOutcome(() => new ImageClassifier(fuzzStack(), 'Classifier', {
      serving: { modelArtifact: ModelArtifact.pretrained() }, retraining: { keepVersions: 5 },
    }), IMAGE_CLASSIFIER_NAMES);
    expect(!outcome.ok && outcome.error.message).toMatch(/retraining needs an endpoint the pipeline owns/);
  });

  test('rejects zero epochs, naming hyperparameters.epochs', () => {
    const outcome = expectCleanOutcome(() => new ImageClassifier(fuzzStack(), 'Classifier', { hyperparameters: { epochs: 0 } }), IMAGE_CLASSIFIER_NAMES);
    expect(!outcome.ok && outcome.error.message).toMatch(/hyperparameters\.epochs must be a whole number in \[1, 1000\], got 0/);
  });

  testKnownBugs('ImageClassifier', SPEC);
});
