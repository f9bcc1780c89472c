/**
 * Generators of prop sets that know what the construct must do with them.
 *
 * Every generated value is a `Gen`: the value, the prop paths the construct must reject (each named in the error),
 * and whether it holds an `open` value, one the documentation neither allows nor forbids (either outcome is fine, if
 * it is clean). A `Shape` makes the generator for a mode: `valid` draws only allowed values and tokens, so the
 * construct must accept the whole set; `mixed` adds forbidden and open values.
 */
import { Aws, Duration, Lazy, Size, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { API_NAME_MAX_LENGTH, API_NAME_PATTERN } from '../support/sagemaker-api';

export type Mode = 'valid' | 'mixed';

export interface Gen<T> {
  readonly value: T;
  /** Paths of the props the construct must reject, relative to `value` (`''` for `value` itself). */
  readonly invalid: readonly string[];
  /** Whether `value` holds a value the documentation leaves open. */
  readonly open: boolean;
}

export type Shape<T> = (mode: Mode) => fc.Arbitrary<Gen<T>>;

/** A cross-field rule's verdict, with paths relative to the record it checks. */
export interface Verdict {
  readonly invalid?: readonly string[];
  /** Paths a field's own spec forbids but this record allows (a `vpcSubnets` of a part, given the whole's `vpc`). */
  readonly allowed?: readonly string[];
  readonly open?: boolean;
}

/** Something built in the test's stack, such as an imported bucket; made by `materialize`. */
export class Deferred<T> {
  constructor(private readonly label: string, public readonly make: (scope: Construct, id: string) => T) {}

  public [fc.toStringMethod](): string {
    return this.label;
  }
}

/** The options of a prop, by what the construct must do with them. */
export interface FieldSpec<T> {
  readonly valid?: fc.Arbitrary<T>;
  /** Unresolved tokens: accepted like valid values. */
  readonly token?: fc.Arbitrary<T>;
  readonly invalid?: fc.Arbitrary<T>;
  readonly open?: fc.Arbitrary<T>;
  /** A required prop is never left out. */
  readonly required?: boolean;
}

/** One prop: sometimes absent, otherwise drawn from its spec. */
export function field<T>(spec: FieldSpec<T>): Shape<T | undefined> {
  return (mode) => {
    const options: Array<fc.WeightedArbitrary<Gen<T | undefined>>> = [];
    const add = (weight: number, arbitrary: fc.Arbitrary<T> | undefined, invalid: boolean, open: boolean): void => {
      if (arbitrary) options.push({ weight, arbitrary: arbitrary.map((value) => ({ value, invalid: invalid ? [''] : [], open })) });
    };
    if (!spec.required) {
      options.push({
        weight: 3,
        arbitrary: fc.constant({ value: undefined, invalid: [], open: false }),
      });
    }
    add(6, spec.valid, false, false);
    add(1, spec.token, false, false);
    if (mode === 'mixed') {
      add(3, spec.invalid, true, false);
      add(1, spec.open, false, true);
    }
    return fc.oneof(...options);
  };
}

/** A prop that is always this value. */
export function fixed<T>(value: T): Shape<T> {
  return () => fc.constant({ value, invalid: [], open: false });
}

/**
 * An object of props, with an optional rule across them. Absent props are left out, or set to `undefined`. In
 * `valid` mode the fields are drawn again until the rule agrees with them.
 */
export function record<T extends object>(
  fields: { readonly [K in keyof T]-?: Shape<unknown> }, cross?: (value: Recipe<T>) => Verdict,
): Shape<Recipe<T>> {
  return (mode) => {
    const arbitraries = Object.fromEntries(Object.entries(fields).map(([key, shape]) => [key, (shape as Shape<unknown>)(mode)]));
    const gens = fc.record(arbitraries as Record<string, fc.Arbitrary<Gen<unknown>>>);
    return fc.tuple(gens, fc.boolean()).map(([generated, keepUndefined]) => {
      const entries = Object.entries(generated);
      const value = Object.fromEntries(entries.filter(([, gen]) => keepUndefined || gen.value !== undefined)
        .map(([key, gen]) => [key, gen.value])) as Recipe<T>;
      const verdict = cross?.(value) ?? {};
      const invalid = [
        ...entries.flatMap(([key, gen]) => gen.invalid.map((path) => join(key, path))),
        ...(verdict.invalid ?? []),
      ].filter((path) => !(verdict.allowed ?? []).includes(path));
      return { value, invalid: [...new Set(invalid)], open: entries.some(([, gen]) => gen.open) || (verdict.open ?? false) };
    }).filter((gen) => mode === 'mixed' || gen.invalid.length === 0);
  };
}

/** Props as generated: any field may still be a `Deferred`, or a value of the wrong type. */
export type Recipe<T> = { readonly [K in keyof T]?: unknown };

/** A prop that is present or not, with even odds. */
export function optional<T>(shape: Shape<T>): Shape<T | undefined> {
  return oneOf<T | undefined>(fixed(undefined), shape);
}

/** A value made from another (an options object turned into `EndpointCapacity.instances(options)`, say). */
export function mapShape<A, B>(shape: Shape<A>, f: (value: A) => B): Shape<B> {
  return (mode) => shape(mode).map((gen) => ({ ...gen, value: f(gen.value) }));
}

/** One of several shapes. */
export function oneOf<T>(...shapes: Array<Shape<T>>): Shape<T> {
  return (mode) => fc.oneof(...shapes.map((shape) => shape(mode)));
}

/** A list; an element's problems are the list's (`trainingInstanceTypes[2]` is named as `trainingInstanceTypes`). */
export function arrayOf<T>(shape: Shape<T>, constraints: fc.ArrayConstraints = {}): Shape<T[]> {
  return (mode) => fc.array(shape(mode), constraints).map((gens) => ({
    value: gens.map((gen) => gen.value),
    invalid: gens.some((gen) => gen.invalid.length > 0) ? [''] : [],
    open: gens.some((gen) => gen.open),
  }));
}

/** Prefixes a shape's paths, as a record does for its fields. */
export function under<T>(path: string, shape: Shape<T>): Shape<T> {
  return (mode) => shape(mode).map((gen) => ({ ...gen, invalid: gen.invalid.map((inner) => join(path, inner)) }));
}

/** The generator of whole cases: a third valid, two thirds mixed. */
export function cases<T>(shape: Shape<T>): fc.Arbitrary<Gen<T>> {
  // Each mode's arbitrary is built once: building one parses every `stringMatching` pattern again.
  return fc.oneof({ weight: 1, arbitrary: shape('valid') }, { weight: 2, arbitrary: shape('mixed') });
}

/** The value with every `Deferred` made in `scope`. Walks plain objects and arrays only. */
export function materialize<T>(value: T, scope: Construct): T {
  let count = 0;
  const walk = (node: unknown): unknown => {
    if (node instanceof Deferred) return node.make(scope, `Fuzz${++count}`);
    if (Array.isArray(node)) return node.map(walk);
    if (isPlainObject(node)) return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, walk(inner)]));
    return node;
  };
  return walk(value) as T;
}

