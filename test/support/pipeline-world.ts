import { createHash } from 'crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { sageMakerRequestProblems } from './sagemaker-api';
import { handler as pipelineStepHandler } from '../../lambda/pipeline/index';

/**
 * The AWS side of a retraining run, simulated at the task boundary: each Task state of the synthesized definition
 * is answered by this in-memory SageMaker/SSM/SNS/Step Functions/Auto Scaling, except the pipeline's own Lambda
 * function, whose real handler runs. Every call is recorded with the state that made it, and every SageMaker request
 * is checked against the API shapes.
 *
 * Faults are injected by state name (`Scenario.fault`), with the error each integration reports for them (see
 * `faultError`): the states to fault are read from the definition, so a state added later is faulted too.
 *
 * The evaluation function (lambda/evaluation, its own tests run it against an S3 emulator) is answered here by what
 * it returns for the scenario's dataset: a test set of `testSet` kind, and each model's figures on it. A score needs
 * the model's transform job to have completed with its output where the score step reads it.
 */
export type TrainingOutcome = 'success' | 'capacity' | 'failure';
/** `slow`: an update completes one poll before the deployment's own bounds end; `stuck`: it never settles. */
export type EndpointOutcome = 'in-service' | 'failed' | 'silent-rollback' | 'stuck' | 'slow';
/** How a Batch Transform job of the evaluation ends, or `all-images-failed`: it completes, but no answer is usable. */
export type TransformOutcome = 'success' | 'failure' | 'all-images-failed';
/** `empty`: a test/ folder with no image of a trained class (imageCount 0); `none`: a dataset that cannot give one. */
export type TestSetKind = 'test-folder' | 'hold-out' | 'empty' | 'none';
export interface Figures { readonly accuracy: number; readonly macroF1: number }
export type FaultKind = 'throttling' | 'validation' | 'not-found' | 'internal' | 'timeout' | 'job-failed';
export const FAULT_KINDS: readonly FaultKind[] = ['throttling', 'validation', 'not-found', 'internal', 'timeout', 'job-failed'];
/** Fault kinds a retry can fix. */
export const RETRYABLE_FAULTS: readonly FaultKind[] = ['throttling', 'internal'];

export interface Fault {
  /** The Task state whose calls fail. */
  readonly state: string;
  readonly kind: FaultKind;
  /** The first call of the state (1-based) that fails. */
  readonly fromCall: number;
  /** How many calls fail from there (Infinity: every later call too). */
  readonly times: number;
}

export interface Scenario {
  /** Outcome of each training attempt in order; missing entries succeed. */
  readonly training?: TrainingOutcome[];
  readonly validationAccuracy?: number;
  /** Validation accuracy recorded for the serving model, or undefined when nothing was promoted yet. */
  readonly championAccuracy?: number;
  /** The dataset's test set: its `test/` folder, a hold-out of its training images, or none (too few images). @default 'none' */
  readonly testSet?: TestSetKind;
  /** The trained model's figures on the test set. @default { accuracy: 0.9, macroF1: 0.88 } */
  readonly challengerScore?: Figures;
  /** The serving model's figures on the test set. @default { accuracy: 0.8, macroF1: 0.78 } */
  readonly championScore?: Figures;
  /** The champion record already holds the champion's figures on this version of the test set (or an older one). */
  readonly championScoredOn?: 'this-version' | 'older-version';
  /** How each model's transform job ends. @default success for both */
  readonly transform?: { readonly challenger?: TransformOutcome; readonly champion?: TransformOutcome };
  /** An endpoint already serves a model (InService), with autoscaling registered. */
  readonly endpointExists?: boolean;
  /** How the endpoint ends up after CreateEndpoint/UpdateEndpoint. */
  readonly endpointOutcome?: EndpointOutcome;
  /** The first `times` calls of `operation` fail with SageMaker throttling. */
  readonly throttle?: { readonly operation: string; readonly times: number };
  /** UpdateEndpoint is refused (for example an instance quota), as an API error. */
  readonly updateFails?: boolean;
  /** Another execution of the state machine is running. */
  readonly anotherRunInProgress?: boolean;
  /** Endpoint configs (and models) of this endpoint that exist before the run, oldest first. */
  readonly previousVersions?: number;
  /** Names of endpoint configs that belong to someone else but contain this endpoint's prefix. */
  readonly foreignConfigs?: string[];
  readonly input?: unknown;
  readonly executionName?: string;
  /** Calls of one state fail (the fault under test). */
  readonly fault?: Fault;
  /** Faults that are part of the path itself (a path through the failure phase's rarer branches). */
  readonly pathFaults?: Fault[];
  /** Responses of this SageMaker operation (e.g. `DescribeEndpoint`) lack this member (a dotted path, `[]` for each item). */
  readonly omit?: { readonly operation: string; readonly member: string };
}

