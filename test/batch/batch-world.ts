import { StateMachine } from 'aws-local-stepfunctions';
import { S3Emulator } from '../emulators/s3-emulator';
import { stubAnswer } from '../emulators/sagemaker-runtime-emulator';
import { allStates, apiOf, AwsError, sageMakerOperation, taskStates } from '../support/pipeline-world';
import { sageMakerRequestProblems } from '../support/sagemaker-api';

/**
 * The AWS side of a batch classification run, simulated at the task boundary: SSM (the champion record) and SageMaker
 * Batch Transform are answered here; the batch function's real handler runs against a loopback S3 (S3Emulator) through
 * the real AWS SDK. The transform does what SageMaker documents for a ManifestFile input with SplitType None and
 * AssembleWith None: each record is one object, sent whole to the model, its answer written to
 * `<S3OutputPath><key relative to the manifest's prefix>.out`; the model is the loopback runtime's stub
 * (`stubAnswer`: a deterministic verbose answer per image bytes). Every SageMaker request is checked against the API
 * shapes.
 */
export type TransformOutcome = 'completes' | 'fails' | 'api-error';

export interface BatchScenario {
  readonly input: unknown;
  /** The champion record's JSON, or undefined for no parameter. */
  readonly champion?: string;
  /** Models that exist in SageMaker. */
  readonly models?: readonly string[];
  readonly transform?: TransformOutcome;
  /** Images in the emulated bucket: key → bytes. */
  readonly objects?: Readonly<Record<string, Buffer>>;
}

export interface BatchCall {
  readonly state: string;
  readonly api: string;
  readonly request: Record<string, unknown>;
  readonly error?: string;
}

export interface BatchRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: Record<string, any>;
  readonly error?: string;
  readonly cause?: string;
  readonly path: string[];
  readonly calls: BatchCall[];
  readonly apiProblems: string[];
}

const ACCOUNT = 'us-east-1:123456789012';
const FAILURE_REASON = 'ClientError: See job logs for more information. Customer error: the model answered 415 for 3 records';

export class BatchWorld {
  public readonly calls: BatchCall[] = [];
  public readonly apiProblems: string[] = [];

  constructor(
    private readonly scenario: BatchScenario,
    private readonly s3: S3Emulator,
    private readonly batchHandler: (event: unknown) => Promise<unknown>,
  ) {}

  public async task(state: string, resource: string, request: Record<string, unknown>): Promise<unknown> {
    const api = apiOf(resource);
    const operation = sageMakerOperation(api);
    if (operation) for (const problem of sageMakerRequestProblems(operation, request)) this.apiProblems.push(`${state}: ${problem}`);
    try {
      const response = await this.answer(api, request);
      this.calls.push({ state, api, request });
      return response;
    } catch (error) {
      this.calls.push({ state, api, request, error: (error as Error).name });
      throw error;
    }
  }

  private async answer(api: string, request: Record<string, unknown>): Promise<unknown> {
    switch (api) {
      case 'lambda': return this.invokeFunction(request);
      case 'aws-sdk:ssm:getParameter': {
        if (this.scenario.champion === undefined) throw new AwsError('Ssm.ParameterNotFoundException', 'Parameter not found (Service: Ssm, Status Code: 400, Request ID: r-1)');
        return { Parameter: { Name: request.Name, Type: 'String', Value: this.scenario.champion, Version: 3 } };
      }
      case 'sagemaker:createTransformJob.sync': return this.transform(request);
      case 'aws-sdk:sagemaker:stopTransformJob': return {};
      default: throw new Error(`the batch world does not answer ${api}`);
    }
  }

  /** Lambda reports a function's error with its name and, as the cause, the runtime's JSON error document. */
  private async invokeFunction(event: Record<string, unknown>): Promise<unknown> {
    try {
      return JSON.parse(JSON.stringify(await this.batchHandler(event)));
    } catch (error) {
      const { name, message } = error as Error;
      throw new AwsError(name, JSON.stringify({ errorType: name, errorMessage: message, trace: [`${name}: ${message}`] }));
    }
  }

