import * as fc from 'fast-check';
import { runId } from '../../lambda/shared/sagemaker-names';

/** IAM's matching of a resource against a pattern with wildcards: `?` is one character, `*` any run of characters. */
export function iamWildcardMatches(pattern: string, resource: string): boolean {
  const source = pattern.split('').map((c) => (c === '?' ? '.' : c === '*' ? '.*' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`).test(resource);
}

/** Run ids as the pipeline makes them, from any execution ARN and start time in this century. */
export const pipelineRunIds: fc.Arbitrary<string> = fc.tuple(
  fc.string({ maxLength: 80 }),
  fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
).map(([executionArn, start]) => runId(executionArn, start.toISOString()));
