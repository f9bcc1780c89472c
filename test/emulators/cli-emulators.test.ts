/**
 * The emulators the command line's tests run against answer as the real services do, judged by the real AWS SDK
 * clients: the Lambda emulator's Invoke API and its function URL (whose SigV4 check must refuse every request that is
 * not signed exactly right, or predict's signing would be proven by nothing), the Step Functions executions that play
 * a scripted run, and SageMaker's DescribeTrainingJob.
 */
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  DescribeExecutionCommand, DescribeStateMachineCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand, ListExecutionsCommand,
  SFNClient, StartExecutionCommand, StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import { EMULATOR_CREDENTIALS as CREDENTIALS, useEmulatorEnvironment } from './aws-environment';
import { LambdaEmulator } from './lambda-emulator';
import { SageMakerControlPlaneEmulator } from './sagemaker-control-plane';
import { EXECUTION_START_DATE, ScriptedRun, StepFunctionsEmulator, executionArn, startStepFunctionsEmulator } from './step-functions-emulator';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Retraining';

let lambdaEmulator: LambdaEmulator;
let sfn: StepFunctionsEmulator;
let sageMaker: SageMakerControlPlaneEmulator;
let restore: () => void;
const events: unknown[] = [];

beforeAll(async () => {
  [lambdaEmulator, sfn, sageMaker] = await Promise.all([
    LambdaEmulator.start({
      functionName: 'classifier',
      credentials: CREDENTIALS,
      handler: async (event) => {
        events.push(event);
        if ((event as { crash?: boolean }).crash) throw new TypeError('boom');
        return (event as { version?: string }).version === '2.0'
          ? { statusCode: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ echoed: (event as { body?: string }).body }) }
          : { received: event };
      },
    }),
    startStepFunctionsEmulator(),
    SageMakerControlPlaneEmulator.start(),
  ]);
  restore = useEmulatorEnvironment({}, {
    AWS_ENDPOINT_URL_LAMBDA: lambdaEmulator.url, AWS_ENDPOINT_URL_SFN: sfn.url, AWS_ENDPOINT_URL_SAGEMAKER: sageMaker.url,
  });
});

afterAll(async () => {
  restore();
  await Promise.all([lambdaEmulator.close(), sfn.close(), sageMaker.close()]);
});

beforeEach(() => {
  events.length = 0;
  lambdaEmulator.reset();
  sfn.executions.length = 0;
  sfn.stateMachines.clear();
  sageMaker.reset();
});

/** A Node hash for the test's own signer, independent of the emulator's. */
class TestSha256 {
  private hash;
  constructor(private readonly secret?: unknown) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret as string);
  }
  update(data: string | Uint8Array) { this.hash.update(data); }
  digest() { return Promise.resolve(new Uint8Array(this.hash.digest())); }
  reset() { this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret as string); }
}

async function signedPost(body: Buffer, options: { service?: string; region?: string; secret?: string; contentType?: string } = {}) {
  const url = new URL(lambdaEmulator.functionUrl);
  const signer = new SignatureV4({
    service: options.service ?? 'lambda', region: options.region ?? 'us-east-1', sha256: TestSha256 as never,
    credentials: { ...CREDENTIALS, secretAccessKey: options.secret ?? CREDENTIALS.secretAccessKey },
  });
  return signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: { topK: '3' },
    headers: { host: url.host, 'content-type': options.contentType ?? 'application/octet-stream' }, body,
  });
}

const post = (headers: Record<string, string>, body: Buffer) => fetch(`${lambdaEmulator.functionUrl}?topK=3`, { method: 'POST', headers, body });

describe('LambdaEmulator: the function URL checks SigV4 as AWS_IAM auth does', () => {
  test('a correctly signed request runs the handler with a payload 2.0 event and answers its HttpResponse', async () => {
    const body = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01]);
    const signed = await signedPost(body);
    const response = await post(signed.headers, body);
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ echoed: body.toString('base64') });
    expect(events[0]).toMatchObject({ version: '2.0', rawPath: '/', queryStringParameters: { topK: '3' }, isBase64Encoded: true,
      requestContext: { http: { method: 'POST' } } });
  });

  test('a JSON body reaches the handler as text', async () => {
    const body = Buffer.from('{"s3Uri":"s3://b/k.jpg"}');
    const response = await post((await signedPost(body, { contentType: 'application/json' })).headers, body);
    expect(response.status).toBe(201);
    expect(events[0]).toMatchObject({ body: '{"s3Uri":"s3://b/k.jpg"}', isBase64Encoded: false });
  });

  test.each([
    ['unsigned', async () => ({ 'content-type': 'application/octet-stream' })],
    ['signed for another service', async (body: Buffer) => (await signedPost(body, { service: 'execute-api' })).headers],
    ['signed for another region', async (body: Buffer) => (await signedPost(body, { region: 'eu-west-1' })).headers],
    ['signed with another secret key', async (body: Buffer) => (await signedPost(body, { secret: 'wrong' })).headers],
    ['a body changed after signing', async (body: Buffer) => (await signedPost(Buffer.concat([body, Buffer.from([0])]))).headers],
    ['a body changed after signing, with its hash header made to match', async (body: Buffer) => ({
      ...(await signedPost(Buffer.from('other bytes'))).headers, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') })],
    ['a signed header changed after signing', async (body: Buffer) => ({ ...(await signedPost(body)).headers, 'content-type': 'image/jpeg' })],
  ])('%s: 403 Forbidden, and the function never runs', async (_, headersFor) => {
    const body = Buffer.from('image bytes');
    const response = await post(await headersFor(body), body);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ Message: 'Forbidden' });
    expect(events).toEqual([]);
    expect(lambdaEmulator.requests[0].refused).toBeDefined();
  });
});

