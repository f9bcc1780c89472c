import { StateMachine } from 'aws-local-stepfunctions';
import { sageMakerRequestProblems } from './sagemaker-api';
import { handler as pipelineStepHandler } from '../../lambda/pipeline/index';

/**
 * The AWS side of a retraining run, simulated at the task boundary: each Task state of the synthesized definition
 * is answered by this in-memory SageMaker/SSM/SNS/Step Functions/Auto Scaling, except the pipeline's own Lambda
 * function, whose real handler runs. Every call is recorded with the state that made it, and every SageMaker request
 * is checked against the API shapes.
 */
export type TrainingOutcome = 'success' | 'capacity' | 'failure';
export type EndpointOutcome = 'in-service' | 'failed' | 'silent-rollback' | 'stuck';

export interface Scenario {
  /** Outcome of each training attempt in order; missing entries succeed. */
  readonly training?: TrainingOutcome[];
  readonly validationAccuracy?: number;
  /** Validation accuracy recorded for the serving model, or undefined when nothing was promoted yet. */
  readonly championAccuracy?: number;
  /** An endpoint already serves a model (InService). */
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
}

export interface Call {
  readonly state: string;
  readonly api: string;
  readonly request: Record<string, unknown>;
}

interface Endpoint { status: string; config: string; pending?: string; describes: number; created: boolean }

const ACCOUNT = 'us-east-1:123456789012';

class AwsError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export class PipelineWorld {
  public readonly calls: Call[] = [];
  public readonly apiProblems: string[] = [];
  public readonly endpoints = new Map<string, Endpoint>();
  public readonly endpointConfigs = new Map<string, { created: number; request: Record<string, unknown> }>();
  public readonly models = new Map<string, Record<string, unknown>>();
  public readonly parameters = new Map<string, string>();
  public readonly messages: Array<{ subject: string; message: string }> = [];
  private trainingAttempts = 0;
  private clock = 0;
  private throttled = 0;

  constructor(private readonly scenario: Scenario, resourceNamePrefix: string, endpointName: string) {
    const versions = scenario.previousVersions ?? (scenario.endpointExists ? 1 : 0);
    for (let i = 0; i < versions; i++) {
      const name = `${resourceNamePrefix}-2026010${i}-000000-0000000${i}`;
      this.endpointConfigs.set(name, { created: this.tick(), request: {} });
      this.models.set(name, {});
    }
    for (const name of scenario.foreignConfigs ?? []) {
      this.endpointConfigs.set(name, { created: this.tick(), request: {} });
      this.models.set(name, {});
    }
    if (scenario.endpointExists) {
      const serving = [...this.endpointConfigs.keys()].filter((n) => n.startsWith(`${resourceNamePrefix}-`)).pop()!;
      this.endpoints.set(endpointName, { status: 'InService', config: serving, describes: 0, created: false });
    }
  }

