import { Token } from 'aws-cdk-lib';
import { CPU_INSTANCE_FAMILIES, GPU_INSTANCE_FAMILIES } from './algorithm-facts';
import { instanceNameProblem } from './instance-type-name';
import { Processor } from '../algorithm/algorithm-locations';
import type { BatchInstanceType } from '../batch/batch-instance-type';
import type { InferenceInstanceType } from '../serving/inference-instance-type';
import type { TrainingInstanceType } from '../training/training-instance-type';

/**
 * Families of the algorithm's instance lists that SageMaker real-time hosting does not offer: they are absent from
 * the API's `ProductionVariantInstanceType` enum (AWS SDK v3.11xx, checked by the test suite).
 */
const NOT_HOSTED_FAMILIES: readonly string[] = ['p3dn', 'c5n', 'c6id', 'm6id', 'r6id', 't3'];

/** GPU families an endpoint of this algorithm can run on. */
export const HOSTING_GPU_FAMILIES: readonly string[] = GPU_INSTANCE_FAMILIES.filter((f) => !NOT_HOSTED_FAMILIES.includes(f));
/** CPU families an endpoint of this algorithm can run on. */
export const HOSTING_CPU_FAMILIES: readonly string[] = CPU_INSTANCE_FAMILIES.filter((f) => !NOT_HOSTED_FAMILIES.includes(f));

/**
 * Families of the algorithm's instance lists that SageMaker Batch Transform does not offer: they are absent from the
 * API's `TransformInstanceType` enum (AWS SDK v3.11xx, checked by the test suite).
 */
const NOT_TRANSFORM_FAMILIES: readonly string[] = ['p3dn', 'p4d', 'p4de', 'p5', 'c5d', 'c5n', 'c6id', 'm5d', 'm6id', 'r5', 'r5d', 'r6id', 't3'];

/** GPU families a transform job of this algorithm can run on. */
export const TRANSFORM_GPU_FAMILIES: readonly string[] = GPU_INSTANCE_FAMILIES.filter((f) => !NOT_TRANSFORM_FAMILIES.includes(f));
/** CPU families a transform job of this algorithm can run on. */
export const TRANSFORM_CPU_FAMILIES: readonly string[] = CPU_INSTANCE_FAMILIES.filter((f) => !NOT_TRANSFORM_FAMILIES.includes(f));

/**
 * Problems with running this algorithm's Batch Transform on `instanceType`, each naming `path`, the value and the fix.
 * A token is accepted as it is.
 */
export function validateBatchInstanceType(instanceType: BatchInstanceType, path: string): string[] {
  const name = instanceType.name;
  if (Token.isUnresolved(name)) return [];
  const shape = instanceNameProblem(name, path, 'ml.m5.xlarge');
  if (shape) return [shape];
  if (instanceType.processor === undefined) {
    return [
      `${path} '${name}': Batch Transform does not run the algorithm on the ${instanceType.family} family; use a CPU family `
      + `(${TRANSFORM_CPU_FAMILIES.join(', ')}) or a GPU family (${TRANSFORM_GPU_FAMILIES.join(', ')}), for example 'ml.m5.xlarge'`,
    ];
  }
  return [];
}

/**
 * Problems with hosting this algorithm on `instanceType`, each naming `path`, the value and the fix.
 * A token is accepted as it is.
 */
export function validateInferenceInstanceType(instanceType: InferenceInstanceType, path: string): string[] {
  const name = instanceType.name;
  if (Token.isUnresolved(name)) return [];
  const shape = instanceNameProblem(name, path, 'ml.m5.large');
  if (shape) return [shape];
  const family = instanceType.family!;
  if (family === 't2') {
    return [
      `${path} '${name}': T2 instances are not in the algorithm's hosting list and their burstable CPU runs out of credits `
      + `under steady inference; use 'ml.m5.large' (CPU), 'ml.c6i.large' (CPU) or 'ml.g4dn.xlarge' (GPU)`,
    ];
  }
  if (instanceType.processor === undefined) {
    return [
      `${path} '${name}': the algorithm is not hosted on the ${family} family; use a CPU family (${HOSTING_CPU_FAMILIES.join(', ')}) `
      + `or a GPU family (${HOSTING_GPU_FAMILIES.join(', ')})`,
    ];
  }
  return [];
}

/**
 * Problems with using `instanceType` for this algorithm's training, each naming `path`, the value and the fix.
 * A token is accepted as it is.
 */
export function validateTrainingInstanceType(instanceType: TrainingInstanceType, path: string, processor?: Processor): string[] {
  const name = instanceType.name;
  if (Token.isUnresolved(name)) return [];
  const shape = instanceNameProblem(name, path, 'ml.p3.2xlarge');
  if (shape) return [shape];
  const family = instanceType.family!;
  if (family === 't2') {
    return [`${path} '${name}': SageMaker training does not accept T2 instances; use 'ml.m5.xlarge' (CPU) or 'ml.g4dn.xlarge' (GPU)`];
  }
  if (instanceType.processor === undefined) {
    return [
      `${path} '${name}': the algorithm does not run on the ${family} family; use a GPU family (${GPU_INSTANCE_FAMILIES.join(', ')}) `
      + `or a CPU family (${CPU_INSTANCE_FAMILIES.join(', ')})`,
    ];
  }
  if (processor === Processor.GPU && instanceType.processor === Processor.CPU) {
    return [
      `${path} '${name}' is a CPU instance, but the training is configured for GPU (processor: Processor.GPU or a GPU training image); `
      + `use a GPU instance such as 'ml.p3.2xlarge' or 'ml.g4dn.xlarge', or leave 'processor' unset to follow the instance type`,
    ];
  }
  if (processor === Processor.CPU && instanceType.processor === Processor.GPU) {
    return [
      `${path} '${name}' is a GPU instance, but the training is configured for CPU (processor: Processor.CPU or a CPU training image); `
      + `use a CPU instance such as 'ml.m5.xlarge', or leave 'processor' unset to follow the instance type`,
    ];
  }
  return [];
}
