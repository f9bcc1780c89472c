/**
 * A generated sweep of deploy histories: the classifier created, promoted, moved, renamed (with `identity`, with the
 * endpoint name kept, or plainly), removed, updates that fail and roll back, the stack deleted, in any order. Each
 * deploy is played as CloudFormation plays custom resources: Create for a new logical id, Update when the properties
 * of a kept logical id change (a new physical id makes it a replacement, whose old id gets a Delete in the cleanup
 * phase), Delete of a removed logical id in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS; a failed update reverts its Updates
 * and deletes what it created in UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS. The cleanup handler (lambda/cleanup)
 * answers every request against the loopback SageMaker, SSM and CloudFormation.
 *
 * Invariants, after every deploy:
 * 1. an endpoint that served before and is claimed by the template in force after (the new one, or the old one after
 *    a rollback) still serves, and DeleteEndpoint was never called for it;
 * 2. nothing is orphaned: every endpoint and champion record the template in force does not claim is gone after a
 *    successful deploy or the stack's deletion.
 */
import * as fc from 'fast-check';
import { CleanupEvent } from '../../lambda/cleanup/handler';
import { championParameterName, CLEANUP_RESOURCE_TYPE } from '../../lambda/shared/cleanup-contract';
import { cleanupRequest, CleanupResource, Placement, placeClassifier, playCleanupRequest } from './classifier-versions';
import { runName, useControlPlane } from './control-plane-fixture';

const fixture = useControlPlane({ describesToSettle: 1 });
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod/5e5e5e5e';

interface Version extends CleanupResource {
  readonly label: string;
  readonly endpointName: string;
}

function synthesize(label: string, placement: Placement): Version {
  const { classifier, cleanup } = placeClassifier(placement);
  return { label, ...cleanup, endpointName: classifier.endpoint.endpointName };
}

let versions: Version[];
beforeAll(() => {
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  versions = [
    synthesize('top', {}),
    synthesize('wrapped', { wrappers: ['Team', 'Vision'] }),
    synthesize('renamed with identity', { wrappers: ['Team'], id: 'Flowers', identity: 'Classifier' }),
    synthesize('named endpoint', { endpointName: 'prod-flowers' }),
    synthesize('renamed, endpoint name kept', { wrappers: ['Team'], id: 'Renamed', endpointName: 'prod-flowers' }),
    synthesize('another classifier', { id: 'Other' }),
  ];
  spy.mockRestore();
});

const sameProperties = (a: Version, b: Version) => JSON.stringify(a.properties) === JSON.stringify(b.properties);

const request = (type: CleanupEvent['RequestType'], version: Version, physicalId?: string, old?: Version) => cleanupRequest(STACK_ID, type, version, physicalId, old);
const play = (event: CleanupEvent) => playCleanupRequest(event);

/** The deployed state CloudFormation knows: the classifier's version and its cleanup resource's physical id. */
interface Deployed {
  readonly version: Version;
  readonly physicalId: string;
}

function setResource(deployed: Deployed, status: string): void {
  fixture.cloudFormation.setResource(STACK_ID, { logicalResourceId: deployed.version.logicalId, physicalResourceId: deployed.physicalId, resourceType: CLEANUP_RESOURCE_TYPE, status });
}

