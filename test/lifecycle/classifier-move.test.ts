/**
 * Moving the classifier in the construct tree keeps it serving. The update is played as CloudFormation plays it: the
 * cleanup resource's logical id changes, so CloudFormation creates the new resource, then deletes the old one in
 * UPDATE_COMPLETE_CLEANUP_IN_PROGRESS (or, when the update fails, deletes the new one while rolling back). The cleanup
 * handler (lambda/cleanup, as Lambda runs it) answers each request against the loopback SageMaker, SSM and
 * CloudFormation; after every step an endpoint must be in service. The stack's real removal still deletes everything.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { ImageClassifier } from '../../lib/image-classifier';
import { isComplete, onEvent } from '../../lambda/cleanup';
import { CleanupEvent } from '../../lambda/cleanup/handler';
import { championParameterName, CLEANUP_RESOURCE_TYPE } from '../../lambda/shared/cleanup-contract';
import { runName, useControlPlane } from './control-plane-fixture';

const fixture = useControlPlane({ describesToSettle: 1 });
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod/0a1b2c3d';
const context = { awsRequestId: 'lambda-request' };

interface Version {
  readonly logicalId: string;
  readonly properties: Record<string, unknown>;
  readonly endpointName: string;
  readonly championParameter: string;
}

/** The classifier `Classifier` under `wrappers` in stack `prod`: its cleanup resource and names, as synthesized. */
function synthesize(wrappers: readonly string[]): Version {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Prod', { stackName: 'prod', env: { region: 'us-east-1', account: '123456789012' } });
  let scope: Construct = stack;
  for (const wrapper of wrappers) scope = new Construct(scope, wrapper);
  const classifier = new ImageClassifier(scope, 'Classifier');
  const resources = Object.entries(Template.fromStack(stack).findResources(CLEANUP_RESOURCE_TYPE));
  expect(resources).toHaveLength(1);
  const [logicalId, resource] = resources[0];
  const { ServiceToken: _token, ...properties } = resource.Properties as Record<string, unknown>;
  return { logicalId, properties, endpointName: classifier.endpoint.endpointName, championParameter: classifier.pipeline!.championParameter.parameterName };
}

function request(type: CleanupEvent['RequestType'], version: Version, physicalId?: string, old?: Version): CleanupEvent {
  return {
    RequestType: type, RequestId: `cfn-${type}`, StackId: STACK_ID, LogicalResourceId: version.logicalId,
    ResourceProperties: version.properties, ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    ...(old ? { OldResourceProperties: old.properties } : {}),
  };
}

/** onEvent, then isComplete until true, checking after each call that an endpoint serves (unless `serving` is false). */
async function runRequest(event: CleanupEvent, endpointName: string, serving = true): Promise<string> {
  const started = await onEvent(event, context);
  if (serving) expectServing(endpointName);
  for (let poll = 0; poll < 20; poll += 1) {
    const { IsComplete } = await isComplete({ ...event, ...started }, context);
    if (serving) expectServing(endpointName);
    if (IsComplete) return started.PhysicalResourceId;
  }
  throw new Error('the request did not complete in 20 polls');
}

function expectServing(endpointName: string): void {
  expect(fixture.emulator.endpoints.get(endpointName)?.status).toBe('InService');
  expect(fixture.emulator.callsOf('DeleteEndpoint')).toEqual([]);
}

/** What the first deploy and a promotion left: the endpoint on a run's config, older versions, the champion record. */
function deployed(version: Version, physicalId: string): string[] {
  const prefix = String(version.properties.ResourceNamePrefix);
  const runs = [0, 1, 2].map((n) => runName(prefix, n));
  for (const name of runs) fixture.emulator.putModel(name).putEndpointConfig(name);
  fixture.emulator.putEndpoint(version.endpointName, { configName: runs[2] })
    .putScalableTarget(`endpoint/${version.endpointName}/variant/AllTraffic`, { policyNames: ['invocations'] });
  fixture.emulator.parameters.set(version.championParameter, { value: JSON.stringify({ runId: 'run-2', endpointConfigName: runs[2] }), version: 3 });
  fixture.cloudFormation.putStack(STACK_ID, 'UPDATE_IN_PROGRESS')
    .setResource(STACK_ID, { logicalResourceId: version.logicalId, physicalResourceId: physicalId, resourceType: CLEANUP_RESOURCE_TYPE, status: 'CREATE_COMPLETE' });
  return runs;
}

const wrapperPaths = fc.array(fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,9}$/), { maxLength: 3 });

