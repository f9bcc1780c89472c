/**
 * The package's naming rule (lambda/shared/sagemaker-names.ts) against SageMaker's published name patterns
 * (test/support/sagemaker-api.ts, kept independent on purpose), over generated names, prefixes and run ids.
 */
import * as fc from 'fast-check';
import {
  iamResourceNames,
  isPipelineResourceName,
  isResourceNamePrefix,
  isSageMakerName,
  ownedResourceNamePattern,
  RESOURCE_NAME_PREFIX_MAX_LENGTH,
  resourceNamePrefix,
  RUN_ID_IAM_WILDCARD,
  RUN_ID_LENGTH,
  runId,
  runNames,
  SAGEMAKER_NAME_MAX_LENGTH,
  staticResourceName,
  transformJobName,
  transformJobPrefix,
} from '../../lambda/shared/sagemaker-names';
import { iamWildcardMatches, pipelineRunIds } from '../support/naming';
import { API_MODEL_NAME_PATTERN, API_NAME_MAX_LENGTH, API_NAME_PATTERN } from '../support/sagemaker-api';

const apiName = (name: string) => API_NAME_PATTERN.test(name) && name.length <= API_NAME_MAX_LENGTH;
const apiModelName = (name: string) => API_MODEL_NAME_PATTERN.test(name) && name.length <= API_NAME_MAX_LENGTH;

/** Strings near the rule's edges: its characters and a few it refuses, up to past the length limit. */
const nameLike = fc.string({ unit: fc.constantFrom('a', 'Z', '7', '-', '-', '_', '.', ' '), minLength: 0, maxLength: 70 });
const validName = (maxLength: number) => fc.stringMatching(/^[a-zA-Z0-9](-{0,2}[a-zA-Z0-9]){0,62}$/).filter((name) => name.length <= maxLength);
test('the package\'s name rule is SageMaker\'s, for any string', () => {
  expect(SAGEMAKER_NAME_MAX_LENGTH).toBe(API_NAME_MAX_LENGTH);
  fc.assert(fc.property(fc.oneof(nameLike, validName(70)), (name) => {
    expect([name, isSageMakerName(name)]).toEqual([name, apiName(name)]);
  }), { numRuns: 2000 });
});

test('a resource name prefix leaves exactly room for `-<run id>` within SageMaker\'s 63 characters', () => {
  expect(RESOURCE_NAME_PREFIX_MAX_LENGTH + 1 + RUN_ID_LENGTH).toBe(API_NAME_MAX_LENGTH);
  expect(RUN_ID_IAM_WILDCARD).toHaveLength(RUN_ID_LENGTH);
});

test('every name a run gets is a valid SageMaker name, the pipeline\'s own, and matched by the IAM wildcards', () => {
  fc.assert(fc.property(validName(RESOURCE_NAME_PREFIX_MAX_LENGTH), pipelineRunIds, fc.integer({ min: 1, max: 10 }), (prefix, id, attempts) => {
    expect(isResourceNamePrefix(prefix)).toBe(true);
    expect(id).toHaveLength(RUN_ID_LENGTH);
    expect(iamWildcardMatches(RUN_ID_IAM_WILDCARD, id)).toBe(true);
    const names = runNames(prefix, id, attempts);
    expect(apiModelName(names.model)).toBe(true);
    expect(apiName(names.endpointConfig)).toBe(true);
    expect(isPipelineResourceName(names.model, prefix)).toBe(true);
    expect(new RegExp(ownedResourceNamePattern(prefix)).test(names.model)).toBe(true);
    expect(iamWildcardMatches(iamResourceNames.runResources(prefix.toLowerCase()), names.model.toLowerCase())).toBe(true);
    for (const job of names.trainingJobs) {
      expect(apiName(job)).toBe(true);
      expect(isPipelineResourceName(job, prefix)).toBe(false);
      expect(iamWildcardMatches(iamResourceNames.trainingJobs(prefix.toLowerCase()), job.toLowerCase())).toBe(true);
      expect(iamWildcardMatches(iamResourceNames.runResources(prefix.toLowerCase()), job.toLowerCase())).toBe(false);
    }
    const transforms = Object.values(names.transformJobs);
    expect(new Set(transforms).size).toBe(2);
    for (const job of transforms) {
      expect(apiName(job)).toBe(true);
      expect(names.trainingJobs).not.toContain(job);
      expect(iamWildcardMatches(iamResourceNames.evaluationTransformJobs(prefix.toLowerCase()), job.toLowerCase())).toBe(true);
      expect(iamWildcardMatches(iamResourceNames.runResources(prefix.toLowerCase()), job.toLowerCase())).toBe(false);
    }
  }), { numRuns: 300 });
});