export interface Call {
  readonly state: string;
  readonly api: string;
  readonly request: Record<string, unknown>;
  /** The error the call failed with, if any. */
  readonly error?: string;
  /** What the call returned, as the task received it. */
  readonly response?: unknown;
}

export interface Endpoint { status: string; config: string; pending?: string; describes: number; created: boolean; settleAfter?: number }

const ACCOUNT = 'us-east-1:123456789012';
const EVALUATION_ACTIONS = ['selectTestSet', 'score'];
const DEFAULT_CHALLENGER_SCORE: Figures = { accuracy: 0.9, macroF1: 0.88 };
const DEFAULT_CHAMPION_SCORE: Figures = { accuracy: 0.8, macroF1: 0.78 };
function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
/** The version of the scenario's test set (a SHA-256, as the evaluation function makes it). */
export const TEST_SET_VERSION = hash('test set of the scenario');
const TRANSITIONAL = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'];

export class AwsError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/**
 * The error a fault of `kind` surfaces as in a Task state calling `api`. The optimized SageMaker integrations report
 * every API error as SageMaker.AmazonSageMakerException with the error code only in the cause; the AWS SDK
 * integrations name it `<Service>.<Code>` with an `Exception` suffix (Step Functions developer guide, "AWS SDK service
 * integrations"). Names marked [U] are not documented for these exact calls.
 */
export function faultError(kind: FaultKind, api: string, state: string): AwsError {
  if (kind === 'timeout') return new AwsError('States.Timeout', `${state} timed out`);
  if (api === 'sagemaker:createTrainingJob.sync' && kind === 'job-failed') {
    return new AwsError('States.TaskFailed', JSON.stringify({ TrainingJobStatus: 'Failed', FailureReason: 'InternalServerError: We encountered an internal error.' }));
  }
  if (api === 'sagemaker:createTransformJob.sync' && kind === 'job-failed') {
    return new AwsError('States.TaskFailed', JSON.stringify({ TransformJobStatus: 'Failed', FailureReason: 'InternalServerError: We encountered an internal error.' }));
  }
  const optimized = /^sagemaker:/.test(api);
  const service = api === 'lambda' ? 'Lambda' : api.startsWith('sns:') ? 'SNS' : serviceOf(api);
  const codes: Record<Exclude<FaultKind, 'timeout' | 'job-failed'>, Record<string, [string, string]>> = {
    'throttling': {
      SageMaker: ['ThrottlingException', 'Rate exceeded'], Ssm: ['ThrottlingException', 'Rate exceeded'], Sfn: ['ThrottlingException', 'Rate exceeded'],
      ApplicationAutoScaling: ['ConcurrentUpdateException', 'Concurrent update in progress'], Lambda: ['TooManyRequestsException', 'Rate exceeded'],
      SNS: ['ThrottledException', 'Rate exceeded'],
    },
    'internal': {
      SageMaker: ['InternalFailure', 'We encountered an internal error. Please try again.'], Ssm: ['InternalServerError', 'internal error'],
      Sfn: ['InternalServerError', 'internal error'], ApplicationAutoScaling: ['InternalServiceException', 'internal error'],
      Lambda: ['ServiceException', 'internal error'], SNS: ['InternalErrorException', 'internal error'],
    },
    'validation': {
      SageMaker: ['ValidationException', '1 validation error detected'], Ssm: ['ValidationException', 'invalid parameter'],
      Sfn: ['InvalidArn', 'Invalid Arn'], ApplicationAutoScaling: ['ValidationException', 'invalid request'],
      Lambda: ['InvalidRequestContentException', 'invalid request'], SNS: ['InvalidParameterException', 'invalid parameter'],
    },
    'not-found': {
      SageMaker: ['ValidationException', 'Could not find the resource'], Ssm: ['ParameterNotFound', 'Parameter not found'],
      Sfn: ['StateMachineDoesNotExist', 'State machine does not exist'], ApplicationAutoScaling: ['ObjectNotFoundException', 'No scalable target registered'],
      Lambda: ['ResourceNotFoundException', 'Function not found'], SNS: ['NotFoundException', 'Topic does not exist'],
    },
  };
  const [code, message] = codes[kind === 'job-failed' ? 'internal' : kind][service];
  if (optimized) {
    return new AwsError('SageMaker.AmazonSageMakerException', `${message} (Service: AmazonSageMaker; Status Code: ${kind === 'internal' ? 500 : 400}; Error Code: ${code}; Request ID: r-1)`);
  }
  return new AwsError(`${service}.${code.endsWith('Exception') ? code : `${code}Exception`}`, `${message} (Service: ${service}, Status Code: 400, Request ID: r-1)`);
}

function serviceOf(api: string): string {
  const service = /^aws-sdk:([a-z]+):/.exec(api)?.[1];
  return ({ sagemaker: 'SageMaker', ssm: 'Ssm', sfn: 'Sfn', applicationautoscaling: 'ApplicationAutoScaling' } as Record<string, string>)[service ?? ''] ?? 'SageMaker';
}