describe('the classifier moved in the construct tree', () => {
  let spy: jest.SpyInstance;
  beforeEach(() => { spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true); });
  afterEach(() => spy.mockRestore());

  test('keeps serving through the update: the old cleanup resource\'s Delete finds the new one claiming the endpoint', async () => {
    await fc.assert(fc.asyncProperty(wrapperPaths, wrapperPaths, async (from, to) => {
      fc.pre(from.join('/') !== to.join('/'));
      fixture.emulator.reset();
      fixture.cloudFormation.reset();
      // GIVEN the classifier deployed at `from`, serving
      const before = synthesize(from);
      const after = synthesize(to);
      expect(after.logicalId).not.toBe(before.logicalId); // CloudFormation replaces the cleanup resource...
      expect(after.endpointName).toBe(before.endpointName); // ...for the same endpoint, pipeline names and record
      expect(after.properties).toEqual(before.properties);
      expect(after.championParameter).toBe(before.championParameter);
      const physicalId = (await onEvent(request('Create', before), context)).PhysicalResourceId;
      const runs = deployed(before, physicalId);

      // WHEN CloudFormation creates the resource at the new path, then deletes the old one in the cleanup phase
      const newId = await runRequest(request('Create', after), after.endpointName);
      fixture.cloudFormation.setResource(STACK_ID, { logicalResourceId: after.logicalId, physicalResourceId: newId, resourceType: CLEANUP_RESOURCE_TYPE, status: 'CREATE_COMPLETE' })
        .setStackStatus(STACK_ID, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')
        .setResource(STACK_ID, { logicalResourceId: before.logicalId, physicalResourceId: physicalId, resourceType: CLEANUP_RESOURCE_TYPE, status: 'DELETE_IN_PROGRESS' });
      await runRequest(request('Delete', before, physicalId), before.endpointName);

      // THEN nothing of the endpoint was touched: it serves the same config, with its versions and its record
      expect(newId).toBe(physicalId);
      expect(fixture.emulator.endpoints.get(before.endpointName)?.configName).toBe(runs[2]);
      expect([...fixture.emulator.endpointConfigs.keys()]).toEqual(runs);
      expect(fixture.emulator.parameters.has(before.championParameter)).toBe(true);
      expect(fixture.emulator.calls.filter((call) => /^(Delete|Deregister)/.test(call.operation))).toEqual([]);
    }), { numRuns: 4 });
  });

  test('an update that fails after creating the new resource rolls back without touching the endpoint', async () => {
    const before = synthesize([]);
    const after = synthesize(['Team']);
    const physicalId = (await onEvent(request('Create', before), context)).PhysicalResourceId;
    deployed(before, physicalId);
    fixture.cloudFormation.setResource(STACK_ID, { logicalResourceId: after.logicalId, physicalResourceId: physicalId, resourceType: CLEANUP_RESOURCE_TYPE, status: 'DELETE_IN_PROGRESS' })
      .setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_IN_PROGRESS');
    await runRequest(request('Delete', after, physicalId), after.endpointName);
    expect(fixture.emulator.calls.filter((call) => /^(Delete|Deregister)/.test(call.operation))).toEqual([]);
  });

  test('the classifier removed from the stack (nothing else claims its endpoint) is deleted with its record', async () => {
    const version = synthesize(['Team']);
    const physicalId = (await onEvent(request('Create', version), context)).PhysicalResourceId;
    deployed(version, physicalId);
    fixture.cloudFormation.setStackStatus(STACK_ID, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')
      .setResource(STACK_ID, { logicalResourceId: version.logicalId, physicalResourceId: physicalId, resourceType: CLEANUP_RESOURCE_TYPE, status: 'DELETE_IN_PROGRESS' });
    await runRequest(request('Delete', version, physicalId), version.endpointName, false);
    expectAllGone(version);
  });

  test('the stack\'s deletion deletes everything, even if another resource still named the endpoint', async () => {
    const version = synthesize([]);
    const physicalId = (await onEvent(request('Create', version), context)).PhysicalResourceId;
    deployed(version, physicalId);
    fixture.cloudFormation.setStackStatus(STACK_ID, 'DELETE_IN_PROGRESS')
      .setResource(STACK_ID, { logicalResourceId: 'Stale', physicalResourceId: physicalId, resourceType: CLEANUP_RESOURCE_TYPE, status: 'CREATE_COMPLETE' });
    await runRequest(request('Delete', version, physicalId), version.endpointName, false);
    expectAllGone(version);
  });
});

function expectAllGone(version: Version): void {
  expect(fixture.emulator.endpoints.size).toBe(0);
  expect(fixture.emulator.endpointConfigs.size).toBe(0);
  expect(fixture.emulator.models.size).toBe(0);
  expect(fixture.emulator.scalableTargets.size).toBe(0);
  expect(fixture.emulator.parameters.has(version.championParameter)).toBe(false);
  expect(version.championParameter).toBe(championParameterName(version.endpointName));
}
