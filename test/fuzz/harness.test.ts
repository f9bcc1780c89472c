/**
 * The fuzz harness must be able to fail: each check below feeds it one kind of wrong behaviour and expects it to say
 * so, and one kind of right behaviour and expects it to pass.
 */
import { Lazy, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { expectCleanOutcome, mentions, uncleanRejection } from './expect-clean-outcome';
import { ConstructFuzz, checkCase, expectNoLeakedToken, fuzzStack } from './fuzz-construct';
import { Deferred, Gen, cases, field, materialize, record } from './generators';

describe('expectCleanOutcome', () => {
  const names = ['prefix', 'capacity.minInstances'];

  test('passes a call that returns, and hands back its value', () => {
    expect(expectCleanOutcome(() => 42, names)).toEqual({ ok: true, value: 42 });
  });

  test('passes a plain Error naming a prop, and hands back the error', () => {
    const outcome = expectCleanOutcome(() => {
      throw new Error("Stack/Bucket: invalid props:\n  prefix must not start with '/', got '/a'");
    }, names);
    expect(!outcome.ok && outcome.error.message).toMatch(/prefix must not/);
  });

  test.each([
    ['a TypeError', () => (undefined as unknown as { role: string }).role, /threw TypeError, not a plain Error/],
    ['a RangeError', () => new Array(-1), /threw RangeError/],
    ['a subclass of Error', () => { throw new (class ValidationError extends Error {})('prefix is wrong'); }, /threw ValidationError, not a plain Error/],
    ['a string', () => { throw 'prefix is wrong'; }, /threw a non-Error value \(string\)/],
    ['a message naming no prop', () => { throw new Error('something is wrong'); }, /does not name any of prefix, capacity\.minInstances/],
    ['a problem line naming no prop', () => { throw new Error('X: invalid props:\n  prefix is wrong\n  the bucket is wrong'); }, /in: the bucket is wrong/],
    ['undefined in the message', () => { throw new Error('prefix must be a string, got undefined'); }, /shows the word 'undefined'/],
    ['[object Object] in the message', () => { throw new Error(`prefix must be a string, got ${String({})}`); }, /\[object Object\]/],
    ['a number token used in arithmetic', () => {
      throw new Error(`capacity.minInstances must be at least 1, got ${Token.asNumber(Lazy.number({ produce: () => 1 })) * 2}`);
    }, /number token used in arithmetic/],
  ])('fails %s', (_what, thunk, complaint) => {
    expect(() => expectCleanOutcome(thunk as () => unknown, names)).toThrow(complaint);
  });

  test('reads the caller\'s own strings out of the message: a quoted value may hold anything', () => {
    expect(() => expectCleanOutcome(() => {
      throw new Error("invalid props:\n  prefix must be a key prefix, got 'undefined\nno prop here'");
    }, { names, inputs: ['undefined\nno prop here'] })).not.toThrow();
  });

  test('a header naming the prop covers the lines below it', () => {
    expect(uncleanRejection(new Error("prefix 'x' is not a dataset:\n  'a.jpg' is a file at the top level"), names)).toBeUndefined();
  });
});

describe('mentions', () => {
  test.each([
    ['capacity.minInstances must be', 'capacity.minInstances', true],
    ['trainingInstanceTypes[2] is', 'trainingInstanceTypes', true],
    ['dataCapture.prefix must be', 'prefix', false],
    ['prefixes are', 'prefix', false],
    ['the prefix, got', 'prefix', true],
  ])('%s names %s: %s', (text, path, named) => {
    expect(mentions(text, path)).toBe(named);
  });
});

describe('expectNoLeakedToken', () => {
  test('fails on a number token used in arithmetic', () => {
    const twice = Token.asNumber(Lazy.number({ produce: () => 2 })) * 2;
    expect(() => expectNoLeakedToken({ MaxCapacity: twice }, 'the request')).toThrow(/the request holds -3\.77\d*e\+289/);
  });

  test('passes ordinary large numbers', () => {
    expect(() => expectNoLeakedToken({ big: Number.MAX_VALUE, small: 1e-300 }, 'the request')).not.toThrow();
  });
});

describe('generators', () => {
  const shape = record<{ a: number; b: number; nested: unknown }>({
    a: field({ valid: fc.constant(1), invalid: fc.constant(-1) }),
    b: field({ valid: fc.constant(2) }),
    nested: record<{ c: number }>({ c: field({ valid: fc.constant(3), invalid: fc.constant(-3) }) }),
  }, (value) => ({ invalid: value.a === 1 && value.b === 2 ? ['b'] : [] }));

  test('paths of nested props are joined, and rules across props add theirs', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(cases(shape), (gen) => {
      gen.invalid.forEach((path) => seen.add(path));
      if ((gen.value as { a?: number }).a === -1) expect(gen.invalid).toContain('a');
    }), { seed: 1, numRuns: 200 });
    expect([...seen].sort()).toEqual(['a', 'b', 'nested.c']);
  });

  test('valid mode never draws a forbidden value, nor a combination a rule forbids', () => {
    fc.assert(fc.property(shape('valid'), (gen) => expect(gen.invalid).toEqual([])), { seed: 1, numRuns: 100 });
  });

  test('materialize builds each Deferred in the scope, once per use', () => {
    const bucket = new Deferred('bucket', (scope, id) => s3.Bucket.fromBucketName(scope, id, 'fuzz-b'));
    const made = materialize({ list: [bucket, bucket], inner: { bucket } }, fuzzStack()) as unknown as {
      list: s3.IBucket[]; inner: { bucket: s3.IBucket };
    };
    expect(made.list[0]).not.toBe(made.list[1]);
    expect(made.inner.bucket.bucketName).toBe('fuzz-b');
  });
});

