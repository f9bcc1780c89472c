import * as sagemaker from '@aws-sdk/client-sagemaker';

/**
 * Checks a SageMaker request against the API's shapes as the AWS SDK ships them (member names, required members,
 * primitive types), plus what the shapes do not carry: the name patterns and lengths, and the instance type and
 * other enums the SDK exports.
 */
type Schema = number | (() => Schema) | SchemaTuple;
type SchemaTuple = [kind: number, namespace: string, name: string, traits: unknown, ...rest: unknown[]];

/**
 * The name patterns as SageMaker's API publishes them (botocore service-2.json). Kept apart from the package's own
 * rule (lambda/shared/sagemaker-names.ts) on purpose: the tests hold the package's names to SageMaker's, and
 * test/shared/sagemaker-names.test.ts checks the package's rule against these.
 */
export const API_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** ModelName: the same characters, 63 at most (its length limit is a separate constraint). */
export const API_MODEL_NAME_PATTERN = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
export const API_NAME_MAX_LENGTH = 63;
const NAMED_MEMBERS: Record<string, RegExp> = {
  TrainingJobName: API_NAME_PATTERN, EndpointName: API_NAME_PATTERN, EndpointConfigName: API_NAME_PATTERN,
  VariantName: API_NAME_PATTERN, ModelName: API_MODEL_NAME_PATTERN, TransformJobName: API_NAME_PATTERN,
};
const ENUM_MEMBERS: Record<string, Record<string, string>> = {
  'ResourceConfig.InstanceType': sagemaker.TrainingInstanceType,
  'ProductionVariant.InstanceType': sagemaker.ProductionVariantInstanceType,
  'AlgorithmSpecification.TrainingInputMode': sagemaker.TrainingInputMode,
  'Channel.InputMode': sagemaker.TrainingInputMode,
  'S3DataSource.S3DataType': sagemaker.S3DataType,
  'S3DataSource.S3DataDistributionType': sagemaker.S3DataDistribution,
  'S3ModelDataSource.S3DataType': sagemaker.S3ModelDataType,
  'S3ModelDataSource.CompressionType': sagemaker.ModelCompressionType,
  'TrafficRoutingConfig.Type': sagemaker.TrafficRoutingConfigType,
  'CapacitySize.Type': sagemaker.CapacitySizeType,
  'ListEndpointConfigsInput.SortBy': sagemaker.EndpointConfigSortKey,
  'ListEndpointConfigsInput.SortOrder': sagemaker.OrderKey,
  'TransformResources.InstanceType': sagemaker.TransformInstanceType,
  'TransformS3DataSource.S3DataType': sagemaker.S3DataType,
  'TransformInput.SplitType': sagemaker.SplitType,
  'TransformInput.CompressionType': sagemaker.CompressionType,
  'TransformOutput.AssembleWith': sagemaker.AssemblyType,
  'CreateTransformJobRequest.BatchStrategy': sagemaker.BatchStrategy,
};

/**
 * Numeric members whose bounds the SDK shapes do not carry (botocore service-2.json mins and maxes; MaxPayloadInMB's
 * 100 MB is the API reference's text).
 */
const RANGE_MEMBERS: Record<string, [number, number]> = {
  'CreateTransformJobRequest.MaxPayloadInMB': [0, 100],
  'CreateTransformJobRequest.MaxConcurrentTransforms': [0, 2 ** 31 - 1],
  'TransformResources.InstanceCount': [1, 100],
  'ModelClientConfig.InvocationsTimeoutInSeconds': [1, 3600],
  'ModelClientConfig.InvocationsMaxRetries': [0, 3],
};

function unwrap(schema: Schema): number | SchemaTuple {
  return typeof schema === 'function' ? unwrap(schema()) : schema;
}

