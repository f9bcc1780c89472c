/**
 * The check itself, given a way to probe one object (probe.ts in the function, anything in tests): the training script
 * must be there, and the first pretrained model candidate that is there is the one training uses. A location that is
 * denied or errs stops the search (a later candidate could be the wrong model version while the right one is only
 * unreadable), and every failure names the model id, the region, each key tried with its outcome and the fix.
 */
import { CheckRequest, ObjectLocation, OVERRIDE_HINT, s3UriOf } from '../shared/algorithm-check-contract';
import { ObjectStatus } from './probe';

export type Probe = (location: ObjectLocation) => Promise<ObjectStatus>;

export interface CheckContext {
  /** the region the check runs in, which is the deploy region */
  readonly region: string;
  /** the role the check runs with, named when access is denied */
  readonly roleName?: string;
}

export interface CheckResult {
  readonly trainingScript: ObjectLocation;
  readonly pretrainedModel: ObjectLocation;
}

/** A failure of the check: its message is the whole story, for the CloudFormation event, without a stack trace. */
export class AlgorithmCheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlgorithmCheckFailure';
    // The Provider framework sends the function's stack lines after the message to CloudFormation: keep only the message.
    this.stack = `${this.name}: ${message}`;
  }
}

export async function checkAlgorithmObjects(request: CheckRequest, probe: Probe, context: CheckContext): Promise<CheckResult> {
  const problems: string[] = [];
  const script = await probe(request.trainingScript);
  if (script.kind !== 'found') {
    problems.push(`training script ${s3UriOf(request.trainingScript)}: ${script.detail}. `
      + (script.kind === 'missing'
        ? `Set ${OVERRIDE_HINT.trainingScript} to an s3:// URI of the script tarball (sourcedir.tar.gz) in ${context.region}.`
        : accessHint(script, context)));
  }

  const tried: string[] = [];
  let pretrainedModel: ObjectLocation | undefined;
  let stopped = false;
  for (const candidate of request.pretrainedModelCandidates) {
    const status = await probe(candidate);
    if (status.kind === 'found') {
      pretrainedModel = candidate;
      break;
    }
    tried.push(`${s3UriOf(candidate)} (${status.detail})`);
    if (status.kind !== 'missing') {
      problems.push(`pretrained model of ${request.modelId}: keys tried: ${tried.join(', ')}. ${accessHint(status, context)}`);
      stopped = true;
      break;
    }
  }
  if (!pretrainedModel && !stopped) {
    const what = request.pretrainedModelOverridden ? 'the overridden location' : `the ${tried.length} known layouts`;
    problems.push(`pretrained model of ${request.modelId} not found in ${context.region} at ${what}: ${tried.join(', ')}. `
      + `Set ${OVERRIDE_HINT.pretrainedModel} to the s3:// URI of the model's training tarball (train-${request.modelId}.tar.gz) in ${context.region}, `
      + `as named by training_artifact_key in the model's JumpStart spec.`);
  }
  if (problems.length > 0 || !pretrainedModel) {
    throw new AlgorithmCheckFailure(`Check of the Image Classification - TensorFlow objects in ${context.region} failed: ${problems.join(' ')}`);
  }
  return { trainingScript: request.trainingScript, pretrainedModel };
}

function accessHint(status: ObjectStatus, context: CheckContext): string {
  if (status.kind === 'denied') {
    const role = context.roleName ? `role ${context.roleName}` : 'the check\'s role';
    return `Allow ${role} s3:GetObject on the object and s3:ListBucket on the bucket (a bucket policy or KMS key of an overridden location must allow them too).`;
  }
  return 'This is not a missing object: retry the deployment, and check the bucket if it persists.';
}