/** Every string in the value (plain objects, arrays and the fields of other objects, a few levels deep). */
export function stringsIn(value: unknown, depth = 4): string[] {
  if (typeof value === 'string') return [value];
  if (depth === 0 || value === null || typeof value !== 'object' || value instanceof Deferred) return [];
  return Object.values(value).flatMap((inner) => stringsIn(inner, depth - 1));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function join(key: string, path: string): string {
  if (path === '') return key;
  return path.startsWith('[') ? `${key}${path}` : `${key}.${path}`;
}

// ---- values --------------------------------------------------------------------------------------------------------

/** Numbers that break careless arithmetic. None lies near ±1e+289, where number tokens live. */
export const AWKWARD_NUMBERS: readonly number[] = [
  -1, 0, -0, 0.5, 1.5, 99.999, NaN, Infinity, -Infinity, 1e15, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, -1e9,
];

/** Any number, awkward ones often. Never within [1e280, 1e300], so that a leaked number token stands out. */
export function anyNumber(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(...AWKWARD_NUMBERS),
    fc.integer({ min: -100_000, max: 100_000 }),
    fc.double().filter((x) => !(Math.abs(x) >= 1e280 && Math.abs(x) <= 1e300)),
  );
}

/** A number that `isValid` refuses. */
export function numberOutside(isValid: (value: number) => boolean): fc.Arbitrary<number> {
  return anyNumber().filter((value) => !isValid(value));
}