function check(value: unknown, schema: Schema, path: string, problems: string[]): void {
  const s = unwrap(schema) as number | SchemaTuple;
  if (typeof s === 'number') {
    const expected = s === 0 ? 'string' : s === 1 ? 'number' : s === 2 ? 'boolean' : undefined;
    if (expected && typeof value !== expected) problems.push(`${path} must be a ${expected}, got ${JSON.stringify(value)}`);
    if (s === 128 && (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string'))) {
      problems.push(`${path} must be a map of strings`);
    }
    if (s === 64 && (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))) problems.push(`${path} must be a list of strings`);
    return;
  }
  const [kind, , name] = s;
  if (kind === 1) {
    if (!Array.isArray(value)) { problems.push(`${path} must be a list`); return; }
    value.forEach((item, index) => check(item, s[4] as Schema, `${path}[${index}]`, problems));
    return;
  }
  if (kind === 2) {
    if (typeof value !== 'object' || value === null) { problems.push(`${path} must be a map`); return; }
    for (const [key, item] of Object.entries(value)) check(item, s[5] as Schema, `${path}.${key}`, problems);
    return;
  }
  if (kind !== 3) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) { problems.push(`${path} must be a structure ${name}`); return; }
  const members = s[4] as string[];
  const memberSchemas = s[5] as Schema[];
  const required = (s[6] as number | undefined) ?? 0;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!members.includes(key)) problems.push(`${path}.${key} is not a member of ${name}`);
  }
  members.slice(0, required).forEach((member) => {
    if (record[member] === undefined) problems.push(`${path}.${member} is required by ${name}`);
  });
  members.forEach((member, index) => {
    const memberValue = record[member];
    if (memberValue === undefined) return;
    const memberPath = `${path}.${member}`;
    check(memberValue, memberSchemas[index], memberPath, problems);
    const pattern = NAMED_MEMBERS[member];
    if (pattern && typeof memberValue === 'string' && (!pattern.test(memberValue) || memberValue.length > API_NAME_MAX_LENGTH)) {
      problems.push(`${memberPath} '${memberValue}' does not match ${pattern} (at most ${API_NAME_MAX_LENGTH} characters)`);
    }
    const range = RANGE_MEMBERS[`${name}.${member}`];
    if (range && typeof memberValue === 'number' && !(Number.isInteger(memberValue) && memberValue >= range[0] && memberValue <= range[1])) {
      problems.push(`${memberPath} ${memberValue} is not a whole number in [${range[0]}, ${range[1]}] as ${name}.${member} must be`);
    }
    const allowed = ENUM_MEMBERS[`${name}.${member}`];
    if (allowed && !Object.values(allowed).includes(memberValue as string)) {
      problems.push(`${memberPath} '${String(memberValue)}' is not one of the API's values for ${name}.${member}`);
    }
  });
}

/** Problems with `request` as the input of SageMaker API `operation` (for example `CreateTrainingJob`); empty if valid. */
export function sageMakerRequestProblems(operation: string, request: unknown): string[] {
  const exports = sagemaker as unknown as Record<string, Schema | undefined>;
  const schema = exports[`${operation}Request$`] ?? exports[`${operation}Input$`];
  if (!schema) throw new Error(`no SDK schema for SageMaker operation ${operation}`);
  const problems: string[] = [];
  check(request, schema, operation, problems);
  return problems;
}

/**
 * The members of `response` (the output of SageMaker API `operation`) that the API marks optional, as dotted paths
 * (`FinalMetricDataList[].Value` for a member of every item of a list), found by walking the SDK's output shape.
 */
export function optionalResponseMembers(operation: string, response: unknown): string[] {
  const exports = sagemaker as unknown as Record<string, Schema | undefined>;
  const schema = exports[`${operation}Response$`] ?? exports[`${operation}Output$`];
  // Deletes answer nothing (their output shape is Unit).
  if (!schema && (exports[`${operation}Request$`] ?? exports[`${operation}Input$`])) return [];
  if (!schema) throw new Error(`no SDK output schema for SageMaker operation ${operation}`);
  const found = new Set<string>();
  const walk = (value: unknown, shape: Schema, path: string): void => {
    const s = unwrap(shape);
    if (typeof s === 'number' || value === null || typeof value !== 'object') return;
    if (s[0] === 1) {
      if (Array.isArray(value)) value.forEach((item) => walk(item, s[4] as Schema, `${path}[]`));
      return;
    }
    if (s[0] !== 3) return;
    const members = s[4] as string[];
    const required = (s[6] as number | undefined) ?? 0;
    members.forEach((member, index) => {
      const memberValue = (value as Record<string, unknown>)[member];
      if (memberValue === undefined) return;
      const memberPath = path ? `${path}.${member}` : member;
      if (index >= required) found.add(memberPath);
      walk(memberValue, (s[5] as Schema[])[index], memberPath);
    });
  };
  walk(response, schema, '');
  return [...found];
}
