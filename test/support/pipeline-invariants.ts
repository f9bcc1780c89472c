import { championParameterName } from '../../lambda/shared/cleanup-contract';
import { PipelineWorld, RETRYABLE_FAULTS, RunResult, Scenario, allStates } from './pipeline-world';

/**
 * The retraining pipeline's invariants (README, "The retraining pipeline"), checked on the world a run leaves behind.
 * A cleanup step that fails for good may leave something behind or the champion unreconciled, but only if the
 * failure notification names that step; everything else must hold whatever failed.
 */
export interface PipelineUnderTest {
  readonly definition: Record<string, unknown>;
  readonly endpoint: { readonly resourceNamePrefix: string; readonly endpointName: string };
  /** The endpoint has instance capacity, so autoscaling must be registered while it serves. */
  readonly scaling: boolean;
}

const FAILED_SUBJECT = /failed/i;

/** Every broken invariant, one line each; empty when the run kept them all. */
export function invariantViolations(pipeline: PipelineUnderTest, scenario: Scenario, result: RunResult, baseline?: RunResult): string[] {
  const problems: string[] = [];
  const world = result.world;
  const states = allStates(pipeline.definition);
  const fault = scenario.fault;
  const faultedType = fault ? states.get(fault.state) : undefined;
  const persistent = fault !== undefined && fault.times === Infinity;
  const unfixed = fault !== undefined && (persistent || !RETRYABLE_FAULTS.includes(fault.kind));
  // A notification that failed (or timed out after it may have been delivered) is not sent again.
  const notifyFailed = unfixed && typeof faultedType?.Resource === 'string' && (faultedType.Resource as string).endsWith(':sns:publish');
  const failure = world.messages.find((m) => FAILED_SUBJECT.test(m.subject));
  // A cleanup step that failed for good (a retry could not fix it), or a response without a member the run needs, is
  // excused if the failure notification names it.
  const excused = failure !== undefined && ((unfixed && failure.message.includes(fault!.state))
    || (scenario.omit !== undefined && failure.message.includes(scenario.omit.member)));

  // 1. Ends Succeeded or Failed through its own end states, and notifies exactly once.
  const last = states.get(result.path[result.path.length - 1] ?? '');
  const cleanEnd = result.status === 'SUCCEEDED' ? last?.Type === 'Succeed' : last?.Type === 'Fail';
  if (!cleanEnd) {
    problems.push(`1: ended ${result.status} in ${result.path[result.path.length - 1]} (${result.error}: ${result.cause})`);
  }
  if (world.messages.length !== 1 && !(notifyFailed && world.messages.length === 0)) {
    problems.push(`1: ${world.messages.length} notifications: ${world.messages.map((m) => m.subject).join(' | ')}`);
  } else if (notifyFailed && result.status !== 'FAILED') {
    problems.push('1: the run succeeded although its notification failed');
  }
  if (result.status === 'FAILED' && !notifyFailed && failure && result.error && !failure.message.includes(result.error)) {
    problems.push(`1: the failure notification does not name the error ${result.error}: ${failure.message}`);
  }
  if (result.status === 'SUCCEEDED' && failure) problems.push(`1: a succeeded run sent a failure notification: ${failure.message}`);

  // 2. Nothing the run created is left behind unless the endpoint uses it.
  const endpoint = world.endpoints.get(pipeline.endpoint.endpointName);
  const usedConfigs = new Set([endpoint?.config, endpoint?.pending].filter((name): name is string => name !== undefined && endpoint?.status !== 'Failed'));
  const usedModels = new Set([...usedConfigs].flatMap((config) =>
    ((world.endpointConfigs.get(config)?.request.ProductionVariants as Array<{ ModelName: string }> | undefined) ?? []).map((v) => v.ModelName)));
  const created = (api: string, key: string) => world.calls.filter((c) => c.api === api).map((c) => c.request[key] as string);
  const leftovers = [
    ...created('sagemaker:createModel', 'ModelName').filter((name) => world.models.has(name) && !usedModels.has(name)).map((name) => `model ${name}`),
    ...created('sagemaker:createEndpointConfig', 'EndpointConfigName').filter((name) => world.endpointConfigs.has(name) && !usedConfigs.has(name))
      .map((name) => `endpoint config ${name}`),
    ...created('sagemaker:createTrainingJob.sync', 'TrainingJobName').filter((name) => world.trainingJobs.get(name) === 'InProgress').map((name) => `training job ${name}`),
    ...created('sagemaker:createTransformJob.sync', 'TransformJobName').filter((name) => world.transformJobs.get(name)?.status === 'InProgress')
      .map((name) => `transform job ${name}`),
    ...(endpoint?.created && endpoint.status === 'Failed' ? [`failed endpoint ${pipeline.endpoint.endpointName}`] : []),
  ];
  if (leftovers.length > 0 && !excused) problems.push(`2: left behind ${leftovers.join(', ')}`);

  // 2. An endpoint that serves keeps its autoscaling.
  if (pipeline.scaling && endpoint?.status === 'InService' && !excused
    && !(world.scalableTargets.has(pipeline.endpoint.endpointName) && world.scalingPolicies.has(pipeline.endpoint.endpointName))) {
    problems.push('2: the endpoint serves without autoscaling');
  }

  // 3. The champion record describes what the endpoint serves; nothing serves, no champion.
  const champion = world.champion();
  const serving = endpoint && endpoint.status !== 'Failed' ? endpoint.config : undefined;
  if (!excused) {
    if (serving && champion.endpointConfigName !== serving) {
      problems.push(`3: the endpoint serves ${serving} but the champion record names ${String(champion.endpointConfigName)}`);
    }
    if (!serving && !(typeof champion.validationAccuracy === 'number' && champion.validationAccuracy < 0)) {
      problems.push(`3: nothing serves but the champion record names ${String(champion.endpointConfigName)}`);
    }
  }

  // 3. ...and the record is the pipeline's own parameter, named after the endpoint (no template resource): every read
  // and write of the run goes there, whatever failed.
  const recordName = championParameterName(pipeline.endpoint.endpointName);
  for (const call of world.calls.filter((c) => c.api.startsWith('aws-sdk:ssm:'))) {
    if (call.request.Name !== recordName) problems.push(`3: ${call.state} ${call.api} names ${String(call.request.Name)}, not the pipeline's record ${recordName}`);
  }

  // 4. No deployment is abandoned while SageMaker may still complete it.
  if (PipelineWorld.isTransitional(endpoint) && scenario.endpointOutcome !== 'stuck') {
    problems.push(`4: the run ended with the endpoint ${endpoint!.status}`);
  }

  // 5. Only errors a retry can fix are retried.
  if (fault) {
    const index = world.calls.findIndex((c) => c.state === fault.state && c.error !== undefined);
    // The next call of the faulted state's own thread: calls of states in the other branches of a Parallel state run
    // in between.
    const concurrent = concurrentStates(pipeline.definition, fault.state);
    const next = world.calls.slice(index + 1).find((c) => !concurrent.has(c.state));
    const retried = index >= 0 && next !== undefined && next.state === fault.state && JSON.stringify(next.request) === JSON.stringify(world.calls[index].request);
    // A branch whose sibling failed is stopped with the Parallel state: its retry never comes.
    const abortedBySibling = result.status === 'FAILED' && world.calls.some((c) => concurrent.has(c.state) && c.error !== undefined);
    if (index >= 0 && RETRYABLE_FAULTS.includes(fault.kind) && !retried && !abortedBySibling) problems.push(`5: a ${fault.kind} fault of ${fault.state} was not retried`);
    if (index >= 0 && !RETRYABLE_FAULTS.includes(fault.kind) && retried) problems.push(`5: a ${fault.kind} fault of ${fault.state} was retried`);
    // A fault a retry fixes changes nothing about the outcome.
    if (baseline && RETRYABLE_FAULTS.includes(fault.kind) && fault.times === 1) {
      const end = (r: RunResult) => r.path[r.path.length - 1];
      if (end(result) !== end(baseline)) problems.push(`5: a retried ${fault.kind} fault of ${fault.state} changed the outcome from ${end(baseline)} to ${end(result)}`);
    }
  }

  // 8. With a test set, the endpoint is touched only after both models' transform jobs and scores succeeded, and it
  // is given the very model that was scored.
  problems.push(...evaluationViolations(world));

  // 7. Every request stays valid.
  problems.push(...world.apiProblems.map((p) => `api: ${p}`));
  return problems;
}

