/**
 * Runs a construct on generated prop sets and judges each outcome against what the generator knows of the props:
 * - every prop allowed (tokens included) → the construct is created, what it renders holds no leaked number token,
 *   and a deterministic sample synthesizes;
 * - a forbidden prop → a clean rejection (see `expectCleanOutcome`) that names it;
 * - a value the docs leave open → any clean outcome.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as fc from 'fast-check';
import { Outcome, expectCleanOutcome, mentions } from './expect-clean-outcome';
import { Gen, Shape, cases, materialize, stringsIn } from './generators';
import { testStack } from '../helpers';

/** One seed for every fuzz test, so that CI sees the same cases on every run. */
export const FUZZ_SEED = 20261128;
/** Generated prop sets per construct. */
export const FUZZ_RUNS = 200;

/**
 * A fresh stack for one case, built without what does not depend on props and costs the most: asset bundling
 * (esbuild runs at construction, about a second per function), asset staging (each new app copies every asset,
 * the AWS CLI layer of a dataset seed among them) and construct stack traces. The constructs' own tests bundle.
 */
export function fuzzStack(region?: string): Stack {
  const stack = testStack(region);
  stack.node.setContext(cxapi.BUNDLING_STACKS, []);
  stack.node.setContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT, true);
  stack.node.setContext(cxapi.DISABLE_METADATA_STACK_TRACE, true);
  stack.node.setContext(cxapi.DISABLE_CREATION_STACK_TRACES, true);
  return stack;
}

export interface ConstructFuzz<C> {
  /** Every prop, hyperparameter or option field a message of the construct may name. */
  readonly names: readonly string[];
  /** Creates the construct with the generated props (fields of any type, hence `never`). */
  readonly create: (stack: Stack, props: never) => C;
  /** Renders what the construct exposes beyond its template (requests, grants); the result is checked for leaked tokens. */
  readonly exercise?: (construct: C, stack: Stack) => unknown;
  /** Synthesize the 1st, (1 + every)th, … constructed case, at most `max` of them. */
  readonly synthesize: { readonly every: number; readonly max: number };
  /** Whether a rejection must name every forbidden prop, or one is enough (a construct that builds others in turn). */
  readonly naming?: 'every' | 'some';
  /** Whether the message names `path`; by default it must contain the path itself. */
  readonly matchesPath?: (message: string, path: string) => boolean;
  /**
   * Prefixes of props checked in a second step, once the others pass (`locations.`): they need naming only when
   * nothing else is wrong.
   */
  readonly checkedLater?: readonly string[];
  /** Regions of the stacks; `undefined` for an environment-agnostic stack. */
  readonly regions?: ReadonlyArray<string | undefined>;
  /** Bugs whose cases are not generated until they are fixed (each has its own test). */
  readonly knownBugs?: ReadonlyArray<{ readonly affects: (props: never) => boolean }>;
}

export interface FuzzReport {
  readonly runs: number;
  /** Cases constructed (or values accepted). */
  readonly accepted: number;
  readonly rejected: number;
  readonly synthesized: number;
}

/**
 * A run means something only if it took both ways often enough: the generators must not drift into producing only
 * valid, or only invalid, cases.
 */
export function expectBothOutcomes(report: Pick<FuzzReport, 'accepted' | 'rejected'>, minimum = 30): void {
  expect(report.accepted).toBeGreaterThanOrEqual(minimum);
  expect(report.rejected).toBeGreaterThanOrEqual(minimum);
}

/** Runs `FUZZ_RUNS` cases of `shape` through the construct; returns how the cases went. */
export function fuzzConstruct<P, C>(shape: Shape<P>, spec: ConstructFuzz<C>): FuzzReport {
  const counts = { runs: 0, accepted: 0, rejected: 0, synthesized: 0 };
  const knownBugs = spec.knownBugs ?? [];
  const generated = cases(shape).filter((gen) => !knownBugs.some((bug) => bug.affects(gen.value as never)));
  const property = fc.property(generated, fc.constantFrom(...spec.regions ?? [undefined]), (gen, region) => {
    counts.runs++;
    const synthesize = counts.synthesized < spec.synthesize.max && counts.accepted % spec.synthesize.every === 0;
    const outcome = checkCase(spec, gen, { region, synthesize });
    if (outcome === 'rejected') {
      counts.rejected++;
    } else {
      if (synthesize) counts.synthesized++;
      counts.accepted++;
    }
  });
  fc.assert(property, { seed: FUZZ_SEED, numRuns: FUZZ_RUNS });
  return counts;
}

