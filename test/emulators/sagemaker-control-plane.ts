/**
 * A loopback SageMaker control plane, Application Auto Scaling and SSM Parameter Store (the parameters the champion
 * record uses), one server for all, speaking the awsJson1_1 protocol as @aws-sdk/client-sagemaker,
 * @aws-sdk/client-application-auto-scaling and @aws-sdk/client-ssm send it (reached through
 * AWS_ENDPOINT_URL_SAGEMAKER, AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING and AWS_ENDPOINT_URL_SSM):
 * - request: POST / with `Content-Type: application/x-amz-json-1.1`, `X-Amz-Target: SageMaker.<Operation>` or
 *   `AnyScaleFrontendService.<Operation>`, the input as a JSON body, signed with SigV4 for the signing name
 *   `sagemaker` or `application-autoscaling` (checked: a client signing for the wrong service gets a 403);
 * - success: 200 and the output as JSON, timestamps as epoch seconds;
 * - errors: 400 with `{"__type": "<Name>", "message": "..."}`, which the SDK turns into an exception named <Name>
 *   (a modelled class where the service models one, e.g. ObjectNotFoundException; otherwise the service's base
 *   exception with that name, e.g. SageMaker's ValidationException).
 *
 * State is in memory: models, endpoint configs, endpoints, scalable targets and scaling policies, seeded with the
 * `put*` methods or created through the API. Endpoints change state only when described: one in Creating, Updating or
 * Deleting shows that status for `describesToSettle` DescribeEndpoint calls, then becomes InService (or, when
 * Deleting, disappears). List operations honour MaxResults (capped by `maxPageSize`, to force several pages) and hand
 * out offset-based NextTokens, like many real services: a client that deletes while it pages skips items.
 * Every call is recorded in `calls`, and `failNext` makes chosen calls fail (throttling, access denied, ...).
 *
 * Error messages marked ASSUMED below are not documented by AWS; the others are the wording SageMaker users and the
 * AWS SageMaker Operator for Kubernetes / Terraform AWS provider match on.
 */
import { randomUUID } from 'node:crypto';
import { LoopbackEmulator, LoopbackRequest, LoopbackResponse } from './loopback-server';
import { EMULATOR_ACCOUNT } from './sagemaker-runtime-emulator';
import { API_NAME_PATTERN } from '../support/sagemaker-api';

const JSON_1_1 = 'application/x-amz-json-1.1';
/** X-Amz-Target prefixes (the services' Smithy `serviceTarget`) and the SigV4 signing name of each. */
const SERVICES = {
  SageMaker: { signingName: 'sagemaker' },
  AnyScaleFrontendService: { signingName: 'application-autoscaling' },
  AmazonSSM: { signingName: 'ssm' },
} as const;
type ServiceTarget = keyof typeof SERVICES;

export type EndpointStatus = 'Creating' | 'Updating' | 'SystemUpdating' | 'RollingBack' | 'InService' | 'OutOfService' | 'Deleting' | 'Failed' | 'UpdateRollbackFailed';
const IN_PROGRESS: readonly EndpointStatus[] = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'];
const DEFAULT_DIMENSION = 'sagemaker:variant:DesiredInstanceCount';

export interface ControlPlaneOptions {
  /** Largest page a list operation returns, whatever MaxResults asks (services may return fewer). @default 100 */
  readonly maxPageSize?: number;
  /** DescribeEndpoint calls an endpoint in Creating, Updating or Deleting takes to settle. @default 2 */
  readonly describesToSettle?: number;
  /**
   * DeleteEndpoint also deregisters the scalable targets of the endpoint's variants, as SageMaker does when the caller
   * may call DeregisterScalableTarget (SageMaker developer guide, "Delete endpoints configured for auto scaling").
   * @default true
   */
  readonly deleteEndpointDeregistersTargets?: boolean;
}

/** An error the emulator answers with: the exception name, its message and the HTTP status (400 by default). */
export interface EmulatedError {
  readonly type: string;
  readonly message: string;
  readonly status?: number;
}

export interface RecordedCall {
  /** `SageMaker` or `AnyScaleFrontendService` */
  readonly service: string;
  /** e.g. `DeleteModel` */
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** region of the SigV4 credential scope */
  readonly region?: string;
  /** the error answered, if any */
  readonly error?: string;
}

export interface StoredModel {
  readonly name: string;
  readonly createdAt: number;
  readonly request: Readonly<Record<string, unknown>>;
}

