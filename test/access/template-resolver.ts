/**
 * Turns a synthesized CloudFormation template into the concrete values one deployment would produce: every
 * intrinsic function and pseudo parameter resolved for one fake account and region, physical names taken from the
 * template where it names them and derived from logical ids otherwise. Custom resources' attributes come from a table
 * the caller supplies, as CloudFormation would take them from the custom resource's response.
 *
 * Written by hand: the CloudFormation evaluators on npm either need an AWS account (they call the service) or
 * resolve only Ref/GetAtt placeholders; the access tests need real ARNs in every IAM statement and every Task.
 */
import { createHash } from 'crypto';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
}

export interface CfnTemplate {
  readonly Resources: Record<string, TemplateResource>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Parameters?: Record<string, { readonly Default?: unknown; readonly Type?: string }>;
}

export interface Deployment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly stackName: string;
  /**
   * Attributes of custom resources (`Custom::*`, `AWS::CloudFormation::CustomResource`), as their handlers would
   * return them: by resource type, then attribute name; a value or a function of the resource's resolved properties.
   */
  readonly customAttributes?: Readonly<Record<string, Readonly<Record<string, CustomAttribute>>>>;
  /** Values of template parameters without a default (SSM-backed parameters, say). */
  readonly parameters?: Readonly<Record<string, string>>;
}

export const FAKE_DEPLOYMENT: Omit<Deployment, 'stackName'> = {
  account: '111122223333',
  region: 'us-east-1',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
};

export type CustomAttribute = string | ((properties: Record<string, any>) => string);

/** A value that removes the property or list item holding it (AWS::NoValue). */
const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves `template` for `deployment`. */
export class ResolvedTemplate {
  constructor(public readonly template: CfnTemplate, public readonly deployment: Deployment) {}

  /** Logical ids and resources of `type` that the deployment creates (conditions evaluated). */
  public resourcesOfType(type: string): Array<[string, TemplateResource]> {
    return Object.entries(this.template.Resources)
      .filter(([, resource]) => resource.Type === type && (!resource.Condition || this.condition(resource.Condition)));
  }

  /** A resource's properties with every intrinsic resolved. */
  public properties(logicalId: string): Record<string, any> {
    const resource = this.resource(logicalId);
    return (this.resolve(resource.Properties ?? {}) ?? {}) as Record<string, any>;
  }