/** Judges one case, in a fresh stack; throws when the construct got it wrong. */
export function checkCase<P, C>(
  spec: ConstructFuzz<C>, gen: Gen<P>, options: { readonly region?: string; readonly synthesize: boolean },
): 'created' | 'rejected' {
  const stack = fuzzStack(options.region);
  const names = { names: spec.names, inputs: stringsIn(gen.value) };
  const outcome = expectCleanOutcome(() => spec.create(stack, materialize(gen.value, stack) as never), names);
  judge(gen, outcome, spec);
  if (!outcome.ok) return 'rejected';
  if (spec.exercise) {
    const exercised = expectCleanOutcome(() => stack.resolve(spec.exercise!(outcome.value, stack)), names);
    if (!exercised.ok && !gen.open) throw new Error(`rendering from valid props failed: ${exercised.error.message}`);
    if (exercised.ok) expectNoLeakedToken(exercised.value, 'what the construct renders');
  }
  if (options.synthesize) {
    const synthesized = expectCleanOutcome(() => Template.fromStack(stack).toJSON(), names);
    if (!synthesized.ok && !gen.open) throw new Error(`synthesis of valid props failed: ${synthesized.error.message}`);
    if (synthesized.ok) expectNoLeakedToken(synthesized.value, 'the template');
  }
  return 'created';
}

/** How a rejection must name what it refuses. */
export type Naming = Pick<ConstructFuzz<unknown>, 'naming' | 'matchesPath' | 'checkedLater'>;

/**
 * Judges an outcome against what the generator knows: allowed props must be accepted, forbidden ones refused with
 * an error naming them (every one, or one with `naming: 'some'`), open ones either way.
 */
export function judge<P, C>(gen: Gen<P>, outcome: Outcome<C>, spec: Naming): void {
  const forbidden = gen.invalid;
  if (outcome.ok) {
    if (forbidden.length > 0) throw new Error(`accepted props the documentation forbids: ${forbidden.join(', ')}`);
    return;
  }
  const message = outcome.error.message;
  if (forbidden.length === 0) {
    if (!gen.open) throw new Error(`rejected props that are all allowed (tokens included):\n${message}`);
    return;
  }
  if (gen.open) return;
  const later = (path: string): boolean => (spec.checkedLater ?? []).some((prefix) => path.startsWith(prefix));
  const firstStep = forbidden.filter((path) => !later(path));
  const expected = firstStep.length > 0 ? firstStep : forbidden;
  const named = spec.matchesPath ?? mentions;
  const unnamed = expected.filter((path) => !named(message, path));
  if (spec.naming === 'some' ? unnamed.length === expected.length : unnamed.length > 0) {
    throw new Error(`the error does not name ${unnamed.join(', ')}:\n${message}`);
  }
}

export interface ValueFuzz<V, R> {
  /** What the messages may name. */
  readonly names: readonly string[];
  /** Whether the message names `path`; by default it must contain the path itself. */
  readonly matchesPath?: (message: string, path: string) => boolean;
  /** Prefixes of fields checked once the others pass (see `ConstructFuzz`). */
  readonly checkedLater?: readonly string[];
  /** Calls the API under test with a generated value; a list of problems it returns is turned into an `Error`. */
  readonly run: (value: V) => R;
  /** Checks what an accepted value produced. */
  readonly check?: (result: R, gen: Gen<V>) => void;
  /** Extra checks of a rejection, beyond naming what is wrong. */
  readonly checkRejection?: (error: Error, gen: Gen<V>) => void;
  /** Bugs whose values are not generated until they are fixed. */
  readonly knownBugs?: ReadonlyArray<(value: V) => boolean>;
}

/** Runs `FUZZ_RUNS` generated values through a function, judged like construct props. */
export function fuzzValues<V, R>(generated: fc.Arbitrary<Gen<V>>, spec: ValueFuzz<V, R>): Pick<FuzzReport, 'accepted' | 'rejected'> {
  const counts = { accepted: 0, rejected: 0 };
  const knownBugs = spec.knownBugs ?? [];
  const property = fc.property(generated.filter((gen) => !knownBugs.some((affects) => affects(gen.value))), (gen) => {
    counts[checkValue(spec, gen)]++;
  });
  fc.assert(property, { seed: FUZZ_SEED, numRuns: FUZZ_RUNS });
  return counts;
}

/** Judges one generated value; throws when the function got it wrong. */
export function checkValue<V, R>(spec: ValueFuzz<V, R>, gen: Gen<V>): 'accepted' | 'rejected' {
  const outcome = expectCleanOutcome(() => spec.run(gen.value), { names: spec.names, inputs: stringsIn(gen.value) });
  judge(gen, outcome, spec);
  if (!outcome.ok) {
    spec.checkRejection?.(outcome.error, gen);
    return 'rejected';
  }
  expectNoLeakedToken(fuzzStack().resolve(outcome.value), 'the result');
  spec.check?.(outcome.value, gen);
  return 'accepted';
}

/** Throws the problems a validation returned, as the constructors do. */
export function throwProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`invalid:\n  ${problems.join('\n  ')}`);
}

/**
 * A number token used in arithmetic becomes a plain number near -1.888e+289 that resolves to nothing: the template
 * or request would carry it instead of the parameter.
 */
export function expectNoLeakedToken(value: unknown, where: string): void {
  const text = JSON.stringify(value) ?? '';
  const leak = /-?\d(\.\d+)?e\+(28[6-9]|29[0-3])/.exec(text);
  if (leak) {
    const start = Math.max(0, leak.index - 120);
    throw new Error(`${where} holds ${leak[0]}, a number token used in arithmetic: …${text.slice(start, leak.index + 40)}…`);
  }
}
