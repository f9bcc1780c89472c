import * as iam from 'aws-cdk-lib/aws-iam';
import { CLASSIFIER_ENDPOINT_NAMES, classifierEndpointProps } from './construct-props';
import { expectCleanOutcome } from './expect-clean-outcome';
import { ConstructFuzz, expectBothOutcomes, fuzzConstruct, fuzzStack } from './fuzz-construct';
import { knownBugsOf, testKnownBugs } from './known-library-bugs';
import { ClassifierEndpoint, EndpointCapacity } from '../../lib';

const SPEC: ConstructFuzz<ClassifierEndpoint> = {
  names: CLASSIFIER_ENDPOINT_NAMES,
  create: (stack, props) => new ClassifierEndpoint(stack, 'Endpoint', props),
  exercise: (endpoint, stack) => {
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    endpoint.grantInvoke(caller);
    endpoint.grantPassRole(caller);
    const modelName = `${endpoint.resourceNamePrefix}-20260101-000000-abcd1234`;
    return [
      endpoint.renderCreateModelRequest({ modelName, modelDataUrl: 's3://fuzz-models/model.tar.gz' }),
      endpoint.renderCreateEndpointConfigRequest({ endpointConfigName: modelName, modelName }),
      endpoint.renderScalingRequests(),
      endpoint.metricModelLatency().toMetricConfig(),
    ];
  },
  synthesize: { every: 10, max: 20 },
  // The algorithm's locations are resolved, and checked, once the other props pass.
  checkedLater: ['locations.'],
  regions: [undefined, 'us-east-1', 'ap-southeast-2'],
  knownBugs: knownBugsOf('ClassifierEndpoint'),
};

describe('ClassifierEndpoint props fuzzing', () => {
  test('every generated prop set constructs and renders its requests, or is refused with an error naming the prop', () => {
    expectBothOutcomes(fuzzConstruct(classifierEndpointProps, SPEC));
  });

  test('rejects no instances, naming capacity.minInstances', () => {
    const outcome = expectCleanOutcome(
      () => new ClassifierEndpoint(fuzzStack(), 'Endpoint', { capacity: EndpointCapacity.instances({ minInstances: 0 }) }), CLASSIFIER_ENDPOINT_NAMES);
    expect(!outcome.ok && outcome.error.message).toMatch(/capacity\.minInstances must be a whole number, at least 1, got 0/);
  });

  testKnownBugs('ClassifierEndpoint', SPEC);
});