  private async transform(request: Record<string, any>): Promise<unknown> {
    const name = request.TransformJobName as string;
    const describe = {
      TransformJobName: name, TransformJobArn: `arn:aws:sagemaker:${ACCOUNT}:transform-job/${name.toLowerCase()}`, ModelName: request.ModelName,
      TransformInput: request.TransformInput, TransformOutput: request.TransformOutput, TransformResources: request.TransformResources,
      CreationTime: 1,
    };
    if (!(this.scenario.models ?? []).includes(request.ModelName)) {
      throw new AwsError('SageMaker.AmazonSageMakerException', `Could not find model "${request.ModelName}". (Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException; Request ID: r-1)`);
    }
    if (this.scenario.transform === 'api-error') {
      throw new AwsError('SageMaker.AmazonSageMakerException', 'The account-level service limit for ml.m5.xlarge for transform job usage is 0 Instances. (Service: AmazonSageMaker; Status Code: 400; Error Code: ResourceLimitExceeded; Request ID: r-1)');
    }
    if (this.scenario.transform === 'fails') {
      throw new AwsError('States.TaskFailed', JSON.stringify({ ...describe, TransformJobStatus: 'Failed', FailureReason: FAILURE_REASON }));
    }
    const manifest = parse(request.TransformInput.DataSource.S3DataSource.S3Uri);
    const records = JSON.parse(this.s3.getObject(manifest.bucket, manifest.key)!.body.toString('utf8')) as [{ prefix: string }, ...string[]];
    const [{ prefix }, ...relativeKeys] = records;
    const source = parse(prefix);
    const output = parse(request.TransformOutput.S3OutputPath);
    const outputKey = output.key.endsWith('/') || output.key === '' ? output.key : `${output.key}/`;
    for (const relative of relativeKeys) {
      const image = this.s3.getObject(source.bucket, `${source.key}${relative}`);
      if (!image) throw new Error(`the manifest names ${prefix}${relative}, which does not exist`);
      this.s3.putObject(output.bucket, `${outputKey}${relative}.out`, JSON.stringify(stubAnswer(image.body)), 'application/json');
    }
    return { ...describe, TransformJobStatus: 'Completed', TransformStartTime: 2, TransformEndTime: 3 };
  }
}

function parse(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) throw new Error(`not an S3 URI: ${uri}`);
  return { bucket: match[1], key: match[2] };
}

const machines = new WeakMap<Record<string, unknown>, StateMachine>();

/** Executes the synthesized `definition` with the local ASL interpreter against a world built from `scenario`. */
export async function runBatch(definition: Record<string, unknown>, world: BatchWorld, input: unknown): Promise<BatchRunResult> {
  let machine = machines.get(definition);
  if (!machine) {
    machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    machines.set(definition, machine);
  }
  const tasks = taskStates(definition);
  const handlers = Object.fromEntries(tasks.map(([name, resource]) =>
    [name, (taskInput: unknown) => world.task(name, resource, taskInput as Record<string, unknown>) as Promise<never>]));
  const waits = Object.fromEntries([...allStates(definition).entries()].filter(([, state]) => state.Type === 'Wait').map(([name]) => [name, 0]));
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: waits, retryIntervalOverrides: Object.fromEntries(tasks.map(([name]) => [name, 0])) },
    context: {
      Execution: { Id: `arn:aws:states:${ACCOUNT}:execution:Batch:manual-1`, Name: 'manual-1', StartTime: '2026-11-30T07:05:09.123Z', Input: input },
      StateMachine: { Id: `arn:aws:states:${ACCOUNT}:stateMachine:Batch`, Name: 'Batch' },
    } as never,
  });
  const path: string[] = [];
  const collecting = (async () => {
    for await (const event of run.eventLogs as AsyncIterable<{ type: string; state?: { name: string } }>) {
      if (event.type === 'StateEntered' && event.state) path.push(event.state.name);
    }
  })();
  const base = { path, calls: world.calls, apiProblems: world.apiProblems };
  try {
    const output = await run.result as Record<string, any>;
    await collecting;
    return { status: 'SUCCEEDED', output, ...base };
  } catch (error) {
    await collecting;
    const cause = (error as { cause?: { name?: string; message?: string } }).cause;
    return { status: 'FAILED', error: cause?.name ?? (error as Error).name, cause: cause?.message ?? (error as Error).message, ...base };
  }
}
