/**
 * The AWS side of the run and predict commands, on loopback emulators reached by the command line's real SDK
 * clients: CloudFormation (the stack and its outputs), Step Functions (the retraining state machine with the real
 * synthesized definition, and executions that play runs of it), SageMaker (training jobs), S3, Lambda (the real
 * inference handler behind a function URL that checks SigV4, and the Invoke API) and the SageMaker runtime behind it.
 *
 * The runs the executions play are runs of the real definition by the local interpreter (test/support/pipeline-world.ts):
 * their history holds the state names and JSON the deployed pipeline writes, so the commands are proven to read them.
 */
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createHandler, readConfiguration } from '../../lambda/inference/handler';
import { preprocessImage } from '../../lambda/image/preprocess';
import { S3Client } from '@aws-sdk/client-s3';
import { EMULATOR_CREDENTIALS, useEmulatorEnvironment } from '../emulators/aws-environment';
import { CloudFormationEmulator } from '../emulators/cloudformation-emulator';
import { LambdaEmulator } from '../emulators/lambda-emulator';
import { S3Emulator } from '../emulators/s3-emulator';
import { SageMakerControlPlaneEmulator } from '../emulators/sagemaker-control-plane';
import { SageMakerRuntimeEmulator } from '../emulators/sagemaker-runtime-emulator';
import { EXECUTION_START_DATE, EmulatedExecution, executionArn, scriptedRun, startStepFunctionsEmulator, StepFunctionsEmulator } from '../emulators/step-functions-emulator';
import { PipelineFixture, pipelineFixture } from '../pipeline/fixture';
import { RunResult, runPipeline, Scenario } from '../support/pipeline-world';
import { CliRun, runCli } from './cli-harness';

export const STACK_NAME = 'ImageClassifierStack';
const STACK_ID = `arn:aws:cloudformation:us-east-1:123456789012:stack/${STACK_NAME}/1`;
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:RetrainingPipeline';
export const FUNCTION_NAME = 'ImageClassifierInference';
export const DATASET_BUCKET = 'classifier-dataset';
export const IMAGE_SIZE = 224;

export type { CliRun };

export interface PlayOptions {
  readonly trainPolls?: number;
  readonly startDate?: number;
  readonly ended?: boolean;
  readonly execution?: EmulatedExecution;
}

export interface LoopWorld {
  readonly cloudFormation: CloudFormationEmulator;
  readonly sfn: StepFunctionsEmulator;
  readonly sageMaker: SageMakerControlPlaneEmulator;
  readonly runtime: SageMakerRuntimeEmulator;
  readonly s3: S3Emulator;
  readonly lambda: LambdaEmulator;
  readonly pipeline: PipelineFixture;
  /** the SageMaker endpoint the inference function invokes */
  readonly endpointName: string;
  /** the stack's outputs, as the deployed stack would have them */
  readonly outputs: Record<string, string>;
  /** runs the command line in process: `main(argv, io)` with captured output */
  cli(argv: readonly string[], options?: { readonly cwd?: string }): Promise<CliRun>;
  /** a run of the real definition by the local interpreter */
  localRun(scenario: Scenario): Promise<RunResult>;
  /**
   * An execution named `name` that plays `result` (its Train state held for `trainPolls` polls; `ended`: already
   * over), and its training jobs in SageMaker. `execution`: an execution StartExecution made, to play `result`.
   */
  playRun(name: string, result: RunResult, options?: PlayOptions): EmulatedExecution;
}

/** The endpoint's name in a world without the pipeline. */
const ENDPOINT_NAME = 'flowers-classifier';

/**
 * Registers jest hooks that start the emulators (once per file) and reset them before each test. `withPipeline:
 * false` skips synthesizing the pipeline (the predict tests need none): no state machine, `pipeline` unavailable.
 */