  /** `value` with every intrinsic function resolved. */
  public resolve(value: unknown): any {
    const resolved = this.resolveValue(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** What `Ref` returns for a logical id, a parameter or a pseudo parameter. */
  public ref(name: string): string {
    const pseudo = this.pseudo(name);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      const value = this.deployment.parameters?.[name] ?? parameter.Default;
      if (value === undefined) throw new Error(`parameter ${name} has no default: give its value in deployment.parameters`);
      return String(value);
    }
    const resource = this.resource(name);
    const p = resource.Properties ?? {};
    const { account, region, partition } = this.deployment;
    switch (resource.Type) {
      case 'AWS::S3::Bucket': return this.named(p.BucketName) ?? this.derivedName(name, 63).toLowerCase();
      case 'AWS::IAM::Role': return this.named(p.RoleName) ?? this.derivedName(name, 64);
      case 'AWS::IAM::Policy': return this.named(p.PolicyName) ?? this.derivedName(name);
      case 'AWS::Lambda::Function': return this.named(p.FunctionName) ?? this.derivedName(name, 64);
      case 'AWS::Logs::LogGroup': return this.named(p.LogGroupName) ?? this.derivedName(name);
      case 'AWS::SSM::Parameter': return this.named(p.Name) ?? `CFN-${name}`;
      case 'AWS::SNS::Topic': return `arn:${partition}:sns:${region}:${account}:${this.named(p.TopicName) ?? this.derivedName(name)}`;
      case 'AWS::SQS::Queue': return `https://sqs.${region}.${this.deployment.urlSuffix}/${account}/${this.named(p.QueueName) ?? this.derivedName(name)}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${partition}:states:${region}:${account}:stateMachine:${this.named(p.StateMachineName) ?? `${name}-fake`}`;
      case 'AWS::KMS::Key': return `key-${name.toLowerCase()}`;
      case 'AWS::CloudWatch::Alarm': return this.named(p.AlarmName) ?? this.derivedName(name);
      case 'AWS::Events::Rule': return this.named(p.Name) ?? this.derivedName(name);
      case 'AWS::Scheduler::Schedule': return this.named(p.Name) ?? this.derivedName(name);
      case 'AWS::SageMaker::Endpoint':
        return `arn:${partition}:sagemaker:${region}:${account}:endpoint/${(this.named(p.EndpointName) ?? name).toLowerCase()}`;
      case 'AWS::SageMaker::Model':
        return `arn:${partition}:sagemaker:${region}:${account}:model/${(this.named(p.ModelName) ?? name).toLowerCase()}`;
      case 'AWS::SageMaker::EndpointConfig':
        return `arn:${partition}:sagemaker:${region}:${account}:endpoint-config/${(this.named(p.EndpointConfigName) ?? name).toLowerCase()}`;
      default:
        // EC2 ids, custom resources' physical ids and the like: an opaque id is all a Ref gives.
        return `${name.toLowerCase()}-id`;
    }
  }

  /** What `Fn::GetAtt` returns. */
  public getAtt(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId);
    const { account, region, partition } = this.deployment;
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') {
      const value = this.deployment.customAttributes?.[resource.Type]?.[attribute];
      if (value === undefined) {
        throw new Error(`Fn::GetAtt ${logicalId}.${attribute}: no value for attribute ${attribute} of ${resource.Type}; add it to deployment.customAttributes`);
      }
      return typeof value === 'string' ? value : value(this.properties(logicalId));
    }
    const name = () => this.ref(logicalId);
    const attributes: Record<string, Record<string, () => string>> = {
      'AWS::IAM::Role': { Arn: () => `arn:${partition}:iam::${account}:role/${name()}`, RoleId: () => `AROA${logicalId.toUpperCase().slice(0, 17)}` },
      'AWS::S3::Bucket': {
        Arn: () => `arn:${partition}:s3:::${name()}`,
        DomainName: () => `${name()}.s3.${this.deployment.urlSuffix}`,
        RegionalDomainName: () => `${name()}.s3.${region}.${this.deployment.urlSuffix}`,
      },
      'AWS::Lambda::Function': { Arn: () => `arn:${partition}:lambda:${region}:${account}:function:${name()}` },
      'AWS::KMS::Key': { Arn: () => `arn:${partition}:kms:${region}:${account}:key/${name()}`, KeyId: name },
      'AWS::Logs::LogGroup': { Arn: () => `arn:${partition}:logs:${region}:${account}:log-group:${name()}:*` },
      'AWS::SNS::Topic': { TopicArn: name, TopicName: () => name().split(':').pop()! },
      'AWS::SQS::Queue': { Arn: () => `arn:${partition}:sqs:${region}:${account}:${name().split('/').pop()}`, QueueName: () => name().split('/').pop()! },
      'AWS::StepFunctions::StateMachine': { Arn: name, Name: () => name().split(':').pop()! },
      'AWS::SSM::Parameter': { Type: () => String(resource.Properties?.Type ?? 'String'), Value: () => String(this.resolve(resource.Properties?.Value)) },
      'AWS::CloudWatch::Alarm': { Arn: () => `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name()}` },
      'AWS::Events::Rule': { Arn: () => `arn:${partition}:events:${region}:${account}:rule/${name()}` },
      'AWS::Scheduler::Schedule': { Arn: () => `arn:${partition}:scheduler:${region}:${account}:schedule/default/${name()}` },
      'AWS::EC2::SecurityGroup': { GroupId: () => `sg-${logicalId.toLowerCase().slice(0, 12)}` },
      'AWS::EC2::VPC': { CidrBlock: () => '10.0.0.0/16', VpcId: name },
      'AWS::Lambda::Url': { FunctionUrl: () => `https://${logicalId.toLowerCase()}.lambda-url.${region}.on.aws/` },
      'AWS::SageMaker::Endpoint': { EndpointName: () => name().split('/').pop()! },
      'AWS::SageMaker::Model': { ModelName: () => name().split('/').pop()! },
      'AWS::SageMaker::EndpointConfig': { EndpointConfigName: () => name().split('/').pop()! },
    };
    const get = attributes[resource.Type]?.[attribute];
    if (!get) throw new Error(`Fn::GetAtt ${logicalId}.${attribute}: attribute of ${resource.Type} not known to the resolver; add it`);
    return get();
  }

  /** Evaluates a named condition of the template. */
  public condition(name: string): boolean {
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`unknown condition ${name}`);
    return Boolean(this.resolve(definition));
  }

  private resource(logicalId: string): TemplateResource {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`no resource with logical id ${logicalId}`);
    return resource;
  }

  private pseudo(name: string): string | undefined {
    const { account, region, partition, urlSuffix, stackName } = this.deployment;
    const values: Record<string, string> = {
      'AWS::AccountId': account,
      'AWS::Region': region,
      'AWS::Partition': partition,
      'AWS::URLSuffix': urlSuffix,
      'AWS::StackName': stackName,
      'AWS::StackId': `arn:${partition}:cloudformation:${region}:${account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`,
    };
    return values[name];
  }

  /** A physical name the template gives (resolved), if any. */
  private named(value: unknown): string | undefined {
    return value === undefined ? undefined : String(this.resolve(value));
  }

  /**
   * CloudFormation's generated names: `<stack>-<logical id>-<random suffix>`. Where the type limits the length,
   * CloudFormation shortens the stack name and logical id and keeps the suffix, so names stay unique: the fake suffix
   * is then derived from the logical id.
   */
  private derivedName(logicalId: string, maxLength?: number): string {
    const name = `${this.deployment.stackName}-${logicalId}-FAKE0SUFFIX`;
    if (maxLength === undefined || name.length <= maxLength) return name;
    const suffix = `-${createHash('sha256').update(logicalId).digest('hex').slice(0, 12).toUpperCase()}`;
    return `${this.deployment.stackName}-${logicalId}`.slice(0, maxLength - suffix.length) + suffix;
  }

  private resolveValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolveValue(item)).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
      return this.intrinsic(keys[0], object[keys[0]]);
    }
    const result: Record<string, unknown> = {};
    for (const key of keys) {
      const resolved = this.resolveValue(object[key]);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private intrinsic(name: string, argument: any): unknown {
    const args = () => this.resolveValue(argument) as any[];
    switch (name) {
      case 'Ref': return argument === 'AWS::NoValue' ? NO_VALUE : this.ref(argument);
      case 'Condition': return this.condition(argument);
      case 'Fn::GetAtt': {
        const [id, ...attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        return this.getAtt(id, attribute.join('.'));
      }
      case 'Fn::Join': {
        const [separator, parts] = args();
        return (parts as unknown[]).join(separator);
      }
      case 'Fn::Sub': return this.sub(argument);
      case 'Fn::FindInMap': {
        const [map, first, second] = args();
        const found = this.template.Mappings?.[map]?.[first]?.[second];
        if (found === undefined) throw new Error(`Fn::FindInMap found nothing at ${map}/${first}/${second}`);
        return found;
      }
      case 'Fn::Select': {
        const [index, list] = args();
        if (!Array.isArray(list) || list[Number(index)] === undefined) throw new Error(`Fn::Select index ${index} out of range`);
        return list[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, text] = args();
        return String(text).split(separator);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = argument;
        return this.resolveValue(this.condition(condition) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = args();
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not': return !args()[0];
      case 'Fn::And': return args().every(Boolean);
      case 'Fn::Or': return args().some(Boolean);
      case 'Fn::GetAZs': return ['a', 'b', 'c'].map((zone) => `${this.deployment.region}${zone}`);
      case 'Fn::Base64': return Buffer.from(String(this.resolveValue(argument))).toString('base64');
      default: throw new Error(`intrinsic ${name} not supported by the resolver`);
    }
  }

  private sub(argument: unknown): string {
    const [text, variables] = typeof argument === 'string' ? [argument, {}] : argument as [string, Record<string, unknown>];
    const values = this.resolveValue(variables) as Record<string, unknown>;
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      if (name in values) return String(values[name]);
      if (name.includes('.')) {
        const [id, ...attribute] = name.split('.');
        return this.getAtt(id, attribute.join('.'));
      }
      return this.ref(name);
    }).replace(/\$\{!/g, '${');
  }
}
