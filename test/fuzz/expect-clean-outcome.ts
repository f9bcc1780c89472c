/**
 * The fuzz tests' verdict on one call: it either returns, or throws an `Error` that tells the caller which prop to fix.
 *
 * A clean rejection is a plain `Error` (the class every validation in `lib/` throws) whose message names one of the
 * construct's props, hyperparameters or option fields; when it lists several problems (one per line after a header,
 * as the constructors collect them), the header names the prop or every line names one. Anything else is a library
 * bug:
 * - another class: a `TypeError`, `RangeError` or `ReferenceError` is a crash; aws-cdk-lib's `ValidationError` and
 *   `UnscopedValidationError` (subclasses of `Error`) mean a value reached aws-cdk-lib unchecked, and their messages
 *   name aws-cdk-lib's parameters, not this library's props. No subclass is accepted.
 * - a message that leaks the implementation: `undefined`, `Cannot read properties`, `is not a function`,
 *   `[object Object]`, or a number near -1.888e+289 (an unresolved number token used in arithmetic).
 */

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Error };

export interface CleanOutcomeOptions {
  /** The props, hyperparameters or option fields a message may name, as paths (`capacity.minInstances`). */
  readonly names: readonly string[];
  /**
   * Strings the caller passed in. They are blanked out of the message before it is judged, since a message may
   * quote them and they may contain anything (line breaks, prop names, the word `undefined`).
   */
  readonly inputs?: readonly string[];
}

const IMPLEMENTATION_LEAKS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bundefined\b/, "the word 'undefined'"],
  [/Cannot read propert/, 'a property read on undefined or null'],
  [/is not a function/, 'a call of something that is not a function'],
  [/is not iterable/, 'an iteration over something that is not iterable'],
  [/\[object Object\]/, "an object rendered as '[object Object]'"],
  [/e\+(28[6-9]|29[0-3])\b/, 'a number token used in arithmetic (a value near -1.888e+289)'],
];

/**
 * Runs `thunk` and returns what happened; fails (throws) unless it returned or threw a clean rejection.
 */
export function expectCleanOutcome<T>(thunk: () => T, options: CleanOutcomeOptions | readonly string[]): Outcome<T> {
  const { names, inputs = [] } = Array.isArray(options) ? { names: options } : options as CleanOutcomeOptions;
  let value: T;
  try {
    value = thunk();
  } catch (caught) {
    const problem = uncleanRejection(caught, names, inputs);
    if (problem) {
      throw new Error(`${problem}\n--- the error thrown:\n${describeError(caught)}`);
    }
    return { ok: false, error: caught as Error };
  }
  return { ok: true, value };
}

/** Why `caught` is not a clean rejection, or `undefined` when it is one. */
export function uncleanRejection(caught: unknown, names: readonly string[], inputs: readonly string[] = []): string | undefined {
  if (!(caught instanceof Error)) return `threw a non-Error value (${typeof caught})`;
  if (caught.constructor !== Error) return `threw ${caught.constructor.name}, not a plain Error`;
  const message = blankInputs(caught.message, inputs);
  for (const [pattern, what] of IMPLEMENTATION_LEAKS) {
    if (pattern.test(message)) return `the message shows ${what}`;
  }
  // One line names a prop; several are a header and one problem a line: a header naming the prop covers its lines
  // (`sourceFolder '…' is not a dataset:`), otherwise (`invalid X props:`) every line names its own.
  const lines = message.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const namesOne = (line: string): boolean => names.some((name) => mentions(line, name));
  const problems = lines.length === 1 || namesOne(lines[0]) ? [lines[0]] : lines.slice(1);
  const anonymous = problems.find((line) => !namesOne(line));
  if (anonymous !== undefined) {
    return `the message does not name any of ${names.join(', ')} in: ${anonymous}`;
  }
  return undefined;
}

/** Whether `text` names `path` as a whole word: `capacity.minInstances` in `capacity.minInstances must…` or `trainingInstanceTypes[2]`. */
export function mentions(text: string, path: string): boolean {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.])${escaped}(?![\\w])`).test(text);
}

function blankInputs(message: string, inputs: readonly string[]): string {
  // Messages quote string values ('…', or JSON's "…"); blanking only quoted forms leaves the prop names alone.
  const forms = inputs.filter((input) => input !== '')
    .flatMap((input) => [`'${input}'`, `'ml.${input}'`, JSON.stringify(input)])
    .sort((a, b) => b.length - a.length);
  let blanked = message;
  for (const form of forms) blanked = blanked.split(form).join("'<input>'");
  return blanked;
}

function describeError(caught: unknown): string {
  if (!(caught instanceof Error)) return String(caught);
  const frames = (caught.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 6);
  return [`${caught.constructor.name}: ${caught.message}`, ...frames].join('\n');
}
