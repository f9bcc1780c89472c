import { Construct } from 'constructs';
import { ENDPOINT_CLEANUP_NAMES, endpointCleanupProps } from './construct-props';
import { expectCleanOutcome } from './expect-clean-outcome';
import { ConstructFuzz, expectBothOutcomes, fuzzConstruct, fuzzStack } from './fuzz-construct';
import { knownBugsOf, testKnownBugs } from './known-library-bugs';
import { EndpointCleanup } from '../../lib';

const SPEC: ConstructFuzz<EndpointCleanup> = {
  names: ENDPOINT_CLEANUP_NAMES,
  create: (stack, props) => new EndpointCleanup(stack, 'Cleanup', props),
  exercise: (cleanup, stack) => {
    cleanup.addDependency(new Construct(stack, 'Later'));
    return cleanup.resource.ref;
  },
  synthesize: { every: 25, max: 5 },
  knownBugs: knownBugsOf('EndpointCleanup'),
};

describe('EndpointCleanup props fuzzing', () => {
  test('every generated prop set constructs, or is refused with an error naming the prop', () => {
    expectBothOutcomes(fuzzConstruct(endpointCleanupProps, SPEC));
  });

  test('rejects a 39-character resource name prefix, naming resourceNamePrefix', () => {
    const outcome = expectCleanOutcome(
      () => new EndpointCleanup(fuzzStack(), 'Cleanup', { endpointName: 'flowers', resourceNamePrefix: 'p'.repeat(39) }), ENDPOINT_CLEANUP_NAMES);
    expect(!outcome.ok && outcome.error.message).toMatch(/resourceNamePrefix must be 1-38 letters, digits and hyphens/);
  });

  testKnownBugs('EndpointCleanup', SPEC);
});