export function useLoopWorld(options: { readonly withPipeline?: boolean } = {}): LoopWorld {
  let started: (Omit<LoopWorld, 'cli' | 'localRun' | 'playRun' | 'outputs' | 'pipeline'> & { readonly pipeline?: PipelineFixture }) | undefined;
  let restore = (): void => {};
  const outputs: Record<string, string> = {};
  const get = () => {
    if (started === undefined) throw new Error('the loop world starts in beforeAll');
    return started;
  };

  beforeAll(async () => {
    const pipeline = options.withPipeline === false ? undefined : pipelineFixture();
    const endpointName = pipeline?.endpoint.endpointName ?? ENDPOINT_NAME;
    const [cloudFormation, sfn, sageMaker, runtime, s3] = await Promise.all([
      CloudFormationEmulator.start(), startStepFunctionsEmulator(), SageMakerControlPlaneEmulator.start(), SageMakerRuntimeEmulator.start(), S3Emulator.start(),
    ]);
    restore = useEmulatorEnvironment({ sageMakerRuntime: runtime.url, s3: s3.url }, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url, AWS_ENDPOINT_URL_SFN: sfn.url, AWS_ENDPOINT_URL_SAGEMAKER: sageMaker.url,
    });
    const handler = createHandler({
      configuration: readConfiguration({ ENDPOINT_NAME: endpointName, IMAGE_SIZE: String(IMAGE_SIZE), READABLE_BUCKETS: DATASET_BUCKET }),
      sageMaker: new SageMakerRuntimeClient({}),
      s3: () => new S3Client({}),
      preprocess: preprocessImage,
      logSink: () => undefined,
    });
    const lambda = await LambdaEmulator.start({ functionName: FUNCTION_NAME, handler, credentials: EMULATOR_CREDENTIALS });
    process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.url;
    started = { cloudFormation, sfn, sageMaker, runtime, s3, lambda, pipeline, endpointName };
  });

  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_LAMBDA;
    restore();
    const s = started;
    await Promise.all([s?.cloudFormation.close(), s?.sfn.close(), s?.sageMaker.close(), s?.runtime.close(), s?.s3.close(), s?.lambda.close()]);
  });

  beforeEach(() => {
    const { cloudFormation, sfn, sageMaker, runtime, s3, lambda, pipeline, endpointName } = get();
    for (const key of Object.keys(outputs)) delete outputs[key];
    Object.assign(outputs, {
      RetrainingStateMachineArn: STATE_MACHINE_ARN,
      InferenceUrl: lambda.functionUrl,
      InferenceFunctionName: FUNCTION_NAME,
      DatasetBucketName: DATASET_BUCKET,
      EndpointName: endpointName,
      ModelImageSize: String(IMAGE_SIZE),
    });
    cloudFormation.reset();
    cloudFormation.putStack(STACK_ID, 'UPDATE_COMPLETE').setOutputs(STACK_ID, outputs);
    sfn.executions.length = 0;
    sfn.operations.length = 0;
    sfn.stateMachines.clear();
    if (pipeline !== undefined) sfn.stateMachines.set(STATE_MACHINE_ARN, JSON.stringify(pipeline.definition));
    for (const key of Object.keys(sfn.faults)) delete sfn.faults[key];
    sfn.onStart = undefined;
    sageMaker.reset();
    runtime.reset();
    runtime.endpoints.set(endpointName, 'InService');
    s3.reset();
    s3.createBucket(DATASET_BUCKET);
    lambda.reset();
  });

  const withPipeline = (): PipelineFixture => {
    const pipeline = get().pipeline;
    if (pipeline === undefined) throw new Error('this loop world was started without the pipeline');
    return pipeline;
  };
  const world: LoopWorld = {
    get cloudFormation() { return get().cloudFormation; },
    get sfn() { return get().sfn; },
    get sageMaker() { return get().sageMaker; },
    get runtime() { return get().runtime; },
    get s3() { return get().s3; },
    get lambda() { return get().lambda; },
    get pipeline() { return withPipeline(); },
    get endpointName() { return get().endpointName; },
    outputs,
    async cli(argv, options = {}) {
      // The stack may change between tests (an output removed): describe it again.
      get().cloudFormation.setOutputs(STACK_ID, outputs);
      return runCli(['--stack', STACK_NAME, ...argv], options);
    },
    localRun: (scenario) => runPipeline(withPipeline().definition, { executionName: 'local-run', ...scenario }, withPipeline().endpoint),
    playRun(name, result, options = {}) {
      const run = scriptedRun(result.events, { holds: { Train: options.trainPolls ?? 1 }, startDate: options.startDate ?? options.execution?.startDate });
      const execution: EmulatedExecution = options.execution ?? {
        stateMachineArn: STATE_MACHINE_ARN, name, input: JSON.stringify(inputOf(result)), status: 'RUNNING', startDate: options.startDate ?? EXECUTION_START_DATE,
      };
      execution.run = run;
      if (options.ended) {
        Object.assign(execution, run.final, { describes: run.frames.length, stopDate: (execution.startDate ?? EXECUTION_START_DATE) + 3600 });
      }
      if (options.execution === undefined) get().sfn.executions.push(execution);
      for (const call of result.world.calls.filter((c) => c.api === 'sagemaker:createTrainingJob.sync')) {
        const snapshots = trainingSnapshots(call.response as Record<string, unknown> | undefined ?? failedJob(result, call.request.TrainingJobName), call.error);
        // As many in-progress snapshots as the run has polls in Train, so the job ends when the run moves on.
        const polls = options.ended ? 0 : options.trainPolls ?? 1;
        get().sageMaker.putTrainingJob(call.request.TrainingJobName as string, snapshots.slice(Math.max(0, snapshots.length - 1 - polls)));
      }
      return execution;
    },
  };
  return world;
}