export class PipelineWorld {
  public readonly calls: Call[] = [];
  public readonly apiProblems: string[] = [];
  public readonly endpoints = new Map<string, Endpoint>();
  public readonly endpointConfigs = new Map<string, { created: number; request: Record<string, unknown> }>();
  public readonly models = new Map<string, Record<string, unknown>>();
  public readonly trainingJobs = new Map<string, string>();
  /** Transform jobs by name: their status and the model they ran. */
  public readonly transformJobs = new Map<string, { status: string; model: string; output: string }>();
  /** Evaluation reports written, by model role. */
  public readonly reports: Array<{ role: string; modelName: string; json: string; html: string }> = [];
  /** Endpoints with a registered scalable target, and those with a scaling policy. */
  public readonly scalableTargets = new Set<string>();
  public readonly scalingPolicies = new Set<string>();
  public readonly parameters = new Map<string, string>();
  public readonly messages: Array<{ subject: string; message: string }> = [];
  /** What the pipeline's step function wrote on stdout (its log lines and CloudWatch EMF metric lines), a line each. */
  public readonly stepFunctionOutput: string[] = [];
  /** The champion record before the run. */
  public readonly initialChampion: string;
  private trainingAttempts = 0;
  private clock = 0;
  private throttled = 0;
  private readonly callsByState = new Map<string, number>();

  constructor(private readonly scenario: Scenario, resourceNamePrefix: string, private readonly endpointName: string, private readonly pollSeconds: number) {
    const versions = scenario.previousVersions ?? (scenario.endpointExists ? 1 : 0);
    for (let i = 0; i < versions; i++) {
      const name = `${resourceNamePrefix}-2026010${i}-000000-0000000${i}`;
      this.endpointConfigs.set(name, { created: this.tick(), request: { ProductionVariants: [{ ModelName: name }] } });
      this.models.set(name, {});
    }
    for (const name of scenario.foreignConfigs ?? []) {
      this.endpointConfigs.set(name, { created: this.tick(), request: { ProductionVariants: [{ ModelName: name }] } });
      this.models.set(name, {});
    }
    let serving: string | undefined;
    if (scenario.endpointExists) {
      serving = [...this.endpointConfigs.keys()].filter((n) => n.startsWith(`${resourceNamePrefix}-`)).pop()!;
      this.endpoints.set(endpointName, { status: 'InService', config: serving, describes: 0, created: false });
      this.scalableTargets.add(endpointName);
      this.scalingPolicies.add(endpointName);
    }
    const recorded = scenario.championScoredOn === undefined ? {} : {
      testSet: { version: scenario.championScoredOn === 'this-version' ? TEST_SET_VERSION : hash('older'), ...(scenario.championScore ?? DEFAULT_CHAMPION_SCORE) },
    };
    this.initialChampion = JSON.stringify(scenario.championAccuracy === undefined
      ? { runId: 'none', validationAccuracy: -1 }
      : { runId: 'champion', validationAccuracy: scenario.championAccuracy, ...(serving ? { endpointConfigName: serving, modelName: serving } : {}), ...recorded });
  }

  /** The champion record now (the last written, or the one before the run). */
  public champion(): Record<string, unknown> {
    const values = [...this.parameters.values()];
    return JSON.parse(values.length > 0 ? values[values.length - 1] : this.initialChampion);
  }

  /** Answers a Task state; `resource` is the state's Resource ARN. */
  public async task(state: string, resource: string, request: Record<string, unknown>): Promise<unknown> {
    const api = apiOf(resource);
    const call = (this.callsByState.get(state) ?? 0) + 1;
    this.callsByState.set(state, call);
    const record = (error?: string, response?: unknown) => this.calls.push({ state, api, request, ...(error ? { error } : { response }) });
    const fault = [this.scenario.fault, ...(this.scenario.pathFaults ?? [])]
      .find((f) => f !== undefined && f.state === state && call >= f.fromCall && call < f.fromCall + f.times);
    if (fault) {
      const error = faultError(fault.kind, api, state);
      // "Not found" is true when SageMaker says it: something else removed what the call names.
      if (fault.kind === 'not-found') this.forget(api, request);
      // A timed-out call may have taken effect: the worst case is that it did.
      if (fault.kind === 'timeout') await this.answer(state, api, request).catch(() => undefined);
      if (fault.kind === 'timeout' && api === 'sagemaker:createTrainingJob.sync') this.trainingJobs.set(request.TrainingJobName as string, 'InProgress');
      const timedOutTransform = fault.kind === 'timeout' && api === 'sagemaker:createTransformJob.sync' ? this.transformJobs.get(request.TransformJobName as string) : undefined;
      if (timedOutTransform) timedOutTransform.status = 'InProgress';
      record(error.name);
      throw error;
    }
    if (this.scenario.throttle && api.endsWith(this.scenario.throttle.operation) && this.throttled < this.scenario.throttle.times) {
      this.throttled++;
      const error = faultError('throttling', api, state);
      record(error.name);
      throw error;
    }
    try {
      const answered = await this.answer(state, api, request);
      const operation = responseOperation(api);
      const omit = this.scenario.omit;
      const response = omit && omit.operation === operation ? withoutMember(answered, omit.member) : answered;
      record(undefined, response);
      return response;
    } catch (error) {
      record((error as Error).name);
      throw error;
    }
  }

