/** The naming rule, the physical id and the property checks shared by the EndpointCleanup construct and its handler. */
import {
  isPipelineResourceName,
  MAX_RESOURCE_NAME_PREFIX_LENGTH,
  parseTarget,
  physicalResourceId,
  RUN_ID_IAM_WILDCARD,
  RUN_ID_LENGTH,
  SAGEMAKER_NAME_PATTERN,
  variantResourceIdPrefix,
} from '../../lambda/cleanup/contract';
import { readGiveUpAfterSeconds } from '../../lambda/cleanup/handler';

describe('isPipelineResourceName', () => {
  test.each([
    ['flowers-20261128-120000-a1b2c3d4', true],
    ['flowers-19991231-235959-00000000', true],
    ['flowers2-20261128-120000-a1b2c3d4', false], // another prefix containing ours
    ['xflowers-20261128-120000-a1b2c3d4', false],
    ['flowers-ic-20261128-120000-a1b2c3d4', false], // another prefix extending ours with `-`
    ['flowers-20261128-120000-a1b2c3d4-1', false], // a training job name, or anything longer
    ['flowers-20261128-120000-A1B2C3D4', false], // run ids are lower-case hex
    ['Flowers-20261128-120000-a1b2c3d4', false], // the prefix is matched exactly
    ['flowers-manual', false],
    ['flowers', false],
  ])('%s is %s', (name, expected) => {
    expect(isPipelineResourceName(name, 'flowers')).toBe(expected);
  });

  test('the longest prefix with a run id is exactly a valid 63-character SageMaker name', () => {
    const name = `${'p'.repeat(MAX_RESOURCE_NAME_PREFIX_LENGTH)}-20261128-120000-a1b2c3d4`;
    expect(name).toHaveLength(63);
    expect(SAGEMAKER_NAME_PATTERN.test(name)).toBe(true);
    expect(isPipelineResourceName(name, 'p'.repeat(MAX_RESOURCE_NAME_PREFIX_LENGTH))).toBe(true);
  });

  test('the IAM wildcard has one ? per run id character, at the same places as its hyphens', () => {
    expect(RUN_ID_IAM_WILDCARD).toHaveLength(RUN_ID_LENGTH);
    expect(RUN_ID_IAM_WILDCARD.replace(/\?/g, 'x')).toBe('20261128-120000-a1b2c3d4'.replace(/[0-9a-f]/g, 'x'));
  });
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