export interface StoredEndpointConfig {
  readonly name: string;
  readonly createdAt: number;
  readonly variantNames: readonly string[];
  readonly request: Readonly<Record<string, unknown>>;
}

export interface StoredEndpoint {
  readonly name: string;
  configName: string;
  status: EndpointStatus;
  variantNames: readonly string[];
  readonly createdAt: number;
  modifiedAt: number;
  /** DescribeEndpoint calls left before a Creating/Updating/Deleting endpoint settles */
  describesLeft: number;
  /** the config an Updating endpoint switches to when it settles */
  pendingConfigName?: string;
}

export interface StoredScalableTarget {
  readonly serviceNamespace: string;
  readonly resourceId: string;
  readonly scalableDimension: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  readonly createdAt: number;
  readonly arn: string;
}

export interface StoredScalingPolicy {
  readonly name: string;
  readonly serviceNamespace: string;
  readonly resourceId: string;
  readonly scalableDimension: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly arn: string;
}

/**
 * A training job whose description moves on with each DescribeTrainingJob call: the first call answers the first
 * snapshot, the next the second, ... and the last one from then on (statuses, secondary status transitions and
 * metrics as a real job reports them over time).
 */
export interface StoredTrainingJob {
  readonly name: string;
  readonly snapshots: ReadonlyArray<Readonly<Record<string, unknown>>>;
  describes: number;
}

interface Fault {
  readonly service?: string;
  readonly operation: string;
  readonly when?: (input: Readonly<Record<string, unknown>>) => boolean;
  readonly error: EmulatedError;
  remaining: number;
}

/** Thrown by an operation to answer with an error. */
class Failure extends Error {
  constructor(public readonly type: string, message: string, public readonly status = 400) {
    super(message);
  }
}

type Input = Readonly<Record<string, unknown>>;
type Operation = (input: Input, region: string) => Record<string, unknown>;

export class SageMakerControlPlaneEmulator extends LoopbackEmulator {
  public static async start(options: ControlPlaneOptions = {}): Promise<SageMakerControlPlaneEmulator> {
    return new SageMakerControlPlaneEmulator(options).listen();
  }

  public readonly models = new Map<string, StoredModel>();
  public readonly endpointConfigs = new Map<string, StoredEndpointConfig>();
  public readonly endpoints = new Map<string, StoredEndpoint>();
  /** by `${namespace}|${resourceId}|${dimension}` */
  public readonly scalableTargets = new Map<string, StoredScalableTarget>();
  /** by `${namespace}|${resourceId}|${dimension}|${policyName}` */
  public readonly scalingPolicies = new Map<string, StoredScalingPolicy>();
  /** SSM String parameters by name */
  public readonly parameters = new Map<string, { value: string; version: number }>();
  public readonly trainingJobs = new Map<string, StoredTrainingJob>();
  public readonly calls: RecordedCall[] = [];
  public maxPageSize: number;
  public describesToSettle: number;
  public deleteEndpointDeregistersTargets: boolean;

  private readonly faults: Fault[] = [];
  /** creation times: a fixed start plus one second per resource, so CreationTime ordering is deterministic */
  private clock = 1_795_000_000;
  private readonly operations: Record<ServiceTarget, Record<string, Operation>>;