  private async answer(state: string, api: string, request: Record<string, unknown>): Promise<unknown> {
    const operation = sageMakerOperation(api);
    if (operation) {
      for (const problem of sageMakerRequestProblems(operation, request)) this.apiProblems.push(`${state}: ${problem}`);
    }
    switch (api) {
      case 'lambda': return EVALUATION_ACTIONS.includes(request.action as string) ? this.evaluation(request)
        : this.captureOutput(() => pipelineStepHandler(request as never));
      case 'sagemaker:createTransformJob.sync': return this.transform(request);
      case 'aws-sdk:sagemaker:stopTransformJob': {
        const job = this.transformJobs.get(request.TransformJobName as string);
        if (!job) throw new AwsError('SageMaker.ValidationException', `Could not find requested job with name ${String(request.TransformJobName)} (Service: SageMaker, Status Code: 400, Request ID: r-1)`);
        if (job.status !== 'InProgress') {
          throw new AwsError('SageMaker.ValidationException', `The transform job ${String(request.TransformJobName)} is not in progress (Service: SageMaker, Status Code: 400, Request ID: r-1)`);
        }
        job.status = 'Stopped';
        return {};
      }
      case 'sagemaker:createTrainingJob.sync': return this.train(request);
      case 'sagemaker:createModel': return this.create(this.models, request.ModelName as string, request, 'model');
      case 'sagemaker:createEndpointConfig': {
        if (!this.models.has((request.ProductionVariants as Array<{ ModelName: string }>)[0].ModelName)) {
          throw new AwsError('SageMaker.AmazonSageMakerException', 'Could not find model (Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException; Request ID: r-1)');
        }
        this.create(this.endpointConfigs, request.EndpointConfigName as string, { created: this.tick(), request }, 'endpoint configuration');
        return { EndpointConfigArn: `arn:aws:sagemaker:${ACCOUNT}:endpoint-config/${request.EndpointConfigName}` };
      }
      case 'sagemaker:createEndpoint': return this.deploy(request, true);
      case 'sagemaker:updateEndpoint': return this.deploy(request, false);
      case 'aws-sdk:sagemaker:describeEndpoint': return this.describe(request.EndpointName as string);
      case 'aws-sdk:sagemaker:deleteEndpoint': {
        const result = this.remove(this.endpoints, request.EndpointName as string, 'endpoint');
        // Deleting an endpoint deregisters its scalable targets (and so their policies).
        this.scalableTargets.delete(request.EndpointName as string);
        this.scalingPolicies.delete(request.EndpointName as string);
        return result;
      }
      case 'aws-sdk:sagemaker:deleteEndpointConfig': return this.remove(this.endpointConfigs, request.EndpointConfigName as string, 'endpoint configuration');
      case 'aws-sdk:sagemaker:deleteModel': return this.remove(this.models, request.ModelName as string, 'model');
      case 'aws-sdk:sagemaker:stopTrainingJob': {
        const name = request.TrainingJobName as string;
        if (this.trainingJobs.get(name) !== 'InProgress') {
          throw new AwsError('SageMaker.ValidationException', `The training job ${name} is not in progress (Service: SageMaker, Status Code: 400, Request ID: r-1)`);
        }
        this.trainingJobs.set(name, 'Stopped');
        return {};
      }
      case 'aws-sdk:sagemaker:listEndpointConfigs': {
        const matching = [...this.endpointConfigs.entries()]
          .filter(([name]) => name.includes(request.NameContains as string))
          .sort((a, b) => b[1].created - a[1].created);
        return { EndpointConfigs: matching.map(([name, c]) => ({ EndpointConfigName: name, EndpointConfigArn: `arn:aws:sagemaker:${ACCOUNT}:endpoint-config/${name}`, CreationTime: c.created })) };
      }
      case 'aws-sdk:ssm:getParameter': {
        // The pipeline creates the record at its first promotion: before any, there is none.
        const value = this.parameters.get(request.Name as string) ?? (this.scenario.championAccuracy === undefined ? undefined : this.initialChampion);
        if (value === undefined) throw new AwsError('Ssm.ParameterNotFoundException', 'Service returned error code ParameterNotFound (Service: Ssm, Status Code: 400, Request ID: r-1)');
        return { Parameter: { Name: request.Name, Value: value, Type: 'String', Version: 1 } };
      }
      case 'aws-sdk:ssm:putParameter':
        this.parameters.set(request.Name as string, request.Value as string);
        return { Version: 2 };
      case 'sns:publish':
        this.messages.push({ subject: request.Subject as string, message: request.Message as string });
        return { MessageId: `m-${this.messages.length}` };
      case 'aws-sdk:sfn:listExecutions':
        return { Executions: this.scenario.anotherRunInProgress ? [{ name: 'other' }, { name: 'this' }] : [{ name: 'this' }] };
      case 'aws-sdk:applicationautoscaling:registerScalableTarget':
        this.scalableTargets.add(this.endpointName);
        return {};
      case 'aws-sdk:applicationautoscaling:putScalingPolicy':
        if (!this.scalableTargets.has(this.endpointName)) throw new AwsError('ApplicationAutoScaling.ObjectNotFoundException', 'No scalable target registered');
        this.scalingPolicies.add(this.endpointName);
        return {};
      case 'aws-sdk:applicationautoscaling:deregisterScalableTarget':
        if (!this.scalableTargets.delete(this.endpointName)) throw new AwsError('ApplicationAutoScaling.ObjectNotFoundException', 'No scalable target registered');
        this.scalingPolicies.delete(this.endpointName);
        return {};
      default:
        throw new Error(`the simulated world does not answer ${api} (state ${state})`);
    }
  }