export function wholeIn(min: number, max: number): (value: number) => boolean {
  return (value) => Number.isInteger(value) && value >= min && value <= max;
}

export function realIn(min: number, max: number): (value: number) => boolean {
  return (value) => Number.isFinite(value) && value >= min && value <= max;
}

/** A number token that resolves to `value`. */
export function numberToken(value: number): fc.Arbitrary<number> {
  return fc.constantFrom(
    Token.asNumber(Lazy.number({ produce: () => value })),
    Token.asNumber(Lazy.any({ produce: () => value })),
  );
}

/** A string token that resolves to `value`, or a pseudo parameter. */
export function stringToken(value: string): fc.Arbitrary<string> {
  return fc.constantFrom(Lazy.string({ produce: () => value }), Aws.STACK_NAME, Aws.REGION);
}

/** Strings that break careless string handling: empty, blank, long, unicode, slashes, prototype keys, `undefined`. */
export const AWKWARD_STRINGS: readonly string[] = [
  '', ' ', 'a b', ' lead', 'trail ', 'ünïcödé', '日本語', '🙂', 'a/b', '/a', 'a/', 'a//b', '.', '..', 'a/../b', '-', '-a', 'a-',
  'a_b', 'a\nb', 'tab\there', 'ml.ml.m5.large', 'ML.M5.LARGE', 'undefined', 'null', 'NaN', '__proto__', 'constructor',
  'toString', '{% $x %}', 's3://', 'x'.repeat(64), 'y'.repeat(700), '*', '?', 'a(b', 'a)', '(x)', 'images*',
];

/** Any string, awkward ones often. */
export function anyString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...AWKWARD_STRINGS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  );
}

/** A string that `isValid` refuses. */
export function stringOutside(isValid: (value: string) => boolean): fc.Arbitrary<string> {
  return anyString().filter((value) => !isValid(value));
}

/** SageMaker names (endpoints, variants): 1-63 letters, digits and hyphens, starting and ending with a letter or digit. */
export function sageMakerName(maxLength = API_NAME_MAX_LENGTH): fc.Arbitrary<string> {
  return fc.oneof(
    fc.stringMatching(/^[a-zA-Z0-9](-?[a-zA-Z0-9]){0,20}$/),
    fc.constantFrom('a', 'Z9', 'flowers-classifier', 'a--b', 'x'.repeat(maxLength)),
  ).filter((name) => name.length <= maxLength);
}

export function isSageMakerName(value: string, maxLength = API_NAME_MAX_LENGTH): boolean {
  return API_NAME_PATTERN.test(value) && value.length <= maxLength;
}

/**
 * S3 key prefixes as the library documents them: segments of letters, digits and ! - _ . ' separated by single
 * `/`, no `.` or `..` segment (S3's other "safe" characters, * ( ), would end up in IAM ARNs and cdk-nag ids).
 */
export function safeKeyPrefix(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9!_.'-]{1,10}(\/[A-Za-z0-9!_.'-]{1,10}){0,3}$/),
    fc.constantFrom('dataset', 'datasets/flowers', 'a', "it's-1", 'x'.repeat(200)),
  ).filter(isSafeKeyPrefix);
}

export function isSafeKeyPrefix(value: string): boolean {
  return /^[A-Za-z0-9!_.'-]+(\/[A-Za-z0-9!_.'-]+)*$/.test(value)
    && !value.split('/').some((segment) => segment === '.' || segment === '..');
}

/** A whole number of seconds in [min, max], written in seconds, minutes, hours, days or milliseconds. */
export function durationOfSeconds(min: number, max: number): fc.Arbitrary<Duration> {
  return fc.integer({ min, max }).chain((seconds) => fc.constantFrom(...wholeSecondForms(seconds)));
}

