/** The naming rule, the physical id and the property checks shared by the EndpointCleanup construct and its handler. */
import { App, Stack } from 'aws-cdk-lib';
import { parseTarget, physicalResourceId, variantResourceIdPrefix } from '../../lambda/shared/cleanup-contract';
import {
  isPipelineResourceName,
  RESOURCE_NAME_PREFIX_MAX_LENGTH,
  RUN_ID_IAM_WILDCARD,
  RUN_ID_LENGTH,
  SAGEMAKER_NAME_PATTERN,
} from '../../lambda/shared/sagemaker-names';
import { readGiveUpAfterSeconds } from '../../lambda/cleanup/handler';
import { ClassifierEndpoint } from '../../lib/serving/classifier-endpoint';

describe('isPipelineResourceName', () => {
  test.each([
    ['flowers-20261128-120000-a1b2c3d4', true],
    ['flowers-19991231-235959-00000000', true],
    ['flowers2-20261128-120000-a1b2c3d4', false], // another prefix containing ours
    ['xflowers-20261128-120000-a1b2c3d4', false],
    ['flowers-ic-20261128-120000-a1b2c3d4', false], // another prefix extending ours with `-`
    ['flowers-20261128-120000-a1b2c3d4-1', false], // a training job name, or anything longer
    ['flowers-20261128-120000-0a9b8c7d', true], // lower-case hex digits
    ['flowers-20261128-120000-zz9y8x7w', false], // the pipeline's run ids end in hex digits only
    ['flowers-20261128-120000-A1B2C3D4', false], // run ids are lower case
    ['flowers-2026112-1200000-a1b2c3d4', false], // the date and time have 8 and 6 digits
    ['flowers-static-a1b2c3d4', false], // CloudFormation-managed (ClassifierEndpoint with a model artifact): CloudFormation deletes it
    ['Flowers-20261128-120000-a1b2c3d4', false], // the prefix is matched exactly
    ['flowers-manual', false],
    ['flowers', false],
  ])('%s is %s', (name, expected) => {
    expect(isPipelineResourceName(name, 'flowers')).toBe(expected);
  });

  test('the longest prefix with a run id is exactly a valid 63-character SageMaker name', () => {
    const name = `${'p'.repeat(RESOURCE_NAME_PREFIX_MAX_LENGTH)}-20261128-120000-a1b2c3d4`;
    expect(name).toHaveLength(63);
    expect(SAGEMAKER_NAME_PATTERN.test(name)).toBe(true);
    expect(isPipelineResourceName(name, 'p'.repeat(RESOURCE_NAME_PREFIX_MAX_LENGTH))).toBe(true);
  });

  test('the IAM wildcard has one ? per run id character, at the same places as its hyphens', () => {
    expect(RUN_ID_IAM_WILDCARD).toHaveLength(RUN_ID_LENGTH);
    expect(RUN_ID_IAM_WILDCARD.replace(/\?/g, 'x')).toBe('20261128-120000-a1b2c3d4'.replace(/[0-9a-z]/g, 'x'));
  });
});

test('agrees with ClassifierEndpoint.ownedResourceNamePattern on pipeline names, and leaves its CloudFormation-managed names alone', () => {
  // GIVEN the endpoints' own account of the names they own (a short name is its own prefix; a long one is hashed)
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'TestStack', { env: { region: 'us-east-1', account: '123456789012' } });
  const endpoints = [
    new ClassifierEndpoint(stack, 'Short', { endpointName: 'flowers' }),
    new ClassifierEndpoint(stack, 'Long', { endpointName: `flowers-${'x'.repeat(50)}` }),
  ];
  for (const endpoint of endpoints) {
    const prefix = endpoint.resourceNamePrefix;
    const names = [
      `${prefix}-20261128-120000-a1b2c3d4`,
      `${prefix}-20261128-120000-zz9y8x7w`,
      `${prefix}-static-0123abcd`,
      `${prefix}-ic-20261128-120000-a1b2c3d4`,
      `${prefix}2-20261128-120000-a1b2c3d4`,
      `${prefix}-20261128-120000-a1b2c3d4-1`,
    ];
    // THEN the cleanup takes exactly the pipeline's (run id) names of the endpoint's prefix
    for (const name of names) {
      const owned = new RegExp(endpoint.ownedResourceNamePattern).test(name);
      expect([name, isPipelineResourceName(name, prefix)]).toEqual([name, owned && !name.startsWith(`${prefix}-static-`)]);
    }
  }
});

test('the physical id is the lower-cased endpoint name, so a case-only rename does not replace the resource', () => {
  expect(physicalResourceId('Flowers-Endpoint')).toBe('sagemaker-endpoint-cleanup:flowers-endpoint');
  expect(physicalResourceId('FLOWERS-endpoint')).toBe(physicalResourceId('Flowers-Endpoint'));
});

test('the variant resource id prefix ends with a slash, so endpoint `E-2` is not taken for `E`', () => {
  expect(variantResourceIdPrefix('flowers')).toBe('endpoint/flowers/variant/');
});

describe('parseTarget', () => {
  test('reads the two properties', () => {
    expect(parseTarget({ ServiceToken: 'x', EndpointName: 'Flowers', ResourceNamePrefix: 'flowers-ic' }))
      .toEqual({ target: { endpointName: 'Flowers', resourceNamePrefix: 'flowers-ic' } });
  });

  test.each([
    [{}, 2],
    [{ EndpointName: 'a'.repeat(64), ResourceNamePrefix: 'ok' }, 1],
    [{ EndpointName: 'ok', ResourceNamePrefix: 'p'.repeat(39) }, 1],
    [{ EndpointName: 'ok', ResourceNamePrefix: 'ends-with-' }, 1],
    [{ EndpointName: 'under_score', ResourceNamePrefix: 'ok' }, 1],
    [undefined, 2],
  ])('reports every problem of %j', (properties, count) => {
    const parsed = parseTarget(properties);
    expect('problems' in parsed && parsed.problems).toHaveLength(count);
  });
});

test.each([
  ['1740', 1740],
  ['0', undefined],
  ['', undefined],
  ['soon', undefined],
  [undefined, undefined],
])('CLEANUP_GIVE_UP_AFTER_SECONDS=%j reads as %j', (value, expected) => {
  expect(readGiveUpAfterSeconds(value === undefined ? {} : { CLEANUP_GIVE_UP_AFTER_SECONDS: value })).toBe(expected);
});
