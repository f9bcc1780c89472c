import { PipelineFixture, pipelineFixture } from './fixture';
import { PipelineUnderTest, invariantViolations } from '../support/pipeline-invariants';
import { FAULT_KINDS, Fault, RETRYABLE_FAULTS, RunResult, Scenario, allStates, responseOperation, runPipeline } from '../support/pipeline-world';
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

beforeAll(() => {
  fixture = pipelineFixture();
  pipeline = { definition: fixture.definition, endpoint: fixture.endpoint, scaling: true };
});

/** The paths of a run: each is swept with faults at every state it reaches. */
const PATHS: Record<string, Scenario> = {
  'first promotion': {},
  'update and housekeeping': { endpointExists: true, championAccuracy: 0.8, previousVersions: 5 },
  'not promoted': { endpointExists: true, championAccuracy: 0.95 },
  'failure cleanup after a failed update': { endpointExists: true, championAccuracy: 0.5, endpointOutcome: 'failed' },
  'failure cleanup after a silent rollback': { endpointExists: true, championAccuracy: 0.5, endpointOutcome: 'silent-rollback' },
  'failure cleanup after failed training': { training: ['failure'] },
};

const run = (scenario: Scenario) => runPipeline(fixture.definition, scenario, fixture.endpoint);

function expectInvariants(scenario: Scenario, result: RunResult, baseline?: RunResult): void {
  const problems = invariantViolations(pipeline, scenario, result, baseline);
  if (problems.length > 0) {
    throw new Error(`${JSON.stringify(scenario)}\npath: ${result.path.join(' > ')}\n${problems.join('\n')}`);
  }
}

/**
 * Faults for every state `baseline` reached: every kind the state's integration can report, at its first call and at
 * its last; a kind a retry can fix also at every call (a fault a retry cannot fix is never retried, so its first
 * call is already every call).
 */
function faultsFor(baseline: RunResult): Fault[] {
  const states = allStates(fixture.definition);
  const counts = new Map<string, number>();
  for (const call of baseline.world.calls) counts.set(call.state, (counts.get(call.state) ?? 0) + 1);
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
  test('every invariant holds with every fault at every state of every path, and without every optional response member', async () => {
    let injected = 0;
    const failures: string[] = [];
    const check = async (scenario: Scenario, baseline?: RunResult) => {
      const result = await run(scenario);
      try {
        expectInvariants(scenario, result, baseline);
      } catch (error) {
        failures.push((error as Error).message);
      }
      return result;
    };
    const started = Date.now();
    for (const [name, base] of Object.entries(PATHS)) {
      const baseline = await check(base);
      expect(failures).toEqual([]);
      expect(baseline.world.messages).toHaveLength(1);
      for (const fault of faultsFor(baseline)) {
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
    // eslint-disable-next-line no-console
    console.log(`fault sweep: ${injected} runs injected over ${Object.keys(PATHS).length} paths in ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
