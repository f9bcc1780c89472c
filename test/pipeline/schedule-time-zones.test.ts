import { Duration, TimeZone, Token } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as fc from 'fast-check';
import { pipelineFixture } from './fixture';
import { RetrainingSchedule } from '../../lib/pipeline/retraining-schedule';
import { scheduleExpressionProblem } from '../../lib/private/schedule-expression';
import { FUZZ_SEED } from '../fuzz/fuzz-construct';
import { invalidScheduleExpression, validScheduleExpression } from '../support/schedule-expressions';

const RUNS = { seed: FUZZ_SEED, numRuns: 200 };

/** Every time zone constant aws-cdk-lib ships. */
const CDK_TIME_ZONES = Object.values(TimeZone).filter((value): value is TimeZone => value instanceof TimeZone);

describe('RetrainingSchedule and scheduler.ScheduleExpression', () => {
  test('fromScheduleExpression keeps the expression and time zone of every aws-cdk-lib schedule kind', () => {
    const berlin = TimeZone.EUROPE_BERLIN;
    const cases = [
      scheduler.ScheduleExpression.cron({ weekDay: 'SUN', hour: '3', minute: '0', timeZone: berlin }),
      scheduler.ScheduleExpression.at(new Date(Date.UTC(2030, 0, 31, 3)), TimeZone.AMERICA_NEW_YORK),
      scheduler.ScheduleExpression.rate(Duration.days(7)),
      scheduler.ScheduleExpression.expression('cron(0/15 8-17 ? * MON-FRI *)', TimeZone.ASIA_TOKYO),
    ];
    for (const expression of cases) {
      const schedule = RetrainingSchedule.fromScheduleExpression(expression);
      expect([schedule.expression, schedule.timeZone?.timezoneName]).toEqual([expression.expressionString, expression.timeZone?.timezoneName]);
      expect([schedule.scheduleExpression!.expressionString, schedule.scheduleExpression!.timeZone?.timezoneName])
        .toEqual([expression.expressionString, expression.timeZone?.timezoneName]);
    }
  });

  test('fromScheduleExpression applies the Scheduler grammar check to every literal expression, as expression() does', () => {
    const anyExpression = fc.oneof(validScheduleExpression(), invalidScheduleExpression().map((invalid) => invalid.expression));
    fc.assert(fc.property(anyExpression, (expression) => {
      const problem = scheduleExpressionProblem(expression);
      const build = () => RetrainingSchedule.fromScheduleExpression(scheduler.ScheduleExpression.expression(expression, TimeZone.EUROPE_PARIS));
      if (problem === undefined) expect(build().expression).toBe(expression);
      else expect(build).toThrow(`RetrainingSchedule.fromScheduleExpression: ${problem}`);
    }), RUNS);
  });

  test('a token expression passes unchecked with its time zone', () => {
    const token = Token.asString({ resolve: () => 'rate(1 day)' });
    const schedule = RetrainingSchedule.fromScheduleExpression(scheduler.ScheduleExpression.expression(token, TimeZone.ASIA_TOKYO));
    expect([schedule.expression, schedule.timeZone?.timezoneName]).toEqual([token, 'Asia/Tokyo']);
  });

  test('cron() and expression() take a time zone; without one the schedule is in UTC (no time zone written)', () => {
    const cron = RetrainingSchedule.cron({ weekDay: 'MON', hour: '6', minute: '30', timeZone: TimeZone.AUSTRALIA_SYDNEY });
    expect([cron.expression, cron.timeZone?.timezoneName]).toEqual(['cron(30 6 ? * MON *)', 'Australia/Sydney']);
    expect(RetrainingSchedule.expression('at(2030-01-31T03:00:00)', TimeZone.of('America/Sao_Paulo')).timeZone?.timezoneName).toBe('America/Sao_Paulo');
    expect(RetrainingSchedule.cron({ hour: '3', minute: '0' }).timeZone).toBeUndefined();
    expect(RetrainingSchedule.WEEKLY.timeZone).toBeUndefined();
  });
});

describe('time zones', () => {
  test('every time zone constant of aws-cdk-lib and every zone of the Node.js database is accepted', () => {
    const names = [...CDK_TIME_ZONES.map((zone) => zone.timezoneName), ...Intl.supportedValuesOf('timeZone')];
    expect(names.length).toBeGreaterThan(400);
    for (const name of names) {
      expect([name, RetrainingSchedule.expression('cron(0 3 ? * SUN *)', TimeZone.of(name)).timeZone?.timezoneName]).toEqual([name, name]);
    }
  });

  test.each([
    ['Mars/Olympus_Mons', /the time zone 'Mars\/Olympus_Mons' is not an IANA time zone name; use one of TimeZone's constants/],
    ['', /the time zone '' is not an IANA time zone name/],
    ['GMT+25', /the time zone 'GMT\+25' is not an IANA time zone name/],
    ['europe/berlin', /write the time zone 'europe\/berlin' as 'Europe\/Berlin'/],
  ])('refuses the time zone %p, naming the API and the fix', (name, message) => {
    expect(() => RetrainingSchedule.cron({ hour: '3', minute: '0', timeZone: TimeZone.of(name) })).toThrow(/^RetrainingSchedule\.cron: /);
    expect(() => RetrainingSchedule.cron({ hour: '3', minute: '0', timeZone: TimeZone.of(name) })).toThrow(message);
  });

  test('a bad expression and a bad time zone are reported together', () => {
    expect(() => RetrainingSchedule.expression('cron(0 3 * * *)', TimeZone.of('Nowhere/City')))
      .toThrow(/^RetrainingSchedule\.expression: 'cron\(0 3 \* \* \*\)' has 5 fields.*; the time zone 'Nowhere\/City' is not/);
  });
});

describe('the pipeline\'s schedule', () => {
  test('carries the time zone as ScheduleExpressionTimezone', () => {
    const fixture = pipelineFixture({ schedule: RetrainingSchedule.cron({ weekDay: 'SUN', hour: '3', minute: '0', timeZone: TimeZone.EUROPE_BERLIN }) });
    fixture.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 ? * SUN *)', ScheduleExpressionTimezone: 'Europe/Berlin' });
  });

  test('writes no time zone for a UTC schedule', () => {
    const fixture = pipelineFixture();
    fixture.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(7 days)', ScheduleExpressionTimezone: Match.absent() });
  });
});
