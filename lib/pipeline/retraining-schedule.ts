import { Duration, TimeZone, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { scheduleExpressionProblem } from '../private/schedule-expression';

/**
 * When the pipeline retrains on its own: an EventBridge Scheduler expression, checked at synth against what the
 * Scheduler accepts (six-field cron with `?` in one day field, `rate()` units, `at()` date-times), with the time zone
 * its cron and at expressions are read in.
 */
export class RetrainingSchedule {
  /** Every `interval` (at least one hour, whole minutes), counted from the deployment. */
  public static every(interval: Duration): RetrainingSchedule {
    if (interval.isUnresolved()) {
      throw new Error('RetrainingSchedule.every: the interval must be a literal duration (the rate is written at synth), got a token; '
        + 'use RetrainingSchedule.expression(...) with a token expression instead');
    }
    const minutes = interval.toMinutes({ integral: false });
    if (!Number.isInteger(minutes)) {
      throw new Error(`RetrainingSchedule.every: the interval must be a whole number of minutes (EventBridge Scheduler rates count minutes), got ${interval.toHumanString()}`);
    }
    if (minutes < 60) {
      throw new Error(`RetrainingSchedule.every: the interval must be at least 1 hour, got ${interval.toHumanString()}`);
    }
    const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
    return new RetrainingSchedule(`rate(${value} ${value === 1 ? unit : `${unit}s`})`, undefined);
  }

  /**
   * At the times a cron expression gives, in `timeZone` (for example
   * `{ weekDay: 'SUN', hour: '3', minute: '0', timeZone: TimeZone.EUROPE_BERLIN }`), UTC when absent.
   */
  public static cron(options: scheduler.CronOptionsWithTimezone): RetrainingSchedule {
    return RetrainingSchedule.checked('RetrainingSchedule.cron', events.Schedule.cron(options).expressionString, options.timeZone);
  }

  /**
   * Any EventBridge Scheduler expression: `rate(7 days)`, `cron(0 3 ? * SUN *)` (six fields: minutes hours
   * day-of-month month day-of-week year, `?` in one of the day fields) or `at(2030-01-31T03:00:00)` (once). Cron and
   * at expressions are read in `timeZone`; a rate counts from the deployment whatever the time zone.
   * @param timeZone the time zone of cron and at expressions; UTC when absent
   */
  public static expression(expression: string, timeZone?: TimeZone): RetrainingSchedule {
    return RetrainingSchedule.checked('RetrainingSchedule.expression', expression, timeZone);
  }

  /**
   * aws-cdk-lib's EventBridge Scheduler expression (`scheduler.ScheduleExpression.cron({ …, timeZone })`,
   * `.at(date, timeZone)`, `.rate(duration)`, `.expression(text, timeZone)`), with its time zone, checked like
   * `expression()`.
   */
  public static fromScheduleExpression(schedule: scheduler.ScheduleExpression): RetrainingSchedule {
    return RetrainingSchedule.checked('RetrainingSchedule.fromScheduleExpression', schedule.expressionString, schedule.timeZone);
  }

  /** No scheduled retraining; runs start from new data or by hand. */
  public static readonly DISABLED = new RetrainingSchedule(undefined, undefined);

  /** Weekly, the default. */
  public static readonly WEEKLY = RetrainingSchedule.every(Duration.days(7));

  private static checked(api: string, expression: string, timeZone: TimeZone | undefined): RetrainingSchedule {
    const problems: string[] = [];
    if (!Token.isUnresolved(expression)) {
      const problem = scheduleExpressionProblem(expression);
      if (problem !== undefined) problems.push(problem);
    }
    const zoneProblem = timeZone === undefined || Token.isUnresolved(timeZone.timezoneName) ? undefined : timeZoneProblem(timeZone.timezoneName);
    if (zoneProblem !== undefined) problems.push(zoneProblem);
    if (problems.length > 0) throw new Error(`${api}: ${problems.join('; ')}`);
    return new RetrainingSchedule(expression, timeZone);
  }

  /** aws-cdk-lib's form of this schedule; undefined when disabled. */
  public readonly scheduleExpression?: scheduler.ScheduleExpression;

  private constructor(
    /** The EventBridge Scheduler expression, or undefined when disabled. */
    public readonly expression: string | undefined,
    /** The time zone the expression is read in (the schedule's `ScheduleExpressionTimezone`); undefined for UTC. */
    public readonly timeZone: TimeZone | undefined,
  ) {
    this.scheduleExpression = expression === undefined ? undefined : scheduler.ScheduleExpression.expression(expression, timeZone);
  }
}

/** aws-cdk-lib's own time zone names, for the few the Node.js time zone database spells differently. */
const CDK_TIME_ZONE_NAMES = new Set(Object.values(TimeZone)
  .filter((value): value is TimeZone => value instanceof TimeZone)
  .map((zone) => zone.timezoneName));

/**
 * The problem with `name` as a time zone: it must be one aws-cdk-lib knows, or one the ICU time zone database of
 * Node.js resolves (the IANA database EventBridge Scheduler reads too), spelt with its capitals.
 */
function timeZoneProblem(name: string): string | undefined {
  if (CDK_TIME_ZONE_NAMES.has(name)) return undefined;
  let resolved: string | undefined;
  try {
    resolved = name.trim() === '' ? undefined : new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    resolved = undefined;
  }
  if (resolved === undefined) {
    return `the time zone '${name}' is not an IANA time zone name; use one of TimeZone's constants, such as TimeZone.EUROPE_BERLIN, `
      + 'or TimeZone.of(\'America/New_York\')';
  }
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return `write the time zone '${name}' as '${resolved}'`;
  return undefined;
}
