/**
 * Lambda entry points of the SageMaker endpoint cleanup custom resource (see handler.ts): `onEvent` and `isComplete`
 * for the CDK Provider framework. The SDK clients are created once per container, on first use; throttling is retried
 * by the SDK (standard retry mode, up to 8 attempts).
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createCleanupHandlers, readGiveUpAfterSeconds } from './handler';
import { CleanupClients } from './sweep';

const MAX_ATTEMPTS = 8;

let clients: CleanupClients | undefined;

function sdkClients(): CleanupClients {
  clients ??= {
    sageMaker: new SageMakerClient({ maxAttempts: MAX_ATTEMPTS }),
    autoScaling: new ApplicationAutoScalingClient({ maxAttempts: MAX_ATTEMPTS }),
    ssm: new SSMClient({ maxAttempts: MAX_ATTEMPTS }),
    cloudFormation: new CloudFormationClient({ maxAttempts: MAX_ATTEMPTS }),
  };
  return clients;
}

const handlers = createCleanupHandlers({ clients: sdkClients, giveUpAfterSeconds: readGiveUpAfterSeconds(process.env) });

export const onEvent = handlers.onEvent;
export const isComplete = handlers.isComplete;
