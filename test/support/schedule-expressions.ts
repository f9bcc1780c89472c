/**
 * Generated EventBridge Scheduler expressions, built from the documented grammar (not from the checker under test):
 * valid ones of every form, and invalid ones that each break one rule, with the words a good message must contain.
 */
import * as fc from 'fast-check';

/** An expression that breaks one rule, and what the message about it must say. */
export interface InvalidExpression {
  readonly expression: string;
  readonly rule: string;
  readonly message: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly increments: boolean;
}

const MINUTES: Field = { name: 'minutes', min: 0, max: 59, increments: true };
const HOURS: Field = { name: 'hours', min: 0, max: 23, increments: true };
const DAY_OF_MONTH: Field = { name: 'day-of-month', min: 1, max: 31, increments: true };
const MONTH: Field = { name: 'month', min: 1, max: 12, names: MONTHS, increments: true };
const DAY_OF_WEEK: Field = { name: 'day-of-week', min: 1, max: 7, names: DAYS, increments: false };
const YEAR: Field = { name: 'year', min: 1970, max: 2199, increments: true };
const FIELDS = [MINUTES, HOURS, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR] as const;

/** A value of the field: a number, or for month and day-of-week its name in any case. */
function value(field: Field, within: [number, number] = [field.min, field.max]): fc.Arbitrary<{ n: number; text: string }> {
  return fc.integer({ min: within[0], max: within[1] }).chain((n) => {
    const name = field.names?.[n - field.min];
    const forms = name ? [String(n), name, name.toLowerCase(), name[0] + name.slice(1).toLowerCase()] : [String(n)];
    return fc.constantFrom(...forms).map((text) => ({ n, text }));
  });
}

/** A list item: a value, an ascending range, or (where allowed) an increment. */
function item(field: Field): fc.Arbitrary<string> {
  // Both ends numbers or both names: a mixed range (2-FRI) is not in the grammar.
  const range = fc.tuple(value(field), value(field)).filter(([a, b]) => a.n <= b.n && /^\d/.test(a.text) === /^\d/.test(b.text))
    .map(([a, b]) => `${a.text}-${b.text}`);
  const items = [value(field).map((v) => v.text), range];
  if (field.increments) {
    const step = fc.integer({ min: 1, max: field.max });
    items.push(fc.tuple(fc.oneof(fc.constant('*'), value(field).map((v) => v.text), range), step).map(([base, n]) => `${base}/${n}`));
  }
  return fc.oneof(...items);
}

/** A valid field: `*`, or a list of one to four items. */
function validField(field: Field): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant('*') },
    { weight: 4, arbitrary: fc.array(item(field), { minLength: 1, maxLength: 4 }).map((items) => items.join(',')) },
  );
}

const validDayOfMonth = fc.oneof(
  { weight: 4, arbitrary: validField(DAY_OF_MONTH) },
  { weight: 1, arbitrary: fc.constantFrom('L', 'LW') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 31 }).map((n) => `${n}W`) },
);
const validDayOfWeek = fc.oneof(
  { weight: 4, arbitrary: validField(DAY_OF_WEEK) },
  { weight: 1, arbitrary: fc.oneof(fc.constant('L'), value(DAY_OF_WEEK).map((d) => `${d.text}L`)) },
  { weight: 1, arbitrary: fc.tuple(value(DAY_OF_WEEK), fc.integer({ min: 1, max: 5 })).map(([d, n]) => `${d.text}#${n}`) },
);

/** Six valid fields, `?` in exactly one day field. */
const validCronFields: fc.Arbitrary<string[]> = fc.tuple(
  validField(MINUTES), validField(HOURS), validDayOfMonth, validField(MONTH), validDayOfWeek, validField(YEAR), fc.boolean(),
).map(([minutes, hours, dom, month, dow, year, dayOfMonthIsAny]) => [minutes, hours, dayOfMonthIsAny ? '?' : dom, month, dayOfMonthIsAny ? dow : '?', year]);

const cron = (fields: readonly string[]): string => `cron(${fields.join(' ')})`;

