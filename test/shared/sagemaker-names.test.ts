/**
 * The package's naming rule (lambda/shared/sagemaker-names.ts) against SageMaker's published name patterns
 * (test/support/sagemaker-api.ts, kept independent on purpose), over generated names, prefixes and run ids.
 */
import { createHash } from 'crypto';
import * as fc from 'fast-check';
import {
  BATCH_TRANSFORM_TAG,
  escapeRegExp,
  EVALUATION_TRANSFORM_TAGS,
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

test('the batch and evaluation tags are distinct valid tags: each feature\'s jobs have their own prefix', () => {
  const tags = [BATCH_TRANSFORM_TAG, EVALUATION_TRANSFORM_TAGS.challenger, EVALUATION_TRANSFORM_TAGS.champion];
  expect(tags).toEqual(['batch', 'evalc', 'evals']);
  expect(tags.map((tag) => transformJobPrefix('flowers-v2', tag))).toEqual(['flowers-v2-batch', 'flowers-v2-evalc', 'flowers-v2-evals']);
});

test('a prefix cut to fit the tag loses every trailing hyphen of the cut, and only those', () => {
  // 38 characters: the cut keeps 32 (38 - 'batch' - the hyphen), which end in a run of hyphens
  const prefix = `${'a'.repeat(10)}-${'b'.repeat(19)}--${'c'.repeat(6)}`;
  expect(prefix).toHaveLength(RESOURCE_NAME_PREFIX_MAX_LENGTH);
  expect(transformJobPrefix(prefix, 'batch')).toBe(`${'a'.repeat(10)}-${'b'.repeat(19)}-batch`);
});

test('a transform job name over 63 characters is refused, naming the limit', () => {
  const jobPrefix = transformJobPrefix('p'.repeat(RESOURCE_NAME_PREFIX_MAX_LENGTH), 'batch');
  expect(transformJobName(jobPrefix, 'x'.repeat(SAGEMAKER_NAME_MAX_LENGTH - jobPrefix.length - 1))).toHaveLength(SAGEMAKER_NAME_MAX_LENGTH);
  expect(() => transformJobName(jobPrefix, 'x'.repeat(SAGEMAKER_NAME_MAX_LENGTH - jobPrefix.length)))
    .toThrow(`is not a SageMaker name of at most ${SAGEMAKER_NAME_MAX_LENGTH} characters`);
  expect(() => transformJobName(jobPrefix, 'run_1')).toThrow(`transform job name '${jobPrefix}-run_1' is not a SageMaker name`);
});

test('runNames names a bad prefix before anything else it was given wrong', () => {
  expect(() => runNames('bad_prefix', runId('x', '2026-01-01T00:00:00Z'), 0)).toThrow("resource name prefix 'bad_prefix' must be a SageMaker name");
});

test.each([
  ['a tag ending in a character outside [a-z0-9]', 'flowers', 'ab-', 'a transform job tag is 1-5 lower-case letters and digits'],
  ['an empty tag', 'flowers', '', 'a transform job tag is 1-5 lower-case letters and digits'],
  ['an upper-case tag', 'flowers', 'Batch', 'a transform job tag is 1-5 lower-case letters and digits'],
  ['a tag of 6 characters', 'flowers', 'batchx', 'a transform job tag is 1-5 lower-case letters and digits'],
  ['a prefix of 39 characters', 'a'.repeat(39), 'batch', 'must be a SageMaker name of at most 38 characters'],
])('transformJobPrefix refuses %s', (_name, prefix, tag, message) => {
  expect(() => transformJobPrefix(prefix, tag)).toThrow(message);
});

/** The first 8 hex digits of the SHA-256 of `text`, computed here independently of the module. */
const sha8 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);
const ID = '20261128-120000-a1b2c3d4';

describe('the length limits, at and one past each boundary', () => {
  test.each([
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    [`a${'-a'.repeat(31)}`, true], // 63 characters with hyphens
    [`a${'-a'.repeat(32)}`, false], // 65 characters: the pattern alone would accept it
  ])('isSageMakerName(%s) is %s', (name, valid) => {
    expect(isSageMakerName(name)).toBe(valid);
  });

  test.each([
    ['p'.repeat(38), true],
    ['p'.repeat(39), false],
    [`p${'-p'.repeat(19)}`, false], // 39 characters with hyphens
    ['-p', false],
    ['p-', false],
  ])('isResourceNamePrefix(%s) is %s', (prefix, valid) => {
    expect(isResourceNamePrefix(prefix)).toBe(valid);
  });
});

