import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { PATHS, PhaseContext } from './context';
import { FailurePhase } from './failure';
import { RETRYABLE_ERRORS } from './retries';
import { describeEndpoint, sageMakerTask, sdkCall } from './tasks';

/**
 * Deploy: creates this run's endpoint config (for the model the evaluation created and scored), then creates the
 * endpoint (first promotion) or updates it blue/green with the DeploymentConfig and rollback alarms, and continues to
 * `deployed`. `$.stage` tells the failure phase what may exist: 'creating' (set by the evaluation, before the model)
 * until the endpoint config exists, then 'deploying' before the endpoint is touched.
 */
export function deploy(ctx: PhaseContext, failure: FailurePhase, deployed: sfn.IChainable): sfn.IChainable {
  const scope = ctx.scope;
  const endpoint = ctx.endpoint;
  const stage = (id: string, value: string) => new sfn.Pass(scope, id, { result: sfn.Result.fromString(value), resultPath: PATHS.stage });
  const createConfig = sageMakerTask(ctx, 'CreateEndpointConfig', 'createEndpointConfig', endpoint.renderCreateEndpointConfigRequest({
    endpointConfigName: sfn.JsonPath.stringAt('$.run.names.endpointConfig'),
    modelName: sfn.JsonPath.stringAt('$.run.names.model'),
  }), failure.start);
  const deploymentConfig = ctx.scaling ? { DeploymentConfig: ctx.deployment.render(ctx.rollbackAlarmNames) } : {};
  const createEndpoint = sageMakerTask(ctx, 'CreateEndpoint', 'createEndpoint', {
    EndpointName: endpoint.endpointName,
    EndpointConfigName: sfn.JsonPath.stringAt('$.run.names.endpointConfig'),
    ...deploymentConfig,
  }, failure.start);
  // Blue/green with rollback alarms needs DeploymentConfig on every UpdateEndpoint call; without it SageMaker
  // applies no guardrail. Serverless endpoints take no DeploymentConfig [U: not supported for serverless].
  const updateEndpoint = sageMakerTask(ctx, 'UpdateEndpoint', 'updateEndpoint', {
    EndpointName: endpoint.endpointName,
    EndpointConfigName: sfn.JsonPath.stringAt('$.run.names.endpointConfig'),
    ...deploymentConfig,
    // Keep the instance count autoscaling reached (the new fleet starts at it), but take the new config's data
    // capture and weights.
    ...(ctx.scaling ? {
      RetainAllVariantProperties: true,
      ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredWeight' }, { VariantPropertyType: 'DataCaptureConfig' }],
    } : {}),
  }, failure.start);
  createEndpoint.next(deployed);
  updateEndpoint.next(deployed);

  const findEndpoint = describeEndpoint(ctx, 'FindEndpoint', '$.existing');
  findEndpoint.addCatch(new sfn.Choice(scope, 'IsEndpointMissing')
    .when(sfn.Condition.and(
      sfn.Condition.isPresent('$.error.Cause'),
      sfn.Condition.stringMatches('$.error.Cause', '*Could not find endpoint*'),
    ), createEndpoint)
    .otherwise(failure.start), { resultPath: '$.error' });

  let update: sfn.IChainable = updateEndpoint;
  if (ctx.scaling) {
    // Application Auto Scaling refuses an update that changes the instance type of a scaled variant: the target is
    // removed for the update and registered again once the endpoint is in service, or by the failure phase.
    const deregister = sdkCall(ctx, 'DeregisterAutoScaling', {
      service: 'applicationautoscaling',
      action: 'deregisterScalableTarget',
      iamAction: 'application-autoscaling:DeregisterScalableTarget',
      parameters: pick(ctx.scaling.registerScalableTarget, ['ServiceNamespace', 'ResourceId', 'ScalableDimension']),
      iamResources: [ctx.arns.scalableTargets],
      resultPath: sfn.JsonPath.DISCARD,
    }, RETRYABLE_ERRORS.autoScaling);
    deregister.addCatch(updateEndpoint, { resultPath: '$.deregisterError' });
    deregister.next(updateEndpoint);
    update = deregister;
  }
  findEndpoint.next(new sfn.Choice(scope, 'CanUpdateEndpoint')
    .when(sfn.Condition.stringEquals('$.existing.EndpointStatus', 'InService'), update)
    .otherwise(failure.failWith('EndpointNotUpdatable', 'EndpointNotUpdatable',
      `Endpoint ${endpoint.endpointName} is neither in service nor missing; a run can only update an endpoint in service`)));

  return createConfig.next(stage('MarkDeploying', 'deploying')).next(findEndpoint);
}

function pick(source: object, keys: string[]): Record<string, unknown> {
  const record = source as Record<string, unknown>;
  return Object.fromEntries(keys.map((key) => [key, record[key]]));
}
