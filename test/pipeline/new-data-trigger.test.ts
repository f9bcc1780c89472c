import { StepFunctionsEmulator, startStepFunctionsEmulator } from '../emulators/step-functions-emulator';
import { useEmulatorEnvironment } from '../emulators/aws-environment';

/** The new-data trigger's real handler and the real AWS SDK client against a loopback Step Functions API. */
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Retraining';
let emulator: StepFunctionsEmulator;
let restore: () => void;
let handler: () => Promise<{ started: boolean; reason: string }>;

beforeAll(async () => {
  emulator = await startStepFunctionsEmulator();
  restore = useEmulatorEnvironment({}, { AWS_ENDPOINT_URL_SFN: emulator.url, STATE_MACHINE_ARN: STATE_MACHINE, QUIET_PERIOD_SECONDS: '3600' });
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  jest.isolateModules(() => {
    handler = require('../../lambda/pipeline/new-data-trigger').handler;
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  restore();
  await emulator.close();
});

beforeEach(() => {
  emulator.executions.length = 0;
  emulator.operations.length = 0;
  delete emulator.faults.startExecution;
});

test('starts one run per quiet period, named after the period', async () => {
  const first = await handler();
  const name = `new-data-${Math.floor(Date.now() / 1000 / 3600)}`;
  expect(first).toEqual({ started: true, reason: `started ${name}` });
  // ...and logs the decision as one JSON line.
  const logged = jest.mocked(process.stdout.write).mock.calls.map(([line]) => String(line));
  expect(logged[logged.length - 1]).toBe(`${JSON.stringify({ level: 'info', message: 'new-data trigger', started: true, reason: `started ${name}` })}\n`);
  expect(emulator.executions).toHaveLength(1);
  expect(emulator.executions[0].name).toBe(`new-data-${Math.floor(Date.now() / 1000 / 3600)}`);
  expect(JSON.parse(emulator.executions[0].input)).toEqual({ trigger: 'new-data' });
  // The run finished; more images in the same hour do not start another.
  emulator.executions[0].status = 'SUCCEEDED';
  const second = await handler();
  expect(second).toEqual({ started: false, reason: expect.stringContaining('a run already started in this quiet period') });
  expect(emulator.executions).toHaveLength(1);
});

test('never starts a run while one is in progress', async () => {
  emulator.executions.push({ stateMachineArn: STATE_MACHINE, name: 'scheduled-abc', input: '{}', status: 'RUNNING' });
  const result = await handler();
  expect(result).toEqual({ started: false, reason: 'a run is in progress (scheduled-abc)' });
  expect(emulator.executions).toHaveLength(1);
  expect(emulator.operations).not.toContain('StartExecution');
});

test('a burst of uploads starts exactly one run', async () => {
  const results = await Promise.all(Array.from({ length: 5 }, () => handler()));
  expect(results.filter((r) => r.started)).toHaveLength(1);
  expect(emulator.executions).toHaveLength(1);
});

test.each([
  [400, 'AccessDeniedException'],
  [400, 'ThrottlingException'],
  [400, 'StateMachineDoesNotExist'],
])('a StartExecution refused with %i %s fails the invocation instead of reading as "already started"', async (status, type) => {
  emulator.faults.startExecution = { status, type };
  await expect(handler()).rejects.toMatchObject({ name: type });
  expect(emulator.executions).toHaveLength(0);
});

test.each(['STATE_MACHINE_ARN', 'QUIET_PERIOD_SECONDS'])('fails with a clear error when %s is not set', async (name) => {
  const saved = process.env[name];
  delete process.env[name];
  try {
    await expect(handler()).rejects.toThrow(`environment variable ${name} is not set`);
  } finally {
    process.env[name] = saved;
  }
  expect(emulator.operations).toEqual([]);
});

test('starts the run with EXECUTION_INPUT under EXECUTION_NAME_PREFIX when they are set (a batch classification)', async () => {
  const input = JSON.stringify({ input: 's3://bucket/batch/input/', output: 's3://bucket/batch/output/new-images/' });
  process.env.EXECUTION_INPUT = input;
  process.env.EXECUTION_NAME_PREFIX = 'new-images';
  try {
    const result = await handler();
    expect(result).toEqual({ started: true, reason: `started new-images-${Math.floor(Date.now() / 1000 / 3600)}` });
  } finally {
    delete process.env.EXECUTION_INPUT;
    delete process.env.EXECUTION_NAME_PREFIX;
  }
  expect(emulator.executions.map((e) => [e.name, e.input])).toEqual([[`new-images-${Math.floor(Date.now() / 1000 / 3600)}`, input]]);
});