describe('LambdaEmulator: the Invoke API', () => {
  const client = () => new LambdaClient({ maxAttempts: 1 });

  test('answers the handler result, by name or ARN', async () => {
    for (const name of ['classifier', lambdaEmulator.functionArn]) {
      const output = await client().send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"s3Uri":"s3://b/k"}') }));
      expect(output.StatusCode).toBe(200);
      expect(output.ExecutedVersion).toBe('$LATEST');
      expect(JSON.parse(Buffer.from(output.Payload!).toString())).toEqual({ received: { s3Uri: 's3://b/k' } });
    }
  });

  test('a handler that throws is a FunctionError with its type and message', async () => {
    const output = await client().send(new InvokeCommand({ FunctionName: 'classifier', Payload: Buffer.from('{"crash":true}') }));
    expect(output.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(output.Payload!).toString())).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
  });

  test('an unknown function is ResourceNotFoundException', async () => {
    await expect(client().send(new InvokeCommand({ FunctionName: 'other', Payload: Buffer.from('{}') }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(events).toEqual([]);
  });

  test('a client signing with other credentials is refused', async () => {
    const stranger = new LambdaClient({ maxAttempts: 1, credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' } });
    await expect(stranger.send(new InvokeCommand({ FunctionName: 'classifier', Payload: Buffer.from('{}') }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    expect(events).toEqual([]);
  });
});

describe('StepFunctionsEmulator: scripted runs', () => {
  const client = () => new SFNClient({ maxAttempts: 1 });
  const history = (n: number): ScriptedRun['events'] => Array.from({ length: n }, (_, i) => ({ id: i + 1, type: i === 0 ? 'ExecutionStarted' : 'PassStateEntered', timestamp: EXECUTION_START_DATE + i,
    ...(i === 0 ? { executionStartedEventDetails: { input: '{}' } } : { stateEnteredEventDetails: { name: `S${i}`, input: '{}' } }) }));

  test('each DescribeExecution reveals the next frame of history; the last frame ends the run with its output', async () => {
    sfn.executions.push({ stateMachineArn: STATE_MACHINE, name: 'run-1', input: '{"trigger":"manual"}', status: 'RUNNING',
      run: { events: history(5), frames: [2, 4, 5], final: { status: 'SUCCEEDED', output: '{"done":true}' } } });
    const arn = executionArn(STATE_MACHINE, 'run-1');
    const seen: Array<[string | undefined, number]> = [];
    for (let poll = 0; poll < 4; poll++) {
      const execution = await client().send(new DescribeExecutionCommand({ executionArn: arn }));
      const { events: page } = await client().send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }));
      seen.push([execution.status, page!.length]);
      if (execution.status === 'SUCCEEDED') expect(execution.output).toBe('{"done":true}');
    }
    expect(seen).toEqual([['RUNNING', 2], ['RUNNING', 4], ['SUCCEEDED', 5], ['SUCCEEDED', 5]]);
  });

  test('GetExecutionHistory pages with nextToken, in either order', async () => {
    sfn.executions.push({ stateMachineArn: STATE_MACHINE, name: 'run-2', input: '{}', status: 'RUNNING', run: { events: history(7), frames: [7], final: { status: 'FAILED', error: 'E', cause: 'C' } } });
    const arn = executionArn(STATE_MACHINE, 'run-2');
    const execution = await client().send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(execution).toMatchObject({ status: 'FAILED', error: 'E', cause: 'C' });
    const ids: number[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client().send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 3, reverseOrder: true, nextToken }));
      ids.push(...page.events!.map((e) => e.id!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(ids).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });

  test('StartExecution names unnamed runs, ListExecutions pages newest first, unknown ARNs are the modelled errors', async () => {
    sfn.stateMachines.set(STATE_MACHINE, '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}');
    const started = [];
    for (let i = 0; i < 3; i++) started.push(await client().send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, input: '{}' })));
    expect(new Set(started.map((s) => s.executionArn)).size).toBe(3);
    const first = await client().send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE, maxResults: 2 }));
    const second = await client().send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE, maxResults: 2, nextToken: first.nextToken }));
    expect([...first.executions!, ...second.executions!].map((e) => e.executionArn)).toEqual(started.map((s) => s.executionArn).reverse());
    expect((await client().send(new DescribeStateMachineCommand({ stateMachineArn: STATE_MACHINE }))).definition).toContain('Succeed');
    await expect(client().send(new DescribeStateMachineCommand({ stateMachineArn: `${STATE_MACHINE}x` }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(client().send(new DescribeExecutionCommand({ executionArn: executionArn(STATE_MACHINE, 'nope') }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });
});

describe('SageMakerControlPlaneEmulator: DescribeTrainingJob', () => {
  test('answers the snapshots in turn, then the last; an unknown job is a ValidationException', async () => {
    const client = new SageMakerClient({ maxAttempts: 1 });
    sageMaker.putTrainingJob('job-1', [
      { TrainingJobStatus: 'InProgress', SecondaryStatus: 'Starting' },
      { TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed', FinalMetricDataList: [{ MetricName: 'acc', Value: 0.9, Timestamp: 1 }] },
    ]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await client.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-1' }))).SecondaryStatus);
    expect(statuses).toEqual(['Starting', 'Completed', 'Completed']);
    const last = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-1' }));
    expect(last.FinalMetricDataList?.[0]).toMatchObject({ MetricName: 'acc', Value: 0.9 });
    expect(last.TrainingJobArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:training-job/job-1');
    await expect(client.send(new DescribeTrainingJobCommand({ TrainingJobName: 'job-2' }))).rejects.toMatchObject({ name: 'ValidationException', message: 'Requested resource not found.' });
  });
});
