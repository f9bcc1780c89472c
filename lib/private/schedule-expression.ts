/**
 * The schedule expressions EventBridge Scheduler accepts, checked at synth so that a wrong one fails `cdk synth`
 * instead of the deploy: `rate(value unit)`, `cron(minutes hours day-of-month month day-of-week year)` and
 * `at(yyyy-mm-ddThh:mm:ss)`. `RetrainingSchedule` and the app's `imageClassifier:retrainSchedule` setting share it.
 *
 * Written here rather than taken from npm: the most used validator (cron-validate, preset 'aws-cloud-watch') accepts
 * `/` in day-of-week and `L-2` in day-of-month, which the Scheduler's documented grammar does not list, depends on a
 * schema library (yup) a construct library should not pull in, and reports "Expected 6 values, but got 5." where a
 * user needs the corrected expression; aws-cron-parser computes occurrences and validates little. The grammar is
 * the AWS documentation's (EventBridge cron and rate expression references, Scheduler schedule types):
 *
 * | field        | values          | wildcards     |
 * | minutes      | 0-59            | , - * /       |
 * | hours        | 0-23            | , - * /       |
 * | day-of-month | 1-31            | , - * ? / L W |
 * | month        | 1-12 or JAN-DEC | , - * /       |
 * | day-of-week  | 1-7 or SUN-SAT  | , - * ? L #   |
 * | year         | 1970-2199       | , - * /       |
 *
 * with `?` in exactly one of the two day fields, `#` alone in day-of-week (`3#1,6#3` is refused), and a rate's unit
 * singular for 1 and plural above. Where the documentation is silent the check takes the side whose fix always works:
 * a descending range (`FRI-MON`) is refused with its list as the fix, so is a range mixing a number and a name
 * (`2-FRI`), and `LW` (the last weekday, accepted by the
 * service as users report) is allowed. Names are case-insensitive, as in the service.
 */

/** What one cron field allows. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names standing for values (JAN = 1, SUN = 1). */
  readonly names?: readonly string[];
  /** Whether `/` increments are allowed. */
  readonly increments: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEK_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const MINUTES: CronField = { name: 'minutes', min: 0, max: 59, increments: true };
const HOURS: CronField = { name: 'hours', min: 0, max: 23, increments: true };
const DAY_OF_MONTH: CronField = { name: 'day-of-month', min: 1, max: 31, increments: true };
const MONTH: CronField = { name: 'month', min: 1, max: 12, names: MONTHS, increments: true };
const DAY_OF_WEEK: CronField = { name: 'day-of-week', min: 1, max: 7, names: WEEK_DAYS, increments: false };
const YEAR: CronField = { name: 'year', min: 1970, max: 2199, increments: true };

const FIELD_ORDER = 'minutes hours day-of-month month day-of-week year';
const CRON_EXAMPLE = 'cron(0 3 ? * SUN *)';
const RATE_UNITS: Readonly<Record<string, number>> = { minute: 1, hour: 60, day: 1440 };

/**
 * The problem with `expression` as an EventBridge Scheduler schedule expression, naming what is wrong and how to
 * write it instead; `undefined` when the Scheduler accepts it.
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const kind = /^([A-Za-z]+)\((.*)\)$/s.exec(expression);
  if (!kind) {
    return `'${expression}' is not a schedule expression; use rate(7 days), ${CRON_EXAMPLE} or at(2030-01-31T03:00:00)`;
  }
  const [, name, inner] = kind;
  switch (name) {
    case 'rate': return rateProblem(expression, inner);
    case 'cron': return cronProblem(expression, inner);
    case 'at': return atProblem(expression, inner);
  }
  const lower = name.toLowerCase();
  if (lower === 'rate' || lower === 'cron' || lower === 'at') return `'${expression}': write '${lower}' in lower case`;
  return `'${expression}': EventBridge Scheduler takes rate, cron and at expressions, not '${name}'`;
}

// ---- rate(value unit) ---------------------------------------------------------------------------------------------

function rateProblem(expression: string, inner: string): string | undefined {
  const parts = /^(\S+) (\S+)$/.exec(inner);
  if (!parts) return `'${expression}' must be rate(value unit) with one space, like rate(7 days)`;
  const [, valueText, unitText] = parts;
  const singular = unitText.endsWith('s') ? unitText.slice(0, -1) : unitText;
  const unitMinutes = RATE_UNITS[singular];
  if (unitMinutes === undefined) {
    const weeks = /^weeks?$/i.test(unitText) && /^\d+$/.test(valueText) ? `, e.g. ${rate(Number(valueText) * 7, 'day')}` : '';
    return `'${expression}': the unit must be minute(s), hour(s) or day(s)${weeks}`;
  }
  const value = Number(valueText);
  if (!/^\d+$/.test(valueText) || value < 1) {
    const minutes = value * unitMinutes;
    const fix = Number.isFinite(minutes) && minutes > 0 && Number.isInteger(minutes) ? `, e.g. ${rate(minutes, 'minute')}` : '';
    return `'${expression}': the value must be a positive whole number${fix}`;
  }
  if (unitText !== (value === 1 ? singular : `${singular}s`)) {
    return `'${expression}': the unit is singular for 1 and plural above; write ${rate(value, singular)}`;
  }
  return undefined;
}

/** `rate(n unit)` with the unit singular for 1. */
function rate(value: number, unit: string): string {
  return `rate(${value} ${value === 1 ? unit : `${unit}s`})`;
}