function wholeSecondForms(seconds: number): Duration[] {
  const forms = [Duration.seconds(seconds), Duration.millis(seconds * 1000)];
  if (seconds % 60 === 0) forms.push(Duration.minutes(seconds / 60));
  if (seconds % 3600 === 0) forms.push(Duration.hours(seconds / 3600));
  if (seconds % 86400 === 0) forms.push(Duration.days(seconds / 86400));
  return forms;
}

/** Durations in whole minutes, hours or days, in the range given in seconds (valid values of minute-grained props). */
export function durationOfMinutes(minMinutes: number, maxMinutes: number): fc.Arbitrary<Duration> {
  return fc.integer({ min: minMinutes, max: maxMinutes }).chain((minutes) => fc.constantFrom(...wholeSecondForms(minutes * 60)));
}

/** Durations with a fraction of a second: 1.5 s, 1 ms, 59.999 s. */
export function fractionalDuration(): fc.Arbitrary<Duration> {
  return fc.oneof(
    fc.constantFrom(Duration.millis(1), Duration.millis(1500), Duration.millis(59_999), Duration.seconds(0.5)),
    fc.integer({ min: 1, max: 10_000_000 }).filter((ms) => ms % 1000 !== 0).map((ms) => Duration.millis(ms)),
  );
}

/** A duration of `seconds` whose amount is a token (what `Duration.seconds(param.valueAsNumber)` gives). */
export function durationToken(unit: 'seconds' | 'minutes' | 'days', amount: number): fc.Arbitrary<Duration> {
  return numberToken(amount).map((token) => Duration[unit](token));
}

/** A size of `amount` in `unit` whose amount is a token. */
export function sizeToken(unit: 'bytes' | 'mebibytes' | 'gibibytes', amount: number): fc.Arbitrary<Size> {
  return numberToken(amount).map((token) => Size[unit](token));
}

/** A whole number of MiB in [min, max], written in bytes, KiB, MiB or GiB. */
export function sizeOfMebibytes(min: number, max: number): fc.Arbitrary<Size> {
  return fc.integer({ min, max }).chain((mib) => fc.constantFrom(...[
    Size.mebibytes(mib), Size.kibibytes(mib * 1024), Size.bytes(mib * 1024 * 1024),
    ...(mib % 1024 === 0 ? [Size.gibibytes(mib / 1024)] : []),
  ]));
}

/** Sizes from a byte to petabytes, many of them not whole MiB or GiB. */
export function anySize(): fc.Arbitrary<Size> {
  return fc.oneof(
    fc.constantFrom(Size.bytes(0), Size.bytes(1), Size.kibibytes(1), Size.kibibytes(1536), Size.mebibytes(0), Size.mebibytes(1.5),
      Size.gibibytes(0), Size.gibibytes(0.5), Size.tebibytes(1), Size.pebibytes(1)),
    fc.integer({ min: 0, max: 2 ** 40 }).map((bytes) => Size.bytes(bytes)),
    fc.integer({ min: 0, max: 100_000 }).map((mib) => Size.mebibytes(mib)),
  );
}

/** Names of fields no construct declares, including the keys every object inherits. */
export function unknownFieldName(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,12}$/),
    fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'),
  ).filter((name) => !known.includes(name));
}

/**
 * Adds up to two fields the props type does not declare (a JavaScript caller, or a cast). `rejected`: the construct
 * must refuse them (hyperparameters), otherwise it ignores them (construct props).
 */
export function withUnknownFields<T extends object>(shape: Shape<T>, known: readonly string[], rejected: boolean): Shape<T> {
  return (mode) => {
    const extras = mode === 'valid' && rejected
      ? fc.constant({})
      : fc.dictionary(unknownFieldName(known), fc.oneof(anyNumber(), anyString(), fc.boolean(), fc.constant(null)), { maxKeys: 2 });
    return fc.tuple(shape(mode), extras).map(([gen, fields]) => ({
      value: { ...gen.value, ...fields },
      invalid: [...gen.invalid, ...(rejected ? Object.keys(fields) : [])],
      open: gen.open,
    }));
  };
}
