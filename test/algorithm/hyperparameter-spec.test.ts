/**
 * The hyperparameter rules (lambda/shared/hyperparameter-spec.ts) without aws-cdk-lib, against the algorithm's
 * specification in test/fixtures/jumpstart-tf-ic.json: every default as the SDK sends it, every range at and just
 * past both ends, every allowed choice, and each message. (test/algorithm/hyperparameters.test.ts checks the
 * construct-side wrappers.)
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  checkHyperparameters, EvalMetric, Hyperparameters, hyperparameterWireName, pythonFloat, toHyperparameterMap,
} from '../../lambda/shared/hyperparameter-spec';

interface ReferenceHyperparameter {
  readonly name: string;
  readonly type: 'int' | 'float' | 'text';
  readonly default_as_sent_by_sdk: string;
  readonly min?: number;
  readonly max?: number;
  readonly allowed_values?: string[];
}
const REFERENCE: ReferenceHyperparameter[] = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'jumpstart-tf-ic.json'), 'utf8'),
).hyperparameters.algorithm;
const camel = (wireName: string) => wireName.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) as keyof Hyperparameters;
const check = (hyperparameters: unknown) => checkHyperparameters(hyperparameters as Hyperparameters);
const booleans = REFERENCE.filter((h) => h.type === 'text' && h.allowed_values?.join() === 'False,True');
const choices = REFERENCE.filter((h) => h.type === 'text' && !booleans.includes(h));
const numbers = REFERENCE.filter((h) => h.type !== 'text');

test('with nothing given, every hyperparameter is sent with its default, as the SDK writes it', () => {
  expect(toHyperparameterMap()).toEqual(Object.fromEntries(REFERENCE.map((h) => [h.name, h.default_as_sent_by_sdk])));
  for (const { name } of REFERENCE) expect(hyperparameterWireName(camel(name))).toBe(name);
});

describe.each(numbers.map((h) => [h.name, h] as const))('%s', (_name, h) => {
  const field = camel(h.name);
  const range = h.type === 'float' ? `a number in [${h.min}, ${h.max}]` : h.max === undefined ? `a whole number of at least ${h.min}` : `a whole number in [${h.min}, ${h.max}]`;
  const step = h.type === 'float' ? 1e-9 : 1;

  test(`accepts ${h.min} and ${h.max ?? 'any larger whole number'}, and renders them`, () => {
    const top = h.max ?? 2 ** 40;
    expect(check({ [field]: h.min })).toEqual([]);
    expect(check({ [field]: top })).toEqual([]);
    expect(toHyperparameterMap({ [field]: top })[h.name]).toBe(h.type === 'float' ? pythonFloat(top) : String(top));
  });

  test(`refuses ${h.min! - step}${h.max === undefined ? '' : ` and ${h.max + step}`}: must be ${range}`, () => {
    expect(check({ [field]: h.min! - step })).toEqual([`hyperparameters.${field} must be ${range}, got ${h.min! - step}`]);
    if (h.max !== undefined) expect(check({ [field]: h.max + step })).toEqual([`hyperparameters.${field} must be ${range}, got ${h.max + step}`]);
    expect(check({ [field]: String(h.min) })).toEqual([`hyperparameters.${field} must be ${range}, got "${h.min}"`]);
    expect(check({ [field]: Infinity })).toEqual([`hyperparameters.${field} must be ${range}, got Infinity`]);
    if (h.type === 'int') expect(check({ [field]: h.min! + 0.5 })).toEqual([`hyperparameters.${field} must be ${range}, got ${h.min! + 0.5}`]);
  });
});

describe.each(booleans.map((h) => [h.name, h] as const))('%s', (_name, h) => {
  const field = camel(h.name);
  test('true and false render as True and False; anything else is refused', () => {
    expect(toHyperparameterMap({ [field]: true })[h.name]).toBe('True');
    expect(toHyperparameterMap({ [field]: false })[h.name]).toBe('False');
    expect(check({ [field]: 'True' })).toEqual([`hyperparameters.${field} must be true or false, got "True"`]);
    expect(check({ [field]: 1 })).toEqual([`hyperparameters.${field} must be true or false, got 1`]);
  });
});

describe.each(choices.map((h) => [h.name, h] as const))('%s', (_name, h) => {
  const field = camel(h.name);
  test(`accepts and sends each of ${h.allowed_values!.join(', ')}; refuses anything else, listing them`, () => {
    for (const value of h.allowed_values!) {
      const binaryMode = field === 'evalMetric' && value !== EvalMetric.ACCURACY ? { binaryMode: true } : {};
      expect(check({ [field]: value, ...binaryMode })).toEqual([]);
      expect(toHyperparameterMap({ [field]: value, ...binaryMode } as Hyperparameters)[h.name]).toBe(value);
    }
    const listed = h.allowed_values!.map((value) => `'${value}'`).join(', ');
    expect(check({ [field]: 'other' })).toEqual([`hyperparameters.${field} must be one of ${listed}, got "other"`]);
    expect(check({ [field]: h.allowed_values![0].toUpperCase() + 'x' })).toHaveLength(1);
  });
});

describe('checkHyperparameters', () => {
  test.each([
    [null, 'null'], [[1], '[1]'], [5, '5'], ['epochs', '"epochs"'], [undefined, 'undefined'],
  ])('%p is one problem, not a TypeError', (value, shown) => {
    expect(check(value)).toEqual([`hyperparameters must be an object of camelCase hyperparameters like { epochs: 10 }, got ${shown}`]);
  });

  test('an unknown field is named with the known ones; an own undefined one is ignored, as are absent fields', () => {
    const known = REFERENCE.map((h) => camel(h.name)).join(', ');
    expect(check({ learning_rate: 0.1 })).toEqual([`hyperparameters.learning_rate is not a hyperparameter of the algorithm; known fields: ${known}`]);
    expect(check(JSON.parse('{"constructor": 1}'))).toEqual([`hyperparameters.constructor is not a hyperparameter of the algorithm; known fields: ${known}`]);
    expect(check({ learning_rate: undefined, epochs: undefined })).toEqual([]);
    expect(check({})).toEqual([]);
  });

  test('the path names the object in every message', () => {
    expect(checkHyperparameters({ epochs: 0, x: 1 } as Hyperparameters, 'training.hyperparameters')).toEqual([
      expect.stringMatching(/^training\.hyperparameters\.x is not a hyperparameter/),
      'training.hyperparameters.epochs must be a whole number in [1, 1000], got 0',
    ]);
    expect(checkHyperparameters(null as unknown as Hyperparameters, 'p')[0]).toMatch(/^p must be an object/);
  });

  test.each([
    [BigInt(5), '5n'], [NaN, 'NaN'], [-Infinity, '-Infinity'], [Symbol('s'), 'Symbol(s)'], [{ a: [1] }, '{"a":[1]}'],
  ])('shows the value %p received as %s', (value, shown) => {
    expect(check({ epochs: value })).toEqual([`hyperparameters.epochs must be a whole number in [1, 1000], got ${shown}`]);
  });

  test('shows a function and an object JSON cannot write as JavaScript prints them', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(check({ dropoutRate: circular })).toEqual(['hyperparameters.dropoutRate must be a number in [0, 1], got [object Object]']);
    const fn = () => 1;
    expect(check({ dropoutRate: fn })).toEqual([`hyperparameters.dropoutRate must be a number in [0, 1], got ${String(fn)}`]);
  });

  test.each(Object.values(EvalMetric).filter((metric) => metric !== EvalMetric.ACCURACY))('eval metric %s needs binary mode', (metric) => {
    const problem = `hyperparameters.evalMetric '${metric}' is only used in binary mode; set hyperparameters.binaryMode to true or use EvalMetric.ACCURACY`;
    expect(check({ evalMetric: metric })).toEqual([problem]);
    expect(check({ evalMetric: metric, binaryMode: false })).toEqual([problem]);
    expect(check({ evalMetric: metric, binaryMode: 'true' })).toEqual([expect.stringMatching(/binaryMode must be true or false/), problem]);
    expect(check({ evalMetric: metric, binaryMode: true })).toEqual([]);
  });

  test('accuracy needs no binary mode; an unknown metric is refused once, as a choice', () => {
    expect(check({ evalMetric: EvalMetric.ACCURACY })).toEqual([]);
    expect(check({ evalMetric: 'f1' })).toHaveLength(1);
    expect(check({ evalMetric: 7 })).toHaveLength(1);
  });

  test('collects every problem, unknown fields first, then the fields in the specification\'s order', () => {
    expect(check({ randomSeed: -1, zz: 1, epochs: 0 }).map((problem) => problem.split(' ')[0]))
      .toEqual(['hyperparameters.zz', 'hyperparameters.epochs', 'hyperparameters.randomSeed']);
  });
});

describe('unresolved values (CDK tokens)', () => {
  const isToken = (value: unknown) => typeof value === 'string' && value.startsWith('${Token[');

  test('are neither checked nor rendered, but passed on as they are', () => {
    const given = { epochs: '${Token[1]}', binaryMode: '${Token[2]}', evalMetric: EvalMetric.AUC } as unknown as Hyperparameters;
    expect(checkHyperparameters(given, 'hyperparameters', isToken)).toEqual([]);
    expect(toHyperparameterMap(given, 'hyperparameters', isToken)).toMatchObject({ epochs: '${Token[1]}', binary_mode: '${Token[2]}', eval_metric: 'auc' });
    expect(toHyperparameterMap({ epochs: '${Token[1]}' } as unknown as Hyperparameters, 'hyperparameters', isToken).epochs).toBe('${Token[1]}');
  });

  test('a token that renders longer than 256 characters is passed on too (its value is checked when known)', () => {
    const long = `\${Token[${'9'.repeat(300)}]}`;
    expect(toHyperparameterMap({ optimizer: long } as unknown as Hyperparameters, 'hyperparameters', isToken).optimizer).toBe(long);
  });

  test('without the check, such values are refused', () => {
    expect(check({ epochs: '${Token[1]}' })).toHaveLength(1);
  });
});

test('an invalid set throws every problem in one error', () => {
  expect(() => toHyperparameterMap({ epochs: 0, batchSize: 0 })).toThrow(
    'Invalid hyperparameters:\n  hyperparameters.epochs must be a whole number in [1, 1000], got 0\n  hyperparameters.batchSize must be a whole number in [1, 1024], got 0',
  );
  expect(() => toHyperparameterMap({ epochs: 0 }, 'x')).toThrow('Invalid hyperparameters:\n  x.epochs must');
});

describe('pythonFloat', () => {
  test.each([
    [NaN, 'nan'], [Infinity, 'inf'], [-Infinity, '-inf'], [0, '0.0'], [-0, '-0.0'],
    [1, '1.0'], [-3, '-3.0'], [0.1, '0.1'], [0.0001, '0.0001'], [0.000099, '9.9e-05'], [-0.00001, '-1e-05'],
    [1e-10, '1e-10'], [1.5e-100, '1.5e-100'], [9999999999999998, '9999999999999998.0'], [1e16, '1e+16'],
    [-2.5e16, '-2.5e+16'], [1.5e300, '1.5e+300'], [123.456, '123.456'],
  ])('%p is written %p', (value, text) => {
    expect(pythonFloat(value)).toBe(text);
  });
});
