import * as path from 'path';
import { lambdaEntry } from '../lib/private/lambda-entry';

test('finds each handler\'s TypeScript source in a checkout', () => {
  for (const name of ['inference/index', 'pipeline/index', 'pipeline/new-data-trigger', 'cleanup/index', 'algorithm-check/index']) {
    expect(lambdaEntry(name)).toBe(path.join(__dirname, '..', 'lambda', `${name}.ts`));
  }
});

test('names the missing handler', () => {
  expect(() => lambdaEntry('nothing/here')).toThrow(/Lambda handler nothing\/here is missing: neither .*lambda\/nothing\/here\.ts nor .*\.js exists/);
});
