/**
 * One sweep (lambda/cleanup/sweep.ts) against the loopback control plane, through the real SDK clients: what each
 * pass reports as outstanding, what it logs, and each error mapping (already gone, retried next poll, fails).
 * test/lifecycle/cleanup-handler.test.ts runs whole Deletes through the handler.
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SSMClient } from '@aws-sdk/client-ssm';
import { CleanupClients, sweep } from '../../lambda/cleanup/sweep';
import { createLogger } from '../../lambda/shared/log';
import { runName, useControlPlane } from './control-plane-fixture';

const fixture = useControlPlane({ maxPageSize: 2, describesToSettle: 1, deleteEndpointDeregistersTargets: false });

const ENDPOINT = 'Flowers';
const PREFIX = 'flowers';
const TARGET = `endpoint/${ENDPOINT}/variant/AllTraffic`;
const CHAMPION = `/sagemaker-image-classifier/${ENDPOINT}/champion`;
const target = { endpointName: ENDPOINT, resourceNamePrefix: PREFIX };

let clients: CleanupClients;
beforeAll(() => {
  clients = {
    sageMaker: new SageMakerClient({ maxAttempts: 1 }),
    autoScaling: new ApplicationAutoScalingClient({ maxAttempts: 1 }),
    ssm: new SSMClient({ maxAttempts: 1 }),
    cloudFormation: new CloudFormationClient({ maxAttempts: 1 }),
  };
});
afterAll(() => {
  for (const client of Object.values(clients)) client.destroy();
});

/** One sweep; the events it logged as [level, event, fields without time and request id]. */
async function sweepOnce(): Promise<{ result: Awaited<ReturnType<typeof sweep>>; logged: Array<[string, string]> }> {
  const lines: string[] = [];
  const result = await sweep(target, clients, createLogger('request-1', (line) => lines.push(line)));
  return { result, logged: lines.map((line) => JSON.parse(line)).map((entry) => [entry.level, entry.event]) };
}

function seedParameter(): void {
  fixture.emulator.parameters.set(CHAMPION, { value: '{}', version: 1 });
}

test('nothing left: complete, nothing outstanding, nothing logged', async () => {
  await expect(sweepOnce()).resolves.toEqual({ result: { complete: true, outstanding: [] }, logged: [['info', 'endpoint-gone']] });
});

test('the first pass deletes everything in order and reports each deletion as not yet confirmed; the next pass confirms', async () => {
  const runs = [runName(PREFIX, 1), runName(PREFIX, 2), runName(PREFIX, 3)];
  for (const name of runs) fixture.emulator.putModel(name).putEndpointConfig(name);
  fixture.emulator.putModel('flowers-manual').putEndpoint(ENDPOINT, { configName: runs[2] })
    .putScalableTarget(TARGET, { scalableDimension: 'sagemaker:variant:DesiredProvisionedConcurrency' });
  seedParameter();

  const first = await sweepOnce();
  expect(first.result).toEqual({
    complete: false,
    outstanding: [
      `scalable target ${TARGET} (sagemaker:variant:DesiredProvisionedConcurrency): deregistered, not yet confirmed`,
      `endpoint ${ENDPOINT}: deletion started (was InService)`,
      `champion record ${CHAMPION}: deleted, not yet confirmed`,
      // in the order the lists give them: newest first
      ...[...runs].reverse().map((name) => `endpoint configuration ${name}: deleted, not yet confirmed`),
      ...[...runs].reverse().map((name) => `model ${name}: deleted, not yet confirmed`),
    ],
  });
  expect(first.logged).toEqual([
    ['info', 'scalable-target-deregistered'], ['info', 'endpoint-delete-started'], ['info', 'champion-record-deleted'],
    ['info', 'endpoint-config-deleted'], ['info', 'endpoint-config-deleted'], ['info', 'endpoint-config-deleted'],
    ['info', 'model-deleted'], ['info', 'model-deleted'], ['info', 'model-deleted'],
  ]);
  expect(fixture.emulator.callsOf('DeleteParameter').map((call) => call.input)).toEqual([{ Name: CHAMPION }]);
  expect([...fixture.emulator.models.keys()]).toEqual(['flowers-manual']);

  // The endpoint takes a describe to leave Deleting (describesToSettle: 1).
  const second = await sweepOnce();
  expect(second.result).toEqual({ complete: false, outstanding: [`endpoint ${ENDPOINT}: Deleting`] });
  expect(second.logged).toEqual([['info', 'endpoint-deleting']]);
  await expect(sweepOnce()).resolves.toMatchObject({ result: { complete: true, outstanding: [] } });
});