  /** Answers a Task state; `resource` is the state's Resource ARN. */
  public async task(state: string, resource: string, request: Record<string, unknown>): Promise<unknown> {
    const api = apiOf(resource);
    this.calls.push({ state, api, request });
    if (this.scenario.throttle && api.endsWith(this.scenario.throttle.operation) && this.throttled < this.scenario.throttle.times) {
      this.throttled++;
      throw new AwsError('SageMaker.AmazonSageMakerException', 'Rate exceeded (Service: AmazonSageMaker; Status Code: 400; Error Code: ThrottlingException)');
    }
    const operation = sageMakerOperation(api);
    if (operation) {
      for (const problem of sageMakerRequestProblems(operation, request)) this.apiProblems.push(`${state}: ${problem}`);
    }
    switch (api) {
      case 'lambda': return pipelineStepHandler(request as never);
      case 'sagemaker:createTrainingJob.sync': return this.train(request);
      case 'sagemaker:createModel': return this.create(this.models, request.ModelName as string, request, 'model');
      case 'sagemaker:createEndpointConfig': {
        if (!this.models.has((request.ProductionVariants as Array<{ ModelName: string }>)[0].ModelName)) {
          throw new AwsError('SageMaker.AmazonSageMakerException', 'Could not find model');
        }
        this.create(this.endpointConfigs, request.EndpointConfigName as string, { created: this.tick(), request }, 'endpoint configuration');
        return { EndpointConfigArn: `arn:aws:sagemaker:${ACCOUNT}:endpoint-config/${request.EndpointConfigName}` };
      }
      case 'sagemaker:createEndpoint': return this.deploy(request, true);
      case 'sagemaker:updateEndpoint': return this.deploy(request, false);
      case 'aws-sdk:sagemaker:describeEndpoint': return this.describe(request.EndpointName as string);
      case 'aws-sdk:sagemaker:deleteEndpoint': return this.remove(this.endpoints, request.EndpointName as string, 'endpoint');
      case 'aws-sdk:sagemaker:deleteEndpointConfig': return this.remove(this.endpointConfigs, request.EndpointConfigName as string, 'endpoint configuration');
      case 'aws-sdk:sagemaker:deleteModel': return this.remove(this.models, request.ModelName as string, 'model');
      case 'aws-sdk:sagemaker:listEndpointConfigs': {
        const matching = [...this.endpointConfigs.entries()]
          .filter(([name]) => name.includes(request.NameContains as string))
          .sort((a, b) => b[1].created - a[1].created);
        return { EndpointConfigs: matching.map(([name, c]) => ({ EndpointConfigName: name, EndpointConfigArn: `arn:aws:sagemaker:${ACCOUNT}:endpoint-config/${name}`, CreationTime: c.created })) };
      }
      case 'aws-sdk:ssm:getParameter': {
        const value = this.parameters.get(request.Name as string)
          ?? JSON.stringify(this.scenario.championAccuracy === undefined ? { runId: 'none', validationAccuracy: -1 } : { runId: 'champion', validationAccuracy: this.scenario.championAccuracy });
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
      case 'aws-sdk:applicationautoscaling:putScalingPolicy':
        return {};
      case 'aws-sdk:applicationautoscaling:deregisterScalableTarget':
        throw new AwsError('ApplicationAutoScaling.ObjectNotFoundException', 'No scalable target registered');
      default:
        throw new Error(`the simulated world does not answer ${api} (state ${state})`);
    }
  }

  private tick(): number {
    return ++this.clock;
  }

  private train(request: Record<string, unknown>): unknown {
    const outcome = this.scenario.training?.[this.trainingAttempts++] ?? 'success';
    const name = request.TrainingJobName as string;
    const describe = { TrainingJobName: name, TrainingJobArn: `arn:aws:sagemaker:${ACCOUNT}:training-job/${name}` };
    if (outcome === 'capacity') {
      throw new AwsError('States.TaskFailed', JSON.stringify({ ...describe, TrainingJobStatus: 'Failed',
        FailureReason: 'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.' }));
    }
    if (outcome === 'failure') {
      throw new AwsError('States.TaskFailed', JSON.stringify({ ...describe, TrainingJobStatus: 'Failed',
        FailureReason: 'AlgorithmError: ExecuteUserScriptError: Found 1 class folder; need at least 2' }));
    }
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
      BillableTimeInSeconds: 420,
    };
  }

  private create<T>(store: Map<string, T>, name: string, value: T, kind: string): unknown {
    if (store.has(name)) throw new AwsError('SageMaker.AmazonSageMakerException', `Cannot create already existing ${kind} "${name}".`);
    store.set(name, value);
    return { [`${kind === 'model' ? 'Model' : 'EndpointConfig'}Arn`]: `arn:aws:sagemaker:${ACCOUNT}:${kind}/${name}` };
  }

  private remove<T>(store: Map<string, T>, name: string, kind: string): unknown {
    if (!store.delete(name)) throw new AwsError('SageMaker.SageMakerException', `Could not find ${kind} "${name}".`);
    return {};
  }

  private deploy(request: Record<string, unknown>, create: boolean): unknown {
    const name = request.EndpointName as string;
    const config = request.EndpointConfigName as string;
    if (!this.endpointConfigs.has(config)) throw new AwsError('SageMaker.AmazonSageMakerException', `Could not find endpoint configuration "${config}".`);
    const existing = this.endpoints.get(name);
    if (create) {
      if (existing) throw new AwsError('SageMaker.AmazonSageMakerException', `Cannot create already existing endpoint "${name}".`);
      this.endpoints.set(name, { status: 'Creating', config, pending: config, describes: 0, created: true });
    } else {
      if (!existing) throw new AwsError('SageMaker.AmazonSageMakerException', `Could not find endpoint "${name}".`);
      if (this.scenario.updateFails) {
        throw new AwsError('SageMaker.ResourceLimitExceededException', 'The account-level service limit for ml.m5.large for endpoint usage is 2 Instances');
      }
      Object.assign(existing, { status: 'Updating', pending: config, describes: 0 });
    }
    return { EndpointArn: `arn:aws:sagemaker:${ACCOUNT}:endpoint/${name}` };
  }

