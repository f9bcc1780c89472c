/**
 * Just enough of CloudFormation's intrinsic functions to turn a synthesized template value into what a deployment
 * would produce, with plausible names and ARNs for the stack's own resources. Used to execute the state machine
 * definition exactly as synthesized.
 */
export interface TemplateJson {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Mappings?: Record<string, Record<string, Record<string, string>>>;
}

export const PSEUDO = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'TestStack',
  'AWS::StackId': 'arn:aws:cloudformation:us-east-1:123456789012:stack/TestStack/00000000-0000-0000-0000-000000000000',
  'AWS::NoValue': undefined,
} as const;

const ACCOUNT = `${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}`;

function refValue(template: TemplateJson, logicalId: string): string {
  if (logicalId in PSEUDO) return PSEUDO[logicalId as keyof typeof PSEUDO] as string;
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`Ref to unknown logical id ${logicalId}`);
  switch (resource.Type) {
    case 'AWS::SNS::Topic': return `arn:aws:sns:${ACCOUNT}:${logicalId}`;
    case 'AWS::SSM::Parameter': return `/test/${logicalId}`;
    case 'AWS::S3::Bucket': return logicalId.toLowerCase();
    case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${ACCOUNT}:stateMachine:${logicalId}`;
    case 'AWS::CloudWatch::Alarm': return (resource.Properties?.AlarmName as string | undefined) ?? logicalId;
    default: return logicalId;
  }
}

function getAtt(template: TemplateJson, logicalId: string, attribute: string): string {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`GetAtt of unknown logical id ${logicalId}`);
  if (resource.Type === 'Custom::ImageClassifierAlgorithmCheck') return algorithmCheckAttribute(template, logicalId, attribute);
  if (attribute !== 'Arn') return `${logicalId}.${attribute}`;
  switch (resource.Type) {
    case 'AWS::IAM::Role': return `arn:aws:iam::${PSEUDO['AWS::AccountId']}:role/${logicalId}`;
    case 'AWS::Lambda::Function': return `arn:aws:lambda:${ACCOUNT}:function:${logicalId}`;
    case 'AWS::S3::Bucket': return `arn:aws:s3:::${logicalId.toLowerCase()}`;
    case 'AWS::KMS::Key': return `arn:aws:kms:${ACCOUNT}:key/${logicalId}`;
    case 'AWS::SNS::Topic': return `arn:aws:sns:${ACCOUNT}:${logicalId}`;
    default: return `arn:aws:${resource.Type}:${ACCOUNT}:${logicalId}`;
  }
}

/**
 * What the deploy-time algorithm check answers when its first pretrained model candidate exists (as the handler tests
 * prove it does; see lambda/algorithm-check/handler.ts for the attribute names).
 */
function algorithmCheckAttribute(template: TemplateJson, logicalId: string, attribute: string): string {
  const properties = resolveIntrinsics(template, template.Resources[logicalId].Properties) as {
    PretrainedModelCandidates: { Bucket: string; Key: string }[];
    TrainingScript: { Bucket: string; Key: string };
  };
  const [first] = properties.PretrainedModelCandidates;
  const values: Record<string, string> = {
    PretrainedModelKey: first.Key,
    PretrainedModelBucket: first.Bucket,
    PretrainedModelUri: `s3://${first.Bucket}/${first.Key}`,
    TrainingScriptUri: `s3://${properties.TrainingScript.Bucket}/${properties.TrainingScript.Key}`,
  };
  if (!(attribute in values)) throw new Error(`the algorithm check has no attribute ${attribute}`);
  return values[attribute];
}

/** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::FindInMap, Fn::Select and Fn::Split in `value`. */
export function resolveIntrinsics(template: TemplateJson, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(template, item));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [key] = keys;
    const argument = object[key];
    switch (key) {
      case 'Ref': return refValue(template, argument as string);
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(argument) ? argument as string[] : (argument as string).split('.');
        return getAtt(template, id, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (resolveIntrinsics(template, parts) as unknown[]).join(separator);
      }
      case 'Fn::FindInMap': {
        const [map, first, second] = resolveIntrinsics(template, argument) as string[];
        const found = template.Mappings?.[map]?.[first]?.[second];
        if (found === undefined) throw new Error(`Fn::FindInMap found nothing for ${map}/${first}/${second}`);
        return found;
      }
      case 'Fn::Select': {
        const [index, list] = resolveIntrinsics(template, argument) as [number, unknown[]];
        return list[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, text] = resolveIntrinsics(template, argument) as [string, string];
        return text.split(separator);
      }
      default:
        if (key.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${key}`);
    }
  }
  return Object.fromEntries(keys.map((key) => [key, resolveIntrinsics(template, object[key])]));
}

/**
 * The definition of the template's only state machine (or the only one whose logical id contains `idContains`),
 * parsed, with every intrinsic resolved.
 */
export function stateMachineDefinition(template: TemplateJson, idContains = ''): Record<string, unknown> {
  const machines = Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.includes(idContains));
  if (machines.length !== 1) throw new Error(`expected one state machine${idContains ? ` with '${idContains}' in its id` : ''}, found ${machines.length}`);
  const definition = resolveIntrinsics(template, machines[0][1].Properties!.DefinitionString) as string;
  return JSON.parse(definition);
}