describe('checkCase', () => {
  /** A construct that checks one prop, `minutes`, a whole number from 1 to 60, the way this library should. */
  class Timer extends Construct {
    constructor(scope: Construct, id: string, props: { minutes?: number; crash?: boolean; accept?: boolean; leak?: boolean }) {
      super(scope, id);
      if (props.crash) (undefined as unknown as { minutes: number }).minutes.toFixed();
      const minutes = props.minutes ?? 5;
      if (!props.accept && !Token.isUnresolved(minutes) && !(Number.isInteger(minutes) && minutes >= 1 && minutes <= 60)) {
        throw new Error(`${this.node.path}: invalid Timer props:\n  minutes must be a whole number in [1, 60], got ${minutes}`);
      }
      this.seconds = props.leak || !Token.isUnresolved(minutes) ? minutes * 60 : minutes;
    }

    public readonly seconds: number;
  }
  const spec: ConstructFuzz<Timer> = {
    names: ['minutes'],
    create: (stack, props) => new Timer(stack, 'Timer', props),
    exercise: (timer) => ({ seconds: timer.seconds }),
    synthesize: { every: 1, max: 1 },
  };
  const run = (value: object, invalid: string[] = [], open = false) => checkCase(spec, { value, invalid, open } as Gen<object>, { synthesize: true });

  test('passes valid props that construct, and forbidden props refused naming them', () => {
    expect(run({ minutes: 10 })).toBe('created');
    expect(run({ minutes: 0 }, ['minutes'])).toBe('rejected');
    expect(run({ minutes: Token.asNumber(Lazy.number({ produce: () => 5 })) })).toBe('created');
  });

  test('fails a crash', () => expect(() => run({ crash: true })).toThrow(/threw TypeError/));
  test('fails valid props that are refused', () => expect(() => run({ minutes: 61 })).toThrow(/rejected props that are all allowed/));
  test('fails forbidden props that are accepted', () => expect(() => run({ minutes: 0, accept: true }, ['minutes'])).toThrow(/accepted props the documentation forbids: minutes/));
  test('fails a refusal that names another prop', () => expect(() => run({ minutes: 0 }, ['hours'])).toThrow(/the error does not name hours/));
  test('fails a token used in arithmetic', () => {
    expect(() => run({ minutes: Token.asNumber(Lazy.number({ produce: () => 5 })), leak: true })).toThrow(/number token used in arithmetic/);
  });
});
