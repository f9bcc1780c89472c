/**
 * The endpoint cleanup handler (lambda/cleanup/index.ts, as Lambda runs it) against the loopback control plane,
 * through the real @aws-sdk/client-sagemaker and @aws-sdk/client-application-auto-scaling clients.
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SSMClient } from '@aws-sdk/client-ssm';
import { isComplete, onEvent } from '../../lambda/cleanup';
import { CleanupEvent, createCleanupHandlers } from '../../lambda/cleanup/handler';
import { runName, useControlPlane } from './control-plane-fixture';

const fixture = useControlPlane({ maxPageSize: 3, describesToSettle: 2 });

const ENDPOINT = 'Flowers-Endpoint';
const PREFIX = 'flowers';
const PHYSICAL_ID = 'sagemaker-endpoint-cleanup:flowers-endpoint';
const PROPERTIES = { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framework', EndpointName: ENDPOINT, ResourceNamePrefix: PREFIX };
const VARIANT_TARGET = `endpoint/${ENDPOINT}/variant/AllTraffic`;

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/TestStack/1';
const context = { awsRequestId: 'lambda-request-1' };
const deleteEvent = (overrides: Partial<CleanupEvent> = {}): CleanupEvent => ({
  RequestType: 'Delete',
  RequestId: 'cfn-request-1',
  LogicalResourceId: 'Cleanup',
  StackId: STACK_ID,
  PhysicalResourceId: PHYSICAL_ID,
  ResourceProperties: PROPERTIES,
  ...overrides,
});

let logLines: string[];
beforeEach(() => {
  // The usual Delete: the stack is being deleted (the claim tests below set other states).
  fixture.cloudFormation.putStack(STACK_ID, 'DELETE_IN_PROGRESS');
  logLines = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logLines.push(...String(chunk).split('\n').filter((line) => line !== ''));
    return true;
  });
});
afterEach(() => jest.restoreAllMocks());

/** What the Provider framework does: onEvent, then isComplete until it answers true. Returns the number of polls. */
async function runDelete(event: CleanupEvent = deleteEvent(), maxPolls = 10): Promise<number> {
  const started = await onEvent(event, context);
  expect(started.PhysicalResourceId).toBe(event.PhysicalResourceId);
  for (let poll = 1; poll <= maxPolls; poll += 1) {
    const { IsComplete } = await isComplete({ ...event, ...started }, context);
    if (IsComplete) return poll;
  }
  throw new Error(`not complete after ${maxPolls} polls`);
}

/** The pipeline's resources of several runs (more than one page of each list), plus the endpoint and its autoscaling. */
function seedPipelineResources(runs = 8): string[] {
  const names = Array.from({ length: runs }, (_, n) => runName(PREFIX, n));
  for (const name of names) fixture.emulator.putModel(name).putEndpointConfig(name);
  fixture.emulator
    .putEndpoint(ENDPOINT, { configName: names[runs - 1] })
    .putScalableTarget(VARIANT_TARGET, { policyNames: ['invocations-per-instance'] });
  return names;
}

/** Resources of other stacks and of hand-made names that share words with ours. */
function seedForeignResources(): string[] {
  const names = [
    runName('flowers2', 1), // contains P, does not start with `P-`
    runName('xflowers', 1), // contains P in the middle
    runName('flowers-ic', 1), // starts with `P-`: another stack whose prefix extends ours
    'flowers-manual-model', // starts with `P-`, but no run id
    `${runName(PREFIX, 1)}-copy`, // ours plus a suffix
    runName('FLOWERS', 1), // another case
  ];
  for (const name of names) fixture.emulator.putModel(name).putEndpointConfig(name);
  fixture.emulator
    .putEndpoint(`${ENDPOINT}-2`)
    .putScalableTarget(`endpoint/${ENDPOINT}-2/variant/AllTraffic`)
    .putScalableTarget(`endpoint/${ENDPOINT.toLowerCase()}/variant/AllTraffic`)
    .putScalableTarget('table/flowers', { serviceNamespace: 'dynamodb', scalableDimension: 'dynamodb:table:ReadCapacityUnits' });
  return names;
}

