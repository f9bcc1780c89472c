import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { EndpointScalingRequests, ProductionVariantRequest } from './endpoint-requests';
import { InferenceInstanceType } from './inference-instance-type';
import { validateInferenceInstanceType } from '../private/instance-type-checks';
import { Processor } from '../algorithm/algorithm-locations';

/** Options of `EndpointCapacity.instances`. */
export interface InstanceCapacityOptions {
  /**
   * The instance type. The inference image (GPU or CPU) follows its family.
   * @default InferenceInstanceType.ML_M5_LARGE
   */
  readonly instanceType?: InferenceInstanceType;
  /**
   * Instances the endpoint starts with and never scales in below (at least 1).
   * @default 1
   */
  readonly minInstances?: number;
  /**
   * Instances autoscaling may scale out to. Equal to `minInstances` means a fixed size and no autoscaling.
   * @default - twice `minInstances` (2 with the default minimum)
   */
  readonly maxInstances?: number;
  /**
   * The autoscaling target: invocations per instance per minute (the `SageMakerVariantInvocationsPerInstance`
   * metric). Load-test the model on the chosen instance type and set about half of what one instance sustains.
   * @default 100
   */
  readonly targetInvocationsPerInstance?: number;
  /**
   * Least time between a scale-in and the next one, in whole seconds.
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;
  /**
   * Least time between a scale-out and the next one, in whole seconds.
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;
}

/** Options of `EndpointCapacity.serverless`. */
export interface ServerlessCapacityOptions {
  /**
   * Memory of each serverless worker: 1 to 6 GiB in whole GiB. The vCPUs SageMaker gives a worker grow with it.
   * @default Size.gibibytes(3)
   */
  readonly memorySize?: Size;
  /**
   * Most concurrent invocations, 1-200 (the account's regional serverless concurrency quota also applies).
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * Concurrency kept warm to avoid cold starts (billed while idle), 1 to `maxConcurrency`.
   * @default - none: every worker starts on demand
   */
  readonly provisionedConcurrency?: number;
}

/**
 * How an endpoint gets its compute: real-time instances with target-tracking autoscaling, or serverless.
 *
 * Serverless runs on CPU only and SageMaker supports neither network isolation, a VPC, data capture nor an endpoint
 * configuration KMS key for it. An endpoint cannot be switched from instances to serverless by an update (SageMaker
 * refuses it); switching needs a new endpoint name.
 */
export abstract class EndpointCapacity {
  /** Real-time instances, scaled between `minInstances` and `maxInstances` on invocations per instance. */
  public static instances(options: InstanceCapacityOptions = {}): InstanceCapacity {
    return new InstanceCapacity(options);
  }

  /** Serverless inference: scales to zero, billed per request duration, cold starts after idle time. */
  public static serverless(options: ServerlessCapacityOptions = {}): ServerlessCapacity {
    return new ServerlessCapacity(options);
  }

  /** Whether the endpoint is serverless. */
  public abstract readonly isServerless: boolean;

  /** The processor of the compute, which decides the inference image. */
  public abstract get processor(): Processor;

  /** @internal */
  public abstract _validate(path: string): string[];

  /** @internal The capacity members of the production variant. */
  public abstract _renderVariant(): Pick<ProductionVariantRequest, 'InstanceType' | 'InitialInstanceCount' | 'ServerlessConfig'>;

  /** @internal The autoscaling requests, or `undefined` where nothing scales. */
  public abstract _renderScaling(endpointName: string, variantName: string): EndpointScalingRequests | undefined;
}

const DEFAULT_TARGET_INVOCATIONS = 100;
const DEFAULT_SCALE_IN_COOLDOWN = Duration.minutes(5);
const DEFAULT_SCALE_OUT_COOLDOWN = Duration.minutes(1);
/** Autoscaling policies of a variant are upserted under this name, by CloudFormation and by the pipeline alike. */
const SCALING_POLICY_NAME = 'InvocationsPerInstanceTargetTracking';

/** Real-time instance capacity. Create it with `EndpointCapacity.instances()`. */
export class InstanceCapacity extends EndpointCapacity {
  public readonly isServerless = false;
  public readonly instanceType: InferenceInstanceType;
  public readonly minInstances: number;
  public readonly maxInstances: number;
  public readonly targetInvocationsPerInstance: number;
  public readonly scaleInCooldown: Duration;
  public readonly scaleOutCooldown: Duration;

  /** @internal */
  constructor(options: InstanceCapacityOptions) {
    super();
    this.instanceType = options.instanceType ?? InferenceInstanceType.ML_M5_LARGE;
    this.minInstances = options.minInstances ?? 1;
    this.maxInstances = options.maxInstances ?? this.minInstances * 2;
    this.targetInvocationsPerInstance = options.targetInvocationsPerInstance ?? DEFAULT_TARGET_INVOCATIONS;
    this.scaleInCooldown = options.scaleInCooldown ?? DEFAULT_SCALE_IN_COOLDOWN;
    this.scaleOutCooldown = options.scaleOutCooldown ?? DEFAULT_SCALE_OUT_COOLDOWN;
  }

  /** GPU or CPU by the instance family; CPU for a token instance type. */
  public get processor(): Processor {
    return this.instanceType.processor ?? Processor.CPU;
  }

