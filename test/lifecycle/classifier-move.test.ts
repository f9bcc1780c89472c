/**
 * Moving the classifier in the construct tree keeps it serving, because a move changes nothing in the template: every
 * resource keeps its logical id, type and properties (only the `aws:cdk:path` metadata differs), so CloudFormation
 * replaces nothing, and a run of the same state machine afterwards finds the same endpoint and record and updates it
 * in place. Renaming the construct id with `identity` set to the former id is the same.
 *
 * Renaming the construct id without `identity` but with the endpoint name kept (`serving.endpointName`) replaces the
 * cleanup resource: the update is played as CloudFormation plays it, creating the new resource, then deleting the old
 * one in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS (or, when the update fails, deleting the new one while rolling back). The
 * cleanup handler (lambda/cleanup, as Lambda runs it) answers each request against the loopback SageMaker, SSM and
 * CloudFormation; after every step an endpoint must be in service. The stack's real removal still deletes everything.
 */
import { CfnElement } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { firstRunLogicalId } from '../../lib/lifecycle/first-run';
import { resolveIntrinsics, TemplateJson } from '../support/cfn-template';
import { runPipeline } from '../support/pipeline-world';
import { onEvent } from '../../lambda/cleanup';
import { CleanupEvent } from '../../lambda/cleanup/handler';
import { championParameterName, CLEANUP_RESOURCE_TYPE } from '../../lambda/shared/cleanup-contract';
import { cleanupRequest, Placement, placeClassifier, playCleanupRequest } from './classifier-versions';
import { runName, useControlPlane } from './control-plane-fixture';

const fixture = useControlPlane({ describesToSettle: 1 });
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod/0a1b2c3d';
const context = { awsRequestId: 'lambda-request' };

interface Version {
  readonly logicalId: string;
  readonly properties: Record<string, unknown>;
  readonly endpointName: string;
  readonly championParameter: string;
  readonly resourceNamePrefix: string;
  readonly template: TemplateJson;
  /** Logical ids of the pipeline's state machine and of the first-run custom resource. */
  readonly stateMachineId: string;
  readonly firstRunId: string;
}

/** The classifier under `wrappers` in stack `prod`: its cleanup resource and names, as synthesized. */
function synthesize(wrappers: readonly string[], placement: Placement = {}): Version {
  const { stack, classifier, template, cleanup } = placeClassifier({ ...placement, wrappers, startRetrainingOnDeploy: true });
  const firstRuns = Object.keys(template.findResources('Custom::AWS'));
  expect(firstRuns).toHaveLength(1);
  return {
    ...cleanup, endpointName: classifier.endpoint.endpointName, championParameter: classifier.pipeline!.championParameter.parameterName,
    resourceNamePrefix: classifier.endpoint.resourceNamePrefix, template: template.toJSON() as TemplateJson,
    stateMachineId: stack.resolve((classifier.pipeline!.stateMachine.node.defaultChild as CfnElement).logicalId), firstRunId: firstRuns[0],
  };
}

const request = (type: CleanupEvent['RequestType'], version: Version, physicalId?: string, old?: Version) => cleanupRequest(STACK_ID, type, version, physicalId, old);

/** The request played to the end, checking after each call that an endpoint serves (unless `serving` is false). */
function runRequest(event: CleanupEvent, endpointName: string, serving = true): Promise<string> {
  return playCleanupRequest(event, () => {
    if (serving) expectServing(endpointName);
  });
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
  fixture.emulator.parameters.set(version.championParameter, { value: JSON.stringify({ runId: 'run-2', validationAccuracy: 0.8, endpointConfigName: runs[2], modelName: runs[2] }), version: 3 });
  fixture.cloudFormation.putStack(STACK_ID, 'UPDATE_IN_PROGRESS')
    .setResource(STACK_ID, { logicalResourceId: version.logicalId, physicalResourceId: physicalId, resourceType: CLEANUP_RESOURCE_TYPE, status: 'CREATE_COMPLETE' });
  return runs;
}

