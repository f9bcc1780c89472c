import { Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { PhaseContext } from './context';
import { FailurePhase } from './failure';
import { retryByCause } from './retries';
import type { TrainingChannel } from '../../training/training-job-request';

/**
 * Train with fallback: createTrainingJob.sync on the first instance type; a capacity error (or the account's quota)
 * moves to the next type with a new job name. Any other error, or no type left, fails the run. The task's result is
 * the job's whole description at `$.training` (nothing optional is selected from it).
 */
export function trainWithFallback(ctx: PhaseContext, failure: FailurePhase, next: sfn.IChainable): sfn.IChainable {
  const scope = ctx.scope;
  const firstAttempt = new sfn.Pass(scope, 'FirstAttempt', { result: sfn.Result.fromObject({ index: 0 }), resultPath: '$.current' });
  const selectAttempt = new sfn.Pass(scope, 'SelectAttempt', {
    parameters: {
      'index.$': '$.current.index',
      'attempt.$': 'States.ArrayGetItem($.run.attempts, $.current.index)',
    },
    resultPath: '$.current',
  });
  const train = trainState(ctx);
  const nextAttempt = new sfn.Pass(scope, 'NextInstanceType', {
    parameters: { 'index.$': 'States.MathAdd($.current.index, 1)' },
    resultPath: '$.current',
  });
  nextAttempt.next(new sfn.Choice(scope, 'HasAnotherInstanceType')
    .when(sfn.Condition.numberLessThanJsonPath('$.current.index', '$.run.attemptCount'), selectAttempt)
    .otherwise(failure.start));
  const isCapacityError = new sfn.Choice(scope, 'IsCapacityError')
    .when(sfn.Condition.and(sfn.Condition.isPresent('$.error.Cause'), sfn.Condition.or(
      sfn.Condition.stringMatches('$.error.Cause', '*CapacityError*'),
      sfn.Condition.stringMatches('$.error.Cause', '*InsufficientCapacity*'),
      sfn.Condition.stringMatches('$.error.Cause', '*ResourceLimitExceeded*'),
      sfn.Condition.stringEquals('$.error.Error', 'SageMaker.ResourceLimitExceededException'),
    )), nextAttempt)
    .otherwise(failure.start);
  retryByCause(scope, 'Train', train, isCapacityError, Duration.seconds(30));
  train.addCatch(isCapacityError, { resultPath: '$.error' });
  return firstAttempt.next(selectAttempt).next(train).next(next);
}

function trainState(ctx: PhaseContext): sfn.CustomState {
  const request = ctx.training.renderRequest({
    trainingJobName: sfn.JsonPath.stringAt('$.current.attempt.trainingJobName'),
    checkpointS3Uri: sfn.JsonPath.stringAt('$.current.attempt.checkpointConfig.S3Uri'),
  });
  const parameters = {
    ...request,
    AlgorithmSpecification: { ...request.AlgorithmSpecification, TrainingImage: sfn.JsonPath.stringAt('$.current.attempt.trainingImage') },
    InputDataConfig: request.InputDataConfig.map((channel) => channel.ChannelName === 'training' ? trainingChannel(channel) : channel),
    HyperParameters: sfn.JsonPath.objectAt('$.run.hyperparameters'),
    ResourceConfig: sfn.JsonPath.objectAt('$.current.attempt.resourceConfig'),
  };
  // The job stops itself at its stopping condition; the task gives up an hour after that, never waiting forever.
  const stopping = request.StoppingCondition as { MaxRuntimeInSeconds: number; MaxWaitTimeInSeconds?: number };
  return new sfn.CustomState(ctx.scope, 'Train', {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Stack.of(ctx.scope).partition}:states:::sagemaker:createTrainingJob.sync`,
      Parameters: sfn.FieldUtils.renderObject(parameters),
      ResultPath: '$.training',
      TimeoutSeconds: (stopping.MaxWaitTimeInSeconds ?? stopping.MaxRuntimeInSeconds) + 3600,
    },
  });
}

/**
 * The `training` channel of a run: the training folder (S3Prefix), or, when the test set is held out of it, the
 * manifest of the other training images (ManifestFile), as the test-set selection put it at `$.trainingData`.
 *
 * [I, medium] A File-mode ManifestFile channel downloads exactly the listed objects (SageMaker API reference,
 * S3DataSource); that each lands under the channel folder at its path relative to the manifest's prefix, so that the
 * `<class>/<image>` folders the algorithm reads labels from stay, is not stated there. One user report
 * (aws/sagemaker-python-sdk#723) shows files under `/opt/ml/input/data/<channel>/` followed by more of their key. A
 * dataset with a `test/` folder never uses the manifest channel.
 */
function trainingChannel(channel: TrainingChannel): TrainingChannel {
  return {
    ...channel,
    DataSource: {
      S3DataSource: {
        ...channel.DataSource.S3DataSource,
        S3DataType: sfn.JsonPath.stringAt('$.trainingData.type') as 'S3Prefix',
        S3Uri: sfn.JsonPath.stringAt('$.trainingData.uri'),
      },
    },
  };
}