  private describe(name: string): unknown {
    const endpoint = this.endpoints.get(name);
    if (!endpoint) throw new AwsError('SageMaker.SageMakerException', `Could not find endpoint "${name}". (Service: SageMaker, Status Code: 400)`);
    if (endpoint.pending && ++endpoint.describes >= 2) {
      const outcome = this.scenario.endpointOutcome ?? 'in-service';
      if (outcome === 'in-service') Object.assign(endpoint, { status: 'InService', config: endpoint.pending, pending: undefined });
      if (outcome === 'failed') Object.assign(endpoint, { status: 'Failed', config: endpoint.pending, pending: undefined });
      if (outcome === 'silent-rollback') Object.assign(endpoint, { status: 'InService', pending: undefined });
    }
    return {
      EndpointName: name,
      EndpointArn: `arn:aws:sagemaker:${ACCOUNT}:endpoint/${name}`,
      EndpointConfigName: endpoint.config,
      EndpointStatus: endpoint.status,
      CreationTime: 1,
      LastModifiedTime: 2,
    };
  }
}

function apiOf(resource: string): string {
  if (/^arn:aws:lambda:/.test(resource) || resource.endsWith(':states:::lambda:invoke')) return 'lambda';
  const match = /^arn:aws:states:::(.+)$/.exec(resource);
  if (!match) throw new Error(`unexpected task resource ${resource}`);
  return match[1];
}

/** `CreateTrainingJob` for `sagemaker:createTrainingJob.sync`, `DescribeEndpoint` for `aws-sdk:sagemaker:describeEndpoint`. */
function sageMakerOperation(api: string): string | undefined {
  const match = /^(?:aws-sdk:)?sagemaker:([a-zA-Z]+)(?:\.sync)?$/.exec(api);
  return match ? match[1][0].toUpperCase() + match[1].slice(1) : undefined;
}

/** Every Task state (including those inside Map states) with its Resource. */
function taskStates(definition: Record<string, unknown>): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const visit = (states: Record<string, Record<string, unknown>>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') found.push([name, state.Resource as string]);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, Record<string, unknown>> } | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(definition.States as Record<string, Record<string, unknown>>);
  return found;
}

export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: Record<string, unknown>;
  readonly error?: string;
  readonly cause?: string;
  /** Names of the states entered, in order. */
  readonly path: string[];
  readonly world: PipelineWorld;
}

/** Executes `definition` with the local ASL interpreter against a world built from `scenario`. */
export async function runPipeline(
  definition: Record<string, unknown>, scenario: Scenario, endpoint: { resourceNamePrefix: string; endpointName: string },
): Promise<RunResult> {
  const world = new PipelineWorld(scenario, endpoint.resourceNamePrefix, endpoint.endpointName);
  const handlers = Object.fromEntries(taskStates(definition).map(([name, resource]) =>
    [name, (input: unknown) => world.task(name, resource, input as Record<string, unknown>) as Promise<never>]));
  const waits = Object.fromEntries(Object.entries(definition.States as Record<string, { Type: string }>)
    .filter(([, state]) => state.Type === 'Wait').map(([name]) => [name, 0]));
  const retries = Object.fromEntries(taskStates(definition).map(([name]) => [name, 0]));
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const input = scenario.input ?? {};
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
  const collecting = (async () => {
    for await (const event of run.eventLogs as AsyncIterable<{ type: string; state?: { name: string } }>) {
      if (event.type === 'StateEntered' && event.state) path.push(event.state.name);
    }
  })();
  try {
    const output = await run.result as Record<string, unknown>;
    await collecting;
    return { status: 'SUCCEEDED', output, path, world };
  } catch (error) {
    await collecting;
    const cause = (error as { cause?: { name?: string; message?: string } }).cause;
    return { status: 'FAILED', error: cause?.name, cause: cause?.message, path, world };
  }
}