/** The update as CloudFormation plays it: Create of the moved cleanup resource, then Delete of the old one. */
async function update(before: Version, after: Version, physicalId: string): Promise<string> {
  const newId = await runRequest(request('Create', after), after.endpointName);
  fixture.cloudFormation.setResource(STACK_ID, { logicalResourceId: after.logicalId, physicalResourceId: newId, resourceType: CLEANUP_RESOURCE_TYPE, status: 'CREATE_COMPLETE' })
    .setStackStatus(STACK_ID, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')
    .setResource(STACK_ID, { logicalResourceId: before.logicalId, physicalResourceId: physicalId, resourceType: CLEANUP_RESOURCE_TYPE, status: 'DELETE_IN_PROGRESS' });
  await runRequest(request('Delete', before, physicalId), before.endpointName);
  return newId;
}

/** Two versions of the classifier, against emulators reset to nothing. */
function versions(before: Version, after: Version): { before: Version; after: Version } {
  fixture.emulator.reset();
  fixture.cloudFormation.reset();
  return { before, after };
}

/** The template less what a move may change: each resource's metadata (its construct path, its asset's staging path). */
function withoutMetadata(template: TemplateJson): unknown {
  return { ...template, Resources: Object.fromEntries(Object.entries(template.Resources as Record<string, Record<string, unknown>>).map(([id, { Metadata: _metadata, ...resource }]) => [id, resource])) };
}

const wrapperPaths = fc.array(fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,9}$/), { maxLength: 3 });
const constructIds = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,9}$/).filter((id) => id !== 'Classifier');
const KEPT_ENDPOINT = 'prod-flowers';

