import { Duration, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';

/** When the pipeline retrains on its own. */
export class RetrainingSchedule {
  /** Every `interval` (at least one hour), counted from the deployment. */
  public static every(interval: Duration): RetrainingSchedule {
    if (!Token.isUnresolved(interval) && interval.toMinutes() < 60) {
      throw new Error(`RetrainingSchedule.every: the interval must be at least 1 hour, got ${interval.toHumanString()}`);
    }
    const days = interval.toDays({ integral: false });
    const expression = Number.isInteger(days) ? `rate(${days} ${days === 1 ? 'day' : 'days'})` : `rate(${interval.toMinutes()} minutes)`;
    return new RetrainingSchedule(expression);
  }

  /** At the times a cron expression gives, in UTC (for example `{ weekDay: 'SUN', hour: '3', minute: '0' }`). */
  public static cron(options: events.CronOptions): RetrainingSchedule {
    return new RetrainingSchedule(events.Schedule.cron(options).expressionString);
  }

  /** Any EventBridge Scheduler `rate(…)` or `cron(…)` expression, in UTC. */
  public static expression(expression: string): RetrainingSchedule {
    if (!Token.isUnresolved(expression) && !/^(rate|cron)\(.+\)$/.test(expression)) {
      throw new Error(`RetrainingSchedule.expression: expected 'rate(…)' or 'cron(…)', got '${expression}'`);
    }
    return new RetrainingSchedule(expression);
  }

  /** No scheduled retraining; runs start from new data or by hand. */
  public static readonly DISABLED = new RetrainingSchedule(undefined);

  /** Weekly, the default. */
  public static readonly WEEKLY = RetrainingSchedule.every(Duration.days(7));

  private constructor(
    /** The EventBridge Scheduler expression, or undefined when disabled. */
    public readonly expression: string | undefined,
  ) {}
}