  private constructor(private readonly options: ControlPlaneOptions) {
    super();
    this.maxPageSize = options.maxPageSize ?? 100;
    this.describesToSettle = options.describesToSettle ?? 2;
    this.deleteEndpointDeregistersTargets = options.deleteEndpointDeregistersTargets ?? true;
    this.operations = {
      SageMaker: {
        CreateModel: (input, region) => this.createModel(input, region),
        DescribeModel: (input, region) => this.describeModel(input, region),
        DeleteModel: (input, region) => this.deleteModel(input, region),
        ListModels: (input, region) => this.list(input, 'Models', [...this.models.values()], (m) => ({ ModelName: m.name, ModelArn: this.arn(region, 'model', m.name), CreationTime: m.createdAt })),
        CreateEndpointConfig: (input, region) => this.createEndpointConfig(input, region),
        DescribeEndpointConfig: (input, region) => this.describeEndpointConfig(input, region),
        DeleteEndpointConfig: (input, region) => this.deleteEndpointConfig(input, region),
        ListEndpointConfigs: (input, region) => this.list(input, 'EndpointConfigs', [...this.endpointConfigs.values()], (c) => ({ EndpointConfigName: c.name, EndpointConfigArn: this.arn(region, 'endpoint-config', c.name), CreationTime: c.createdAt })),
        CreateEndpoint: (input, region) => this.createEndpoint(input, region),
        UpdateEndpoint: (input, region) => this.updateEndpoint(input, region),
        DescribeEndpoint: (input, region) => this.describeEndpoint(input, region),
        DeleteEndpoint: (input, region) => this.deleteEndpoint(input, region),
        DescribeTrainingJob: (input, region) => this.describeTrainingJob(input, region),
        ListEndpoints: (input, region) => this.list(input, 'Endpoints', [...this.endpoints.values()], (e) => ({ EndpointName: e.name, EndpointArn: this.arn(region, 'endpoint', e.name), CreationTime: e.createdAt, LastModifiedTime: e.modifiedAt, EndpointStatus: e.status })),
      },
      AnyScaleFrontendService: {
        RegisterScalableTarget: (input, region) => this.registerScalableTarget(input, region),
        DescribeScalableTargets: (input) => this.describeScalableTargets(input),
        DeregisterScalableTarget: (input) => this.deregisterScalableTarget(input),
        PutScalingPolicy: (input, region) => this.putScalingPolicy(input, region),
        DescribeScalingPolicies: (input) => this.describeScalingPolicies(input),
        DeleteScalingPolicy: (input) => this.deleteScalingPolicy(input),
      },
      AmazonSSM: {
        GetParameter: (input, region) => this.getParameter(input, region),
        PutParameter: (input) => this.putParameter(input),
        DeleteParameter: (input) => this.deleteParameter(input),
      },
    };
  }

  /** Back to a clean state (and the options given to `start`) between tests. */
  public reset(): void {
    for (const map of [this.models, this.endpointConfigs, this.endpoints, this.scalableTargets, this.scalingPolicies, this.parameters, this.trainingJobs]) map.clear();
    this.calls.length = 0;
    this.faults.length = 0;
    this.maxPageSize = this.options.maxPageSize ?? 100;
    this.describesToSettle = this.options.describesToSettle ?? 2;
    this.deleteEndpointDeregistersTargets = this.options.deleteEndpointDeregistersTargets ?? true;
  }

  // --- seeding -------------------------------------------------------------------------------------------------------

  public putModel(name: string): this {
    this.models.set(name, { name, createdAt: this.tick(), request: { ModelName: name } });
    return this;
  }

  public putEndpointConfig(name: string, variantNames: readonly string[] = ['AllTraffic']): this {
    this.endpointConfigs.set(name, { name, createdAt: this.tick(), variantNames, request: { EndpointConfigName: name } });
    return this;
  }

  public putEndpoint(name: string, props: { status?: EndpointStatus; configName?: string; variantNames?: readonly string[] } = {}): this {
    const now = this.tick();
    const status = props.status ?? 'InService';
    this.endpoints.set(name, {
      name,
      configName: props.configName ?? name,
      status,
      variantNames: props.variantNames ?? ['AllTraffic'],
      createdAt: now,
      modifiedAt: now,
      describesLeft: IN_PROGRESS.includes(status) ? this.describesToSettle : 0,
    });
    return this;
  }

  /** A training job that answers `snapshots` in turn (see StoredTrainingJob); each is merged over the job's name and ARN. */
  public putTrainingJob(name: string, snapshots: ReadonlyArray<Readonly<Record<string, unknown>>>): this {
    if (snapshots.length === 0) throw new Error('a training job needs at least one snapshot');
    this.trainingJobs.set(name, { name, snapshots, describes: 0 });
    return this;
  }

  /** A scalable target (and scaling policies on it) in the `sagemaker` namespace, or another one. */
  public putScalableTarget(resourceId: string, props: { scalableDimension?: string; serviceNamespace?: string; policyNames?: readonly string[] } = {}): this {
    const serviceNamespace = props.serviceNamespace ?? 'sagemaker';
    const scalableDimension = props.scalableDimension ?? DEFAULT_DIMENSION;
    this.registerScalableTarget({ ServiceNamespace: serviceNamespace, ResourceId: resourceId, ScalableDimension: scalableDimension, MinCapacity: 1, MaxCapacity: 4 }, 'us-east-1');
    for (const policyName of props.policyNames ?? []) {
      this.putScalingPolicy({ PolicyName: policyName, ServiceNamespace: serviceNamespace, ResourceId: resourceId, ScalableDimension: scalableDimension, PolicyType: 'TargetTrackingScaling' }, 'us-east-1');
    }
    return this;
  }

