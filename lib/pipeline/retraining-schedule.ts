import { Duration, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { scheduleExpressionProblem } from '../private/schedule-expression';

/**
 * When the pipeline retrains on its own: an EventBridge Scheduler expression, checked at synth against what the
 * Scheduler accepts (six-field cron with `?` in one day field, `rate()` units, `at()` date-times).
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
    return new RetrainingSchedule(`rate(${value} ${value === 1 ? unit : `${unit}s`})`);
  }

  /** At the times a cron expression gives, in UTC (for example `{ weekDay: 'SUN', hour: '3', minute: '0' }`). */
  public static cron(options: events.CronOptions): RetrainingSchedule {
    return RetrainingSchedule.checked('RetrainingSchedule.cron', events.Schedule.cron(options).expressionString);
  }

  /**
   * Any EventBridge Scheduler expression, in UTC: `rate(7 days)`, `cron(0 3 ? * SUN *)` (six fields: minutes hours
   * day-of-month month day-of-week year, `?` in one of the day fields) or `at(2030-01-31T03:00:00)` (once).
   */
  public static expression(expression: string): RetrainingSchedule {
    return RetrainingSchedule.checked('RetrainingSchedule.expression', expression);
  }

  /** No scheduled retraining; runs start from new data or by hand. */
  public static readonly DISABLED = new RetrainingSchedule(undefined);

  /** Weekly, the default. */
  public static readonly WEEKLY = RetrainingSchedule.every(Duration.days(7));

  private static checked(api: string, expression: string): RetrainingSchedule {
    if (!Token.isUnresolved(expression)) {
      const problem = scheduleExpressionProblem(expression);
      if (problem !== undefined) throw new Error(`${api}: ${problem}`);
    }
    return new RetrainingSchedule(expression);
  }

  private constructor(
    /** The EventBridge Scheduler expression, or undefined when disabled. */
    public readonly expression: string | undefined,
  ) {}
}
