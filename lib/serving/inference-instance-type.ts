import { Processor } from '../algorithm/algorithm-locations';
import { HOSTING_CPU_FAMILIES, HOSTING_GPU_FAMILIES } from '../private/instance-type-checks';
import { hasLocalStorage, instanceFamily, processorOf } from '../private/instance-type-name';

/**
 * A SageMaker real-time hosting instance type, such as `ml.m5.large`.
 *
 * The constants are the hosting types the algorithm's specification lists, plus a few current CPU types;
 * `InferenceInstanceType.of('ml.g5.xlarge')` takes any other type of a family the algorithm runs on. Whether the type
 * is acceptable is checked when an endpoint uses it, so that every problem is reported at once.
 */
export class InferenceInstanceType {
  /** Any instance type name, with its `ml.` prefix. */
  public static of(name: string): InferenceInstanceType {
    return new InferenceInstanceType(name);
  }

  /** 1 × NVIDIA V100, 8 vCPU, 61 GiB: the algorithm specification's default hosting type. */
  public static readonly ML_P3_2XLARGE = new InferenceInstanceType('ml.p3.2xlarge');
  /** 1 × NVIDIA K80, 4 vCPU, 61 GiB: the type AWS's example notebook hosts on. */
  public static readonly ML_P2_XLARGE = new InferenceInstanceType('ml.p2.xlarge');
  /** 1 × NVIDIA T4, 4 vCPU, 16 GiB; local NVMe storage, so no volume KMS key. */
  public static readonly ML_G4DN_XLARGE = new InferenceInstanceType('ml.g4dn.xlarge');
  /** 1 × NVIDIA A10G, 4 vCPU, 16 GiB; local NVMe storage, so no volume KMS key. Not in the specification's list. */
  public static readonly ML_G5_XLARGE = new InferenceInstanceType('ml.g5.xlarge');
  /** 4 vCPU, 16 GiB. */
  public static readonly ML_M5_XLARGE = new InferenceInstanceType('ml.m5.xlarge');
  /** 4 vCPU, 16 GiB (previous generation). */
  public static readonly ML_M4_XLARGE = new InferenceInstanceType('ml.m4.xlarge');
  /** 2 vCPU, 8 GiB: the default of `EndpointCapacity.instances()`, enough for the small models on CPU. */
  public static readonly ML_M5_LARGE = new InferenceInstanceType('ml.m5.large');
  /** 8 vCPU, 16 GiB. */
  public static readonly ML_C5_2XLARGE = new InferenceInstanceType('ml.c5.2xlarge');
  /** 4 vCPU, 8 GiB. */
  public static readonly ML_C5_XLARGE = new InferenceInstanceType('ml.c5.xlarge');
  /** 4 vCPU, 32 GiB. */
  public static readonly ML_R5_XLARGE = new InferenceInstanceType('ml.r5.xlarge');
  /** 2 vCPU, 16 GiB. */
  public static readonly ML_R5_LARGE = new InferenceInstanceType('ml.r5.large');
  /** 4 vCPU, 8 GiB. */
  public static readonly ML_C6I_XLARGE = new InferenceInstanceType('ml.c6i.xlarge');
  /** 2 vCPU, 4 GiB. */
  public static readonly ML_C6I_LARGE = new InferenceInstanceType('ml.c6i.large');
  /** 2 vCPU, 8 GiB. Not in the specification's list. */
  public static readonly ML_M6I_LARGE = new InferenceInstanceType('ml.m6i.large');
  /** 4 vCPU, 16 GiB. Not in the specification's list. */
  public static readonly ML_M6I_XLARGE = new InferenceInstanceType('ml.m6i.xlarge');
  /** 2 vCPU, 8 GiB. Not in the specification's list. */
  public static readonly ML_M7I_LARGE = new InferenceInstanceType('ml.m7i.large');
  /** 4 vCPU, 8 GiB. Not in the specification's list. */
  public static readonly ML_C7I_XLARGE = new InferenceInstanceType('ml.c7i.xlarge');

  /** The name SageMaker takes, for example `ml.m5.large`. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /** The family, for example `m5`; `undefined` for a token or a malformed name. */
  public get family(): string | undefined {
    return instanceFamily(this.name);
  }

  /** GPU or CPU, by family; `undefined` when the family is not one the algorithm is hosted on. */
  public get processor(): Processor | undefined {
    return processorOf(this.name, HOSTING_GPU_FAMILIES, HOSTING_CPU_FAMILIES);
  }

  /** Whether the instance has local NVMe storage, on which SageMaker refuses an endpoint configuration KMS key. */
  public get hasLocalStorage(): boolean {
    return hasLocalStorage(this.name);
  }

  public toString(): string {
    return this.name;
  }
}