  /**
   * Runs the step function's handler with its stdout kept in `stepFunctionOutput` (the handler does its work before
   * its first await, so concurrent runs cannot mix their lines).
   */
  private captureOutput<T>(run: () => T): T {
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      this.stepFunctionOutput.push(...String(chunk).split('\n').filter((line) => line.length > 0));
      return true;
    }) as typeof process.stdout.write;
    try {
      return run();
    } finally {
      process.stdout.write = write;
    }
  }

  private forget(api: string, request: Record<string, unknown>): void {
    if (/(describe|delete)Endpoint$/.test(api)) {
      this.endpoints.delete(request.EndpointName as string);
      this.scalableTargets.delete(request.EndpointName as string);
      this.scalingPolicies.delete(request.EndpointName as string);
    }
    if (api.endsWith('deleteEndpointConfig')) this.endpointConfigs.delete(request.EndpointConfigName as string);
    if (api.endsWith('deleteModel')) this.models.delete(request.ModelName as string);
    if (api.endsWith('stopTrainingJob')) this.trainingJobs.delete(request.TrainingJobName as string);
    if (api.endsWith('stopTransformJob')) this.transformJobs.delete(request.TransformJobName as string);
  }

  private tick(): number {
    return ++this.clock;
  }

  private train(request: Record<string, unknown>): unknown {
    const outcome = this.scenario.training?.[this.trainingAttempts++] ?? 'success';
    const name = request.TrainingJobName as string;
    const describe = {
      TrainingJobName: name, TrainingJobArn: `arn:aws:sagemaker:${ACCOUNT}:training-job/${name}`, SecondaryStatus: 'Completed',
      StoppingCondition: request.StoppingCondition, CreationTime: 1, AlgorithmSpecification: request.AlgorithmSpecification,
      RoleArn: request.RoleArn, ResourceConfig: request.ResourceConfig, TrainingStartTime: 2, TrainingEndTime: 3, LastModifiedTime: 3,
    };
    if (outcome === 'capacity') {
      this.trainingJobs.set(name, 'Failed');
      throw new AwsError('States.TaskFailed', JSON.stringify({ ...describe, TrainingJobStatus: 'Failed',
        FailureReason: 'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.' }));
    }
    if (outcome === 'failure') {
      this.trainingJobs.set(name, 'Failed');
      throw new AwsError('States.TaskFailed', JSON.stringify({ ...describe, TrainingJobStatus: 'Failed',
        FailureReason: 'AlgorithmError: ExecuteUserScriptError: Found 1 class folder; need at least 2' }));
    }
    this.trainingJobs.set(name, 'Completed');
    const output = (request.OutputDataConfig as { S3OutputPath: string }).S3OutputPath;
    return {
      ...describe,
      TrainingJobStatus: 'Completed',
      HyperParameters: request.HyperParameters,
      ModelArtifacts: { S3ModelArtifacts: `${output}${name}/output/model.tar.gz` },
      FinalMetricDataList: [
        { MetricName: 'val_loss', Value: 0.3, Timestamp: 1 },
        { MetricName: 'tflow-ic:val-accuracy', Value: this.scenario.validationAccuracy ?? 0.9, Timestamp: 1 },
      ],
      TrainingTimeInSeconds: 420,
      BillableTimeInSeconds: 420,
    };
  }

  /** createTransformJob.sync: the job classifies the test set with the model, unless the scenario makes it fail. */
  private transform(request: Record<string, unknown>): unknown {
    const name = request.TransformJobName as string;
    const model = request.ModelName as string;
    if (!this.models.has(model)) {
      throw new AwsError('SageMaker.AmazonSageMakerException', `Could not find model "${model}". (Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException; Request ID: r-1)`);
    }
    if (this.transformJobs.has(name)) {
      throw new AwsError('SageMaker.AmazonSageMakerException', `Job name must be unique within an AWS account and region, and a job with this name already exists (${name}) (Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException; Request ID: r-1)`);
    }
    const output = (request.TransformOutput as { S3OutputPath: string }).S3OutputPath;
    const job = { status: 'InProgress', model, output };
    this.transformJobs.set(name, job);
    const describe = {
      TransformJobName: name, TransformJobArn: `arn:aws:sagemaker:${ACCOUNT}:transform-job/${name.toLowerCase()}`, ModelName: model,
      TransformInput: request.TransformInput, TransformOutput: request.TransformOutput, TransformResources: request.TransformResources,
      BatchStrategy: request.BatchStrategy, MaxPayloadInMB: request.MaxPayloadInMB, ModelClientConfig: request.ModelClientConfig,
      CreationTime: 1, TransformStartTime: 2, TransformEndTime: 3,
    };
    if (this.transformOutcome(output) === 'failure') {
      job.status = 'Failed';
      throw new AwsError('States.TaskFailed', JSON.stringify({ ...describe, TransformJobStatus: 'Failed',
        FailureReason: 'ClientError: See job logs for more information' }));
    }
    job.status = 'Completed';
    return { ...describe, TransformJobStatus: 'Completed' };
  }

  /** The outcome the scenario gives the transform job writing to `output` (the challenger's or the champion's folder). */
  private transformOutcome(output: string): TransformOutcome {
    const role = output.includes('/predictions/champion/') ? 'champion' : 'challenger';
    return this.scenario.transform?.[role] ?? 'success';
  }

  /** The evaluation function's two actions, as lambda/evaluation answers them for the scenario's dataset. */
  private evaluation(request: Record<string, unknown>): unknown {
    const kind = this.scenario.testSet ?? 'none';
    if (request.action === 'selectTestSet') {
      if (kind === 'none') throw new AwsError('UnusableDataset', 'class daisy has 3 training images: too few to hold 10% out as the test set');
      const folder = request.runFolderUri as string;
      return {
        source: kind === 'empty' ? 'test-folder' : kind, version: TEST_SET_VERSION, imageCount: kind === 'empty' ? 0 : 40, classes: ['daisy', 'roses', 'tulips'], classesWithoutTestImages: [],
        testManifestUri: `${folder}test.manifest`, trainingManifestUri: kind === 'hold-out' ? `${folder}training.manifest` : null,
        skipped: { count: 0, examples: [], listUri: null },
      };
    }
    // score: the predictions are the output of a completed transform job of this model.
    const predictions = request.predictionsUri as string;
    const job = [...this.transformJobs.values()].find((j) => j.output === predictions && j.model === request.modelName && j.status === 'Completed');
    if (!job) throw new AwsError('AllTestImagesFailed', `no prediction of the 40 test images under ${predictions}`);
    if (this.transformOutcome(predictions) === 'all-images-failed') {
      throw new AwsError('AllTestImagesFailed', `none of the 40 test images has a usable answer under ${predictions}`);
    }
    const role = request.role as string;
    const figures = role === 'champion' ? this.scenario.championScore ?? DEFAULT_CHAMPION_SCORE : this.scenario.challengerScore ?? DEFAULT_CHALLENGER_SCORE;
    const base = `${request.reportPrefixUri as string}${role}-${request.modelName as string}`;
    this.reports.push({ role, modelName: request.modelName as string, json: `${base}.json`, html: `${base}.html` });
    return { ...figures, reportJsonUri: `${base}.json`, reportHtmlUri: `${base}.html`, imageCount: 40, failureCount: 0 };
  }

  private create<T>(store: Map<string, T>, name: string, value: T, kind: string): unknown {
    if (store.has(name)) {
      throw new AwsError('SageMaker.AmazonSageMakerException', `Cannot create already existing ${kind} "${name}". (Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException; Request ID: r-1)`);
    }
    store.set(name, value);
    return { [`${kind === 'model' ? 'Model' : 'EndpointConfig'}Arn`]: `arn:aws:sagemaker:${ACCOUNT}:${kind}/${name}` };
  }

  private remove<T>(store: Map<string, T>, name: string, kind: string): unknown {
    if (!store.delete(name)) throw new AwsError('SageMaker.ValidationException', `Could not find ${kind} "${name}". (Service: SageMaker, Status Code: 400, Request ID: r-1)`);
    return {};
  }

  private deploy(request: Record<string, unknown>, create: boolean): unknown {
    const name = request.EndpointName as string;
    const config = request.EndpointConfigName as string;
    const refuse = (message: string, code = 'ValidationException') =>
      new AwsError(code === 'ValidationException' ? 'SageMaker.AmazonSageMakerException' : `SageMaker.${code}`,
        `${message} (Service: AmazonSageMaker; Status Code: 400; Error Code: ${code}; Request ID: r-1)`);
    if (!this.endpointConfigs.has(config)) throw refuse(`Could not find endpoint configuration "${config}".`);
    const existing = this.endpoints.get(name);
    const outcome = this.scenario.endpointOutcome ?? 'in-service';
    const settleAfter = outcome === 'slow' ? slowSettle(request, this.pollSeconds) : 2;
    if (create) {
      if (existing) throw refuse(`Cannot create already existing endpoint "${name}".`);
      this.endpoints.set(name, { status: 'Creating', config, pending: config, describes: 0, created: true, settleAfter });
    } else {
      if (!existing) throw refuse(`Could not find endpoint "${name}".`);
      if (existing.status !== 'InService') throw refuse(`Cannot update in-progress endpoint "${name}".`);
      if (this.scenario.updateFails) {
        throw refuse('The account-level service limit for ml.m5.large for endpoint usage is 2 Instances', 'ResourceLimitExceededException');
      }
      Object.assign(existing, { status: 'Updating', pending: config, describes: 0, settleAfter });
    }
    return { EndpointArn: `arn:aws:sagemaker:${ACCOUNT}:endpoint/${name}` };
  }

  private describe(name: string): unknown {
    const endpoint = this.endpoints.get(name);
    if (!endpoint) throw new AwsError('SageMaker.ValidationException', `Could not find endpoint "${name}". (Service: SageMaker, Status Code: 400, Request ID: r-1)`);
    const outcome = this.scenario.endpointOutcome ?? 'in-service';
    if (endpoint.pending && outcome !== 'stuck' && ++endpoint.describes >= (endpoint.settleAfter ?? 2)) {
      if (outcome === 'in-service' || outcome === 'slow') Object.assign(endpoint, { status: 'InService', config: endpoint.pending, pending: undefined });
      if (outcome === 'failed') Object.assign(endpoint, { status: 'Failed', config: endpoint.pending, pending: undefined });
      if (outcome === 'silent-rollback') Object.assign(endpoint, { status: 'InService', pending: undefined });
    }
    return {
      EndpointName: name,
      EndpointArn: `arn:aws:sagemaker:${ACCOUNT}:endpoint/${name}`,
      EndpointConfigName: endpoint.config,
      EndpointStatus: endpoint.status,
      ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: 1, DesiredInstanceCount: 1 }],
      ...(endpoint.status === 'Failed' ? { FailureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' } : {}),
      CreationTime: 1,
      LastModifiedTime: 2,
    };
  }

  /** Whether an endpoint is changing (SageMaker may still complete what the run started). */
  public static isTransitional(endpoint: Endpoint | undefined): boolean {
    return endpoint !== undefined && TRANSITIONAL.includes(endpoint.status);
  }
}

