/**
 * Reading a run from its execution and history (cli/run-view.ts), for the shapes the end-to-end tests do not reach:
 * a Map iteration's states, the evaluation phase's summary, the outcomes of every way a run ends, input that is not
 * what the pipeline expects.
 */
import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { viewRun } from '../../cli/run-view';

const execution = (fields: Partial<DescribeExecutionOutput>): DescribeExecutionOutput => ({
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Retraining:run-1', stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Retraining', name: 'run-1', status: 'RUNNING', input: '{}',
  startDate: new Date('2026-11-30T06:00:00Z'), ...fields,
});
let id = 0;
const event = (type: string, details: Partial<HistoryEvent> = {}): HistoryEvent => ({ id: ++id, type: type as HistoryEvent['type'], timestamp: new Date(), ...details });
const entered = (name: string, state: unknown, type = 'Task') => event(`${type}StateEntered`, { stateEnteredEventDetails: { name, input: JSON.stringify(state) } });
const exited = (name: string, state: unknown, type = 'Task') => event(`${type}StateExited`, { stateExitedEventDetails: { name, output: JSON.stringify(state) } });

const RUN = { runId: '20261130-060000-abcdef01', trigger: 'schedule', attempts: [{ trainingJobName: 'flowers-20261130-060000-abcdef01-0', instanceType: 'ml.p3.2xlarge' }] };

test.each(['Map', 'Parallel'])('states inside a %s state see their own data: the run\'s state and step stay those of the top level', (type) => {
  const inside = [
    entered('PrepareRun', {}), exited('PrepareRun', { run: RUN }),
    entered('Fan', { run: RUN }, type),
    event(`${type}StateStarted`),
    ...(type === 'Map' ? [event('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'Fan', index: 0 } })] : []),
    entered('Inner', { name: 'old-config' }), exited('Inner', { deleted: true }),
  ];
  expect(viewRun(execution({}), inside)).toMatchObject({ runId: RUN.runId, trigger: 'schedule', state: 'Fan' });
  const after = viewRun(execution({}), [...inside,
    ...(type === 'Map' ? [event('MapIterationSucceeded', { mapIterationSucceededEventDetails: { name: 'Fan', index: 0 } })] : []),
    event(`${type}StateSucceeded`), exited('Fan', { run: RUN, fan: [] }, type), entered('Next', { run: RUN, fan: [] })]);
  expect(after).toMatchObject({ runId: RUN.runId, state: 'Next' });
});

test('the training job is the attempt being trained, known once SelectAttempt chose it', () => {
  const prepared = viewRun(execution({}), [entered('FirstAttempt', { run: RUN })]);
  expect(prepared.trainingJobName).toBeUndefined();
  const second = { trainingJobName: 'flowers-20261130-060000-abcdef01-1', instanceType: 'ml.g5.xlarge' };
  const training = viewRun(execution({}), [entered('Train', { run: RUN, current: { index: 1, attempt: second } })]);
  expect(training).toMatchObject({ trainingJobName: second.trainingJobName, instanceType: 'ml.g5.xlarge', state: 'Train' });
});

test('the evaluation phase\'s summary: report locations and both models\' figures (null where absent)', () => {
  const output = {
    run: RUN, gate: { promote: true, reason: 'better', candidateAccuracy: 0.9, championAccuracy: 0.8 },
    evaluation: { reportJsonUri: 's3://b/e/report.json', reportHtmlUri: null, challenger: { accuracy: 0.91, macroF1: 0.9 }, champion: null, metric: 'accuracy', margin: 0 },
    promotion: { runId: RUN.runId },
  };
  expect(viewRun(execution({ status: 'SUCCEEDED', output: JSON.stringify(output) })).evaluation)
    .toEqual({ reportJsonUri: 's3://b/e/report.json', reportHtmlUri: undefined, challenger: { accuracy: 0.91, macroF1: 0.9 }, champion: undefined });
  expect(viewRun(execution({ status: 'SUCCEEDED', output: JSON.stringify({ ...output, evaluation: null }) })).evaluation).toBeUndefined();
});

test.each([
  ['promoted', { status: 'SUCCEEDED', output: JSON.stringify({ run: RUN, gate: { promote: true, reason: 'r' }, promotion: {} }) }, 'promoted'],
  ['not promoted', { status: 'SUCCEEDED', output: JSON.stringify({ run: RUN, gate: { promote: false, reason: 'r' } }) }, 'not promoted'],
  ['skipped (another run in progress)', { status: 'SUCCEEDED', output: JSON.stringify({ inProgress: { running: 2 } }) }, 'skipped'],
  ['failed', { status: 'FAILED', error: 'EndpointFailed', cause: 'Endpoint x failed' }, 'failed'],
  ['timed out', { status: 'TIMED_OUT' }, 'failed'],
  ['aborted', { status: 'ABORTED' }, 'failed'],
  ['running', { status: 'RUNNING' }, undefined],
] as const)('a run that ended %s', (_, fields, outcome) => {
  expect(viewRun(execution(fields as Partial<DescribeExecutionOutput>)).outcome).toBe(outcome);
});

test('the trigger: PrepareRun\'s reading, else the input\'s, else manual as PrepareRun would read it', () => {
  expect(viewRun(execution({ input: '{"trigger":"new-data"}' })).trigger).toBe('new-data');
  expect(viewRun(execution({ input: '{}' })).trigger).toBe('manual');
  expect(viewRun(execution({ input: 'null' })).trigger).toBe('manual');
  expect(viewRun(execution({ input: '{"trigger":7}' })).trigger).toBeUndefined();
});

test('inputs and outputs that are not JSON objects (truncated, arrays, text) are ignored, never thrown', () => {
  const view = viewRun(execution({ input: '{"trig', output: '[1,2]' }), [
    event('TaskStateEntered', { stateEnteredEventDetails: { name: 'PrepareRun', input: '{"run": {"runId"' } }),
    event('TaskStateExited', { stateExitedEventDetails: { name: 'PrepareRun', output: '"text"' } }),
  ]);
  expect(view).toMatchObject({ name: 'run-1', state: 'PrepareRun', runId: undefined });
});

test('a failed run\'s error comes from the history\'s ExecutionFailed, else from the description', () => {
  const fromHistory = viewRun(execution({ status: 'FAILED' }), [event('ExecutionFailed', { executionFailedEventDetails: { error: 'InvalidRunInput', cause: 'input.epochs ...' } })]);
  expect(fromHistory.error).toEqual({ error: 'InvalidRunInput', cause: 'input.epochs ...' });
  expect(viewRun(execution({ status: 'FAILED', error: 'States.Timeout', cause: 'c' })).error).toEqual({ error: 'States.Timeout', cause: 'c' });
});