describe('Delete', () => {
  test('deregisters the scaling target, deletes the endpoint and every config and model of the prefix across pages', async () => {
    // GIVEN 8 runs (3 pages of each list), and SageMaker not deregistering targets by itself
    seedPipelineResources(8);
    fixture.emulator.deleteEndpointDeregistersTargets = false;
    // WHEN
    const polls = await runDelete();
    // THEN
    const { emulator } = fixture;
    expect(emulator.endpoints.size).toBe(0);
    expect(emulator.models.size).toBe(0);
    expect(emulator.endpointConfigs.size).toBe(0);
    expect(emulator.scalableTargets.size).toBe(0);
    expect(emulator.scalingPolicies.size).toBe(0);
    expect(emulator.callsOf('DeleteModel')).toHaveLength(8);
    expect(emulator.callsOf('DeleteEndpointConfig')).toHaveLength(8);
    expect(emulator.callsOf('ListModels').length).toBeGreaterThanOrEqual(3);
    expect(polls).toBeGreaterThan(1);
    // the target is deregistered before the endpoint is deleted
    const operations = emulator.calls.map((call) => call.operation);
    expect(operations.indexOf('DeregisterScalableTarget')).toBeLessThan(operations.indexOf('DeleteEndpoint'));
    expect(emulator.callsOf('DeregisterScalableTarget')[0].input).toEqual({ ServiceNamespace: 'sagemaker', ResourceId: VARIANT_TARGET, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' });
  });

  test('leaves every resource of another prefix or endpoint untouched, even names that contain or extend the prefix', async () => {
    // GIVEN
    seedPipelineResources(2);
    const foreign = seedForeignResources();
    // WHEN
    await runDelete();
    // THEN
    const { emulator } = fixture;
    expect([...emulator.models.keys()].sort()).toEqual([...foreign].sort());
    expect([...emulator.endpointConfigs.keys()].sort()).toEqual([...foreign].sort());
    expect([...emulator.endpoints.keys()]).toEqual([`${ENDPOINT}-2`]);
    expect([...emulator.scalableTargets.values()].map((target) => target.resourceId).sort())
      .toEqual([`endpoint/${ENDPOINT}-2/variant/AllTraffic`, `endpoint/${ENDPOINT.toLowerCase()}/variant/AllTraffic`, 'table/flowers']);
    const deleted = [...emulator.callsOf('DeleteModel'), ...emulator.callsOf('DeleteEndpointConfig')]
      .map((call) => call.input.ModelName ?? call.input.EndpointConfigName);
    expect(deleted.filter((name) => foreign.includes(String(name)))).toEqual([]);
    expect(emulator.callsOf('DeleteEndpoint').map((call) => call.input.EndpointName)).toEqual([ENDPOINT]);
  });

  test('isComplete answers false while the endpoint is Deleting, then true once it is gone', async () => {
    // GIVEN
    fixture.emulator.putEndpoint(ENDPOINT);
    // WHEN
    const started = await onEvent(deleteEvent(), context);
    const answers: boolean[] = [];
    for (let poll = 0; poll < 4; poll += 1) answers.push((await isComplete({ ...deleteEvent(), ...started }, context)).IsComplete);
    // THEN two describes show Deleting (describesToSettle: 2), the third finds nothing
    expect(answers).toEqual([false, false, true, true]);
    expect(started.CleanupStartedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
  });

  test('an endpoint, configs and models that are already gone are success', async () => {
    // GIVEN nothing at all
    // WHEN
    const polls = await runDelete();
    // THEN
    expect(polls).toBe(1);
    expect(fixture.emulator.callsOf('DeleteEndpoint')).toHaveLength(0);
    expect(fixture.emulator.callsOf('DescribeEndpoint').length).toBeGreaterThan(0);
  });

  test('resources that vanish between the listing and the delete are success', async () => {
    // GIVEN each delete finds its resource already gone (deleted by someone else meanwhile)
    const [name] = seedPipelineResources(1);
    fixture.emulator
      .failNext('DeregisterScalableTarget', { type: 'ObjectNotFoundException', message: `No scalable target registered for service namespace: sagemaker, resource ID: ${VARIANT_TARGET}` })
      .failNext('DeleteEndpoint', { type: 'ValidationException', message: `Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/${ENDPOINT.toLowerCase()}".` })
      .failNext('DeleteEndpointConfig', { type: 'ValidationException', message: `Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/${name}".` })
      .failNext('DeleteModel', { type: 'ValidationException', message: `Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/${name}".` });
    // WHEN
    const result = await onEvent(deleteEvent(), context);
    // THEN no error, and the next polls finish the job
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(fixture.emulator.callsOf('DeleteModel').map((call) => call.error)).toEqual(['ValidationException']);
    await runDelete();
    expect(fixture.emulator.models.size + fixture.emulator.endpointConfigs.size + fixture.emulator.endpoints.size).toBe(0);
  });

  test('a model created by a pipeline run still in flight after the first sweep is deleted by a later poll', async () => {
    // GIVEN
    seedPipelineResources(1);
    const started = await onEvent(deleteEvent(), context);
    fixture.emulator.putModel(runName(PREFIX, 99));
    // WHEN
    let complete = false;
    for (let poll = 0; poll < 10 && !complete; poll += 1) complete = (await isComplete({ ...deleteEvent(), ...started }, context)).IsComplete;
    // THEN
    expect(complete).toBe(true);
    expect(fixture.emulator.models.size).toBe(0);
  });

  test('an endpoint that is Updating is deleted once the update settles', async () => {
    // GIVEN SageMaker refuses DeleteEndpoint while the endpoint is in progress
    fixture.emulator.putEndpoint(ENDPOINT, { status: 'Updating' });
    // WHEN
    const polls = await runDelete();
    // THEN
    expect(fixture.emulator.endpoints.size).toBe(0);
    expect(fixture.emulator.callsOf('DeleteEndpoint').map((call) => call.error)).toEqual(['ValidationException', 'ValidationException', undefined]);
    expect(polls).toBeGreaterThan(2);
  });

  test('throttling is retried by the SDK', async () => {
    // GIVEN
    const [name] = seedPipelineResources(1);
    fixture.emulator.failNext('DeleteModel', { type: 'ThrottlingException', message: 'Rate exceeded' }, { times: 2 });
    // WHEN
    await runDelete();
    // THEN
    expect(fixture.emulator.callsOf('DeleteModel').map((call) => [call.input.ModelName, call.error]))
      .toEqual([[name, 'ThrottlingException'], [name, 'ThrottlingException'], [name, undefined]]);
    expect(fixture.emulator.models.size).toBe(0);
  });

  test('any other error fails with a message naming the action and the resource', async () => {
    // GIVEN
    const [name] = seedPipelineResources(1);
    fixture.emulator.failNext('DeleteModel', { type: 'AccessDeniedException', message: 'User is not authorized to perform: sagemaker:DeleteModel' });
    // WHEN / THEN
    await expect(onEvent(deleteEvent(), context)).rejects.toThrow(
      `could not delete model ${name}: AccessDeniedException: User is not authorized to perform: sagemaker:DeleteModel`,
    );
  });

  test('a Delete that cannot read its stack fails, naming the stack, and deletes nothing (it cannot tell who claims the endpoint)', async () => {
    seedPipelineResources(1);
    fixture.cloudFormation.reset();
    await expect(onEvent(deleteEvent(), context)).rejects.toThrow(`could not describe stack ${STACK_ID}: ValidationError: Stack with id ${STACK_ID} does not exist`);
    expect(fixture.emulator.calls).toEqual([]);
  });

  test('a Delete while another resource of the stack claims the endpoint touches nothing; isComplete agrees at once', async () => {
    seedPipelineResources(2);
    fixture.cloudFormation.setStackStatus(STACK_ID, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')
      .setResource(STACK_ID, { logicalResourceId: 'Cleanup', physicalResourceId: PHYSICAL_ID, resourceType: 'Custom::SageMakerEndpointCleanup', status: 'DELETE_IN_PROGRESS' })
      .setResource(STACK_ID, { logicalResourceId: 'Unrelated', physicalResourceId: 'sagemaker-endpoint-cleanup:tulips', resourceType: 'Custom::SageMakerEndpointCleanup', status: 'CREATE_COMPLETE' })
      .setResource(STACK_ID, { logicalResourceId: 'MovedCleanup', physicalResourceId: PHYSICAL_ID, resourceType: 'Custom::SageMakerEndpointCleanup', status: 'CREATE_COMPLETE' });
    const started = await onEvent(deleteEvent(), context);
    expect(started).toEqual({ PhysicalResourceId: PHYSICAL_ID, ClaimedBy: 'MovedCleanup' });
    await expect(isComplete({ ...deleteEvent(), ...started }, context)).resolves.toEqual({ IsComplete: true });
    expect(fixture.emulator.calls).toEqual([]);
    // the stack's resources were read page by page (one per page here)
    expect(fixture.cloudFormation.calls.filter((call) => call.action === 'ListStackResources')).toHaveLength(3);
  });

  test('the stack being deleted: everything goes even though another resource names the endpoint, and the log says why', async () => {
    seedPipelineResources(1);
    fixture.cloudFormation.setResource(STACK_ID, { logicalResourceId: 'Stale', physicalResourceId: PHYSICAL_ID, resourceType: 'Custom::SageMakerEndpointCleanup', status: 'CREATE_COMPLETE' });
    await runDelete();
    expect(fixture.emulator.endpoints.size).toBe(0);
    expect(fixture.cloudFormation.calls.map((call) => call.action)).toEqual(['DescribeStacks']); // no need to list
    expect(logLines.map((line) => JSON.parse(line))).toContainEqual(expect.objectContaining({ level: 'info', event: 'stack-deleting', stackStatus: 'DELETE_IN_PROGRESS' }));
  });

  test.each([
    ['the Delete\'s own resource, not yet marked as being deleted', 'Cleanup', 'UPDATE_COMPLETE'],
    ['another resource of the endpoint that is being deleted too', 'OtherCleanup', 'DELETE_IN_PROGRESS'],
    ['another resource of the endpoint whose deletion failed', 'OtherCleanup', 'DELETE_FAILED'],
  ])('%s does not claim the endpoint: the Delete deletes it', async (_name, logicalResourceId, status) => {
    seedPipelineResources(1);
    fixture.cloudFormation.setStackStatus(STACK_ID, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')
      .setResource(STACK_ID, { logicalResourceId, physicalResourceId: PHYSICAL_ID, resourceType: 'Custom::SageMakerEndpointCleanup', status });
    await runDelete();
    expect(fixture.emulator.endpoints.size).toBe(0);
    expect(fixture.emulator.callsOf('DeleteEndpoint')).toHaveLength(1);
  });

  test('a Delete that cannot list its stack\'s resources fails, naming them, and deletes nothing', async () => {
    seedPipelineResources(1);
    fixture.cloudFormation.setStackStatus(STACK_ID, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS').failNext('ListStackResources', 'AccessDenied', 'not authorized');
    await expect(onEvent(deleteEvent(), context)).rejects.toThrow(`could not list the resources of stack ${STACK_ID}: AccessDenied: not authorized`);
    expect(fixture.emulator.calls).toEqual([]);
  });

  test('a failing listing fails with a message naming what was listed', async () => {
    fixture.emulator.failNext('DescribeScalableTargets', { type: 'AccessDeniedException', message: 'not authorized' });
    await expect(onEvent(deleteEvent(), context)).rejects.toThrow(
      `could not list the scalable targets of endpoint ${ENDPOINT} (endpoint/${ENDPOINT}/variant/*): AccessDeniedException: not authorized`,
    );
  });

  test('a Delete whose physical id is not derived from its endpoint name touches nothing', async () => {
    // GIVEN e.g. a resource made by another id scheme, while the resource that owns the endpoint now is another one
    seedPipelineResources(1);
    const event = deleteEvent({ PhysicalResourceId: 'some-other-id' });
    // WHEN
    const result = await onEvent(event, context);
    const done = await isComplete({ ...event, ...result }, context);
    // THEN
    expect(result).toEqual({ PhysicalResourceId: 'some-other-id' });
    expect(done).toEqual({ IsComplete: true });
    expect(fixture.emulator.calls).toEqual([]);
  });

  test('a Delete with invalid properties touches nothing (Create never accepted them)', async () => {
    seedPipelineResources(1);
    const event = deleteEvent({ ResourceProperties: { EndpointName: ENDPOINT, ResourceNamePrefix: '' } });
    await expect(onEvent(event, context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(fixture.emulator.calls).toEqual([]);
  });

  test('every log line is one JSON object with level, time, request id and event', async () => {
    seedPipelineResources(1);
    await runDelete();
    const entries = logLines.map((line) => JSON.parse(line));
    expect(entries.length).toBeGreaterThan(3);
    for (const entry of entries) {
      expect(entry).toMatchObject({ level: expect.any(String), time: expect.any(String), requestId: 'lambda-request-1', event: expect.any(String), requestType: 'Delete' });
    }
    expect(entries.map((entry) => entry.event)).toEqual(expect.arrayContaining(['cleanup-started', 'scalable-target-deregistered', 'endpoint-delete-started', 'model-deleted', 'cleanup-complete']));
  });
});

describe('Create and Update', () => {
  test('Create touches nothing and answers the id derived from the endpoint name', async () => {
    seedPipelineResources(1);
    const event: CleanupEvent = { ...deleteEvent(), RequestType: 'Create', PhysicalResourceId: undefined };
    await expect(onEvent(event, context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    await expect(isComplete({ ...event, PhysicalResourceId: PHYSICAL_ID }, context)).resolves.toEqual({ IsComplete: true });
    expect(fixture.emulator.calls).toEqual([]);
  });

  test('Create refuses invalid properties, naming them', async () => {
    const event: CleanupEvent = { ...deleteEvent(), RequestType: 'Create', ResourceProperties: { EndpointName: 'bad_name', ResourceNamePrefix: 'x'.repeat(39) } };
    await expect(onEvent(event, context)).rejects.toThrow(/invalid properties: EndpointName must be a SageMaker endpoint name .* got "bad_name"; ResourceNamePrefix must be 1-38 /);
  });

  test('Update touches nothing; a renamed endpoint gets a new id (CloudFormation then deletes the old one), a case-only rename keeps it', async () => {
    seedPipelineResources(1);
    const update = (endpointName: string): CleanupEvent => ({
      ...deleteEvent(),
      RequestType: 'Update',
      ResourceProperties: { ...PROPERTIES, EndpointName: endpointName },
      OldResourceProperties: PROPERTIES,
    });
    await expect(onEvent(update('Tulips'), context)).resolves.toEqual({ PhysicalResourceId: 'sagemaker-endpoint-cleanup:tulips' });
    await expect(onEvent(update('FLOWERS-endpoint'), context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    await expect(isComplete(update('Tulips'), context)).resolves.toEqual({ IsComplete: true });
    expect(fixture.emulator.calls).toEqual([]);
  });

  test('Update that changes only the prefix warns that the old prefix is no longer swept', async () => {
    const event: CleanupEvent = { ...deleteEvent(), RequestType: 'Update', ResourceProperties: { ...PROPERTIES, ResourceNamePrefix: 'roses' }, OldResourceProperties: PROPERTIES };
    await expect(onEvent(event, context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    const warning = logLines.map((line) => JSON.parse(line)).find((entry) => entry.event === 'resource-name-prefix-changed');
    expect(warning).toMatchObject({ level: 'warn', previousResourceNamePrefix: 'flowers', resourceNamePrefix: 'roses' });
  });
});

describe('giving up', () => {
  test('isComplete fails naming what is left once GIVE_UP_AFTER_SECONDS have passed since the Delete began', async () => {
    // GIVEN an endpoint stuck in Deleting, and a clock the test controls
    fixture.emulator.describesToSettle = 1000;
    fixture.emulator.putEndpoint(ENDPOINT, { status: 'Deleting' });
    let now = new Date('2026-11-28T12:00:00Z');
    const clients = {
      sageMaker: new SageMakerClient({ maxAttempts: 1 }),
      autoScaling: new ApplicationAutoScalingClient({ maxAttempts: 1 }),
      ssm: new SSMClient({ maxAttempts: 1 }),
      cloudFormation: new CloudFormationClient({ maxAttempts: 1 }),
    };
    const handlers = createCleanupHandlers({ clients: () => clients, giveUpAfterSeconds: 60, now: () => now, logSink: () => undefined });
    try {
      const started = await handlers.onEvent(deleteEvent(), context);
      // WHEN / THEN still waiting at 59 s, failing at 61 s
      now = new Date('2026-11-28T12:00:59Z');
      await expect(handlers.isComplete({ ...deleteEvent(), ...started }, context)).resolves.toEqual({ IsComplete: false });
      now = new Date('2026-11-28T12:01:01Z');
      await expect(handlers.isComplete({ ...deleteEvent(), ...started }, context)).rejects.toThrow(
        `endpoint cleanup gave up after 61 s with 1 resource(s) left: endpoint ${ENDPOINT}: Deleting`,
      );
    } finally {
      for (const client of Object.values(clients)) client.destroy();
    }
  });
});