  /**
   * The next `times` calls of `operation` (optionally of one service, and only those whose input `when` accepts)
   * answer `error` instead.
   */
  public failNext(operation: string, error: EmulatedError, options: { times?: number; service?: string; when?: (input: Input) => boolean } = {}): this {
    this.faults.push({ operation, error, service: options.service, when: options.when, remaining: options.times ?? 1 });
    return this;
  }

  /** Recorded calls of one operation, in order. */
  public callsOf(operation: string): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  // --- protocol --------------------------------------------------------------------------------------------------------

  protected route(request: LoopbackRequest): LoopbackResponse {
    const target = String(request.headers['x-amz-target'] ?? '');
    const dot = target.indexOf('.');
    const service = target.slice(0, dot) as ServiceTarget;
    const operationName = target.slice(dot + 1);
    if (request.method !== 'POST' || request.rawPath !== '/' || dot < 0 || !(service in SERVICES)) {
      return errorResponse({ type: 'UnknownOperationException', message: `No operation for ${request.method} ${request.rawPath} X-Amz-Target '${target}'`, status: 404 });
    }
    const scope = credentialScope(String(request.headers.authorization ?? ''));
    let input: Input;
    try {
      input = request.body.length === 0 ? {} : JSON.parse(request.body.toString('utf8'));
    } catch {
      return errorResponse({ type: 'SerializationException', message: 'Request body is not JSON' });
    }
    const record = (error?: string): void => {
      this.calls.push({ service, operation: operationName, input, region: scope?.region, error });
    };
    if (String(request.headers['content-type'] ?? '') !== JSON_1_1) {
      record('UnsupportedMediaType');
      return errorResponse({ type: 'SerializationException', message: `Content-Type must be ${JSON_1_1}` });
    }
    if (scope?.service !== SERVICES[service].signingName) {
      record('InvalidSignatureException');
      return errorResponse({ type: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${SERVICES[service].signingName}'.`, status: 403 });
    }
    const operation = this.operations[service][operationName];
    if (operation === undefined) {
      record('UnknownOperationException');
      return errorResponse({ type: 'UnknownOperationException', message: `${service}.${operationName} is not emulated` });
    }
    const fault = this.takeFault(service, operationName, input);
    if (fault !== undefined) {
      record(fault.type);
      return errorResponse(fault);
    }
    try {
      const output = operation(input, scope.region);
      record();
      return { status: 200, headers: { 'content-type': JSON_1_1, 'x-amzn-requestid': randomUUID() }, body: JSON.stringify(output) };
    } catch (error) {
      if (!(error instanceof Failure)) throw error;
      record(error.type);
      return errorResponse({ type: error.type, message: error.message, status: error.status });
    }
  }

  private takeFault(service: string, operation: string, input: Input): EmulatedError | undefined {
    const index = this.faults.findIndex((fault) => fault.operation === operation
      && (fault.service === undefined || fault.service === service)
      && (fault.when === undefined || fault.when(input)));
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault.error;
  }

  // --- SageMaker -------------------------------------------------------------------------------------------------------

  private createModel(input: Input, region: string): Record<string, unknown> {
    const name = sageMakerName(input, 'ModelName');
    if (this.models.has(name)) throw validation(`Cannot create already existing model "${this.arn(region, 'model', name)}".`);
    this.models.set(name, { name, createdAt: this.tick(), request: input });
    return { ModelArn: this.arn(region, 'model', name) };
  }

  private describeTrainingJob(input: Input, region: string): Record<string, unknown> {
    const name = requiredString(input, 'TrainingJobName');
    const job = this.trainingJobs.get(name);
    // The service's answer for a training job it does not know.
    if (job === undefined) throw validation('Requested resource not found.');
    const snapshot = job.snapshots[Math.min(job.describes, job.snapshots.length - 1)];
    job.describes += 1;
    return { TrainingJobName: name, TrainingJobArn: this.arn(region, 'training-job', name), ...snapshot };
  }

  private describeModel(input: Input, region: string): Record<string, unknown> {
    const model = this.findModel(input, region);
    return { ...model.request, ModelName: model.name, ModelArn: this.arn(region, 'model', model.name), CreationTime: model.createdAt };
  }

  private deleteModel(input: Input, region: string): Record<string, unknown> {
    this.models.delete(this.findModel(input, region).name);
    return {};
  }

  private findModel(input: Input, region: string): StoredModel {
    const name = requiredString(input, 'ModelName');
    const model = this.models.get(name);
    if (model === undefined) throw validation(`Could not find model "${this.arn(region, 'model', name)}".`);
    return model;
  }

  private createEndpointConfig(input: Input, region: string): Record<string, unknown> {
    const name = sageMakerName(input, 'EndpointConfigName');
    if (this.endpointConfigs.has(name)) throw validation(`Cannot create already existing endpoint configuration "${this.arn(region, 'endpoint-config', name)}".`);
    const variants = Array.isArray(input.ProductionVariants) ? (input.ProductionVariants as Array<Record<string, unknown>>) : [];
    if (variants.length === 0) throw validation('1 validation error detected: Value null at \'productionVariants\' failed to satisfy constraint: Member must not be null');
    for (const variant of variants) {
      if (typeof variant.ModelName === 'string' && !this.models.has(variant.ModelName)) {
        throw validation(`Could not find model "${this.arn(region, 'model', variant.ModelName)}".`);
      }
    }
    this.endpointConfigs.set(name, { name, createdAt: this.tick(), variantNames: variants.map((variant) => String(variant.VariantName)), request: input });
    return { EndpointConfigArn: this.arn(region, 'endpoint-config', name) };
  }

  private describeEndpointConfig(input: Input, region: string): Record<string, unknown> {
    const config = this.findEndpointConfig(requiredString(input, 'EndpointConfigName'), region);
    return { ...config.request, EndpointConfigName: config.name, EndpointConfigArn: this.arn(region, 'endpoint-config', config.name), CreationTime: config.createdAt };
  }

  private deleteEndpointConfig(input: Input, region: string): Record<string, unknown> {
    // SageMaker lets a config in use by an endpoint be deleted; so does the emulator.
    this.endpointConfigs.delete(this.findEndpointConfig(requiredString(input, 'EndpointConfigName'), region).name);
    return {};
  }

  private findEndpointConfig(name: string, region: string): StoredEndpointConfig {
    const config = this.endpointConfigs.get(name);
    if (config === undefined) throw validation(`Could not find endpoint configuration "${this.arn(region, 'endpoint-config', name)}".`);
    return config;
  }

  private createEndpoint(input: Input, region: string): Record<string, unknown> {
    const name = sageMakerName(input, 'EndpointName');
    if (this.endpoints.has(name)) throw validation(`Cannot create already existing endpoint "${this.arn(region, 'endpoint', name)}".`);
    const config = this.findEndpointConfig(requiredString(input, 'EndpointConfigName'), region);
    const now = this.tick();
    this.endpoints.set(name, { name, configName: config.name, status: 'Creating', variantNames: config.variantNames, createdAt: now, modifiedAt: now, describesLeft: this.describesToSettle });
    return { EndpointArn: this.arn(region, 'endpoint', name) };
  }

  private updateEndpoint(input: Input, region: string): Record<string, unknown> {
    const endpoint = this.findEndpoint(requiredString(input, 'EndpointName'), region);
    const config = this.findEndpointConfig(requiredString(input, 'EndpointConfigName'), region);
    if (IN_PROGRESS.includes(endpoint.status)) throw this.inProgress(endpoint, region);
    Object.assign(endpoint, { status: 'Updating', pendingConfigName: config.name, describesLeft: this.describesToSettle, modifiedAt: this.tick() });
    return { EndpointArn: this.arn(region, 'endpoint', endpoint.name) };
  }

  private describeEndpoint(input: Input, region: string): Record<string, unknown> {
    const endpoint = this.findEndpoint(requiredString(input, 'EndpointName'), region);
    if (IN_PROGRESS.includes(endpoint.status)) {
      if (endpoint.describesLeft > 0) {
        endpoint.describesLeft -= 1;
      } else if (endpoint.status === 'Deleting') {
        this.endpoints.delete(endpoint.name);
        return this.describeEndpoint(input, region);
      } else {
        const configName = endpoint.pendingConfigName ?? endpoint.configName;
        Object.assign(endpoint, { status: 'InService', configName, pendingConfigName: undefined, variantNames: this.endpointConfigs.get(configName)?.variantNames ?? endpoint.variantNames, modifiedAt: this.tick() });
      }
    }
    return {
      EndpointName: endpoint.name,
      EndpointArn: this.arn(region, 'endpoint', endpoint.name),
      EndpointConfigName: endpoint.configName,
      EndpointStatus: endpoint.status,
      ProductionVariants: endpoint.variantNames.map((VariantName) => ({ VariantName })),
      CreationTime: endpoint.createdAt,
      LastModifiedTime: endpoint.modifiedAt,
    };
  }

  private deleteEndpoint(input: Input, region: string): Record<string, unknown> {
    const endpoint = this.findEndpoint(requiredString(input, 'EndpointName'), region);
    if (IN_PROGRESS.includes(endpoint.status)) throw this.inProgress(endpoint, region);
    Object.assign(endpoint, { status: 'Deleting', describesLeft: this.describesToSettle, modifiedAt: this.tick() });
    if (this.deleteEndpointDeregistersTargets) {
      for (const [key, target] of this.scalableTargets) {
        if (target.serviceNamespace === 'sagemaker' && target.resourceId.startsWith(`endpoint/${endpoint.name}/variant/`)) this.removeScalableTarget(key);
      }
    }
    return {};
  }

  private findEndpoint(name: string, region: string): StoredEndpoint {
    const endpoint = this.endpoints.get(name);
    if (endpoint === undefined) throw validation(`Could not find endpoint "${this.arn(region, 'endpoint', name)}".`);
    return endpoint;
  }

  private inProgress(endpoint: StoredEndpoint, region: string): Failure {
    // The wording the AWS SageMaker Operator for Kubernetes matches for DeleteEndpoint; ASSUMED for UpdateEndpoint
    // and for an endpoint that is already Deleting.
    return validation(`Cannot update in-progress endpoint "${this.arn(region, 'endpoint', endpoint.name)}".`);
  }

  /** ListModels, ListEndpointConfigs, ListEndpoints: NameContains, SortBy, SortOrder, MaxResults (1-100), NextToken. */
  private list<T extends { readonly name: string; readonly createdAt: number }>(input: Input, key: string, items: T[], render: (item: T) => Record<string, unknown>): Record<string, unknown> {
    const contains = input.NameContains;
    if (contains !== undefined && (typeof contains !== 'string' || !/^[a-zA-Z0-9-]{1,63}$/.test(contains))) {
      throw validation(`1 validation error detected: Value '${String(contains)}' at 'nameContains' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-]+`);
    }
    // ASSUMED: NameContains matches regardless of case (a superset either way; callers filter exactly).
    const needle = typeof contains === 'string' ? contains.toLowerCase() : '';
    const byName = input.SortBy === 'Name';
    const sign = input.SortOrder === 'Ascending' ? 1 : -1; // SageMaker's default order is Descending
    const matching = items
      .filter((item) => item.name.toLowerCase().includes(needle))
      .sort((a, b) => sign * (byName ? a.name.localeCompare(b.name) : a.createdAt - b.createdAt));
    const page = this.page(input, matching, { max: 100, default: 10, invalidToken: 'ValidationException' });
    return { [key]: page.items.map(render), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  }

  // --- Application Auto Scaling ----------------------------------------------------------------------------------------

  private registerScalableTarget(input: Input, region: string): Record<string, unknown> {
    const key = targetKey(input);
    const existing = this.scalableTargets.get(key);
    const minCapacity = typeof input.MinCapacity === 'number' ? input.MinCapacity : existing?.minCapacity;
    const maxCapacity = typeof input.MaxCapacity === 'number' ? input.MaxCapacity : existing?.maxCapacity;
    if (minCapacity === undefined || maxCapacity === undefined) throw new Failure('ValidationException', 'MinCapacity and MaxCapacity are required to register a new scalable target');
    const roleArn = typeof input.RoleARN === 'string' ? input.RoleARN
      : `arn:aws:iam::${EMULATOR_ACCOUNT}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`;
    const target: StoredScalableTarget = existing === undefined
      ? { serviceNamespace: String(input.ServiceNamespace), resourceId: String(input.ResourceId), scalableDimension: String(input.ScalableDimension), minCapacity, maxCapacity, roleArn, createdAt: this.tick(), arn: `arn:aws:application-autoscaling:${region}:${EMULATOR_ACCOUNT}:scalable-target/${randomUUID().replace(/-/g, '').slice(0, 28)}` }
      : Object.assign(existing, { minCapacity, maxCapacity, roleArn });
    this.scalableTargets.set(key, target);
    return { ScalableTargetARN: target.arn };
  }

  /** ServiceNamespace (required), ResourceIds (exact ids, not prefixes), ScalableDimension, MaxResults (1-50), NextToken. */
  private describeScalableTargets(input: Input): Record<string, unknown> {
    const namespace = requiredAutoScalingString(input, 'ServiceNamespace');
    const ids = Array.isArray(input.ResourceIds) ? (input.ResourceIds as unknown[]).map(String) : undefined;
    if (input.ScalableDimension !== undefined && (ids === undefined || ids.length === 0)) {
      throw new Failure('ValidationException', 'If you specify a scalable dimension, you must also specify a resource ID');
    }
    const matching = [...this.scalableTargets.values()].filter((target) => target.serviceNamespace === namespace
      && (ids === undefined || ids.includes(target.resourceId))
      && (input.ScalableDimension === undefined || target.scalableDimension === input.ScalableDimension));
    const page = this.page(input, matching, { max: 50, default: 50, invalidToken: 'InvalidNextTokenException' });
    return {
      ScalableTargets: page.items.map((target) => ({
        ServiceNamespace: target.serviceNamespace,
        ResourceId: target.resourceId,
        ScalableDimension: target.scalableDimension,
        MinCapacity: target.minCapacity,
        MaxCapacity: target.maxCapacity,
        RoleARN: target.roleArn,
        CreationTime: target.createdAt,
        SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
        ScalableTargetARN: target.arn,
      })),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  private deregisterScalableTarget(input: Input): Record<string, unknown> {
    this.removeScalableTarget(this.findScalableTarget(input));
    return {};
  }

  private putScalingPolicy(input: Input, region: string): Record<string, unknown> {
    const key = this.findScalableTarget(input);
    const target = this.scalableTargets.get(key) as StoredScalableTarget;
    const name = requiredAutoScalingString(input, 'PolicyName');
    const arn = `arn:aws:autoscaling:${region}:${EMULATOR_ACCOUNT}:scalingPolicy:${randomUUID()}:resource/${target.serviceNamespace}/${target.resourceId}:policyName/${name}`;
    this.scalingPolicies.set(`${key}|${name}`, { name, serviceNamespace: target.serviceNamespace, resourceId: target.resourceId, scalableDimension: target.scalableDimension, request: input, createdAt: this.tick(), arn });
    return { PolicyARN: arn, Alarms: [] };
  }

  private describeScalingPolicies(input: Input): Record<string, unknown> {
    const namespace = requiredAutoScalingString(input, 'ServiceNamespace');
    const names = Array.isArray(input.PolicyNames) ? (input.PolicyNames as unknown[]).map(String) : undefined;
    const matching = [...this.scalingPolicies.values()].filter((policy) => policy.serviceNamespace === namespace
      && (input.ResourceId === undefined || policy.resourceId === input.ResourceId)
      && (input.ScalableDimension === undefined || policy.scalableDimension === input.ScalableDimension)
      && (names === undefined || names.includes(policy.name)));
    const page = this.page(input, matching, { max: 10, default: 10, invalidToken: 'InvalidNextTokenException' });
    return {
      ScalingPolicies: page.items.map((policy) => ({
        ...policy.request,
        PolicyARN: policy.arn,
        PolicyName: policy.name,
        ServiceNamespace: policy.serviceNamespace,
        ResourceId: policy.resourceId,
        ScalableDimension: policy.scalableDimension,
        CreationTime: policy.createdAt,
        Alarms: [],
      })),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  private deleteScalingPolicy(input: Input): Record<string, unknown> {
    const key = `${targetKey(input)}|${requiredAutoScalingString(input, 'PolicyName')}`;
    // ASSUMED wording.
    if (!this.scalingPolicies.delete(key)) throw new Failure('ObjectNotFoundException', `No scaling policy found for service namespace: ${String(input.ServiceNamespace)}, resource ID: ${String(input.ResourceId)}, scalable dimension: ${String(input.ScalableDimension)}, policy name: ${String(input.PolicyName)}`);
    return {};
  }

  /** The key of an existing target named by ServiceNamespace, ResourceId and ScalableDimension. */
  private findScalableTarget(input: Input): string {
    const key = targetKey(input);
    if (!this.scalableTargets.has(key)) {
      // ASSUMED wording.
      throw new Failure('ObjectNotFoundException', `No scalable target registered for service namespace: ${String(input.ServiceNamespace)}, resource ID: ${String(input.ResourceId)}, scalable dimension: ${String(input.ScalableDimension)}`);
    }
    return key;
  }

  /** Deregistering a target deletes its scaling policies (Application Auto Scaling API reference). */
  private removeScalableTarget(key: string): void {
    this.scalableTargets.delete(key);
    for (const policyKey of [...this.scalingPolicies.keys()]) {
      if (policyKey.startsWith(`${key}|`)) this.scalingPolicies.delete(policyKey);
    }
  }

  // --- shared ----------------------------------------------------------------------------------------------------------

  private page<T>(input: Input, items: T[], limits: { max: number; default: number; invalidToken: string }): { items: T[]; nextToken?: string } {
    const requested = input.MaxResults ?? limits.default;
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1 || requested > limits.max) {
      throw new Failure('ValidationException', `1 validation error detected: Value '${String(requested)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${limits.max}`);
    }
    let offset = 0;
    if (input.NextToken !== undefined) {
      const decoded = Number(Buffer.from(String(input.NextToken), 'base64url').toString('utf8').replace(/^offset:/, ''));
      if (!Number.isInteger(decoded) || decoded < 0) throw new Failure(limits.invalidToken, 'Invalid NextToken');
      offset = decoded;
    }
    const size = Math.min(requested, this.maxPageSize);
    const end = offset + size;
    return { items: items.slice(offset, end), nextToken: end < items.length ? Buffer.from(`offset:${end}`).toString('base64url') : undefined };
  }

  // --- SSM Parameter Store (String parameters) ---------------------------------------------------------------------

  private getParameter(input: Input, region: string): Record<string, unknown> {
    const name = requiredString(input, 'Name');
    const parameter = this.parameters.get(name);
    if (parameter === undefined) throw new Failure('ParameterNotFound', '');
    return { Parameter: { Name: name, Type: 'String', Value: parameter.value, Version: parameter.version, ARN: `arn:aws:ssm:${region}:${EMULATOR_ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}` } };
  }

  private putParameter(input: Input): Record<string, unknown> {
    const name = requiredString(input, 'Name');
    const value = requiredString(input, 'Value');
    const existing = this.parameters.get(name);
    if (existing !== undefined && input.Overwrite !== true) {
      throw new Failure('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(name, { value, version });
    return { Version: version, Tier: 'Standard' };
  }

  private deleteParameter(input: Input): Record<string, unknown> {
    const name = requiredString(input, 'Name');
    if (!this.parameters.delete(name)) throw new Failure('ParameterNotFound', '');
    return {};
  }

  private arn(region: string, type: string, name: string): string {
    return `arn:aws:sagemaker:${region}:${EMULATOR_ACCOUNT}:${type}/${name.toLowerCase()}`;
  }

  private tick(): number {
    this.clock += 1;
    return this.clock;
  }
}

function validation(message: string): Failure {
  return new Failure('ValidationException', message);
}

function requiredString(input: Input, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value === '') {
    throw validation(`1 validation error detected: Value null at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function sageMakerName(input: Input, member: string): string {
  const value = requiredString(input, member);
  if (!API_NAME_PATTERN.test(value)) {
    throw validation(`1 validation error detected: Value '${value}' at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${API_NAME_PATTERN.source.slice(1, -1)}`);
  }
  return value;
}

function requiredAutoScalingString(input: Input, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value === '') throw new Failure('ValidationException', `${member} is required`);
  return value;
}

function targetKey(input: Input): string {
  return `${requiredAutoScalingString(input, 'ServiceNamespace')}|${requiredAutoScalingString(input, 'ResourceId')}|${requiredAutoScalingString(input, 'ScalableDimension')}`;
}

/** Service and region of a SigV4 `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...`. */
function credentialScope(authorization: string): { readonly region: string; readonly service: string } | undefined {
  const match = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  return match === null ? undefined : { region: match[1], service: match[2] };
}

function errorResponse(error: EmulatedError): LoopbackResponse {
  return {
    status: error.status ?? 400,
    headers: { 'content-type': JSON_1_1, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ __type: error.type, message: error.message }),
  };
}
