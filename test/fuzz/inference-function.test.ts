import * as iam from 'aws-cdk-lib/aws-iam';
import { INFERENCE_FUNCTION_NAMES, inferenceFunctionProps } from './construct-props';
import { expectCleanOutcome } from './expect-clean-outcome';
import { ConstructFuzz, expectBothOutcomes, fuzzConstruct, fuzzStack } from './fuzz-construct';
import { knownBugsOf, testKnownBugs } from './known-library-bugs';
import { InferenceFunction } from '../../lib';

const SPEC: ConstructFuzz<InferenceFunction> = {
  names: INFERENCE_FUNCTION_NAMES,
  create: (stack, props) => new InferenceFunction(stack, 'Inference', props),
  exercise: (inference, stack) => {
    inference.grantInvoke(new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() }));
    return [inference.metricDuration().toMetricConfig(), inference.metricThrottles().toMetricConfig()];
  },
  synthesize: { every: 25, max: 5 },
  knownBugs: knownBugsOf('InferenceFunction'),
};

describe('InferenceFunction props fuzzing', () => {
  test('every generated prop set constructs, or is refused with an error naming the prop', () => {
    expectBothOutcomes(fuzzConstruct(inferenceFunctionProps, SPEC));
  });

  test('rejects a 16-pixel image size, naming imageSize', () => {
    const outcome = expectCleanOutcome(
      () => new InferenceFunction(fuzzStack(), 'Inference', { endpointName: 'flowers', imageSize: 16 }), INFERENCE_FUNCTION_NAMES);
    expect(!outcome.ok && outcome.error.message).toMatch(/imageSize must be an integer in \[32, 1024\], got 16/);
  });

  testKnownBugs('InferenceFunction', SPEC);
});