describe('scalable targets', () => {
  test('only the endpoint\'s own variants, by resource id prefix', async () => {
    fixture.emulator.putScalableTarget(`endpoint/${ENDPOINT}-2/variant/AllTraffic`).putScalableTarget(`endpoint/${ENDPOINT}/variantX`)
      .putScalableTarget(`x/endpoint/${ENDPOINT}/variant/A`).putScalableTarget(`endpoint/${ENDPOINT}/variant/B`);
    const { result } = await sweepOnce();
    expect(result.outstanding).toEqual([`scalable target endpoint/${ENDPOINT}/variant/B (sagemaker:variant:DesiredInstanceCount): deregistered, not yet confirmed`]);
    expect(fixture.emulator.callsOf('DescribeScalableTargets')[0].input).toMatchObject({ ServiceNamespace: 'sagemaker' });
  });

  test('already gone is done; another change in progress is retried on the next pass', async () => {
    fixture.emulator.putScalableTarget(`${TARGET}1`).putScalableTarget(`${TARGET}2`)
      .failNext('DeregisterScalableTarget', { type: 'ObjectNotFoundException', message: 'No scalable target registered' })
      .failNext('DeregisterScalableTarget', { type: 'ConcurrentUpdateException', message: 'busy' });
    const { result, logged } = await sweepOnce();
    expect(result).toEqual({ complete: false, outstanding: [`scalable target ${TARGET}2 (sagemaker:variant:DesiredInstanceCount): another change is in progress, deregistration retried`] });
    expect(logged.slice(0, 2)).toEqual([['info', 'scalable-target-already-gone'], ['warn', 'scalable-target-busy']]);
  });

  test('any other failure ends the cleanup, naming the target; so does a failed listing', async () => {
    fixture.emulator.putScalableTarget(TARGET).failNext('DeregisterScalableTarget', { type: 'AccessDeniedException', message: 'no' });
    await expect(sweepOnce()).rejects.toThrow(`could not deregister scalable target ${TARGET} (sagemaker:variant:DesiredInstanceCount): AccessDeniedException: no`);
    fixture.emulator.failNext('DescribeScalableTargets', { type: 'AccessDeniedException', message: 'no' });
    await expect(sweepOnce()).rejects.toThrow(`could not list the scalable targets of endpoint ${ENDPOINT} (endpoint/${ENDPOINT}/variant/*): AccessDeniedException: no`);
  });
});

describe('the endpoint', () => {
  test.each(['Creating', 'Updating', 'SystemUpdating', 'RollingBack'] as const)('%s: a refused delete is retried when it settles', async (status) => {
    fixture.emulator.putEndpoint(ENDPOINT, { status });
    fixture.emulator.describesToSettle = 100;
    const { result, logged } = await sweepOnce();
    expect(result).toEqual({ complete: false, outstanding: [`endpoint ${ENDPOINT}: ${status}, deletion retried when it settles`] });
    expect(logged).toEqual([['warn', 'endpoint-delete-deferred']]);
  });

  test.each(['InService', 'Failed'] as const)('%s: a refused delete ends the cleanup, naming the endpoint', async (status) => {
    fixture.emulator.putEndpoint(ENDPOINT, { status }).failNext('DeleteEndpoint', { type: 'ValidationException', message: 'Cannot delete' });
    await expect(sweepOnce()).rejects.toThrow(`could not delete endpoint ${ENDPOINT}: ValidationException: Cannot delete`);
  });

  test('gone between the describe and the delete is done', async () => {
    fixture.emulator.putEndpoint(ENDPOINT, { status: 'Failed' })
      .failNext('DeleteEndpoint', { type: 'ValidationException', message: `Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/flowers".` });
    await expect(sweepOnce()).resolves.toEqual({ result: { complete: true, outstanding: [] }, logged: [['info', 'endpoint-already-gone']] });
  });

  test('a failed describe ends the cleanup, naming the endpoint', async () => {
    fixture.emulator.failNext('DescribeEndpoint', { type: 'AccessDeniedException', message: 'no' });
    await expect(sweepOnce()).rejects.toThrow(`could not describe endpoint ${ENDPOINT}: AccessDeniedException: no`);
  });
});

describe('the champion record', () => {
  test('a failed delete ends the cleanup, naming the parameter', async () => {
    seedParameter();
    fixture.emulator.failNext('DeleteParameter', { type: 'AccessDeniedException', message: 'no' });
    await expect(sweepOnce()).rejects.toThrow(`could not delete champion record ${CHAMPION}: AccessDeniedException: no`);
  });
});

