/**
 * The deploy-time check's Lambda handler (lambda/algorithm-check/index.ts, the function's real entry point) with the
 * real AWS SDK S3 client against the loopback S3 emulator. The emulator's `authorize` plays the check role's IAM
 * grants: s3:GetObject on the objects named, s3:ListBucket only with exactly their keys as prefix.
 */
import { useEmulatorEnvironment } from '../emulators/aws-environment';
import { S3Access, S3Emulator } from '../emulators/s3-emulator';
import { pretrainedModelKeyCandidates, TRAINING_SCRIPT_KEY } from '../../lib/private/algorithm-facts';
import { handler } from '../../lambda/algorithm-check/index';
import { CheckEvent } from '../../lambda/algorithm-check/handler';

const REGION = 'us-east-1';
const BUCKET = `jumpstart-cache-prod-${REGION}`;
const MODEL_ID = 'tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4';
const CANDIDATES = pretrainedModelKeyCandidates(MODEL_ID);
const ROLE_NAME = 'Stack-ImageClassifierAlgorithmCheckServiceRole-ABC123';

let s3: S3Emulator;
let restoreEnvironment: () => void;

beforeAll(async () => {
  s3 = await S3Emulator.start();
  restoreEnvironment = useEmulatorEnvironment({ s3: s3.url }, { AWS_REGION: REGION, ALGORITHM_CHECK_ROLE_NAME: ROLE_NAME, AWS_MAX_ATTEMPTS: '1' });
});
afterAll(async () => {
  restoreEnvironment();
  await s3.close();
});
beforeEach(() => {
  s3.reset();
  s3.createBucket(BUCKET);
  s3.putObject(BUCKET, TRAINING_SCRIPT_KEY, 'script');
  s3.authorize = grantsOf([{ bucket: BUCKET, key: TRAINING_SCRIPT_KEY }, ...CANDIDATES.map((key) => ({ bucket: BUCKET, key }))]);
});

/** The check role's grants as IAM would apply them (see AlgorithmCheckProvider.grantCheck). */
function grantsOf(objects: { bucket: string; key: string }[]): (access: S3Access) => boolean {
  return (access) => objects.some((object) => object.bucket === access.bucket && (access.action === 's3:GetObject'
    ? object.key === access.key
    : access.action === 's3:ListBucket' && object.key === access.prefix));
}

function createEvent(candidates: { Bucket: string; Key: string }[] = CANDIDATES.map((Key) => ({ Bucket: BUCKET, Key })), overridden = false): CheckEvent {
  return {
    RequestType: 'Create',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:provider',
      ModelId: MODEL_ID,
      TrainingScript: { Bucket: BUCKET, Key: TRAINING_SCRIPT_KEY },
      PretrainedModelCandidates: candidates,
      TrainingScriptOverridden: 'false',
      PretrainedModelOverridden: String(overridden),
    },
  };
}

/** The failure message, and proof it carries no stack frame (the Provider framework forwards the stack to CloudFormation). */
async function failureOf(event: CheckEvent): Promise<string> {
  const error = await handler(event).then(() => undefined, (e: unknown) => e as Error);
  expect(error).toBeInstanceOf(Error);
  expect(error!.stack).not.toMatch(/\n\s+at /);
  return error!.message;
}

describe('finding the pretrained model', () => {
  test.each(CANDIDATES.map((key, index) => [index, key]))('layout %i alone: found, after the earlier layouts were tried', async (index, key) => {
    s3.putObject(BUCKET, key, 'model');
    const response = await handler(createEvent());
    expect(response.Data).toEqual({
      PretrainedModelKey: key,
      PretrainedModelBucket: BUCKET,
      PretrainedModelUri: `s3://${BUCKET}/${key}`,
      TrainingScriptUri: `s3://${BUCKET}/${TRAINING_SCRIPT_KEY}`,
    });
    expect(response.PhysicalResourceId).toBe(`s3://${BUCKET}/${key}`);
    const modelRequests = s3.requests.filter((request) => request.key !== TRAINING_SCRIPT_KEY && request.method === 'HEAD');
    expect(modelRequests.map((request) => request.key)).toEqual(CANDIDATES.slice(0, index + 1));
  });

  test('the most likely layout wins when several exist', async () => {
    for (const key of CANDIDATES) s3.putObject(BUCKET, key, 'model');
    const response = await handler(createEvent());
    expect(response.Data?.PretrainedModelKey).toBe(CANDIDATES[0]);
  });

  test('a missing key answered 403 (no unconditioned ListBucket) is told apart from a refused one by a prefix listing', async () => {
    s3.putObject(BUCKET, CANDIDATES[2], 'model');
    await handler(createEvent());
    // Each missing candidate: HEAD (403, as the role may list only with a prefix), then LIST with the key as prefix.
    expect(s3.requests.filter((request) => request.key === CANDIDATES[0]).map((request) => request.method)).toEqual(['HEAD', 'LIST']);
  });

  test('a key that is only a prefix of another object is not taken for the object', async () => {
    s3.putObject(BUCKET, `${CANDIDATES[0]}.partial`, 'other');
    s3.putObject(BUCKET, CANDIDATES[1], 'model');
    // HEAD is 403 (no unconditioned list), and the listing under the key shows only the longer key.
    expect((await handler(createEvent())).Data?.PretrainedModelKey).toBe(CANDIDATES[1]);
    expect(s3.requests.filter((request) => request.key === CANDIDATES[0]).map((request) => request.method)).toEqual(['HEAD', 'LIST']);
  });
});

