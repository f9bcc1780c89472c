import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * Which errors are retried: only throttling and internal/service-unavailable errors, which a later call can fix.
 * A task timeout is never retried (the call may have taken effect), nor a validation or "not found" error.
 *
 * AWS SDK integrations name errors `<Service>.<Code>` with an `Exception` suffix (Step Functions developer guide,
 * "AWS SDK service integrations"). Names marked [U] are that rule applied to the service's documented error codes,
 * not seen in Step Functions' own documentation.
 */
export const RETRYABLE_ERRORS = {
  sageMaker: ['SageMaker.ThrottlingException', 'SageMaker.InternalFailureException' /* [U] */, 'SageMaker.ServiceUnavailableException' /* [U] */],
  ssm: ['Ssm.ThrottlingException', 'Ssm.InternalServerErrorException'],
  stepFunctions: ['Sfn.ThrottlingException' /* [U] */, 'Sfn.InternalServerErrorException' /* [U] */],
  autoScaling: ['ApplicationAutoScaling.ConcurrentUpdateException', 'ApplicationAutoScaling.InternalServiceException'],
  lambda: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException', 'Lambda.ClientExecutionTimeoutException'],
  sns: ['SNS.ThrottledException' /* [U] */, 'SNS.InternalErrorException' /* [U] */],
} as const;

/**
 * The optimized SageMaker integrations (sagemaker:createModel, ...) report every API error under this one name, with
 * the error code only in the cause ("... Error Code: ThrottlingException ..."), so that a Retry cannot tell
 * throttling from a validation error: those tasks retry by cause instead (`retryByCause`).
 */
export const OPTIMIZED_SAGEMAKER_ERROR = 'SageMaker.AmazonSageMakerException';
/** Error codes in such a cause that a retry can fix. */
const TRANSIENT_CODES = ['ThrottlingException', 'InternalFailure', 'ServiceUnavailable', 'InternalServerError'];

/** Adds the retry of errors a later call can fix, with exponential backoff and full jitter. */
export function retryTransient(state: sfn.TaskStateBase | sfn.CustomState, errors: readonly string[], interval = Duration.seconds(5)): void {
  state.addRetry({ errors: [...errors], interval, maxAttempts: 5, backoffRate: 2, maxDelay: Duration.minutes(2), jitterStrategy: sfn.JitterType.FULL });
}

/**
 * A retry loop for an optimized SageMaker task, by the error code in the cause: the task's SageMaker errors go to a
 * Choice that waits and calls it again (up to 5 times, doubling the wait) while the code is transient, and
 * otherwise continues to `otherwise`. Written with states because ASL's Retry matches error names only.
 */
export function retryByCause(scope: Construct, id: string, task: sfn.CustomState, otherwise: sfn.IChainable, firstWait: Duration): void {
  const counter = `$.retries.${id}`;
  const transient = sfn.Condition.and(
    sfn.Condition.isPresent('$.error.Cause'),
    sfn.Condition.or(...TRANSIENT_CODES.map((code) => sfn.Condition.stringMatches('$.error.Cause', `*Error Code: ${code}*`))),
  );
  const backoff = new sfn.Wait(scope, `${id}Backoff`, { time: sfn.WaitTime.secondsPath(`${counter}.seconds`) }).next(task);
  const first = new sfn.Pass(scope, `${id}FirstRetry`, { parameters: { count: 1, seconds: firstWait.toSeconds() }, resultPath: counter }).next(backoff);
  const again = new sfn.Pass(scope, `${id}NextRetry`, {
    parameters: { 'count.$': `States.MathAdd(${counter}.count, 1)`, 'seconds.$': `States.MathAdd(${counter}.seconds, ${counter}.seconds)` },
    resultPath: counter,
  }).next(backoff);
  // (`Not IsPresent` rather than `IsPresent: false`: aws-local-stepfunctions 3.0 never matches the latter.)
  task.addCatch(new sfn.Choice(scope, `${id}IsTransient`)
    .when(sfn.Condition.and(transient, sfn.Condition.not(sfn.Condition.isPresent(counter))), first)
    .when(sfn.Condition.and(transient, sfn.Condition.numberLessThan(`${counter}.count`, 5)), again)
    .otherwise(otherwise), { errors: [OPTIMIZED_SAGEMAKER_ERROR], resultPath: '$.error' });
}