describe('resourceNamePrefix and the training job names', () => {
  test('an endpoint name of at most 38 characters is its own prefix', () => {
    expect(resourceNamePrefix('p'.repeat(38))).toBe('p'.repeat(38));
    expect(resourceNamePrefix('Flowers-IC')).toBe('Flowers-IC');
  });

  test('a longer name keeps its first 29 characters and a hash of the whole name: 38 characters', () => {
    const name = `a-${'b'.repeat(37)}`;
    expect(resourceNamePrefix(name)).toBe(`a-${'b'.repeat(27)}-${sha8(name)}`);
    expect(resourceNamePrefix(name)).toHaveLength(38);
  });

  test('hyphens the cut leaves at the end of the head are dropped, others kept', () => {
    const name = `ab-${'c'.repeat(24)}--${'d'.repeat(20)}`; // characters 28 and 29 are hyphens
    expect(resourceNamePrefix(name)).toBe(`ab-${'c'.repeat(24)}-${sha8(name)}`);
  });

  test('training jobs are `<prefix cut to 36, without trailing hyphens>-<run id>-<attempt>`, each a valid name', () => {
    expect(runNames('p'.repeat(38), ID, 2)).toEqual({
      model: `${'p'.repeat(38)}-${ID}`,
      endpointConfig: `${'p'.repeat(38)}-${ID}`,
      trainingJobs: [`${'p'.repeat(36)}-${ID}-0`, `${'p'.repeat(36)}-${ID}-1`],
      // The evaluation's transform jobs: the prefix cut to 32 so that '-evalc' / '-evals' fit the 38 of a job prefix.
      transformJobs: { challenger: `${'p'.repeat(32)}-evalc-${ID}`, champion: `${'p'.repeat(32)}-evals-${ID}` },
    });
    const hyphens = `${'q'.repeat(30)}-aqq--bc`; // 38 characters, of which the 35th and 36th are hyphens
    expect(runNames(hyphens, ID, 1).trainingJobs).toEqual([`${'q'.repeat(30)}-aqq-${ID}-0`]);
    expect(runNames(`x-y-${'z'.repeat(34)}`, ID, 1).trainingJobs).toEqual([`x-y-${'z'.repeat(32)}-${ID}-0`]);
    expect(isSageMakerName(runNames('p'.repeat(38), ID, 10).trainingJobs[9])).toBe(true);
  });

  test('a run makes 1 to 10 training attempts', () => {
    expect(runNames('p', ID, 1).trainingJobs).toEqual([`p-${ID}-0`]);
    expect(runNames('p', ID, 10).trainingJobs).toHaveLength(10);
    expect(() => runNames('p', ID, 0)).toThrow('a run makes 1 to 10 training attempts, got 0');
  });
});

describe('runId', () => {
  test('is the UTC start time and a hash of the execution ARN', () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:Retraining:manual_run.1';
    expect(runId(arn, '2026-11-28T12:34:56.789Z')).toBe(`20261128-123456-${sha8(arn)}`);
    expect(runId(arn, '2026-11-28T23:30:00-02:00')).toBe(`20261129-013000-${sha8(arn)}`);
  });

  test.each(['', 'yesterday', '2026-13-01T00:00:00Z'])('refuses the start time %p, naming it', (startTime) => {
    expect(() => runId('arn', startTime)).toThrow(`execution start time '${startTime}' is not an ISO 8601 timestamp`);
  });
});

describe('isPipelineResourceName, one condition at a time', () => {
  test.each([
    [`flowers-${ID}`, true],
    [`fl0wers-${ID}`, false], // right length and run id, another prefix
    [`flowersx${ID}`, false], // no hyphen after the prefix
    [`flowers-2026112x-120000-a1b2c3d4`, false], // right length and prefix, not a run id
    [`flowers-${ID}0`, false], // one character longer
    [`flowers-${ID.slice(1)}`, false], // one shorter
    [`flowers-${ID}-0`, false], // a training job
    [`flowers-x-${ID}`, false],
  ])('%s is %s for the prefix flowers', (name, expected) => {
    expect(isPipelineResourceName(name, 'flowers')).toBe(expected);
  });
});

describe('static names and the owned-name pattern', () => {
  test('a static name is `<prefix>-static-<hash of the request>`', () => {
    expect(staticResourceName('flowers', '{"a":1}')).toBe(`flowers-static-${sha8('{"a":1}')}`);
  });

  test('the pattern matches the prefix literally: its dots and other regular-expression characters are escaped', () => {
    const pattern = new RegExp(ownedResourceNamePattern('a.b+c'));
    expect(pattern.test(`a.b+c-${ID}`)).toBe(true);
    expect(pattern.test(`axbbc-${ID}`)).toBe(false);
    expect(pattern.test(`a.b+c-static-0123abcd`)).toBe(true);
    expect(pattern.test(`a.b+c-static-0123abc`)).toBe(false);
    expect(pattern.test(`a.b+c-${ID}x`)).toBe(false);
    expect(escapeRegExp('a.b*c?(d)[e]{f}|^$\\+')).toBe('a\\.b\\*c\\?\\(d\\)\\[e\\]\\{f\\}\\|\\^\\$\\\\\\+');
  });
});