const validRate = fc.tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom('minute', 'hour', 'day'))
  .map(([n, unit]) => `rate(${n} ${n === 1 ? unit : `${unit}s`})`);

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const validDate = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true });
const atOf = (d: Date): string => `at(${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  + `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())})`;

/** Any expression EventBridge Scheduler accepts. */
export function validScheduleExpression(): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: validCronFields.map(cron) }, { weight: 1, arbitrary: validRate }, { weight: 1, arbitrary: validDate.map(atOf) });
}

const invalid = (rule: string, message: RegExp) => (expression: string): InvalidExpression => ({ expression, rule, message });

/** A field index and a value outside its range (or not a value at all). */
const outOfRangeField = fc.integer({ min: 0, max: 5 }).chain((index) => {
  const field = FIELDS[index];
  const outside = fc.oneof(
    fc.integer({ min: field.max + 1, max: field.max + 100 }),
    ...(field.min > 0 ? [fc.integer({ min: Math.max(0, field.min - 100), max: field.min - 1 })] : []),
  );
  return fc.tuple(fc.constant(index), outside.map(String));
});

/** Expressions that each break one documented rule. */
export function invalidScheduleExpression(): fc.Arbitrary<InvalidExpression> {
  const withField = (fields: string[], index: number, text: string): string[] => {
    const copy = [...fields];
    copy[index] = text;
    // A day field given a value needs ? in the other day field.
    if (index === 2 && text !== '?') copy[4] = '?';
    if (index === 4 && text !== '?') copy[2] = '?';
    return copy;
  };
  return fc.oneof(
    validCronFields.map((f) => invalid('5 fields (Unix cron)', /has 5 fields; EventBridge Scheduler needs 6: minutes hours day-of-month month day-of-week year/)(cron(f.slice(0, 5)))),
    validCronFields.map((f) => invalid('7 fields (Quartz seconds)', /has 7 fields; EventBridge Scheduler needs 6/)(cron(['0', ...f]))),
    fc.integer({ min: 0, max: 4 }).chain((n) => validCronFields.map((f) => invalid(`${n} fields`, new RegExp(`has ${n} fields?; EventBridge Scheduler needs 6`))(cron(f.slice(0, n))))),
    validCronFields.map((f) => invalid('? in both day fields', /\? is in both day-of-month and day-of-week/)(cron([f[0], f[1], '?', f[3], '?', f[5]]))),
    fc.tuple(validCronFields, validField(DAY_OF_MONTH), validField(DAY_OF_WEEK)).map(([f, dom, dow]) =>
      invalid('no ? in either day field', /cannot both be set: use \? in one of them/)(cron([f[0], f[1], dom, f[3], dow, f[5]]))),
    fc.tuple(validCronFields, outOfRangeField).map(([f, [index, text]]) =>
      invalid(`${FIELDS[index].name} out of range`, new RegExp(`${FIELDS[index].name} '${text}'`))(cron(withField(f, index, text)))),
    fc.tuple(validCronFields, fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 })).map(([f, a, n]) =>
      invalid('/ in day-of-week', /day-of-week '.*': '\/' increments are not allowed/)(cron(withField(f, 4, `${a}/${n}`)))),
    fc.tuple(validCronFields, fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([f, d, n]) =>
      invalid('# in a list', /d#n .* stands alone/)(cron(withField(f, 4, `${d}#${n},${d}`)))),
    fc.tuple(validCronFields, fc.integer({ min: 1, max: 7 }), fc.oneof(fc.constant(0), fc.integer({ min: 6, max: 9 }))).map(([f, d, n]) =>
      invalid('# beyond the 5th', /d#n takes a day 1-7 or SUN-SAT and n from 1 to 5/)(cron(withField(f, 4, `${d}#${n}`)))),
    fc.tuple(validCronFields, fc.integer({ min: 0, max: 3 })).map(([f, index]) =>
      invalid('increment 0', /increment .* must be a whole number from 1/)(cron(withField(f, [0, 1, 3, 5][index], '*/0')))),
    fc.tuple(validCronFields, fc.integer({ min: 0, max: 22 }), fc.integer({ min: 1, max: 23 })).filter(([, a, b]) => a + b <= 23).map(([f, a, b]) =>
      invalid('backwards range', /goes backwards; write it as the list/)(cron(withField(f, 1, `${a + b}-${a}`)))),
    fc.tuple(validCronFields, fc.constantFrom('L-2', '1,L', 'W', 'L,LW', '5W-10')).map(([f, text]) =>
      invalid('L or W not alone', /day-of-month '.*'/)(cron(withField(f, 2, text)))),
    fc.tuple(fc.integer({ min: 2, max: 1000 }), fc.constantFrom('minute', 'hour', 'day')).map(([n, unit]) =>
      invalid('singular unit above 1', new RegExp(`write rate\\(${n} ${unit}s\\)`))(`rate(${n} ${unit})`)),
    fc.constantFrom('minutes', 'hours', 'days').map((unit) => invalid('plural unit for 1', new RegExp(`write rate\\(1 ${unit.slice(0, -1)}\\)`))(`rate(1 ${unit})`)),
    fc.constantFrom('rate(0 days)', 'rate(-1 days)', 'rate(1.5 hours)', 'rate(ten days)').map(invalid('value not a positive whole number', /value must be a positive whole number/)),
    fc.tuple(fc.integer({ min: 1, max: 100 }), fc.constantFrom('weeks', 'seconds', 'months', 'Days', 'hrs')).map(([n, unit]) =>
      invalid('unknown unit', /unit must be minute\(s\), hour\(s\) or day\(s\)/)(`rate(${n} ${unit})`)),
    fc.constantFrom('rate(7  days)', 'rate(7days)', 'rate(7 days extra)').map(invalid('not value and unit', /must be rate\(value unit\)/)),
    fc.constantFrom('at(2030-02-30T03:00:00)', 'at(2029-02-29T03:00:00)', 'at(2030-13-01T03:00:00)', 'at(2030-04-31T03:00:00)', 'at(2030-01-01T24:00:00)',
      'at(2030-01-01T03:60:00)', 'at(2030-01-01T03:00:60)', 'at(2030-00-10T03:00:00)')
      .map(invalid('a date-time that does not exist', /is not a date and time that exists/)),
    validDate.map(atOf).chain((at) => fc.constantFrom(at.replace('T', ' '), at.replace(')', 'Z)'), at.replace(/:\d\d\)$/, ')'), at.replace(')', '.000)')))
      .map(invalid('not yyyy-mm-ddThh:mm:ss', /must be at\(yyyy-mm-ddThh:mm:ss\)/)),
    fc.constantFrom('Cron(0 3 ? * SUN *)', 'RATE(7 days)', 'At(2030-01-01T00:00:00)').map(invalid('upper case', /in lower case/)),
    fc.constantFrom('every(7 days)', 'weekly', '0 3 * * *', 'rate 7 days', 'cron(0 3 * * ? *', '').map(invalid('not rate, cron or at', /not a schedule expression|takes rate, cron and at expressions/)),
  );
}