/**
 * DescribeEndpoint polls after which an update completes when it takes as long as its DeploymentConfig allows:
 * the maximum execution time, then the termination wait (baking) and every traffic-shift interval, less one poll.
 */
function slowSettle(request: Record<string, unknown>, pollSeconds: number): number {
  const policy = (request.DeploymentConfig as { BlueGreenUpdatePolicy?: Record<string, any> } | undefined)?.BlueGreenUpdatePolicy;
  if (!policy) return 2;
  const routing = policy.TrafficRoutingConfiguration ?? {};
  const steps = routing.Type === 'LINEAR' ? Math.ceil(100 / routing.LinearStepSize.Value) : routing.Type === 'CANARY' ? 1 : 0;
  const seconds = policy.MaximumExecutionTimeoutInSeconds + policy.TerminationWaitInSeconds + steps * routing.WaitIntervalInSeconds;
  return Math.floor(seconds / pollSeconds) - 1;
}

/** A copy of `value` without `member` (a dotted path; `[]` applies the rest to every item of a list). */
export function withoutMember(value: unknown, member: string): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const remove = (target: unknown, parts: string[]): void => {
    if (target === null || typeof target !== 'object') return;
    const [head, ...rest] = parts;
    if (head === '[]') {
      if (Array.isArray(target)) target.forEach((item) => remove(item, rest));
      return;
    }
    const record = target as Record<string, unknown>;
    if (rest.length === 0) delete record[head];
    else remove(record[head], rest);
  };
  remove(copy, member.split('.').flatMap((part) => part.endsWith('[]') ? [part.slice(0, -2), '[]'] : [part]));
  return copy;
}

