/**
 * The custom resource's lifecycle as the CDK Provider framework drives it (index.ts wires the real S3 client).
 * - Create, Update: check the training script and find the pretrained model (check.ts); answer its location as
 *   attributes, or fail the deployment with the check's message.
 * - Delete: nothing to undo, no call made.
 * The physical id is the pretrained model's URI, so a change of model or layout replaces the resource (its Delete is a no-op).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { checkAlgorithmObjects, CheckContext } from './check';
import { Attribute, parseCheckRequest, s3UriOf } from '../shared/algorithm-check-contract';
import { probeObject } from './probe';

export interface CheckEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Readonly<Record<string, unknown>>;
}

export interface CheckResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, string>>;
}

export function createCheckHandler(client: () => S3Client, context: () => CheckContext): (event: CheckEvent) => Promise<CheckResponse> {
  return async (event) => {
    if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? 'algorithm-check' };
    const request = parseCheckRequest(event.ResourceProperties);
    const s3 = client();
    const result = await checkAlgorithmObjects(request, (location) => probeObject(s3, location), context());
    const pretrainedModelUri = s3UriOf(result.pretrainedModel);
    return {
      PhysicalResourceId: pretrainedModelUri,
      Data: {
        [Attribute.PRETRAINED_MODEL_KEY]: result.pretrainedModel.key,
        [Attribute.PRETRAINED_MODEL_BUCKET]: result.pretrainedModel.bucket,
        [Attribute.PRETRAINED_MODEL_URI]: pretrainedModelUri,
        [Attribute.TRAINING_SCRIPT_URI]: s3UriOf(result.trainingScript),
      },
    };
  };
}
