import { Processor } from '../algorithm/algorithm-locations';
import { CPU_INSTANCE_FAMILIES, GPU_INSTANCE_FAMILIES } from '../private/algorithm-facts';
import { hasLocalStorage, instanceFamily, processorOf } from '../private/instance-type-name';

/**
 * A SageMaker training instance type, such as `ml.p3.2xlarge`.
 *
 * The constants are the types the algorithm's specification lists; `TrainingInstanceType.of('ml.g5.2xlarge')` takes
 * any other type of a family the algorithm runs on. Whether the type is acceptable is checked when a training job
 * definition uses it, so that every problem is reported at once.
 */
export class TrainingInstanceType {
  /** Any instance type name, with its `ml.` prefix. */
  public static of(name: string): TrainingInstanceType {
    return new TrainingInstanceType(name);
  }

  /** 1 × NVIDIA V100, 8 vCPU, 61 GiB: the algorithm's default. */
  public static readonly ML_P3_2XLARGE = new TrainingInstanceType('ml.p3.2xlarge');
  public static readonly ML_P3_8XLARGE = new TrainingInstanceType('ml.p3.8xlarge');
  public static readonly ML_P3_16XLARGE = new TrainingInstanceType('ml.p3.16xlarge');
  public static readonly ML_P2_XLARGE = new TrainingInstanceType('ml.p2.xlarge');
  public static readonly ML_P2_8XLARGE = new TrainingInstanceType('ml.p2.8xlarge');
  public static readonly ML_P2_16XLARGE = new TrainingInstanceType('ml.p2.16xlarge');
  public static readonly ML_G5_XLARGE = new TrainingInstanceType('ml.g5.xlarge');
  public static readonly ML_G4DN_XLARGE = new TrainingInstanceType('ml.g4dn.xlarge');
  public static readonly ML_G4DN_2XLARGE = new TrainingInstanceType('ml.g4dn.2xlarge');
  public static readonly ML_G4DN_4XLARGE = new TrainingInstanceType('ml.g4dn.4xlarge');
  public static readonly ML_G4DN_8XLARGE = new TrainingInstanceType('ml.g4dn.8xlarge');
  public static readonly ML_G4DN_16XLARGE = new TrainingInstanceType('ml.g4dn.16xlarge');
  public static readonly ML_M5_XLARGE = new TrainingInstanceType('ml.m5.xlarge');
  public static readonly ML_M5_2XLARGE = new TrainingInstanceType('ml.m5.2xlarge');
  public static readonly ML_M5_4XLARGE = new TrainingInstanceType('ml.m5.4xlarge');
  public static readonly ML_M5_12XLARGE = new TrainingInstanceType('ml.m5.12xlarge');
  public static readonly ML_M5_24XLARGE = new TrainingInstanceType('ml.m5.24xlarge');
  public static readonly ML_C5_2XLARGE = new TrainingInstanceType('ml.c5.2xlarge');
  public static readonly ML_C5_4XLARGE = new TrainingInstanceType('ml.c5.4xlarge');
  public static readonly ML_C5_9XLARGE = new TrainingInstanceType('ml.c5.9xlarge');
  public static readonly ML_C5_18XLARGE = new TrainingInstanceType('ml.c5.18xlarge');

  /** The name SageMaker takes, for example `ml.p3.2xlarge`. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  /** The family, for example `p3`; `undefined` for a token or a malformed name. */
  public get family(): string | undefined {
    return instanceFamily(this.name);
  }

  /** GPU or CPU, by family; `undefined` when the family is not one the algorithm runs on. */
  public get processor(): Processor | undefined {
    return processorOf(this.name, GPU_INSTANCE_FAMILIES, CPU_INSTANCE_FAMILIES);
  }

  /** Whether the instance has local NVMe storage, on which SageMaker refuses a volume KMS key. */
  public get hasLocalStorage(): boolean {
    return hasLocalStorage(this.name);
  }

  public toString(): string {
    return this.name;
  }
}