  /** Whether autoscaling applies (`maxInstances` above `minInstances`). */
  public get autoscaling(): boolean {
    return this.maxInstances > this.minInstances;
  }

  /** @internal */
  public _validate(path: string): string[] {
    const problems = validateInferenceInstanceType(this.instanceType, `${path}.instanceType`);
    const { minInstances: min, maxInstances: max } = this;
    const minOk = isWholeInRange(min, 1, Infinity);
    if (!minOk) problems.push(`${path}.minInstances must be a whole number, at least 1, got ${min}`);
    if (!isWholeInRange(max, 1, Infinity)) {
      problems.push(`${path}.maxInstances must be a whole number, at least 1, got ${max}`);
    } else if (minOk && !Token.isUnresolved(max) && !Token.isUnresolved(min) && max < min) {
      problems.push(`${path}.maxInstances must be at least minInstances (${min}), got ${max}`);
    }
    const target = this.targetInvocationsPerInstance;
    if (!Token.isUnresolved(target) && !(Number.isFinite(target) && target > 0)) {
      problems.push(`${path}.targetInvocationsPerInstance must be a number of invocations per instance per minute above 0, got ${target}`);
    }
    for (const [name, cooldown] of [['scaleInCooldown', this.scaleInCooldown], ['scaleOutCooldown', this.scaleOutCooldown]] as const) {
      const seconds = cooldown.toSeconds({ integral: false });
      if (!Token.isUnresolved(seconds) && !Number.isInteger(seconds)) {
        problems.push(`${path}.${name} must be a whole number of seconds, got ${cooldown.toHumanString()}`);
      }
    }
    return problems;
  }

  /** @internal */
  public _renderVariant() {
    return { InstanceType: this.instanceType.name, InitialInstanceCount: this.minInstances };
  }

  /** @internal */
  public _renderScaling(endpointName: string, variantName: string): EndpointScalingRequests | undefined {
    if (!this.autoscaling) return undefined;
    const target = {
      ServiceNamespace: 'sagemaker',
      ResourceId: `endpoint/${endpointName}/variant/${variantName}`,
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
    } as const;
    return {
      registerScalableTarget: { ...target, MinCapacity: this.minInstances, MaxCapacity: this.maxInstances },
      putScalingPolicy: {
        ...target,
        PolicyName: SCALING_POLICY_NAME,
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: this.targetInvocationsPerInstance,
          PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          ScaleInCooldown: this.scaleInCooldown.toSeconds(),
          ScaleOutCooldown: this.scaleOutCooldown.toSeconds(),
        },
      },
    };
  }
}

const DEFAULT_MEMORY = Size.gibibytes(3);
const DEFAULT_MAX_CONCURRENCY = 5;
const MAX_CONCURRENCY_LIMIT = 200;

/** Serverless capacity. Create it with `EndpointCapacity.serverless()`. */
export class ServerlessCapacity extends EndpointCapacity {
  public readonly isServerless = true;
  public readonly memorySize: Size;
  public readonly maxConcurrency: number;
  public readonly provisionedConcurrency?: number;

  /** @internal */
  constructor(options: ServerlessCapacityOptions) {
    super();
    this.memorySize = options.memorySize ?? DEFAULT_MEMORY;
    this.maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.provisionedConcurrency = options.provisionedConcurrency;
  }

  /** Serverless endpoints run on CPU only. */
  public get processor(): Processor {
    return Processor.CPU;
  }

  /** @internal */
  public _validate(path: string): string[] {
    const problems: string[] = [];
    const mib = this.memorySize.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!Token.isUnresolved(mib) && !(isWholeInRange(mib / 1024, 1, 6))) {
      problems.push(`${path}.memorySize must be 1 to 6 GiB in whole GiB (1024, 2048, 3072, 4096, 5120 or 6144 MiB), got ${mib} MiB`);
    }
    const max = this.maxConcurrency;
    const maxOk = isWholeInRange(max, 1, MAX_CONCURRENCY_LIMIT);
    if (!maxOk) problems.push(`${path}.maxConcurrency must be a whole number in [1, ${MAX_CONCURRENCY_LIMIT}], got ${max}`);
    const provisioned = this.provisionedConcurrency;
    if (provisioned !== undefined && !isWholeInRange(provisioned, 1, maxOk ? max : MAX_CONCURRENCY_LIMIT)) {
      problems.push(`${path}.provisionedConcurrency must be a whole number from 1 to maxConcurrency (${max}), got ${provisioned}`);
    }
    return problems;
  }

  /** @internal */
  public _renderVariant() {
    return {
      ServerlessConfig: {
        MemorySizeInMB: this.memorySize.toMebibytes(),
        MaxConcurrency: this.maxConcurrency,
        ...(this.provisionedConcurrency !== undefined ? { ProvisionedConcurrency: this.provisionedConcurrency } : {}),
      },
    };
  }

  /** @internal Serverless endpoints scale by themselves. */
  public _renderScaling(): undefined {
    return undefined;
  }
}

/** Whether `value` is a whole number in [min, max]; a token passes. */
function isWholeInRange(value: number, min: number, max: number): boolean {
  return Token.isUnresolved(value) || (Number.isInteger(value) && value >= min && value <= max);
}