/** Invariant 8: no endpoint change unless the evaluation proved the model serves and scored both models. */
function evaluationViolations(world: PipelineWorld): string[] {
  const succeeded = (state: string) => world.calls.some((c) => c.state === state && c.error === undefined);
  const selection = world.calls.find((c) => c.state === 'SelectTestSet' && c.error === undefined)?.response as { source?: string } | undefined;
  // The pipelines under test hold images out, so a selected test folder or hold-out is the run's test set.
  const tested = selection?.source === 'test-folder' || selection?.source === 'hold-out';
  const touched = world.calls.filter((c) => /^sagemaker:(createEndpoint|updateEndpoint)$/.test(c.api));
  if (!tested || touched.length === 0) return [];
  const problems: string[] = [];
  const scoredModels = new Set([...world.transformJobs.values()].filter((job) => job.status === 'Completed').map((job) => job.model));
  if (!succeeded('ScoreChallenger')) problems.push(`8: ${touched[0].state} ran although the challenger was not scored`);
  if (world.calls.some((c) => c.state === 'TransformChampion') && !succeeded('ScoreChampion')) {
    problems.push(`8: ${touched[0].state} ran although the champion's transform started and was not scored`);
  }
  for (const call of world.calls.filter((c) => c.api === 'sagemaker:createEndpointConfig')) {
    const model = (call.request.ProductionVariants as Array<{ ModelName: string }>)[0].ModelName;
    if (!scoredModels.has(model)) problems.push(`8: endpoint config ${String(call.request.EndpointConfigName)} serves ${model}, which no completed transform job ran`);
  }
  return problems;
}

/** The states that may run at the same time as `state`: those of the other branches of each Parallel state holding it. */
function concurrentStates(definition: Record<string, unknown>, state: string): Set<string> {
  const found = new Set<string>();
  for (const parallel of allStates(definition).values()) {
    const branches = (parallel.Branches as Array<{ States: Record<string, unknown> }> | undefined) ?? [];
    const names = branches.map((branch) => [...allStates(branch as never).keys()]);
    if (!names.some((branch) => branch.includes(state))) continue;
    for (const branch of names.filter((b) => !b.includes(state))) branch.forEach((name) => found.add(name));
  }
  return found;
}