describe.each([
  ['model', 'DeleteModel', 'ListModels', 'model-already-gone', 'models'],
  ['endpoint configuration', 'DeleteEndpointConfig', 'ListEndpointConfigs', 'endpoint-config-already-gone', 'endpoint configurations'],
] as const)('%ss', (kind, deleteOperation, listOperation, goneEvent, plural) => {
  test('listed by NameContains, every page read before deleting, only exact pipeline names deleted', async () => {
    const ours = [runName(PREFIX, 1), runName(PREFIX, 2), runName(PREFIX, 3)];
    for (const name of [...ours, runName('xflowers', 1), `${runName(PREFIX, 4)}-1`]) fixture.emulator.putModel(name).putEndpointConfig(name);
    await sweepOnce();
    const calls = fixture.emulator.calls.filter((call) => call.operation === listOperation || call.operation === deleteOperation);
    expect(calls.map((call) => call.operation)).toEqual([listOperation, listOperation, listOperation, deleteOperation, deleteOperation, deleteOperation]);
    expect(calls[0].input).toMatchObject({ NameContains: PREFIX });
  });

  test('already gone is done; another failure ends the cleanup, naming it', async () => {
    const name = runName(PREFIX, 1);
    fixture.emulator.putModel(name).putEndpointConfig(name)
      .failNext(deleteOperation, { type: 'ValidationException', message: `Could not find ${kind} "arn:aws:sagemaker:us-east-1:123456789012:x/${name}".` });
    const { logged } = await sweepOnce();
    expect(logged).toContainEqual(['info', goneEvent]);
    fixture.emulator.failNext(deleteOperation, { type: 'ValidationException', message: 'Cannot delete' });
    await expect(sweepOnce()).rejects.toThrow(`could not delete ${kind} ${name}: ValidationException: Cannot delete`);
  });

  test('a failed listing ends the cleanup, naming what was listed', async () => {
    fixture.emulator.failNext(listOperation, { type: 'AccessDeniedException', message: 'no' });
    await expect(sweepOnce()).rejects.toThrow(`could not list the ${plural} whose names contain '${PREFIX}': AccessDeniedException: no`);
  });
});

describe('what each log line names', () => {
  /** One sweep's log entries without their level, time and request id. */
  async function entries(): Promise<Array<Record<string, unknown>>> {
    const lines: string[] = [];
    await sweep(target, clients, createLogger('request-1', (line) => lines.push(line)));
    return lines.map((line) => JSON.parse(line)).map(({ level: _level, time: _time, requestId: _requestId, ...entry }) => entry);
  }
  const withoutErrors = (list: Array<Record<string, unknown>>) => list.map(({ error: _error, ...entry }) => entry);

  test('deletions name the resource, and the endpoint the status it left', async () => {
    const name = runName(PREFIX, 1);
    fixture.emulator.putModel(name).putEndpointConfig(name).putEndpoint(ENDPOINT, { configName: name }).putScalableTarget(TARGET);
    seedParameter();
    expect(await entries()).toEqual([
      { event: 'scalable-target-deregistered', resourceId: TARGET, scalableDimension: 'sagemaker:variant:DesiredInstanceCount' },
      { event: 'endpoint-delete-started', endpointName: ENDPOINT, previousStatus: 'InService' },
      { event: 'champion-record-deleted', name: CHAMPION },
      { event: 'endpoint-config-deleted', name },
      { event: 'model-deleted', name },
    ]);
    expect(await entries()).toEqual([{ event: 'endpoint-deleting', endpointName: ENDPOINT }]);
    expect(await entries()).toEqual([{ event: 'endpoint-gone', endpointName: ENDPOINT }]);
  });

  test('what was already gone or is busy is named too, with the error where there is one', async () => {
    const name = runName(PREFIX, 1);
    fixture.emulator.putModel(name).putEndpointConfig(name).putEndpoint(ENDPOINT, { status: 'Failed' })
      .putScalableTarget(`${TARGET}1`).putScalableTarget(`${TARGET}2`)
      .failNext('DeregisterScalableTarget', { type: 'ObjectNotFoundException', message: 'gone' })
      .failNext('DeregisterScalableTarget', { type: 'ConcurrentUpdateException', message: 'busy' })
      .failNext('DeleteEndpoint', { type: 'ValidationException', message: 'Could not find endpoint "x".' })
      .failNext('DeleteEndpointConfig', { type: 'ValidationException', message: 'Could not find endpoint configuration "x".' })
      .failNext('DeleteModel', { type: 'ValidationException', message: 'Could not find model "x".' });
    const logged = await entries();
    expect(withoutErrors(logged)).toEqual([
      { event: 'scalable-target-already-gone', resourceId: `${TARGET}1`, scalableDimension: 'sagemaker:variant:DesiredInstanceCount' },
      { event: 'scalable-target-busy', resourceId: `${TARGET}2`, scalableDimension: 'sagemaker:variant:DesiredInstanceCount' },
      { event: 'endpoint-already-gone', endpointName: ENDPOINT },
      { event: 'endpoint-config-already-gone', name },
      { event: 'model-already-gone', name },
    ]);
    expect(logged[1].error).toMatchObject({ name: 'ConcurrentUpdateException' });
  });

  test('a deferred endpoint deletion names the endpoint, its status and the refusal', async () => {
    fixture.emulator.putEndpoint(ENDPOINT, { status: 'Updating' });
    fixture.emulator.describesToSettle = 100;
    const [entry] = await entries();
    expect(entry).toMatchObject({ event: 'endpoint-delete-deferred', endpointName: ENDPOINT, status: 'Updating', error: { name: 'ValidationException' } });
  });
});
