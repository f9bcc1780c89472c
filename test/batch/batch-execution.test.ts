import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as fc from 'fast-check';
import { BatchClassification, BatchModel, ClassifierEndpoint } from '../../lib';
import { S3Emulator } from '../emulators/s3-emulator';
import { stubAnswer } from '../emulators/sagemaker-runtime-emulator';
import { useEmulatorEnvironment } from '../emulators/aws-environment';
import { NO_BUNDLING } from '../helpers';
import { stateMachineDefinition, TemplateJson } from '../support/cfn-template';
import { API_NAME_MAX_LENGTH, API_NAME_PATTERN } from '../support/sagemaker-api';
import { BatchRunResult, BatchScenario, BatchWorld, runBatch } from './batch-world';

/**
 * Batch runs executed from the synthesized definitions with a real ASL interpreter (aws-local-stepfunctions): SSM
 * and SageMaker answered at the task boundary (batch-world.ts), the batch function's real handler against a loopback S3.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'mini-dataset');
const IMAGES: Record<string, Buffer> = {
  'batch/input/garden/rose.jpg': fs.readFileSync(path.join(FIXTURES, 'roses', 'landscape_1.jpg')),
  'batch/input/garden/beds/rose-2.JPG': fs.readFileSync(path.join(FIXTURES, 'roses', 'portrait_1.jpg')),
  'batch/input/garden/tulip.png': fs.readFileSync(path.join(FIXTURES, 'tulips', 'landscape_5.png')),
};
const CHAMPION_MODEL = 'flowers-20261129-030000-0a1b2c3d';

interface Fixture { readonly definition: Record<string, unknown>; readonly bucket: string }

function synthesize(build: (stack: Stack, bucket: s3.IBucket) => void): Fixture {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING }), 'TestStack');
  const bucket = new s3.Bucket(stack, 'Photos');
  build(stack, bucket);
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const bucketId = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('Photos'))![0];
  return { definition: stateMachineDefinition(template), bucket: bucketId.toLowerCase() };
}

let s3Emulator: S3Emulator;
let restore: () => void;
let handler: (event: unknown) => Promise<unknown>;
let champion: Fixture;
let named: Fixture;

beforeAll(async () => {
  s3Emulator = await S3Emulator.start();
  restore = useEmulatorEnvironment({ s3: s3Emulator.url });
  jest.isolateModules(() => {
    handler = require('../../lambda/batch/index').handler;
  });
  champion = synthesize((stack, bucket) => {
    const endpoint = new ClassifierEndpoint(stack, 'Endpoint', { endpointName: 'flowers' });
    new BatchClassification(stack, 'Batch', { model: BatchModel.champion(endpoint), bucket });
  });
  named = synthesize((stack, bucket) => {
    const role = iam.Role.fromRoleArn(stack, 'ModelRole', 'arn:aws:iam::123456789012:role/model-role', { mutable: true });
    new BatchClassification(stack, 'Batch', { model: BatchModel.fromModelName('my-flowers-model', role), bucket, topK: 2 });
  });
});

afterAll(async () => {
  restore();
  await s3Emulator.close();
});

async function run(fixture: Fixture, scenario: BatchScenario): Promise<BatchRunResult & { readonly s3: S3Emulator }> {
  s3Emulator.reset();
  s3Emulator.createBucket(fixture.bucket);
  for (const [key, body] of Object.entries(scenario.objects ?? IMAGES)) s3Emulator.putObject(fixture.bucket, key, body, 'image/jpeg');
  s3Emulator.putObject(fixture.bucket, 'batch/input/garden/notes.txt', 'not an image', 'text/plain');
  const result = await runBatch(fixture.definition, new BatchWorld(scenario, s3Emulator, handler), scenario.input);
  expect(result.apiProblems).toEqual([]);
  return { ...result, s3: s3Emulator };
}

const folders = (fixture: Fixture, output = 'run-1') => ({
  input: `s3://${fixture.bucket}/batch/input/garden/`,
  output: `s3://${fixture.bucket}/batch/output/${output}/`,
});
const transforms = (result: BatchRunResult) => result.calls.filter((call) => call.api === 'sagemaker:createTransformJob.sync');
const text = (fixture: Fixture, key: string) => s3Emulator.getObject(fixture.bucket, key)?.body.toString('utf8');

describe('a batch run', () => {
  test('with the champion: reads the record, runs one transform job of its model, writes a result per image', async () => {
    const result = await run(champion, {
      input: folders(champion), champion: JSON.stringify({ runId: '20261129-030000-0a1b2c3d', modelName: CHAMPION_MODEL, validationAccuracy: 0.93 }),
      models: [CHAMPION_MODEL],
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(expect.arrayContaining(['CheckInput', 'NameJob', 'ChooseModel', 'GetChampion', 'UseChampion', 'Prepare', 'Transform', 'Consolidate', 'Classified']));
    const [job] = transforms(result);
    expect(transforms(result)).toHaveLength(1);
    expect(job.request).toMatchObject({
      ModelName: CHAMPION_MODEL,
      TransformInput: { ContentType: 'application/x-image', SplitType: 'None', DataSource: { S3DataSource: { S3DataType: 'ManifestFile' } } },
      TransformOutput: { Accept: 'application/json;verbose', AssembleWith: 'None' },
      TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
      BatchStrategy: 'SingleRecord', MaxPayloadInMB: 6,
    });
    const jobName = job.request.TransformJobName as string;
    expect(jobName).toMatch(/^flowers-batch-20\d{6}-\d{6}-[0-9a-f]{8}$/);
    expect(jobName.length).toBeLessThanOrEqual(API_NAME_MAX_LENGTH);
    expect(jobName).toMatch(API_NAME_PATTERN);
    expect(result.output).toMatchObject({ transformJobName: jobName, modelName: CHAMPION_MODEL, runId: jobName.slice('flowers-batch-'.length) });
    // One line per image, the label the model gave those bytes.
    const lines = text(champion, 'batch/output/run-1/results.jsonl')!.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.key).sort()).toEqual(Object.keys(IMAGES).sort());
    for (const line of lines) expect(line.predictedLabel).toBe(stubAnswer(IMAGES[line.key]).predicted_label);
    expect(text(champion, 'batch/output/run-1/results.csv')).toBeDefined();
    const summary = JSON.parse(text(champion, 'batch/output/run-1/summary.json')!);
    expect(summary).toMatchObject({ imageCount: 3, classifiedCount: 3, failureCount: 0, skippedCount: 1 });
  });

  test('with a model the run names: no champion is read, the job runs that model', async () => {
    const other = 'flowers-20261101-030000-00000001';
    const result = await run(champion, { input: { ...folders(champion), modelName: other, topK: 1 }, models: [other] });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('UseRunModel');
    expect(result.calls.map((call) => call.api)).not.toContain('aws-sdk:ssm:getParameter');
    expect(transforms(result)[0].request.ModelName).toBe(other);
    const line = JSON.parse(text(champion, 'batch/output/run-1/results.jsonl')!.split('\n')[0]);
    expect(line.top).toHaveLength(1);
  });

  test('with the model given to the construct, and its default topK', async () => {
    const result = await run(named, { input: folders(named), models: ['my-flowers-model'] });
    expect(result.cause).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toContain('UseModel');
    expect(transforms(result)[0].request).toMatchObject({ ModelName: 'my-flowers-model', TransformJobName: expect.stringMatching(/^my-flowers-model-batch-/) });
    const line = JSON.parse(text(named, 'batch/output/run-1/results.jsonl')!.split('\n')[0]);
    expect(line.top).toHaveLength(2);
  });

  test('before the first promotion: ends in NoChampion, saying how to start a run anyway', async () => {
    const result = await run(champion, { input: folders(champion), models: [CHAMPION_MODEL] });
    expect(result).toMatchObject({ status: 'FAILED', error: 'NoChampion' });
    expect(result.cause).toContain('No model has been promoted to endpoint flowers yet');
    expect(result.cause).toContain('{"modelName": "<one of its models>"}');
    expect(transforms(result)).toHaveLength(0);
  });

  test('a failing transform ends in TransformFailed with the job\'s FailureReason, and writes no results', async () => {
    const result = await run(named, { input: folders(named), models: ['my-flowers-model'], transform: 'fails' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'TransformFailed' });
    expect(result.cause).toMatch(/^Transform job my-flowers-model-batch-\S+ \(model my-flowers-model\) failed: ClientError: See job logs/);
    expect(result.path).not.toContain('Consolidate');
    expect(text(named, 'batch/output/run-1/results.jsonl')).toBeUndefined();
  });

  test('a transform refused by SageMaker ends in TransformFailed with its message', async () => {
    const result = await run(named, { input: folders(named), models: ['my-flowers-model'], transform: 'api-error' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'TransformFailed' });
    expect(result.cause).toContain('service limit for ml.m5.xlarge for transform job usage is 0 Instances');
  });

  test('a folder with no image ends in NoImages before any transform job', async () => {
    const result = await run(named, { input: folders(named), models: ['my-flowers-model'], objects: {} });
    expect(result).toMatchObject({ status: 'FAILED', error: 'NoImages' });
    expect(transforms(result)).toHaveLength(0);
  });
});

describe('bad input ends in InvalidInput before anything runs', () => {
  const bucket = () => champion.bucket;
  test.each([
    ['no input', () => ({ output: `s3://${bucket()}/batch/output/x/` }), 'input must be the S3 folder of images to classify'],
    ['an input that is not a string', () => ({ input: 42, output: `s3://${bucket()}/batch/output/x/` }), 'input must be the S3 folder of images to classify'],
    ['an input outside the input folder', () => ({ input: `s3://${bucket()}/private/`, output: `s3://${bucket()}/batch/output/x/` }), 'input must be under s3://{bucket}/batch/input/'],
    ['another bucket', () => ({ input: 's3://someone-else/batch/input/', output: `s3://${bucket()}/batch/output/x/` }), 'input must be under s3://{bucket}/batch/input/'],
    ['an input that is not a folder', () => ({ input: `s3://${bucket()}/batch/input/garden`, output: `s3://${bucket()}/batch/output/x/` }), 'input must be a folder, ending in /'],
    ['no output', () => ({ input: `s3://${bucket()}/batch/input/garden/` }), 'output must be the S3 folder to write the results to'],
    ['an output outside the output folder', () => ({ input: `s3://${bucket()}/batch/input/garden/`, output: `s3://${bucket()}/batch/input/out/` }), 'output must be under s3://{bucket}/batch/output/'],
    ['a model of another endpoint', () => ({ ...folders(champion), modelName: 'cats-20261101-030000-00000001' }), 'modelName must be a model this batch classification may run (flowers-*)'],
    ['a model name that is not a string', () => ({ ...folders(champion), modelName: 7 }), 'modelName must be the name of a SageMaker model'],
    ['a topK of 0', () => ({ ...folders(champion), topK: 0 }), 'topK must be a number of labels from 1 to 100'],
    ['a topK that is not a number', () => ({ ...folders(champion), topK: 'five' }), 'topK must be a number of labels from 1 to 100'],
  ])('%s', async (_name, input, message) => {
    const result = await run(champion, { input: input(), champion: JSON.stringify({ modelName: CHAMPION_MODEL }), models: [CHAMPION_MODEL] });
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
    expect(result.cause).toContain(message.replace('{bucket}', bucket()));
    expect(result.calls).toEqual([]);
  });

  test('for any input: a run either refuses it as InvalidInput with no call made, or it met every rule', async () => {
    const root = `s3://${champion.bucket}/`;
    const uri = fc.tuple(
      fc.constantFrom(`${root}batch/input/`, `${root}batch/output/`, root, 's3://other/batch/input/', `${root}batch/inputs/`, ''),
      fc.constantFrom('', 'a/', 'a', 'b/c/', "it's/"),
    ).map(([base, tail]) => `${base}${tail}`);
    const value = fc.oneof({ arbitrary: uri, weight: 8 }, { arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.boolean()), weight: 1 });
    const near = (folder: string) => fc.oneof({ arbitrary: fc.constantFrom('', 'a/', "it's/", 'a').map((tail) => `${root}batch/${folder}/${tail}`), weight: 3 }, { arbitrary: value, weight: 1 });
    const inputs = fc.record({
      input: near('input'), output: near('output'),
      topK: fc.oneof(fc.integer({ min: -2, max: 102 }), fc.double({ min: 0, max: 2, noNaN: true }), fc.string({ maxLength: 2 })),
      modelName: fc.constantFrom('flowers-x', 'cats', 'flowers'),
    }, { requiredKeys: [] });
    const seen = { valid: 0, invalid: 0 };
    await fc.assert(fc.asyncProperty(inputs, async (input) => {
      const result = await runBatch(champion.definition, new BatchWorld({ input, models: [] }, s3Emulator, async () => {
        throw new Error('stop after the check');
      }), input);
      const ok = (field: unknown, folder: string) => typeof field === 'string' && field.startsWith(`s3://${champion.bucket}/batch/${folder}/`) && field.endsWith('/');
      const valid = ok(input.input, 'input') && ok(input.output, 'output')
        && (input.topK === undefined || (typeof input.topK === 'number' && input.topK >= 1 && input.topK <= 100))
        && (input.modelName === undefined || input.modelName.startsWith('flowers-'));
      seen[valid ? 'valid' : 'invalid'] += 1;
      if (valid) {
        expect(result.path).toContain('NameJob');
      } else {
        expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
        expect(result.calls).toEqual([]);
      }
    // A fixed seed, as the construct fuzzing uses: with a random one, some runs drew 3 valid inputs or fewer of 150.
    }), { numRuns: 150, seed: 20261130 });
    // Both outcomes were exercised.
    expect(seen.valid).toBeGreaterThan(3);
    expect(seen.invalid).toBeGreaterThan(3);
  });
});