// ---- at(yyyy-mm-ddThh:mm:ss) ----------------------------------------------------------------------------------------

function atProblem(expression: string, inner: string): string | undefined {
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(inner);
  if (!parts) return `'${expression}' must be at(yyyy-mm-ddThh:mm:ss), like at(2030-01-31T03:00:00), without a time zone or fraction`;
  const [year, month, day, hour, minute, second] = parts.slice(1).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    return `'${expression}' is not a date and time that exists; give a real date (yyyy-mm-dd) and a time from 00:00:00 to 23:59:59`;
  }
  return undefined;
}

// ---- cron(minutes hours day-of-month month day-of-week year) -------------------------------------------------------

function cronProblem(expression: string, inner: string): string | undefined {
  const fields = inner.trim() === '' ? [] : inner.trim().split(/\s+/);
  if (fields.length !== 6) {
    const suggestion = fields.length === 5 ? fromFiveFields(fields) : fields.length === 7 ? fromSevenFields(fields) : undefined;
    const example = suggestion !== undefined && cronProblem(suggestion, suggestion.slice(5, -1)) === undefined ? suggestion : 'cron(0 3 * * ? *)';
    return `'${expression}' has ${fields.length} field${fields.length === 1 ? '' : 's'}; EventBridge Scheduler needs 6: ${FIELD_ORDER}, `
      + `with ? in day-of-month or day-of-week, e.g. ${example}`;
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  const problems = [
    fieldProblem(MINUTES, minutes),
    fieldProblem(HOURS, hours),
    dayOfMonth === '?' ? undefined : dayOfMonthProblem(dayOfMonth),
    fieldProblem(MONTH, month),
    dayOfWeek === '?' ? undefined : dayOfWeekProblem(dayOfWeek),
    fieldProblem(YEAR, year),
  ].filter((problem): problem is string => problem !== undefined);
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) problems.push(dayFieldsProblem(fields));
  return problems.length === 0 ? undefined : `'${expression}': ${problems.join('; ')}`;
}

/** Exactly one of day-of-month and day-of-week is `?`, with the expression that fixes it. */
function dayFieldsProblem(fields: readonly string[]): string {
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  if (dayOfMonth === '?') {
    return `? is in both day-of-month and day-of-week; give one of them a value, e.g. cron(${[minutes, hours, '*', month, '?', year].join(' ')})`;
  }
  const fixes = [
    ...(dayOfWeek === '*' || dayOfMonth !== '*' ? [[minutes, hours, dayOfMonth, month, '?', year]] : []),
    ...(dayOfMonth === '*' || dayOfWeek !== '*' ? [[minutes, hours, '?', month, dayOfWeek, year]] : []),
  ].map((f) => `cron(${f.join(' ')})`);
  return `day-of-month '${dayOfMonth}' and day-of-week '${dayOfWeek}' cannot both be set: use ? in one of them, e.g. ${fixes.join(' or ')}`;
}

/** A Unix (5-field) expression as the Scheduler writes it: `?` in the unused day field, Unix 0-6 week days as names. */
function fromFiveFields([minutes, hours, dayOfMonth, month, dayOfWeek]: readonly string[]): string {
  const unixDays = dayOfWeek.replace(/\d+/g, (n) => WEEK_DAYS[Number(n) % 7] ?? n);
  const days = dayOfWeek === '*' || dayOfWeek === '?' ? [dayOfMonth, '?'] : ['?', unixDays];
  return `cron(${[minutes, hours, days[0], month, days[1], '*'].join(' ')})`;
}

/** A Quartz expression with seconds: the same without its seconds field, when it fires at second 0. */
function fromSevenFields(fields: readonly string[]): string | undefined {
  return fields[0] === '0' ? `cron(${fields.slice(1).join(' ')})` : undefined;
}

