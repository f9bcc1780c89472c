import { Processor } from '../algorithm/algorithm-locations';
import { TRANSFORM_CPU_FAMILIES, TRANSFORM_GPU_FAMILIES } from '../private/instance-type-checks';
import { hasLocalStorage, instanceFamily, processorOf } from '../private/instance-type-name';

/**
 * A SageMaker Batch Transform instance type, such as `ml.m5.xlarge`.
 *
 * Batch Transform offers fewer families than hosting and training (no r5, m5d, c5d, p4d or t-types); the constants are
 * common choices, `BatchInstanceType.of('ml.c6i.2xlarge')` takes any other type of a family the algorithm runs on.
 * Whether the type is acceptable is checked when a `BatchClassification` uses it, so that every problem is reported
 * at once.
 */
export class BatchInstanceType {
  /** Any instance type name, with its `ml.` prefix. */
  public static of(name: string): BatchInstanceType {
    return new BatchInstanceType(name);
  }

  /** 4 vCPU, 16 GiB: the default, enough for the small models on CPU. */
  public static readonly ML_M5_XLARGE = new BatchInstanceType('ml.m5.xlarge');
  /** 8 vCPU, 32 GiB. */
  public static readonly ML_M5_2XLARGE = new BatchInstanceType('ml.m5.2xlarge');
  /** 4 vCPU, 8 GiB: compute-optimized, cheaper per hour than ml.m5.xlarge. */
  public static readonly ML_C5_XLARGE = new BatchInstanceType('ml.c5.xlarge');
  /** 8 vCPU, 16 GiB. */
  public static readonly ML_C5_2XLARGE = new BatchInstanceType('ml.c5.2xlarge');
  /** 4 vCPU, 8 GiB. */
  public static readonly ML_C6I_XLARGE = new BatchInstanceType('ml.c6i.xlarge');
  /** 4 vCPU, 16 GiB. */
  public static readonly ML_M6I_XLARGE = new BatchInstanceType('ml.m6i.xlarge');
  /** 1 × NVIDIA T4, 4 vCPU, 16 GiB; local NVMe storage, so no volume KMS key. */
  public static readonly ML_G4DN_XLARGE = new BatchInstanceType('ml.g4dn.xlarge');
  /** 1 × NVIDIA A10G, 4 vCPU, 16 GiB; local NVMe storage, so no volume KMS key. */
  public static readonly ML_G5_XLARGE = new BatchInstanceType('ml.g5.xlarge');
  /** 1 × NVIDIA V100, 8 vCPU, 61 GiB. */
  public static readonly ML_P3_2XLARGE = new BatchInstanceType('ml.p3.2xlarge');

  /** The name SageMaker takes, for example `ml.m5.xlarge`. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /** The family, for example `m5`; `undefined` for a token or a malformed name. */
  public get family(): string | undefined {
    return instanceFamily(this.name);
  }

  /** GPU or CPU, by family; `undefined` when Batch Transform does not run the algorithm on the family. */
  public get processor(): Processor | undefined {
    return processorOf(this.name, TRANSFORM_GPU_FAMILIES, TRANSFORM_CPU_FAMILIES);
  }

  /** Whether the instance has local NVMe storage, on which SageMaker refuses a volume KMS key. */
  public get hasLocalStorage(): boolean {
    return hasLocalStorage(this.name);
  }

  public toString(): string {
    return this.name;
  }
}