export const arnOf = (name: string): string => executionArn(STATE_MACHINE_ARN, name);

function inputOf(result: RunResult): unknown {
  const started = result.events.find((event) => event.type === 'ExecutionStarted');
  return started?.input ?? {};
}

/** The description of a failed training job, from the failed run's cause (the task reports the job's description). */
function failedJob(result: RunResult, name: unknown): Record<string, unknown> | undefined {
  try {
    const description = JSON.parse(result.cause ?? '') as Record<string, unknown>;
    // SageMaker reports a failed job's secondary status as Failed (the pipeline world leaves it Completed).
    return description.TrainingJobName === name ? { ...description, SecondaryStatus: 'Failed' } : undefined;
  } catch {
    return undefined;
  }
}

/** What DescribeTrainingJob answers over a job's life: starting, downloading, training, uploading, then its end. */
function trainingSnapshots(final: Record<string, unknown> | undefined, error: string | undefined): Array<Record<string, unknown>> {
  const steps: Array<[string, string]> = [
    ['Starting', 'Launching requested ML instances'],
    ['Downloading', 'Downloading input data'],
    ['Training', 'Training image download completed. Training in progress.'],
    ['Uploading', 'Uploading generated training model'],
  ];
  const transitions = steps.map(([Status, StatusMessage], index) => ({ Status, StatusMessage, StartTime: EXECUTION_START_DATE + index * 60 }));
  const snapshots = steps.map((_, index) => ({ TrainingJobStatus: 'InProgress', SecondaryStatus: steps[index][0], SecondaryStatusTransitions: transitions.slice(0, index + 1) }));
  const end = final ?? { TrainingJobStatus: 'Failed', SecondaryStatus: 'Failed', FailureReason: error ?? 'failed' };
  return [...snapshots, { ...end, SecondaryStatusTransitions: [...transitions, { Status: end.SecondaryStatus, StatusMessage: end.FailureReason ?? 'Training job completed' }] }];
}

/** No line of a stack trace reaches the user. */
export function expectNoStackTrace(run: CliRun): void {
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

/** Runs `action` with no AWS credentials anywhere the SDK's default chain looks, then restores the environment. */
export async function withoutCredentials<T>(action: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  try {
    return await action();
  } finally {
    process.env = saved;
  }
}