function dayOfMonthProblem(text: string): string | undefined {
  if (text === 'L' || text === 'LW') return undefined;
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) return inRange(DAY_OF_MONTH, Number(weekday[1])) ? undefined : `${DAY_OF_MONTH.name} '${text}': nW takes a day 1-31`;
  if (/[LW]/i.test(text)) {
    return `${DAY_OF_MONTH.name} '${text}': L (last day), LW (last weekday) and nW (weekday nearest day n) stand alone, not in lists, ranges or with offsets`;
  }
  return fieldProblem(DAY_OF_MONTH, text);
}

function dayOfWeekProblem(text: string): string | undefined {
  if (text.includes('#')) {
    const nth = /^([^#,\-/]+)#(\d+)$/.exec(text);
    if (!nth) return `${DAY_OF_WEEK.name} '${text}': d#n (the nth d of the month) stands alone, one per expression`;
    if (valueOf(DAY_OF_WEEK, nth[1]) === undefined || !/^[1-5]$/.test(nth[2])) {
      return `${DAY_OF_WEEK.name} '${text}': d#n takes a day 1-7 or SUN-SAT and n from 1 to 5, like 3#2 (second Tuesday)`;
    }
    return undefined;
  }
  if (text === 'L') return undefined;
  const last = /^(.+)L$/i.exec(text);
  if (last && !/[,\-/*]/.test(last[1])) {
    return valueOf(DAY_OF_WEEK, last[1]) === undefined ? `${DAY_OF_WEEK.name} '${text}': dL takes a day 1-7 or SUN-SAT, like 6L (last Friday)` : undefined;
  }
  if (/L/i.test(text.replace(/\b(SUN|MON|TUE|WED|THU|FRI|SAT)\b/gi, ''))) {
    return `${DAY_OF_WEEK.name} '${text}': L (Saturday) and dL (last day d of the month) stand alone, not in lists or ranges`;
  }
  return fieldProblem(DAY_OF_WEEK, text);
}

/** A field of values, ranges, lists, `*` and (where allowed) increments. */
function fieldProblem(field: CronField, text: string): string | undefined {
  if (text === '*') return undefined;
  const values = field.names ? `${field.min}-${field.max} or ${field.names[0]}-${field.names[field.names.length - 1]}` : `${field.min}-${field.max}`;
  const allowed = `values ${values}, ranges (a-b), lists (a,b)${field.increments ? ', increments (a/n, */n)' : ''} or *`;
  for (const item of text.split(',')) {
    const problem = itemProblem(field, item, text.includes(','));
    if (problem !== undefined) return `${field.name} '${text}': ${problem}; the field takes ${allowed}`;
  }
  return undefined;
}

function itemProblem(field: CronField, item: string, inList: boolean): string | undefined {
  const [base, step, ...extra] = item.split('/');
  if (extra.length > 0) return `'${item}' has more than one /`;
  if (step !== undefined) {
    if (!field.increments) return `'/' increments are not allowed in ${field.name}`;
    if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > field.max) return `the increment in '${item}' must be a whole number from 1 to ${field.max}`;
    if (base === '*') return undefined;
  }
  if (base === '*') return inList ? `* cannot be part of a list` : undefined;
  if (base === '?') return `? is only for day-of-month or day-of-week, alone`;
  const range = base.split('-');
  if (range.length > 2) return `'${item}' is not a value or a range a-b`;
  if (range.length === 2 && /^\d+$/.test(range[0]) !== /^\d+$/.test(range[1])) return `the range '${base}' mixes a number and a name; use two of either`;
  const bounds = range.map((text) => valueOf(field, text));
  const unknown = range.find((_, index) => bounds[index] === undefined);
  if (unknown !== undefined) return `'${unknown}' is not a ${field.name} value`;
  if (bounds.length === 2 && bounds[0]! > bounds[1]!) {
    const list = [...span(bounds[0]!, field.max), ...span(field.min, bounds[1]!)].join(',');
    return `the range '${base}' goes backwards; write it as the list ${list}`;
  }
  return undefined;
}

/** The number a field value stands for (a number in range, or a name); `undefined` when it is neither. */
function valueOf(field: CronField, text: string): number | undefined {
  if (/^\d+$/.test(text)) return inRange(field, Number(text)) ? Number(text) : undefined;
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? field.min + index : undefined;
}

function inRange(field: CronField, value: number): boolean {
  return Number.isInteger(value) && value >= field.min && value <= field.max;
}

function span(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
