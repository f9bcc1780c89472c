/** Parsers for option values, for commander: a bad value is a usage error naming the value and what is allowed. */
import { InvalidArgumentError } from 'commander';

/** A whole number in [min, max]. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a whole number in [${min}, ${max}], got '${value}'.`);
    }
    return number;
  };
}

/** A number in [min, max]. */
export function numberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a number in [${min}, ${max}], got '${value}'.`);
    }
    return number;
  };
}