test('names of another prefix that starts with ours are never the pipeline\'s, nor granted', () => {
  fc.assert(fc.property(validName(30), fc.stringMatching(/^-?[a-z0-9]{1,6}$/), pipelineRunIds, (prefix, extension, id) => {
    const foreign = `${prefix}${extension}-${id}`;
    expect(isPipelineResourceName(foreign, prefix)).toBe(false);
    expect(new RegExp(ownedResourceNamePattern(prefix)).test(foreign)).toBe(false);
    expect(iamWildcardMatches(iamResourceNames.runResources(prefix.toLowerCase()), foreign.toLowerCase())).toBe(false);
  }), { numRuns: 300 });
});

test('static names are owned and valid, never taken for the pipeline\'s, and matched by the static wildcard only', () => {
  fc.assert(fc.property(validName(RESOURCE_NAME_PREFIX_MAX_LENGTH), fc.string(), (prefix, request) => {
    const name = staticResourceName(prefix, request);
    expect(apiModelName(name)).toBe(true);
    expect(new RegExp(ownedResourceNamePattern(prefix)).test(name)).toBe(true);
    expect(isPipelineResourceName(name, prefix)).toBe(false);
    expect(iamWildcardMatches(iamResourceNames.staticResources(prefix.toLowerCase()), name.toLowerCase())).toBe(true);
    expect(iamWildcardMatches(iamResourceNames.runResources(prefix.toLowerCase()), name.toLowerCase())).toBe(false);
  }), { numRuns: 300 });
});

test('the prefix of any endpoint name is a valid prefix, and two names differing after 38 characters get different prefixes', () => {
  fc.assert(fc.property(validName(63), validName(20), (name, tail) => {
    expect(isResourceNamePrefix(resourceNamePrefix(name))).toBe(true);
    const long = `${'a'.repeat(RESOURCE_NAME_PREFIX_MAX_LENGTH)}-${tail}`;
    const other = `${long}0`;
    if (other.length <= API_NAME_MAX_LENGTH) expect(resourceNamePrefix(long)).not.toBe(resourceNamePrefix(other));
  }), { numRuns: 300 });
});

test('refuses a prefix too long for a run id, and a run of more than 10 attempts', () => {
  expect(() => runNames('p'.repeat(RESOURCE_NAME_PREFIX_MAX_LENGTH + 1), runId('x', '2026-01-01T00:00:00Z'), 1))
    .toThrow(`resource name prefix '${'p'.repeat(39)}' must be a SageMaker name of at most 38 characters`);
  expect(() => runNames('p', runId('x', '2026-01-01T00:00:00Z'), 11)).toThrow('a run makes 1 to 10 training attempts, got 11');
});

test('a transform job name is a valid SageMaker name, matched by its IAM wildcard and by no pipeline pattern', () => {
  const tags = fc.stringMatching(/^[a-z0-9]{1,5}$/);
  fc.assert(fc.property(validName(RESOURCE_NAME_PREFIX_MAX_LENGTH), tags, pipelineRunIds, (prefix, tag, id) => {
    const jobPrefix = transformJobPrefix(prefix, tag);
    expect(jobPrefix.length).toBeLessThanOrEqual(RESOURCE_NAME_PREFIX_MAX_LENGTH);
    expect(jobPrefix.endsWith(`-${tag}`)).toBe(true);
    const name = transformJobName(jobPrefix, id);
    expect(apiName(name)).toBe(true);
    expect(iamWildcardMatches(iamResourceNames.transformJobs(jobPrefix.toLowerCase()), name.toLowerCase())).toBe(true);
    // Another tag's jobs for the same prefix are never matched.
    const other = transformJobName(transformJobPrefix(prefix, tag === 'x' ? 'y' : 'x'), id);
    expect(iamWildcardMatches(iamResourceNames.transformJobs(jobPrefix.toLowerCase()), other.toLowerCase())).toBe(false);
  }), { numRuns: 300 });
});

test.each([
  ['an upper-case tag', 'flowers', 'Batch', 'a transform job tag is 1-5 lower-case letters and digits'],
  ['a tag of 6 characters', 'flowers', 'batchx', 'a transform job tag is 1-5 lower-case letters and digits'],
  ['a prefix of 39 characters', 'a'.repeat(39), 'batch', 'must be a SageMaker name of at most 38 characters'],
])('transformJobPrefix refuses %s', (_name, prefix, tag, message) => {
  expect(() => transformJobPrefix(prefix, tag)).toThrow(message);
});