export function apiOf(resource: string): string {
  if (/^arn:aws:lambda:/.test(resource) || resource.endsWith(':states:::lambda:invoke')) return 'lambda';
  const match = /^arn:aws:states:::(.+)$/.exec(resource);
  if (!match) throw new Error(`unexpected task resource ${resource}`);
  return match[1];
}

/** `CreateTrainingJob` for `sagemaker:createTrainingJob.sync`, `DescribeEndpoint` for `aws-sdk:sagemaker:describeEndpoint`. */
export function sageMakerOperation(api: string): string | undefined {
  const match = /^(?:aws-sdk:)?sagemaker:([a-zA-Z]+)(?:\.sync)?$/.exec(api);
  return match ? match[1][0].toUpperCase() + match[1].slice(1) : undefined;
}

/** The SageMaker operation whose response a task receives: a `.sync` job task gets the job's description. */
export function responseOperation(api: string): string | undefined {
  if (api === 'sagemaker:createTrainingJob.sync') return 'DescribeTrainingJob';
  if (api === 'sagemaker:createTransformJob.sync') return 'DescribeTransformJob';
  return sageMakerOperation(api);
}

type StateJson = Record<string, unknown>;

/** Every state of the definition, including those inside Map and Parallel states, by name. */
export function allStates(definition: Record<string, unknown>): Map<string, StateJson> {
  const found = new Map<string, StateJson>();
  const visit = (states: Record<string, StateJson>) => {
    for (const [name, state] of Object.entries(states)) {
      found.set(name, state);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, StateJson> } | undefined;
      if (processor) visit(processor.States);
      for (const branch of (state.Branches as Array<{ States: Record<string, StateJson> }> | undefined) ?? []) visit(branch.States);
    }
  };
  visit(definition.States as Record<string, StateJson>);
  return found;
}

