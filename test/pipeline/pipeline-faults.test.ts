import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { PipelineFixture, pipelineFixture } from './fixture';
import { DeploymentStrategy } from '../../lib/pipeline/deployment-strategy';
import { PhaseContext } from '../../lib/pipeline/phases/context';
import { RETRYABLE_ERRORS } from '../../lib/pipeline/phases/retries';
import { endpointPolls } from '../../lib/pipeline/phases/verify';
import { PipelineUnderTest, invariantViolations } from '../support/pipeline-invariants';
import { FAULT_KINDS, Fault, RETRYABLE_FAULTS, RunResult, Scenario, allStates, responseOperation, runPipeline, taskStates } from '../support/pipeline-world';
import { EndpointCapacity } from '../../lib/serving/endpoint-capacity';
import { handler as pipelineStep } from '../../lambda/pipeline/index';
import { optionalResponseMembers } from '../support/sagemaker-api';

/**
 * The pipeline's invariants under faults, generated from the synthesized definition: every Task state a run reaches
 * on each path gets every fault kind at its first call, at its last call and at every call, and every optional member
 * of every SageMaker response the run reads is removed in turn. A state added to the definition is swept without a
 * new test. The eight failures reported in issue 9 are also named tests below.
 */
let fixture: PipelineFixture;
let pipeline: PipelineUnderTest;
let serverless: PipelineUnderTest;

beforeAll(() => {
  fixture = pipelineFixture();
  pipeline = { definition: fixture.definition, endpoint: fixture.endpoint, scaling: true };
  const serverlessFixture = pipelineFixture({}, { capacity: EndpointCapacity.serverless() });
  serverless = { definition: serverlessFixture.definition, endpoint: serverlessFixture.endpoint, scaling: false };
});

/** The paths of a run: each is swept with faults at every state it reaches. */
const PATHS: Record<string, Scenario> = {
  'first promotion': {},
  'update and housekeeping': { endpointExists: true, championAccuracy: 0.8, previousVersions: 5 },
  'not promoted': { endpointExists: true, championAccuracy: 0.95 },
  'failure cleanup after a failed update': { endpointExists: true, championAccuracy: 0.5, endpointOutcome: 'failed' },
  'failure cleanup after a silent rollback': { endpointExists: true, championAccuracy: 0.5, endpointOutcome: 'silent-rollback' },
  'failure cleanup after failed training': { training: ['failure'] },
  'failure cleanup after a training timeout': { pathFaults: [{ state: 'Train', kind: 'timeout', fromCall: 1, times: 1 }] },
  'failure cleanup after the champion record failed': { pathFaults: [{ state: 'RecordChampion', kind: 'validation', fromCall: 1, times: 1 }] },
  'skipped': { anotherRunInProgress: true },
  'evaluated promotion, champion scored in parallel': { testSet: 'test-folder', endpointExists: true, championAccuracy: 0.8, previousVersions: 2 },
  'evaluated, not promoted, champion rescored': { testSet: 'test-folder', endpointExists: true, championAccuracy: 0.8,
    challengerScore: { accuracy: 0.7, macroF1: 0.7 } },
  'hold-out, champion figures recorded': { testSet: 'hold-out', endpointExists: true, championAccuracy: 0.8, championScoredOn: 'this-version' },
  'failure cleanup after a failed transform': { testSet: 'test-folder', endpointExists: true, championAccuracy: 0.8, transform: { challenger: 'failure' } },
};

const run = (scenario: Scenario, target = pipeline) => runPipeline(target.definition, scenario, target.endpoint);

function expectInvariants(scenario: Scenario, result: RunResult, baseline?: RunResult, target = pipeline): void {
  const problems = invariantViolations(target, scenario, result, baseline);
  if (problems.length > 0) {
    throw new Error(`${JSON.stringify(scenario)}\npath: ${result.path.join(' > ')}\n${problems.join('\n')}`);
  }
}

/**
 * Faults for every state `baseline` reached: every kind the state's integration can report, at its first call and at
 * its last; a kind a retry can fix also at every call (a fault a retry cannot fix is never retried, so its first
 * call is already every call).
 */
function faultsFor(definition: Record<string, unknown>, base: Scenario, baseline: RunResult): Fault[] {
  const states = allStates(definition);
  const counts = new Map<string, number>();
  for (const call of baseline.world.calls) counts.set(call.state, (counts.get(call.state) ?? 0) + 1);
  // A state the path itself faults is not faulted again.
  for (const fault of base.pathFaults ?? []) counts.delete(fault.state);
  return [...counts.entries()].flatMap(([state, count]) => {
    const sync = String(states.get(state)?.Resource).endsWith('.sync');
    return FAULT_KINDS.filter((kind) => kind !== 'job-failed' || sync).flatMap((kind) => [
      { state, kind, fromCall: 1, times: 1 },
      ...(count > 1 ? [{ state, kind, fromCall: count, times: 1 }] : []),
      ...(RETRYABLE_FAULTS.includes(kind) ? [{ state, kind, fromCall: 1, times: Infinity }] : []),
    ]);
  });
}

