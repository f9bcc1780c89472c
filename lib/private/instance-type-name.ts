import { Token } from 'aws-cdk-lib';
import { LOCAL_STORAGE_INSTANCE_FAMILIES } from './algorithm-facts';
import { Processor } from '../algorithm/algorithm-locations';

/** The family of a SageMaker instance type name (`p3` of `ml.p3.2xlarge`); `undefined` for a token or a malformed name. */
export function instanceFamily(name: string): string | undefined {
  return /^ml\.([a-z0-9]+)\.[a-z0-9]+$/.exec(name)?.[1];
}

/**
 * GPU or CPU by the family of `name` (one of `gpuFamilies` or `cpuFamilies`, which differ between training, hosting
 * and Batch Transform); `undefined` for another family, a token or a malformed name.
 */
export function processorOf(name: string, gpuFamilies: readonly string[], cpuFamilies: readonly string[]): Processor | undefined {
  const family = instanceFamily(name);
  if (family && gpuFamilies.includes(family)) return Processor.GPU;
  if (family && cpuFamilies.includes(family)) return Processor.CPU;
  return undefined;
}

/** Whether an instance of type `name` has local NVMe storage, on which SageMaker refuses a volume KMS key. */
export function hasLocalStorage(name: string): boolean {
  const family = instanceFamily(name);
  return family !== undefined && LOCAL_STORAGE_INSTANCE_FAMILIES.includes(family);
}

/**
 * The problem with the shape of an instance type name (a doubled or missing `ml.` prefix, not `ml.<family>.<size>`),
 * naming `path` and showing `example`; `undefined` for a well-formed name or a token.
 */
export function instanceNameProblem(name: string, path: string, example: string): string | undefined {
  if (Token.isUnresolved(name)) return undefined;
  if (name.startsWith('ml.ml.')) return `${path} '${name}' has a doubled 'ml.' prefix; use '${name.slice(3)}'`;
  if (!name.startsWith('ml.')) return `${path} '${name}' must start with 'ml.', for example 'ml.${name}'`;
  if (instanceFamily(name) === undefined) return `${path} '${name}' is not an instance type name like '${example}'`;
  return undefined;
}