/** Every Task state (including those inside Map and Parallel states) with its Resource. */
export function taskStates(definition: Record<string, unknown>): Array<[string, string]> {
  return [...allStates(definition).entries()].filter(([, state]) => state.Type === 'Task').map(([name, state]) => [name, state.Resource as string]);
}

export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: Record<string, unknown>;
  readonly error?: string;
  readonly cause?: string;
  /** Names of the states entered, in order. */
  readonly path: string[];
  /** The interpreter's event log of the run (states entered and exited with their JSON, retries, catches). */
  readonly events: readonly LocalEvent[];
  readonly world: PipelineWorld;
}

/** One event of the interpreter's log (aws-local-stepfunctions' EventLog, as far as the tests read it). */
export interface LocalEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: { readonly name: string; readonly type: string; readonly input?: unknown; readonly output?: unknown };
  readonly input?: unknown;
  readonly output?: unknown;
  readonly index?: number;
  readonly Error?: string;
  readonly Cause?: unknown;
}

const machines = new WeakMap<Record<string, unknown>, StateMachine>();

/** The interpreter for `definition`, validated once (validation costs more than most runs). */
function machineFor(definition: Record<string, unknown>): StateMachine {
  let machine = machines.get(definition);
  if (!machine) {
    machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    machines.set(definition, machine);
  }
  return machine;
}

/**
 * Executes `definition` with the local ASL interpreter against a world built from `scenario`; `seed`, when given,
 * sets the world's state before the run (to carry over what an earlier step left, for example).
 */
export async function runPipeline(
  definition: Record<string, unknown>, scenario: Scenario, endpoint: { resourceNamePrefix: string; endpointName: string },
  seed?: (world: PipelineWorld) => void,
): Promise<RunResult> {
  const states = allStates(definition);
  const pollSeconds = (states.get('WaitForEndpoint')?.Seconds as number | undefined) ?? 60;
  const world = new PipelineWorld(scenario, endpoint.resourceNamePrefix, endpoint.endpointName, pollSeconds);
  seed?.(world);
  const tasks = taskStates(definition);
  const handlers = Object.fromEntries(tasks.map(([name, resource]) =>
    [name, (input: unknown) => world.task(name, resource, input as Record<string, unknown>) as Promise<never>]));
  const waits = Object.fromEntries([...states.entries()].filter(([, state]) => state.Type === 'Wait').map(([name]) => [name, 0]));
  const retries = Object.fromEntries(tasks.map(([name]) => [name, 0]));
  const machine = machineFor(definition);
  const input = scenario.input === undefined ? {} : scenario.input;
  const executionName = scenario.executionName ?? 'manual-run-1';
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: waits, retryIntervalOverrides: retries },
    context: {
      Execution: {
        Id: `arn:aws:states:${ACCOUNT}:execution:RetrainingPipeline:${executionName}`,
        Name: executionName,
        StartTime: '2026-11-28T12:00:00.000Z',
        Input: input,
      },
      StateMachine: { Id: `arn:aws:states:${ACCOUNT}:stateMachine:RetrainingPipeline`, Name: 'RetrainingPipeline' },
    } as never,
  });
  const path: string[] = [];
  const events: LocalEvent[] = [];
  const collecting = (async () => {
    for await (const event of run.eventLogs as AsyncIterable<LocalEvent>) {
      events.push(event);
      if (event.type === 'StateEntered' && event.state) path.push(event.state.name);
    }
  })();
  try {
    const output = await run.result as Record<string, unknown>;
    await collecting;
    return { status: 'SUCCEEDED', output, path, events, world };
  } catch (error) {
    await collecting;
    const cause = (error as { cause?: { name?: string; message?: string } }).cause;
    return { status: 'FAILED', error: cause?.name ?? (error as Error).name, cause: cause?.message ?? (error as Error).message, path, events, world };
  }
}
