import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { PhaseContext } from './context';
import { FailurePhase } from './failure';
import { RETRYABLE_ERRORS } from './retries';
import { describePromotion, invokeStep, notify, putChampion, registerAutoScaling, sageMakerCall, sdkCall } from './tasks';

/**
 * Promote and housekeeping: records the new champion, registers autoscaling, deletes the endpoint configs and models
 * of this endpoint older than the newest `keepVersions`, and notifies. Housekeeping that fails is logged in the
 * execution history, not a failed promotion; anything else that fails enters the failure phase, which reconciles
 * the champion record and autoscaling with what the endpoint serves.
 */
export function promoteAndHousekeeping(ctx: PhaseContext, failure: FailurePhase): sfn.IChainable {
  const scope = ctx.scope;
  const prefix = ctx.endpoint.resourceNamePrefix;
  const record = putChampion(ctx, 'RecordChampion', '$.promotion');
  failure.catchAll(record);
  let chain: sfn.Chain = describePromotion(ctx, 'DescribePromotion').next(record);
  const scaling = registerAutoScaling(ctx, ['RegisterAutoScaling', 'PutScalingPolicy']);
  if (scaling) {
    for (const step of scaling) failure.catchAll(step);
    chain = chain.next(scaling[0]).next(scaling[1]);
  }

  const notifyPromoted = notify(ctx, 'NotifyPromoted', 'Image classifier promoted a new model',
    `States.Format('Run {} promoted {} to endpoint {}: {}.{}', $.run.runId, $.run.names.model, '${ctx.endpoint.endpointName}', $.gate.reason, $.gate.reportLink)`);
  notifyPromoted.addCatch(failure.notificationFailed, { resultPath: '$.notifyError' });
  notifyPromoted.next(new sfn.Succeed(scope, 'Promoted'));
  const list = sdkCall(ctx, 'ListEndpointConfigs', {
    service: 'sagemaker',
    action: 'listEndpointConfigs',
    iamAction: 'sagemaker:ListEndpointConfigs',
    parameters: { NameContains: prefix, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 100 },
    // List actions have no resource type in IAM; the Map below deletes only names with this endpoint's prefix.
    // (Acknowledged for cdk-nag where the state machine is created.)
    iamResources: ['*'],
    resultSelector: { 'configs.$': '$.EndpointConfigs' },
    resultPath: '$.versions',
  }, RETRYABLE_ERRORS.sageMaker);
  const select = invokeStep(ctx, 'SelectSupersededVersions', {
    action: 'selectSuperseded',
    configs: sfn.JsonPath.listAt('$.versions.configs'),
    resourceNamePrefix: prefix,
    keep: ctx.keepVersions,
    current: sfn.JsonPath.stringAt('$.run.names.endpointConfig'),
  }, '$.superseded');
  const deleteOld = new sfn.Map(scope, 'DeleteSupersededVersions', {
    itemsPath: '$.superseded.names',
    itemSelector: { 'name.$': '$$.Map.Item.Value' },
    maxConcurrency: 1,
    resultPath: sfn.JsonPath.DISCARD,
  });
  const deleteConfig = sageMakerCall(ctx, 'DeleteSupersededEndpointConfig', 'deleteEndpointConfig', {
    EndpointConfigName: sfn.JsonPath.stringAt('$.name'),
  }, ctx.arns.endpointConfigs);
  const deleteModel = sageMakerCall(ctx, 'DeleteSupersededModel', 'deleteModel', { ModelName: sfn.JsonPath.stringAt('$.name') }, ctx.arns.models);
  const deleted = new sfn.Pass(scope, 'VersionDeleted');
  // Already gone is fine: the next version is still deleted.
  deleteConfig.addCatch(deleteModel, { resultPath: '$.deleteError' });
  deleteModel.addCatch(deleted, { resultPath: '$.deleteError' });
  deleteOld.itemProcessor(deleteConfig.next(deleteModel).next(deleted));
  for (const step of [list, select, deleteOld]) step.addCatch(notifyPromoted, { resultPath: '$.housekeepingError' });
  return chain.next(list).next(select).next(deleteOld).next(notifyPromoted);
}
