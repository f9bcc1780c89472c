import { App, Duration, Token } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { imageClassifierPropsFromContext } from '../../lib/app-context';
import { RetrainingSchedule } from '../../lib/pipeline/retraining-schedule';
import { scheduleExpressionProblem } from '../../lib/private/schedule-expression';
import { FUZZ_SEED } from '../fuzz/fuzz-construct';
import { invalidScheduleExpression, validScheduleExpression } from '../support/schedule-expressions';

const RUNS = { seed: FUZZ_SEED, numRuns: 400 };
/** The expressions a message proposes as the fix ("e.g. cron(…)", "write rate(…)"). */
const PROPOSED = /(?:e\.g\.|write|or) ((?:rate|cron|at)\([^)]*\))/g;

describe('EventBridge Scheduler expressions', () => {
  test('every generated valid rate, cron and at expression is accepted', () => {
    fc.assert(fc.property(validScheduleExpression(), (expression) => {
      expect(scheduleExpressionProblem(expression)).toBeUndefined();
    }), RUNS);
  });

  test('every generated invalid expression is refused in one line that quotes it and names the broken rule', () => {
    const rules = new Set<string>();
    fc.assert(fc.property(invalidScheduleExpression(), ({ expression, rule, message }) => {
      rules.add(rule);
      const problem = scheduleExpressionProblem(expression);
      expect(problem).toMatch(message);
      expect(problem).toContain(`'${expression}'`);
      expect(problem).not.toContain('\n');
    }), { ...RUNS, numRuns: 1000 });
    expect(rules.size).toBeGreaterThanOrEqual(20); // the sweep reached (nearly) every rule
  });

  test('every expression a message proposes as the fix is itself accepted', () => {
    let proposals = 0;
    fc.assert(fc.property(invalidScheduleExpression(), ({ expression }) => {
      for (const [, proposed] of scheduleExpressionProblem(expression)!.matchAll(PROPOSED)) {
        proposals++;
        expect([proposed, scheduleExpressionProblem(proposed)]).toEqual([proposed, undefined]);
      }
    }), { ...RUNS, numRuns: 1000 });
    expect(proposals).toBeGreaterThan(300);
  });

  test('a Unix 5-field cron is refused with the six fields and the ? rule, and the Scheduler form of it', () => {
    expect(scheduleExpressionProblem('cron(0 3 * * *)')).toBe("'cron(0 3 * * *)' has 5 fields; EventBridge Scheduler needs 6: "
      + 'minutes hours day-of-month month day-of-week year, with ? in day-of-month or day-of-week, e.g. cron(0 3 * * ? *)');
    // Unix counts week days from 0 = Sunday, the Scheduler from 1 = Sunday: the proposal uses names.
    expect(scheduleExpressionProblem('cron(30 2 * * 1-5)')).toMatch(/e\.g\. cron\(30 2 \? \* MON-FRI \*\)$/);
  });

  test.each([
    ['cron(0 3 * * * *)', /day-of-month '\*' and day-of-week '\*' cannot both be set: use \? in one of them, e\.g\. cron\(0 3 \* \* \? \*\)/],
    ['cron(0 3 ? * 3#1,6#3 *)', /stands alone, one per expression/],
    ['cron(0 3 ? * MON/2 *)', /'\/' increments are not allowed in day-of-week/],
    ['cron(0 22-2 * * ? *)', /the range '22-2' goes backwards; write it as the list 22,23,0,1,2/],
    ['rate(1 hours)', /write rate\(1 hour\)/],
    ['rate(2 weeks)', /e\.g\. rate\(14 days\)/],
    ['at(2030-02-29T03:00:00)', /is not a date and time that exists/],
  ])('refuses %s, saying how to write it', (expression, message) => {
    expect(scheduleExpressionProblem(expression)).toMatch(message);
  });

  test.each(['cron(15 10 ? * 6L 2026-2030)', 'cron(0 3 LW * ? *)', 'cron(0/15 8-17 ? * mon-fri *)', 'cron(0 12 ? * 3#2 *)', 'at(2028-02-29T23:59:59)'])(
    'accepts %s', (expression) => expect(scheduleExpressionProblem(expression)).toBeUndefined());
});

describe('RetrainingSchedule', () => {
  test('expression() and the imageClassifier:retrainSchedule setting give the same verdict on every expression', () => {
    const anyExpression = fc.oneof(validScheduleExpression(), invalidScheduleExpression().map((invalid) => invalid.expression));
    fc.assert(fc.property(anyExpression, (expression) => {
      const byApi = verdict(() => RetrainingSchedule.expression(expression));
      const bySetting = verdict(() => imageClassifierPropsFromContext(new App({ context: { 'imageClassifier:retrainSchedule': expression } }).node));
      expect(bySetting.replace('imageClassifier:retrainSchedule', '<name>')).toBe(byApi.replace('RetrainingSchedule.expression', '<name>'));
    }), { ...RUNS, numRuns: 200 });
  });

  test('expression() passes a token through', () => {
    const token = Token.asString({ resolve: () => 'rate(1 day)' });
    expect(RetrainingSchedule.expression(token).expression).toBe(token);
  });

  test('cron() checks what its options render, naming RetrainingSchedule.cron', () => {
    expect(RetrainingSchedule.cron({ minute: '0', hour: '3', weekDay: 'SUN' }).expression).toBe('cron(0 3 ? * SUN *)');
    expect(() => RetrainingSchedule.cron({ minute: '99', hour: '3' })).toThrow(/^RetrainingSchedule\.cron: 'cron\(99 3 \* \* \? \*\)': minutes '99'/);
  });

  test('every() writes whole days, hours or minutes as the rate, singular for one', () => {
    fc.assert(fc.property(fc.integer({ min: 60, max: 10_000_000 }), (minutes) => {
      const expression = RetrainingSchedule.every(Duration.minutes(minutes)).expression!;
      const [, count, unit] = /^rate\((\d+) (day|hour|minute)s?\)$/.exec(expression)!;
      expect(Number(count) * { day: 1440, hour: 60, minute: 1 }[unit as 'day']).toBe(minutes);
      expect(scheduleExpressionProblem(expression)).toBeUndefined();
    }), RUNS);
    expect(RetrainingSchedule.every(Duration.hours(12)).expression).toBe('rate(12 hours)');
    expect(RetrainingSchedule.every(Duration.days(1)).expression).toBe('rate(1 day)');
  });

  test('every() refuses an interval of part minutes or a token, naming the interval', () => {
    expect(() => RetrainingSchedule.every(Duration.seconds(3601))).toThrow('RetrainingSchedule.every: the interval must be a whole number of minutes');
    expect(() => RetrainingSchedule.every(Duration.seconds(Token.asNumber({ resolve: () => 7200 }))))
      .toThrow(/RetrainingSchedule\.every: the interval must be a literal duration .* got a token/);
  });
});

/** 'ok', or the message of what `build` threw. */
function verdict(build: () => unknown): string {
  try {
    build();
    return 'ok';
  } catch (error) {
    return (error as Error).message.split('\n').pop()!.trim();
  }
}