describe('the fault sweep', () => {
  test.each([
    ['instance capacity with autoscaling', () => pipeline, Object.keys(PATHS)],
    ['serverless capacity', () => serverless, ['first promotion', 'update and housekeeping', 'failure cleanup after a failed update']],
  ])('with %s, every invariant holds with every fault at every state of every path, and without every optional response member', async (_name, under, paths) => {
    const target = under();
    let injected = 0;
    const failures: string[] = [];
    const check = async (scenario: Scenario, baseline?: RunResult) => {
      const result = await run(scenario, target);
      try {
        expectInvariants(scenario, result, baseline, target);
      } catch (error) {
        failures.push((error as Error).message);
      }
      return result;
    };
    const started = Date.now();
    const reached = new Set<string>();
    for (const name of paths) {
      const base = PATHS[name];
      const baseline = await check(base);
      for (const call of baseline.world.calls) reached.add(call.state);
      expect(failures).toEqual([]);
      expect(baseline.world.messages).toHaveLength(1);
      for (const fault of faultsFor(target.definition, base, baseline)) {
        await check({ ...base, fault }, baseline);
        injected++;
      }
      // Every optional member of every SageMaker response this path read, removed in turn.
      const omissions = new Set<string>();
      for (const call of baseline.world.calls) {
        const operation = responseOperation(call.api);
        if (!operation || call.response === undefined) continue;
        for (const member of optionalResponseMembers(operation, call.response)) omissions.add(`${operation} ${member}`);
      }
      for (const omission of omissions) {
        const [operation, member] = omission.split(' ');
        await check({ ...base, omit: { operation, member } });
        injected++;
      }
      if (failures.length > 0) throw new Error(`path '${name}': ${failures.length} runs broke an invariant:\n\n${failures.slice(0, 8).join('\n\n')}`);
    }
    // A Task state no path reaches would go unswept: add a path to PATHS that reaches it.
    if (paths.length === Object.keys(PATHS).length) expect(taskStates(target.definition).map(([state]) => state).filter((state) => !reached.has(state))).toEqual([]);
    // eslint-disable-next-line no-console
    console.log(`fault sweep (${_name}): ${injected} runs injected over ${paths.length} paths in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(injected).toBeGreaterThanOrEqual(200);
  }, 600_000);
});

describe('the failures of issue 9, each by name', () => {
  const checked = async (scenario: Scenario) => {
    const result = await run(scenario);
    expectInvariants(scenario, result);
    return result;
  };
  const calls = (result: RunResult, state: string) => result.world.calls.filter((c) => c.state === state);

  test('1. CreateModel succeeds and CreateEndpointConfig fails: the run deletes its model and notifies once', async () => {
    const result = await checked({ fault: { state: 'CreateEndpointConfig', kind: 'validation', fromCall: 1, times: Infinity } });
    expect(result.status).toBe('FAILED');
    expect(result.world.models.size).toBe(0);
    expect(result.world.messages).toHaveLength(1);
  });

  test('2. an update that ends with the endpoint Failed leaves no champion record for the model that no longer serves', async () => {
    const result = await checked({ endpointExists: true, championAccuracy: 0.8, validationAccuracy: 0.9, endpointOutcome: 'failed' });
    expect(result.status).toBe('FAILED');
    expect(result.world.endpoints.size).toBe(0);
    expect(result.world.champion()).toMatchObject({ validationAccuracy: -1 });
    // The next run's gate, reading that record, promotes any model above the floor, even one below the old champion.
    const gate = await pipelineStep({ action: 'evaluate', metricName: 'tflow-ic:val-accuracy', champion: JSON.stringify(result.world.champion()),
      finalMetrics: [{ MetricName: 'tflow-ic:val-accuracy', Value: 0.6 }], minimumAccuracy: 0.5, minimumImprovement: 0 });
    expect(gate).toMatchObject({ promote: true });
  });

  test('3. a training description without FinalMetricDataList is not promoted, and the owner is told why', async () => {
    const result = await checked({ omit: { operation: 'DescribeTrainingJob', member: 'FinalMetricDataList' } });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.world.messages[0].message).toContain('training reported no tflow-ic:val-accuracy metric');
  });

  test('4. a null execution input is no input: the run goes ahead', async () => {
    const result = await checked({ input: null });
    expect(result.status).toBe('SUCCEEDED');
  });

  test.each([['an array', []], ['a string', 'text'], ['a number', 42], ['true', true]])(
    '4. an execution input that is %s fails with a notification naming the problem', async (_name, input) => {
      const result = await checked({ input });
      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('InvalidRunInput');
      expect(result.world.messages[0].message).toContain('the execution input must be a JSON object');
    });

  test('5. the wait outlasts the deployment\'s own bounds: an update SageMaker completes late is recorded as the champion', async () => {
    const result = await checked({ endpointExists: true, championAccuracy: 0.8, endpointOutcome: 'slow' });
    expect(result.status).toBe('SUCCEEDED');
    const update = calls(result, 'UpdateEndpoint')[0].request;
    expect(result.world.champion().endpointConfigName).toBe(update.EndpointConfigName);
  });

  test('6. FindEndpoint failing with another error than "not found" notifies the failure', async () => {
    const result = await checked({ endpointExists: true, championAccuracy: 0.8, fault: { state: 'FindEndpoint', kind: 'internal', fromCall: 1, times: Infinity } });
    expect(result.status).toBe('FAILED');
    expect(result.path[result.path.length - 1]).toBe('RunFailed');
    expect(result.world.messages[0].message).toContain('SageMaker.InternalFailureException');
  });

  test('7. a validation error is not retried, and cleanup does not retry "not found"', async () => {
    const train = await checked({ fault: { state: 'Train', kind: 'validation', fromCall: 1, times: 1 } });
    expect(calls(train, 'Train')).toHaveLength(1);
    const config = await checked({ fault: { state: 'CreateEndpointConfig', kind: 'validation', fromCall: 1, times: 1 } });
    expect(calls(config, 'CreateEndpointConfig')).toHaveLength(1);
    for (const call of config.world.calls.filter((c) => c.error?.endsWith('ValidationException'))) {
      expect(config.world.calls.filter((c) => c.state === call.state && JSON.stringify(c.request) === JSON.stringify(call.request))).toHaveLength(1);
    }
  });

  test('8. a failed update leaves the endpoint serving with its autoscaling registered', async () => {
    const result = await checked({ endpointExists: true, championAccuracy: 0.5, updateFails: true });
    expect(result.status).toBe('FAILED');
    expect(result.world.endpoints.get(fixture.endpoint.endpointName)!.status).toBe('InService');
    expect(result.world.scalableTargets.has(fixture.endpoint.endpointName)).toBe(true);
    expect(result.world.scalingPolicies.has(fixture.endpoint.endpointName)).toBe(true);
  });
});

describe('the invariants, by construction of the definition', () => {
  const everyState = () => [...allStates(fixture.definition).entries()];

  test('every Task state gives up after a bounded time (4: never waits forever)', () => {
    const unbounded = everyState().filter(([, state]) => state.Type === 'Task' && typeof state.TimeoutSeconds !== 'number').map(([name]) => name);
    expect(unbounded).toEqual([]);
  });

  test('only errors a retry can fix are retried (5)', () => {
    const retryable = new Set<string>(Object.values(RETRYABLE_ERRORS).flat());
    const retried = everyState().flatMap(([name, state]) =>
      ((state.Retry as Array<{ ErrorEquals: string[] }> | undefined) ?? []).flatMap((retry) => retry.ErrorEquals.map((error) => `${name}: ${error}`)));
    expect(retried.length).toBeGreaterThan(10);
    expect(retried.filter((entry) => !retryable.has(entry.split(': ')[1]))).toEqual([]);
    expect([...retryable].filter((error) => /States\.|AmazonSageMakerException|SageMakerException$/.test(error))).toEqual([]);
  });

  test('every Catch into the failure phase writes the error where the failure notification reads it (1)', () => {
    const catches = everyState().flatMap(([name, state]) =>
      ((state.Catch as Array<{ Next: string; ResultPath?: string }> | undefined) ?? []).map((c) => ({ name, ...c })));
    const intoFailure = catches.filter((c) => c.Next === 'StartCleanup');
    expect(intoFailure.length).toBeGreaterThan(10);
    expect(intoFailure.filter((c) => c.ResultPath !== '$.error')).toEqual([]);
    // No Catch replaces the run's state.
    expect(catches.filter((c) => c.ResultPath === undefined || c.ResultPath === '$')).toEqual([]);
  });

  test('the wait outlasts any deployment strategy\'s own bounds, and is finite (4)', () => {
    const seconds = (min: number, max: number) => fc.integer({ min, max }).map((n) => Duration.seconds(n));
    const options = fc.record({ baking: seconds(0, 3600), maxExecutionTimeout: seconds(600, 14400) });
    const strategy = fc.oneof(
      options.map((o) => DeploymentStrategy.allAtOnce(o)),
      fc.tuple(options, fc.integer({ min: 1, max: 99 }), seconds(0, 3600)).map(([o, percent, interval]) => DeploymentStrategy.canary({ ...o, percent, interval })),
      fc.tuple(options, fc.integer({ min: 1, max: 99 }), seconds(0, 3600)).map(([o, percent, interval]) => DeploymentStrategy.linear({ ...o, percent, interval })),
    );
    fc.assert(fc.property(strategy, fc.integer({ min: 10, max: 3600 }), fc.integer({ min: 300, max: 43200 }), (deployment, poll, timeout) => {
      const policy = deployment.render([]).BlueGreenUpdatePolicy;
      const polls = endpointPolls({ scaling: {}, deployment, pollIntervalSeconds: poll, endpointTimeoutSeconds: timeout } as unknown as PhaseContext);
      expect(Number.isInteger(polls)).toBe(true);
      expect(polls * poll).toBeGreaterThanOrEqual(policy.MaximumExecutionTimeoutInSeconds + policy.TerminationWaitInSeconds + poll);
      expect(polls * poll).toBeGreaterThanOrEqual(timeout);
      expect(polls * poll).toBeLessThanOrEqual(Math.max(timeout, deployment.maximumDuration().toSeconds() + poll) + poll);
    }), { numRuns: 200 });
  });

  test.each([
    ['a canary', DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(10) })],
    ['a linear', DeploymentStrategy.linear({ percent: 25, interval: Duration.minutes(5), maxExecutionTimeout: Duration.hours(2) })],
  ])('%s deployment that SageMaker completes at the end of its own bounds is promoted (4)', async (_name, deployment) => {
    const shifted = pipelineFixture({ deployment });
    const target = { definition: shifted.definition, endpoint: shifted.endpoint, scaling: true };
    const scenario: Scenario = { endpointExists: true, championAccuracy: 0.8, endpointOutcome: 'slow' };
    const result = await run(scenario, target);
    expectInvariants(scenario, result, undefined, target);
    expect(result.path[result.path.length - 1]).toBe('Promoted');
  });

  test('an endpoint that never settles ends the run within twice the wait, without deleting what it may use (4)', async () => {
    const scenario: Scenario = { endpointExists: true, championAccuracy: 0.8, endpointOutcome: 'stuck' };
    const result = await run(scenario);
    expectInvariants(scenario, result);
    expect(result.error).toBe('EndpointTimeout');
    const polls = result.world.calls.filter((c) => c.api === 'aws-sdk:sagemaker:describeEndpoint').length;
    expect(polls).toBeLessThanOrEqual(2 * endpointPolls({ scaling: {}, deployment: DeploymentStrategy.allAtOnce(), pollIntervalSeconds: 60, endpointTimeoutSeconds: 3600 } as unknown as PhaseContext) + 2);
    expect(result.world.messages[0].message).toContain('The endpoint is still Updating');
  });

  test('any execution input, of any JSON type and shape, runs or fails with a notification naming the problem (6)', async () => {
    const input = fc.oneof(
      fc.jsonValue(),
      fc.record({
        instanceType: fc.oneof(fc.constantFrom('ml.g5.xlarge', 'ml.t2.medium'), fc.jsonValue()),
        hyperparameters: fc.oneof(fc.record({ epochs: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.jsonValue()) }), fc.jsonValue()),
        trigger: fc.oneof(fc.constantFrom('manual', 'schedule'), fc.jsonValue()),
      }, { requiredKeys: [] }),
    );
    await fc.assert(fc.asyncProperty(input, async (value) => {
      const scenario: Scenario = { input: value };
      const result = await run(scenario);
      expectInvariants(scenario, result);
      if (result.status === 'FAILED') {
        expect(result.error).toBe('InvalidRunInput');
        expect(result.world.messages[0].message).toMatch(/input/);
      }
    }), { numRuns: 60 });
  });
});

describe('the README\'s pipeline section', () => {
  const section = () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    return readme.slice(readme.indexOf('## The retraining pipeline'), readme.indexOf('### Who owns the endpoint'));
  };

  test('its diagram names only states of the definition, and a module for each phase', () => {
    const diagram = /```mermaid([\s\S]*?)```/.exec(section())![1];
    const named = new Set(diagram.match(/\b[A-Z][a-z]+(?:[A-Z][a-z]*)+\b/g));
    named.delete('InService');
    const states = allStates(fixture.definition);
    expect([...named].filter((name) => !states.has(name))).toEqual([]);
    expect(named.size).toBeGreaterThan(15);
    for (const phase of ['guard', 'train', 'evaluate', 'gate', 'deploy', 'verify', 'promote', 'failure']) {
      expect(existsSync(join(__dirname, '..', '..', 'lib', 'pipeline', 'phases', `${phase}.ts`))).toBe(true);
    }
  });

  test('it states the eight invariants the sweep checks', () => {
    const invariants = section().slice(section().indexOf('### Invariants'));
    expect(invariants.match(/^\d\. /gm)).toEqual(['1. ', '2. ', '3. ', '4. ', '5. ', '6. ', '7. ', '8. ']);
  });
});