/** A deploy from `from` to `to` (undefined: no classifier), failing after its Creates and Updates when `fails`. */
async function deploy(from: Deployed | undefined, to: Version | undefined, fails: boolean): Promise<Deployed | undefined> {
  fixture.cloudFormation.setStackStatus(STACK_ID, 'UPDATE_IN_PROGRESS');
  let created: Deployed | undefined;
  let updated: Deployed | undefined;
  if (to && (!from || from.version.logicalId !== to.logicalId)) {
    created = { version: to, physicalId: await play(request('Create', to)) };
    setResource(created, 'CREATE_COMPLETE');
  } else if (to && from && !sameProperties(from.version, to)) {
    updated = { version: to, physicalId: await play(request('Update', to, from.physicalId, from.version)) };
    setResource(updated, 'UPDATE_COMPLETE');
  }
  if (fails) {
    fixture.cloudFormation.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_IN_PROGRESS');
    if (updated && from) {
      const reverted = { version: from.version, physicalId: await play(request('Update', from.version, updated.physicalId, to)) };
      setResource(reverted, 'UPDATE_COMPLETE');
    }
    fixture.cloudFormation.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    if (updated && from && updated.physicalId !== from.physicalId) await play(request('Delete', updated.version, updated.physicalId));
    if (created) {
      setResource(created, 'DELETE_IN_PROGRESS');
      await play(request('Delete', created.version, created.physicalId));
      fixture.cloudFormation.removeResource(STACK_ID, created.version.logicalId);
    }
    fixture.cloudFormation.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_COMPLETE');
    return from;
  }
  fixture.cloudFormation.setStackStatus(STACK_ID, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
  if (updated && from && updated.physicalId !== from.physicalId) await play(request('Delete', from.version, from.physicalId));
  if (from && (!to || from.version.logicalId !== to.logicalId)) {
    setResource(from, 'DELETE_IN_PROGRESS');
    await play(request('Delete', from.version, from.physicalId));
    fixture.cloudFormation.removeResource(STACK_ID, from.version.logicalId);
  }
  fixture.cloudFormation.setStackStatus(STACK_ID, 'UPDATE_COMPLETE');
  return created ?? updated ?? (to && from ? { version: to, physicalId: from.physicalId } : undefined);
}

/** What a promotion of the version in force leaves: the endpoint on a run's config, its versions and the record. */
function promote(version: Version, run: number): void {
  const prefix = String(version.properties.ResourceNamePrefix);
  const name = runName(prefix, run);
  fixture.emulator.putModel(name).putEndpointConfig(name);
  fixture.emulator.putEndpoint(version.endpointName, { configName: name });
  fixture.emulator.parameters.set(championParameterName(version.endpointName), { value: JSON.stringify({ runId: `run-${run}`, endpointConfigName: name, modelName: name }), version: run + 1 });
}

type Step = { readonly kind: 'promote' } | { readonly kind: 'deploy'; readonly to: number | 'none'; readonly fails: boolean } | { readonly kind: 'delete-stack' };

const steps = fc.array(fc.oneof(
  fc.constant<Step>({ kind: 'promote' }),
  fc.record({ kind: fc.constant('deploy' as const), to: fc.oneof(fc.nat({ max: 5 }), fc.constant('none' as const)), fails: fc.boolean() }),
), { minLength: 1, maxLength: 8 }).chain((history) => fc.boolean().map((deleted): Step[] => (deleted ? [...history, { kind: 'delete-stack' }] : history)));

const serving = () => [...fixture.emulator.endpoints].filter(([, endpoint]) => endpoint.status === 'InService').map(([name]) => name);

function expectOnlyClaimedLeft(inForce: Deployed | undefined): void {
  const claimed = inForce ? [inForce.version.endpointName] : [];
  expect([...fixture.emulator.endpoints.keys()].filter((name) => !claimed.includes(name))).toEqual([]);
  expect([...fixture.emulator.parameters.keys()].filter((name) => !claimed.map(championParameterName).includes(name))).toEqual([]);
}

test('in any deploy history, a claimed serving endpoint is never deleted and nothing unclaimed is left behind', async () => {
  await fc.assert(fc.asyncProperty(fc.nat({ max: 5 }), steps, async (first, history) => {
    fixture.emulator.reset();
    fixture.cloudFormation.reset();
    fixture.cloudFormation.putStack(STACK_ID, 'CREATE_IN_PROGRESS');
    const initial = versions[first];
    let inForce: Deployed | undefined = { version: initial, physicalId: await play(request('Create', initial)) };
    setResource(inForce, 'CREATE_COMPLETE');
    fixture.cloudFormation.setStackStatus(STACK_ID, 'CREATE_COMPLETE');
    let run = 0;
    for (const step of history) {
      if (step.kind === 'promote') {
        if (inForce) promote(inForce.version, run += 1);
        continue;
      }
      const before = serving();
      const deleteCalls = fixture.emulator.callsOf('DeleteEndpoint').length;
      if (step.kind === 'delete-stack') {
        fixture.cloudFormation.setStackStatus(STACK_ID, 'DELETE_IN_PROGRESS');
        if (inForce) {
          setResource(inForce, 'DELETE_IN_PROGRESS');
          await play(request('Delete', inForce.version, inForce.physicalId));
        }
        inForce = undefined;
        expectOnlyClaimedLeft(inForce);
        continue;
      }
      const to = step.to === 'none' ? undefined : versions[step.to];
      inForce = await deploy(inForce, to, step.fails);
      // 1. what served and is still claimed serves, and was never asked to go
      const claimedServing = before.filter((name) => name === inForce?.version.endpointName);
      expect(claimedServing.filter((name) => fixture.emulator.endpoints.get(name)?.status !== 'InService')).toEqual([]);
      const deleted = fixture.emulator.callsOf('DeleteEndpoint').slice(deleteCalls).map((call) => (call.input as { EndpointName?: string }).EndpointName);
      expect(deleted.filter((name) => claimedServing.includes(name!))).toEqual([]);
      // 2. nothing unclaimed is left
      expectOnlyClaimedLeft(inForce);
    }
  }), {
    numRuns: 80,
    // The histories that matter most, always among the runs: a rename keeping the endpoint name, then its rollback;
    // a move; a plain rename to another endpoint; the classifier removed.
    examples: [
      [3, [{ kind: 'promote' }, { kind: 'deploy', to: 4, fails: false }, { kind: 'promote' }, { kind: 'deploy', to: 3, fails: false }]],
      [3, [{ kind: 'promote' }, { kind: 'deploy', to: 4, fails: true }]],
      [0, [{ kind: 'promote' }, { kind: 'deploy', to: 1, fails: false }, { kind: 'deploy', to: 2, fails: false }, { kind: 'delete-stack' }]],
      [0, [{ kind: 'promote' }, { kind: 'deploy', to: 3, fails: true }, { kind: 'deploy', to: 5, fails: false }]],
      [1, [{ kind: 'promote' }, { kind: 'deploy', to: 'none', fails: false }]],
    ],
  });
});

test('the versions of the sweep cover every kind of change: none, an update, a replacement keeping the endpoint, a new endpoint', () => {
  const [top, wrapped, identity, named, namedRenamed, other] = versions;
  expect([wrapped, identity].every((version) => version.logicalId === top.logicalId && sameProperties(version, top))).toBe(true);
  expect(named.logicalId).toBe(top.logicalId); // same id, other endpoint name: an Update that changes the physical id
  expect(sameProperties(named, top)).toBe(false);
  expect(namedRenamed.logicalId).not.toBe(named.logicalId); // a replacement...
  expect(namedRenamed.endpointName).toBe(named.endpointName); // ...claiming the same endpoint
  expect(new Set([top.endpointName, named.endpointName, other.endpointName]).size).toBe(3);
  expect(other.logicalId).not.toBe(top.logicalId);
});
