import { Duration, Token } from 'aws-cdk-lib';
import { wholeSeconds } from '../private/durations';

/** Options shared by every deployment strategy. */
export interface DeploymentStrategyOptions {
  /**
   * How long the old fleet is kept after all traffic moved (the baking period, during which an alarm rolls back).
   * @default Duration.minutes(10)
   */
  readonly baking?: Duration;
  /**
   * Longest the whole deployment may take before SageMaker rolls it back, 10 minutes to 4 hours.
   * @default Duration.hours(1)
   */
  readonly maxExecutionTimeout?: Duration;
}

/** Options of a canary or linear deployment. */
export interface ShiftedDeploymentOptions extends DeploymentStrategyOptions {
  /** Percentage of capacity that gets traffic first (canary) or in each step (linear), 1-99. */
  readonly percent: number;
  /**
   * How long to watch each step before shifting more traffic.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;
}

/** The `DeploymentConfig` of UpdateEndpoint, in the API's shape. */
export interface DeploymentConfigRequest {
  readonly BlueGreenUpdatePolicy: {
    readonly TrafficRoutingConfiguration: {
      readonly Type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';
      readonly WaitIntervalInSeconds: number;
      readonly CanarySize?: { readonly Type: 'CAPACITY_PERCENT'; readonly Value: number };
      readonly LinearStepSize?: { readonly Type: 'CAPACITY_PERCENT'; readonly Value: number };
    };
    readonly TerminationWaitInSeconds: number;
    readonly MaximumExecutionTimeoutInSeconds: number;
  };
  readonly AutoRollbackConfiguration: { readonly Alarms: Array<{ readonly AlarmName: string }> };
}

/**
 * How the pipeline moves an endpoint to a new model: always blue/green (a new fleet next to the old one), with
 * automatic rollback when one of the pipeline's alarms fires during the shift or the baking period.
 */
export class DeploymentStrategy {
  /** All traffic moves to the new fleet at once, then the old fleet waits out the baking period. */
  public static allAtOnce(options: DeploymentStrategyOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy('ALL_AT_ONCE', options, undefined, Duration.seconds(0));
  }

  /** A percentage of capacity gets traffic first; after `interval` the rest moves. */
  public static canary(options: ShiftedDeploymentOptions): DeploymentStrategy {
    return new DeploymentStrategy('CANARY', options, options.percent, options.interval);
  }

  /** Traffic moves in equal steps of `percent`, `interval` apart. */
  public static linear(options: ShiftedDeploymentOptions): DeploymentStrategy {
    return new DeploymentStrategy('LINEAR', options, options.percent, options.interval);
  }

  private constructor(
    private readonly type: 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR',
    private readonly options: DeploymentStrategyOptions,
    private readonly percent: number | undefined,
    private readonly interval: Duration | undefined,
  ) {}

  /** Problems with the settings, each naming the option, the value and the allowed range. */
  public validate(path: string): string[] {
    const problems: string[] = [];
    const check = (name: string, value: Duration | undefined, min: number, max: number) => {
      if (value === undefined) return;
      const { seconds, problem } = wholeSeconds(value, `${path}.${name}`, 'refuse');
      if (problem) problems.push(problem);
      if (seconds !== undefined && (seconds < min || seconds > max)) problems.push(`${path}.${name} must be between ${min} and ${max} seconds, got ${seconds}`);
    };
    check('baking', this.options.baking, 0, 3600);
    check('maxExecutionTimeout', this.options.maxExecutionTimeout, 600, 14400);
    check('interval', this.interval, 0, 3600);
    if (this.percent !== undefined && !Token.isUnresolved(this.percent)
      && (!Number.isInteger(this.percent) || this.percent < 1 || this.percent > 99)) {
      problems.push(`${path}.percent must be a whole number in [1, 99], got ${this.percent}`);
    }
    return problems;
  }

  /**
   * The longest a deployment may take by its own bounds: the maximum execution time, then the termination wait
   * (baking) and every traffic-shift interval. SageMaker may complete an update until then.
   */
  public maximumDuration(): Duration {
    const policy = this.render([]).BlueGreenUpdatePolicy;
    // A percent token could be as small as 1: up to 100 linear steps.
    const percent = this.percent === undefined || Token.isUnresolved(this.percent) ? 1 : this.percent;
    const shifts = this.type === 'LINEAR' ? Math.ceil(100 / percent) : this.type === 'CANARY' ? 1 : 0;
    return Duration.seconds(policy.MaximumExecutionTimeoutInSeconds + policy.TerminationWaitInSeconds
      + shifts * policy.TrafficRoutingConfiguration.WaitIntervalInSeconds);
  }

  /** The UpdateEndpoint `DeploymentConfig` with these alarms as rollback triggers. */
  public render(alarmNames: string[]): DeploymentConfigRequest {
    const step = this.percent === undefined ? {} : this.type === 'CANARY'
      ? { CanarySize: { Type: 'CAPACITY_PERCENT' as const, Value: this.percent } }
      : { LinearStepSize: { Type: 'CAPACITY_PERCENT' as const, Value: this.percent } };
    return {
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: this.type,
          WaitIntervalInSeconds: (this.interval ?? Duration.minutes(5)).toSeconds(),
          ...step,
        },
        TerminationWaitInSeconds: (this.options.baking ?? Duration.minutes(10)).toSeconds(),
        MaximumExecutionTimeoutInSeconds: (this.options.maxExecutionTimeout ?? Duration.hours(1)).toSeconds(),
      },
      AutoRollbackConfiguration: { Alarms: alarmNames.map((AlarmName) => ({ AlarmName })) },
    };
  }
}