describe('failing the deployment', () => {
  test('no layout exists: names the model id, the region, every key tried and the override', async () => {
    const message = await failureOf(createEvent());
    expect(message).toContain(MODEL_ID);
    expect(message).toContain(REGION);
    for (const key of CANDIDATES) expect(message).toContain(`s3://${BUCKET}/${key}`);
    expect(message).toContain('training.locations.pretrainedModelUri');
    expect(message).toContain('3 known layouts');
  });

  test('the training script is missing: names it and its override, and still reports the model', async () => {
    s3.reset();
    s3.putObject(BUCKET, CANDIDATES[0], 'model');
    const message = await failureOf(createEvent());
    expect(message).toContain(`s3://${BUCKET}/${TRAINING_SCRIPT_KEY}`);
    expect(message).toContain('training.locations.trainingScriptUri');
    expect(message).not.toContain('pretrained model of');
  });

  test('the content bucket does not exist in the region: every key is reported missing, not as an error', async () => {
    s3.reset();
    const message = await failureOf(createEvent());
    expect(message).toContain('3 known layouts');
    expect(message).toContain('training.locations.trainingScriptUri');
    expect(message).toContain('training.locations.pretrainedModelUri');
  });
});

describe('overridden location', () => {
  const mirror = { Bucket: 'my-mirror', Key: 'models/train-mobilenet.tar.gz' };

  test('is checked and used when it exists', async () => {
    s3.putObject(mirror.Bucket, mirror.Key, 'model');
    s3.authorize = grantsOf([{ bucket: BUCKET, key: TRAINING_SCRIPT_KEY }, { bucket: mirror.Bucket, key: mirror.Key }]);
    const response = await handler(createEvent([mirror], true));
    expect(response.Data?.PretrainedModelUri).toBe('s3://my-mirror/models/train-mobilenet.tar.gz');
    expect(s3.requests.some((request) => request.bucket === BUCKET && request.key.startsWith('tensorflow-training/'))).toBe(false);
  });

  test('fails the deployment when missing, naming it as the override', async () => {
    s3.createBucket(mirror.Bucket);
    s3.authorize = grantsOf([{ bucket: BUCKET, key: TRAINING_SCRIPT_KEY }, { bucket: mirror.Bucket, key: mirror.Key }]);
    const message = await failureOf(createEvent([mirror], true));
    expect(message).toContain('overridden location');
    expect(message).toContain('s3://my-mirror/models/train-mobilenet.tar.gz');
    expect(message).toContain('training.locations.pretrainedModelUri');
  });
});

describe('403 is not 404', () => {
  test('an object that exists but may not be read stops the search and names the role and s3:GetObject', async () => {
    s3.putObject(BUCKET, CANDIDATES[0], 'model');
    s3.putObject(BUCKET, CANDIDATES[2], 'model');
    const granted = s3.authorize;
    s3.authorize = (access) => !(access.action === 's3:GetObject' && access.key === CANDIDATES[0]) && granted(access);
    const message = await failureOf(createEvent());
    expect(message).toContain('exists but HeadObject was denied (403)');
    expect(message).toContain(ROLE_NAME);
    expect(message).toContain('s3:GetObject');
    // A later layout is never used in place of one that is only unreadable.
    expect(s3.requests.some((request) => request.key === CANDIDATES[2])).toBe(false);
  });

  test('neither read nor list allowed (a bucket policy that refuses): access denied, not missing', async () => {
    s3.deniedBuckets.add(BUCKET);
    const message = await failureOf(createEvent());
    expect(message).toContain('access denied (403)');
    expect(message).toContain('s3:ListBucket');
    expect(message).not.toContain('known layouts');
  });

  test('a server error is reported as such, not as a missing object', async () => {
    s3.authorize = () => {
      throw new Error('internal failure');
    };
    const message = await failureOf(createEvent());
    expect(message).toMatch(/HTTP 500/);
    expect(message).toContain('not a missing object');
    expect(message).not.toContain('known layouts');
  });
});

test('Delete succeeds without calling S3', async () => {
  const response = await handler({ RequestType: 'Delete', PhysicalResourceId: `s3://${BUCKET}/${CANDIDATES[0]}`, ResourceProperties: createEvent().ResourceProperties });
  expect(response.PhysicalResourceId).toBe(`s3://${BUCKET}/${CANDIDATES[0]}`);
  expect(s3.requests).toEqual([]);
});

test('malformed properties are named', async () => {
  await expect(handler({ RequestType: 'Create', ResourceProperties: { ModelId: MODEL_ID, PretrainedModelCandidates: [] } }))
    .rejects.toThrow(/TrainingScript must be \{ Bucket, Key \}.*PretrainedModelCandidates must be a non-empty list/);
});