describe('the classifier moved in the construct tree', () => {
  let spy: jest.SpyInstance;
  beforeEach(() => { spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true); });
  afterEach(() => spy.mockRestore());

  test('a move, or a rename of the construct id with identity set to the former id, changes nothing in the template but metadata', () => {
    fc.assert(fc.property(wrapperPaths, wrapperPaths, fc.option(constructIds, { nil: undefined }), (from, to, renamed) => {
      fc.pre(from.join('/') !== to.join('/') || renamed !== undefined);
      const before = synthesize(from, { bundle: true });
      const after = synthesize(to, renamed === undefined ? { bundle: true } : { id: renamed, identity: 'Classifier', bundle: true });
      expect(withoutMetadata(after.template)).toEqual(withoutMetadata(before.template));
      expect(after.endpointName).toBe(before.endpointName);
      expect(after.logicalId).toBe(before.logicalId);
      expect(after.stateMachineId).toBe(before.stateMachineId);
    }), { numRuns: 3, examples: [[[], ['Team'], undefined], [['Team'], [], 'Flowers']] });
  });

  test('after a move, the cleanup resource is untouched and a run of the state machine updates the same endpoint in place', async () => {
    await fc.assert(fc.asyncProperty(wrapperPaths, wrapperPaths, async (from, to) => {
      fc.pre(from.join('/') !== to.join('/'));
      const { before, after } = versions(synthesize(from), synthesize(to));
      // The first run is the same resource with the same properties: CloudFormation sends it nothing.
      expect(after.firstRunId).toBe(before.firstRunId);
      expect(after.firstRunId).toBe(firstRunLogicalId(after.endpointName));
      const physicalId = (await onEvent(request('Create', before), context)).PhysicalResourceId;
      const runs = deployed(before, physicalId);
      // Were CloudFormation to send the cleanup resource an Update (its properties are equal), it changes nothing.
      expect(await runRequest(request('Update', after, physicalId, before), after.endpointName)).toBe(physicalId);

      // The schedule starts the same state machine.
      const stateMachine = after.template.Resources[after.stateMachineId];
      const schedules = Object.values(after.template.Resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
      expect(schedules).toHaveLength(1);
      expect(JSON.stringify((schedules[0].Properties as any).Target)).toContain(`{"Ref":"${before.stateMachineId}"}`); // Ref of a state machine is its ARN

      // WHEN the state machine runs against what the update left
      const definition = JSON.parse(resolveIntrinsics(after.template, (stateMachine.Properties as any).DefinitionString) as string);
      const result = await runPipeline(definition, { validationAccuracy: 0.95, executionName: 'scheduled-1' }, after, (world) => {
        for (const name of fixture.emulator.endpointConfigs.keys()) {
          world.endpointConfigs.set(name, { created: runs.indexOf(name), request: { ProductionVariants: [{ ModelName: name }] } });
        }
        for (const name of fixture.emulator.models.keys()) world.models.set(name, {});
        const served = fixture.emulator.endpoints.get(before.endpointName)!;
        world.endpoints.set(before.endpointName, { status: served.status, config: served.configName, describes: 0, created: false });
        world.scalableTargets.add(before.endpointName);
        world.scalingPolicies.add(before.endpointName);
        world.parameters.set(before.championParameter, fixture.emulator.parameters.get(before.championParameter)!.value);
      });

      // THEN it read the record written before the move, updated the serving endpoint in place and deleted none
      expect(result.status).toBe('SUCCEEDED');
      expect(result.world.apiProblems).toEqual([]);
      const apis = result.world.calls.map((call) => call.api);
      expect(result.world.calls.filter((call) => call.api === 'aws-sdk:ssm:getParameter').map((call) => call.request.Name)).toEqual([before.championParameter]);
      expect(apis).not.toContain('sagemaker:createEndpoint');
      expect(apis).not.toContain('aws-sdk:sagemaker:deleteEndpoint');
      const updates = result.world.calls.filter((call) => call.api === 'sagemaker:updateEndpoint');
      expect(updates.map((call) => call.request.EndpointName)).toEqual([before.endpointName]);
      const endpoint = result.world.endpoints.get(before.endpointName)!;
      expect(endpoint.status).toBe('InService');
      expect(endpoint.config).toBe(updates[0].request.EndpointConfigName);
      expect(endpoint.config).not.toBe(runs[2]);
      expect(JSON.parse(result.world.parameters.get(before.championParameter)!)).toMatchObject({ validationAccuracy: 0.95, endpointConfigName: endpoint.config });
      expect([...result.world.parameters.keys()]).toEqual([before.championParameter]);
    }), { numRuns: 3 });
  });

  test('a rename of the construct id that keeps the endpoint name replaces the cleanup resource, whose Delete finds the new one claiming the endpoint', async () => {
    await fc.assert(fc.asyncProperty(wrapperPaths, constructIds, async (to, renamed) => {
      // GIVEN the classifier deployed with a fixed endpoint name, serving
      const { before, after } = versions(synthesize([], { endpointName: KEPT_ENDPOINT }), synthesize(to, { id: renamed, endpointName: KEPT_ENDPOINT }));
      expect(after.logicalId).not.toBe(before.logicalId); // CloudFormation replaces the cleanup resource...
      expect(after.endpointName).toBe(before.endpointName); // ...for the same endpoint, pipeline names and record
      expect(after.properties).toEqual(before.properties);
      expect(after.championParameter).toBe(before.championParameter);
      const physicalId = (await onEvent(request('Create', before), context)).PhysicalResourceId;
      const runs = deployed(before, physicalId);

      // WHEN CloudFormation creates the resource under the new id, then deletes the old one in the cleanup phase
      const newId = await update(before, after, physicalId);

      // THEN nothing of the endpoint was touched: it serves the same config, with its versions and its record
      expect(newId).toBe(physicalId);
      expect(fixture.emulator.endpoints.get(before.endpointName)?.configName).toBe(runs[2]);
      expect([...fixture.emulator.endpointConfigs.keys()]).toEqual(runs);
      expect(fixture.emulator.parameters.has(before.championParameter)).toBe(true);
      expect(fixture.emulator.calls.filter((call) => /^(Delete|Deregister)/.test(call.operation))).toEqual([]);
    }), { numRuns: 3 });
  });

  test('an update that fails after creating the new resource rolls back without touching the endpoint', async () => {
    const before = synthesize([], { endpointName: KEPT_ENDPOINT });
    const after = synthesize(['Team'], { id: 'Renamed', endpointName: KEPT_ENDPOINT });
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
