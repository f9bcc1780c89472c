/**
 * The pure half of the cleanup contract (lambda/shared/cleanup-contract.ts): the property checks and their messages,
 * the names derived from the endpoint name, and the AWS names the cleanup lists and deletes by, checked against the
 * AWS SDK's own enums. (test/lifecycle/cleanup-contract.test.ts checks the construct's side of the contract.)
 */
import { ScalableDimension, ServiceNamespace } from '@aws-sdk/client-application-auto-scaling';
import {
  championParameterName, CLEANUP_RESOURCE_TYPE, endpointNameProblems, EnvironmentVariable, parseTarget, physicalResourceId,
  resourceNamePrefixProblems, ResourceProperty, SAGEMAKER_SERVICE_NAMESPACE, VARIANT_SCALABLE_DIMENSIONS, variantResourceIdPrefix,
} from '../../lambda/shared/cleanup-contract';

const ENDPOINT_PROBLEM = 'EndpointName must be a SageMaker endpoint name (1-63 letters, digits and hyphens, ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$), got';
const PREFIX_PROBLEM = 'ResourceNamePrefix must be 1-38 letters, digits and hyphens, starting and ending with a letter or digit, got';

describe('parseTarget', () => {
  test('reads EndpointName and ResourceNamePrefix, ignoring the other properties', () => {
    expect(parseTarget({ ServiceToken: 'arn', EndpointName: 'E'.repeat(63), ResourceNamePrefix: 'p'.repeat(38), Extra: 1 }))
      .toEqual({ target: { endpointName: 'E'.repeat(63), resourceNamePrefix: 'p'.repeat(38) } });
  });

  test.each([
    ['no properties', undefined, [`${ENDPOINT_PROBLEM} undefined`, `${PREFIX_PROBLEM} undefined`]],
    ['null', null, [`${ENDPOINT_PROBLEM} undefined`, `${PREFIX_PROBLEM} undefined`]],
    ['a string', 'EndpointName', [`${ENDPOINT_PROBLEM} undefined`, `${PREFIX_PROBLEM} undefined`]],
    ['an endpoint name of 64 characters', { EndpointName: 'e'.repeat(64), ResourceNamePrefix: 'p' }, [`${ENDPOINT_PROBLEM} "${'e'.repeat(64)}"`]],
    ['a numeric endpoint name', { EndpointName: 42, ResourceNamePrefix: 'p' }, [`${ENDPOINT_PROBLEM} 42`]],
    ['a prefix of 39 characters', { EndpointName: 'e', ResourceNamePrefix: 'p'.repeat(39) }, [`${PREFIX_PROBLEM} "${'p'.repeat(39)}"`]],
    ['a prefix ending with a hyphen', { EndpointName: 'e', ResourceNamePrefix: 'p-' }, [`${PREFIX_PROBLEM} "p-"`]],
    ['a prefix that is not a string', { EndpointName: 'e', ResourceNamePrefix: ['p'] }, [`${PREFIX_PROBLEM} ["p"]`]],
    ['both wrong', { EndpointName: '', ResourceNamePrefix: '' }, [`${ENDPOINT_PROBLEM} ""`, `${PREFIX_PROBLEM} ""`]],
  ])('%s: every problem, naming the property, the rule and the value', (_name, properties, problems) => {
    expect(parseTarget(properties)).toEqual({ problems });
  });

  test('the checks on their own: empty when valid', () => {
    expect(endpointNameProblems('Flowers-1')).toEqual([]);
    expect(resourceNamePrefixProblems('flowers-1')).toEqual([]);
    expect(endpointNameProblems(undefined)).toHaveLength(1);
    expect(resourceNamePrefixProblems(undefined)).toHaveLength(1);
  });

  test('the property names are those the construct writes', () => {
    expect(ResourceProperty).toEqual({ ENDPOINT_NAME: 'EndpointName', RESOURCE_NAME_PREFIX: 'ResourceNamePrefix' });
  });
});

describe('names derived from the endpoint name', () => {
  test('the physical id is the endpoint name lower-cased, after a fixed prefix', () => {
    expect(physicalResourceId('Flowers-Endpoint')).toBe('sagemaker-endpoint-cleanup:flowers-endpoint');
  });

  test('the variants\' scalable target ids start with endpoint/<name>/variant/', () => {
    expect(variantResourceIdPrefix('Flowers')).toBe('endpoint/Flowers/variant/');
  });

  test('the champion record is /sagemaker-image-classifier/<name>/champion, the name kept as given', () => {
    expect(championParameterName('Flowers')).toBe('/sagemaker-image-classifier/Flowers/champion');
  });
});

describe('AWS names', () => {
  test('the service namespace and the variant dimensions are Application Auto Scaling\'s own', () => {
    expect(SAGEMAKER_SERVICE_NAMESPACE).toBe(ServiceNamespace.SAGEMAKER);
    expect([...VARIANT_SCALABLE_DIMENSIONS].sort()).toEqual(Object.values(ScalableDimension).filter((dimension) => dimension.startsWith('sagemaker:variant:')).sort());
  });

  test('the custom resource type and the environment variable keep their names (a new type replaces every deployed cleanup)', () => {
    expect(CLEANUP_RESOURCE_TYPE).toBe('Custom::SageMakerEndpointCleanup');
    expect(EnvironmentVariable.GIVE_UP_AFTER_SECONDS).toBe('CLEANUP_GIVE_UP_AFTER_SECONDS');
  });
});
