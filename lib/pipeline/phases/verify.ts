import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { PhaseContext } from './context';
import { FailurePhase } from './failure';
import { describeEndpoint } from './tasks';

/**
 * How many polls the pipeline waits for the endpoint: `endpointTimeout`, but never less than the deployment may take
 * by its own bounds (maximum execution time, termination wait and traffic-shift intervals) plus one poll, so that the
 * run never gives up on an update SageMaker may still complete; and never more, so that it never waits forever.
 */
export function endpointPolls(ctx: PhaseContext): number {
  const deployment = ctx.scaling ? ctx.deployment.maximumDuration().toSeconds() + ctx.pollIntervalSeconds : 0;
  return Math.max(1, Math.ceil(Math.max(ctx.endpointTimeoutSeconds, deployment) / ctx.pollIntervalSeconds));
}

/**
 * Wait and verify: polls until the endpoint is in service on this run's endpoint config, then continues to
 * `inService`. In service on another config (SageMaker rolled the update back), Failed, or still changing after
 * `endpointPolls` polls fails the run.
 */
export function waitAndVerify(ctx: PhaseContext, failure: FailurePhase, inService: sfn.IChainable): sfn.IChainable {
  const scope = ctx.scope;
  const name = ctx.endpoint.endpointName;
  const maxPolls = endpointPolls(ctx);
  const start = new sfn.Pass(scope, 'StartWaiting', { result: sfn.Result.fromObject({ count: 0 }), resultPath: '$.poll' });
  const wait = new sfn.Wait(scope, 'WaitForEndpoint', { time: sfn.WaitTime.duration(Duration.seconds(ctx.pollIntervalSeconds)) });
  const describe = describeEndpoint(ctx, 'DescribeEndpoint', '$.endpoint');
  failure.catchAll(describe);
  const countPoll = new sfn.Pass(scope, 'CountPoll', { parameters: { 'count.$': 'States.MathAdd($.poll.count, 1)' }, resultPath: '$.poll' });
  countPoll.next(new sfn.Choice(scope, 'TimedOut')
    .when(sfn.Condition.numberGreaterThanEquals('$.poll.count', maxPolls), failure.failWith('EndpointTimeout', 'EndpointTimeout',
      `Endpoint ${name} was not in service within ${Duration.seconds(maxPolls * ctx.pollIntervalSeconds).toHumanString()}`))
    .otherwise(wait));
  const status = (value: string) => sfn.Condition.stringEquals('$.endpoint.EndpointStatus', value);
  describe.next(new sfn.Choice(scope, 'CheckEndpoint')
    .when(sfn.Condition.and(
      status('InService'),
      sfn.Condition.isPresent('$.endpoint.EndpointConfigName'),
      sfn.Condition.stringEqualsJsonPath('$.endpoint.EndpointConfigName', '$.run.names.endpointConfig'),
    ), inService)
    .when(sfn.Condition.and(status('InService'), sfn.Condition.not(sfn.Condition.isPresent('$.endpoint.EndpointConfigName'))),
      failure.failWith('EndpointConfigUnknown', 'EndpointConfigUnknown',
        `Endpoint ${name} is in service, but DescribeEndpoint did not name its EndpointConfigName, so the run cannot tell what it serves`))
    .when(status('InService'), failure.failWith('SilentRollback', 'SilentRollback',
      `Endpoint ${name} is in service on another endpoint config: SageMaker rolled the update back`))
    .when(sfn.Condition.or(status('Failed'), status('UpdateRollbackFailed'), status('OutOfService')),
      failure.failWith('EndpointFailed', 'EndpointFailed', `Endpoint ${name} failed to deploy the new model; see DescribeEndpoint FailureReason`))
    .otherwise(countPoll));
  return start.next(wait).next(describe);
}
