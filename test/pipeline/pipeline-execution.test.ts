import { CfnElement } from 'aws-cdk-lib';
import { PipelineFixture, pipelineFixture } from './fixture';
import { RunResult, Scenario, TEST_SET_VERSION, runPipeline } from '../support/pipeline-world';
import { API_NAME_MAX_LENGTH, API_NAME_PATTERN } from '../support/sagemaker-api';
import { RUN_ID_PATTERN_SOURCE, trainingJobPrefix } from '../../lambda/shared/sagemaker-names';

/**
 * Executes the state machine definition extracted from the synthesized template with a real ASL interpreter
 * (aws-local-stepfunctions). AWS calls are answered at the task boundary by a simulated world; the pipeline's own
 * Lambda function runs its real handler. Every SageMaker request of every run is checked against the API shapes.
 */
let fixture: PipelineFixture;
let prefix: string;

beforeAll(() => {
  fixture = pipelineFixture();
  prefix = fixture.endpoint.resourceNamePrefix;
});

async function run(scenario: Scenario = {}): Promise<RunResult> {
  const result = await runPipeline(fixture.definition, scenario, fixture.endpoint);
  // Every SageMaker request of the run matched the API shapes (members, required fields, enums, names). Checked in
  // the test that ran it, not in a suite-level afterAll, so that any single test run alone still passes or fails on
  // its own (a mutation run executes one test at a time).
  expect(result.world.apiProblems).toEqual([]);
  return result;
}

const calls = (result: RunResult, api: string) => result.world.calls.filter((c) => c.api === api);
const request = (result: RunResult, api: string, index = 0) => calls(result, api)[index].request as Record<string, any>;

describe('a retraining run', () => {
  test('first run: trains, creates the model, config and endpoint, waits for it, records the champion, notifies', async () => {
    const result = await run();
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(expect.arrayContaining(['PrepareRun', 'Train', 'EvaluateModel', 'CreateModel', 'CreateEndpointConfig',
      'CreateEndpoint', 'WaitForEndpoint', 'CheckEndpoint', 'RecordChampion', 'RegisterAutoScaling', 'PutScalingPolicy', 'NotifyPromoted']));
    expect(result.path).not.toContain('UpdateEndpoint');
    const train = request(result, 'sagemaker:createTrainingJob.sync');
    expect(train.TrainingJobName).toMatch(new RegExp(`^${trainingJobPrefix(prefix)}-${RUN_ID_PATTERN_SOURCE}-0$`));
    expect(train.HyperParameters).toMatchObject({ epochs: '8', learning_rate: '0.001', sagemaker_program: 'transfer_learning.py' });
    expect(train.ResourceConfig).toEqual({ InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 });
    expect(train.AlgorithmSpecification.TrainingImage).toBe('763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.9-gpu-py39');
    const model = request(result, 'sagemaker:createModel');
    expect(model.ModelName).toMatch(new RegExp(`^${prefix}-${RUN_ID_PATTERN_SOURCE}$`));
    expect(model.PrimaryContainer.ModelDataUrl).toBe(`${train.OutputDataConfig.S3OutputPath}${train.TrainingJobName}/output/model.tar.gz`);
    const create = request(result, 'sagemaker:createEndpoint');
    expect(create).toMatchObject({ EndpointName: fixture.endpoint.endpointName, EndpointConfigName: model.ModelName });
    const champion = JSON.parse([...result.world.parameters.values()][0]);
    expect(champion).toMatchObject({ validationAccuracy: 0.9, modelName: model.ModelName, trainingJobName: train.TrainingJobName });
    expect(result.world.messages.map((m) => m.subject)).toEqual(['Image classifier promoted a new model']);
    expect(result.world.messages[0].message).toContain('first model (candidate 0.9000, serving none)');
  });

  test('a better model updates the endpoint blue/green with a DeploymentConfig and rollback alarms, then prunes old versions', async () => {
    const result = await run({ endpointExists: true, championAccuracy: 0.8, validationAccuracy: 0.9, previousVersions: 5, foreignConfigs: [`${prefix}x-20260101-000000-00000000`] });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(expect.arrayContaining(['DeregisterAutoScaling', 'UpdateEndpoint', 'RecordChampion', 'DeleteSupersededVersions']));
    expect(result.path).not.toContain('CreateEndpoint');
    const update = request(result, 'sagemaker:updateEndpoint');
    expect(update.DeploymentConfig).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
        TerminationWaitInSeconds: 600,
        MaximumExecutionTimeoutInSeconds: 3600,
      },
      // The pipeline's two alarms, by the names CloudFormation gives them (here each alarm's Ref, its logical id).
      AutoRollbackConfiguration: { Alarms: fixture.pipeline.rollbackAlarms.map((alarm) => ({
        AlarmName: fixture.stack.getLogicalId(alarm.node.defaultChild as CfnElement),
      })) },
    });
    // 5 old versions + this run's = 6 of ours; the newest 3 stay, the foreign look-alike is never touched.
    const ours = [...result.world.endpointConfigs.keys()].filter((name) => name.startsWith(`${prefix}-`));
    expect(ours).toHaveLength(3);
    expect(ours).toContain(update.EndpointConfigName);
    expect(result.world.endpointConfigs.has(`${prefix}x-20260101-000000-00000000`)).toBe(true);
    expect([...result.world.models.keys()].filter((name) => name.startsWith(`${prefix}-`))).toHaveLength(3);
    expect(calls(result, 'aws-sdk:sagemaker:deleteEndpointConfig').map((c) => c.request.EndpointConfigName))
      .toEqual([`${prefix}-20260102-000000-00000002`, `${prefix}-20260101-000000-00000001`, `${prefix}-20260100-000000-00000000`]);
  });

  test('a worse model is not promoted: nothing is deployed, the owner is told both figures, the run succeeds', async () => {
    const result = await run({ endpointExists: true, championAccuracy: 0.95, validationAccuracy: 0.9 });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.slice(-2)).toEqual(['NotifyNotPromoted', 'NotPromoted']);
    // The model made for the evaluation is deleted; no endpoint config is made.
    const model = request(result, 'sagemaker:createModel').ModelName;
    expect(request(result, 'aws-sdk:sagemaker:deleteModel').ModelName).toBe(model);
    expect(result.world.models.has(model)).toBe(false);
    expect(calls(result, 'sagemaker:createEndpointConfig')).toHaveLength(0);
    expect(result.world.parameters.size).toBe(0);
    expect(result.world.messages[0].message).toContain('does not beat the serving model by 0.0000 (candidate 0.9000, serving 0.9500)');
  });

  test('a model below the accuracy floor is not promoted even with no champion', async () => {
    const result = await run({ validationAccuracy: 0.3 });
    expect(result.path).toContain('NotifyNotPromoted');
    expect(result.world.messages[0].message).toContain('below the minimum accuracy 0.5000');
  });

  test('training fails: the run cleans up, notifies with the cause and ends in Fail', async () => {
    const result = await run({ training: ['failure'] });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.TaskFailed');
    expect(result.cause).toContain('AlgorithmError');
    expect(result.path).toEqual(expect.arrayContaining(['IsCapacityError', 'StartCleanup', 'NotifyFailure', 'RunFailed']));
    // Nothing but the (ended) job was created: nothing to delete or stop.
    expect(result.path).not.toContain('DeleteRunEndpointConfig');
    expect(result.path).not.toContain('StopRunTrainingJob');
    expect(calls(result, 'sagemaker:createModel')).toHaveLength(0);
    expect(calls(result, 'sagemaker:createTrainingJob.sync')).toHaveLength(1);
    expect(result.world.messages[0]).toMatchObject({ subject: 'Image classifier retraining failed' });
    expect(result.world.messages[0].message).toContain('AlgorithmError');
  });

  test('a capacity error falls back to the next instance type with a new job name', async () => {
    const result = await run({ training: ['capacity', 'success'] });
    expect(result.status).toBe('SUCCEEDED');
    const attempts = calls(result, 'sagemaker:createTrainingJob.sync').map((c) => c.request as Record<string, any>);
    expect(attempts.map((a) => a.ResourceConfig.InstanceType)).toEqual(['ml.p3.2xlarge', 'ml.g5.xlarge']);
    expect(attempts[1].TrainingJobName).toMatch(/-1$/);
    expect(attempts[1].ResourceConfig).toEqual({ InstanceType: 'ml.g5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 });
    expect(result.path).toEqual(expect.arrayContaining(['IsCapacityError', 'NextInstanceType', 'HasAnotherInstanceType']));
  });

  test('capacity errors on every instance type fail the run after the last one', async () => {
    const result = await run({ training: ['capacity', 'capacity', 'capacity'] });
    expect(result.status).toBe('FAILED');
    expect(calls(result, 'sagemaker:createTrainingJob.sync').map((c) => (c.request as any).ResourceConfig.InstanceType))
      .toEqual(['ml.p3.2xlarge', 'ml.g5.xlarge', 'ml.g4dn.xlarge']);
    expect(result.cause).toContain('CapacityError');
  });

  test('throttling is retried with a doubling wait, by the error code in the cause', async () => {
    const result = await run({ throttle: { operation: 'createModel', times: 2 } });
    expect(result.status).toBe('SUCCEEDED');
    expect(calls(result, 'sagemaker:createModel')).toHaveLength(3);
    expect(result.path.filter((state) => state === 'CreateModelBackoff')).toHaveLength(2);
    const definition = fixture.definition.States as Record<string, any>;
    // The optimized integration names every SageMaker error alike: no Retry may match that name.
    expect(JSON.stringify(definition.CreateModel.Retry ?? [])).not.toContain('AmazonSageMakerException');
    expect(definition.CreateModelNextRetry.Parameters['seconds.$']).toBe('States.MathAdd($.retries.CreateModel.seconds, $.retries.CreateModel.seconds)');
  });

  test('the endpoint update fails: the unused model and config are deleted, the serving endpoint is left alone', async () => {
    const result = await run({ endpointExists: true, championAccuracy: 0.5, updateFails: true });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SageMaker.ResourceLimitExceededException');
    const newConfig = request(result, 'sagemaker:createEndpointConfig').EndpointConfigName;
    expect(result.world.endpointConfigs.has(newConfig)).toBe(false);
    expect(result.world.models.has(newConfig)).toBe(false);
    expect(result.world.endpoints.get(fixture.endpoint.endpointName)!.status).toBe('InService');
    expect(calls(result, 'aws-sdk:sagemaker:deleteEndpoint')).toHaveLength(0);
  });

  test('a silent rollback (in service on the old config) fails the run', async () => {
    const result = await run({ endpointExists: true, championAccuracy: 0.5, endpointOutcome: 'silent-rollback' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SilentRollback');
    expect(result.cause).toContain('rolled the update back');
    expect(result.path).not.toContain('RecordChampion');
    expect(result.world.parameters.size).toBe(0);
  });

  test('a first endpoint that fails to create is deleted with its config and model', async () => {
    const result = await run({ endpointOutcome: 'failed' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('EndpointFailed');
    expect(result.path).toEqual(expect.arrayContaining(['DeleteFailedEndpoint', 'DeleteRunEndpointConfig', 'DeleteRunModel']));
    expect(result.world.endpoints.size).toBe(0);
    expect(result.world.models.size).toBe(0);
  });

  test('the wait times out: the run fails and leaves the endpoint mid-update alone', async () => {
    const result = await run({ endpointExists: true, championAccuracy: 0.5, endpointOutcome: 'stuck' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('EndpointTimeout');
    expect(calls(result, 'aws-sdk:sagemaker:describeEndpoint').length).toBeGreaterThanOrEqual(60);
    expect(calls(result, 'aws-sdk:sagemaker:deleteEndpointConfig')).toHaveLength(0);
  });

  test('does nothing but notify while another run is in progress', async () => {
    const result = await run({ anotherRunInProgress: true });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(['StartRun', 'CheckRunsInProgress', 'IsAnotherRunInProgress', 'NotifySkipped', 'SkippedAnotherRunInProgress']);
    expect(result.world.messages.map((m) => m.subject)).toEqual(['Image classifier retraining skipped']);
  });

  test('a manual run may choose a listed instance type and override hyperparameters', async () => {
    const result = await run({ input: { instanceType: 'ml.g4dn.xlarge', hyperparameters: { epochs: 20, learningRate: 0.0005 } } });
    expect(result.status).toBe('SUCCEEDED');
    const train = request(result, 'sagemaker:createTrainingJob.sync');
    expect(train.ResourceConfig.InstanceType).toBe('ml.g4dn.xlarge');
    expect(train.HyperParameters).toMatchObject({ epochs: '20', learning_rate: '0.0005' });
  });

  test.each([
    ['an unlisted instance type', { instanceType: 'ml.t2.medium' }, "input.instanceType must be one of the pipeline's training instance types (ml.p3.2xlarge, ml.g5.xlarge, ml.g4dn.xlarge)"],
    ['a learning rate of 3', { hyperparameters: { learningRate: 3 } }, 'input.hyperparameters.learningRate must be a number in [0, 1], got 3'],
    ['an unknown option', { epochs: 3 }, 'input.epochs is not a run option'],
  ])('rejects manual input with %s before anything is created', async (_name, input, message) => {
    const result = await run({ input });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidRunInput');
    expect(result.cause).toContain(message);
    expect(calls(result, 'sagemaker:createTrainingJob.sync')).toHaveLength(0);
  });

  test('names stay valid for an 80-character execution name with underscores', async () => {
    const result = await run({ executionName: `${'scheduled_'.repeat(7)}0123456789` });
    expect(result.status).toBe('SUCCEEDED');
    for (const call of result.world.calls) {
      for (const key of ['TrainingJobName', 'ModelName', 'EndpointConfigName', 'EndpointName']) {
        const name = call.request[key];
        if (typeof name === 'string') {
          expect(name.length).toBeLessThanOrEqual(API_NAME_MAX_LENGTH);
          expect(name).toMatch(API_NAME_PATTERN);
        }
      }
    }
  });
});

describe('a retraining run with a test set', () => {
  const transforms = (result: RunResult) => calls(result, 'sagemaker:createTransformJob.sync').map((c) => c.request as Record<string, any>);
  const endpointTouched = (result: RunResult) => result.world.calls.some((c) => /(create|update)Endpoint$/.test(c.api));

  test('a better challenger is promoted: both models classify the same test manifest, the gate names its figures', async () => {
    const result = await run({ testSet: 'test-folder', endpointExists: true, championAccuracy: 0.95, validationAccuracy: 0.7,
      challengerScore: { accuracy: 0.91, macroF1: 0.9 }, championScore: { accuracy: 0.85, macroF1: 0.84 } });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path[result.path.length - 1]).toBe('Promoted');
    // Validation accuracies (0.7 against 0.95) would have refused it: the test set decided.
    const [challenger, champion] = transforms(result);
    const model = request(result, 'sagemaker:createModel').ModelName;
    expect(challenger).toMatchObject({
      ModelName: model,
      BatchStrategy: 'SingleRecord',
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'ManifestFile' } }, ContentType: 'application/x-image', SplitType: 'None' },
      TransformOutput: { Accept: 'application/json;verbose', AssembleWith: 'None' },
      TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
    });
    expect(champion.ModelName).toBe(`${prefix}-20260100-000000-00000000`);
    expect(champion.TransformInput).toEqual(challenger.TransformInput);
    expect(challenger.TransformOutput.S3OutputPath).not.toBe(champion.TransformOutput.S3OutputPath);
    // The endpoint serves the very model that was scored.
    expect(request(result, 'sagemaker:createEndpointConfig').ProductionVariants[0].ModelName).toBe(model);
    expect(result.output!.gate).toMatchObject({ gate: 'test-set', metric: 'accuracy', promote: true });
    expect(result.output!.evaluation).toEqual({
      reportJsonUri: result.world.reports[0].json, reportHtmlUri: result.world.reports[0].html, testSetVersion: TEST_SET_VERSION,
      challenger: { accuracy: 0.91, macroF1: 0.9 }, champion: { accuracy: 0.85, macroF1: 0.84 }, metric: 'accuracy', margin: 0,
    });
    expect(result.world.champion()).toMatchObject({ modelName: model, testSet: { version: TEST_SET_VERSION, accuracy: 0.91, macroF1: 0.9 } });
    expect(result.world.messages[0].message).toContain(`Evaluation report: ${result.world.reports.find((r) => r.role === 'challenger')!.html}`);
  });

  test('a worse challenger is not promoted; the champion\'s new figures are kept and the challenger\'s model deleted', async () => {
    const result = await run({ testSet: 'test-folder', endpointExists: true, championAccuracy: 0.5, validationAccuracy: 0.99,
      challengerScore: { accuracy: 0.8, macroF1: 0.8 }, championScore: { accuracy: 0.9, macroF1: 0.88 } });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path.slice(-2)).toEqual(['NotifyNotPromoted', 'NotPromoted']);
    expect(endpointTouched(result)).toBe(false);
    const model = request(result, 'sagemaker:createModel').ModelName;
    expect(result.world.models.has(model)).toBe(false);
    expect(result.world.champion()).toMatchObject({ runId: 'champion', testSet: { version: TEST_SET_VERSION, accuracy: 0.9, macroF1: 0.88 } });
    expect(result.world.messages[0].message).toContain('does not beat the serving model by 0.0000 (test set');
    expect(result.world.messages[0].message).toContain('accuracy: challenger 0.8000, champion 0.9000');
  });

  test('equal within the margin is not promoted', async () => {
    const result = await run({ testSet: 'hold-out', endpointExists: true, championAccuracy: 0.5,
      challengerScore: { accuracy: 0.905, macroF1: 0.9 }, championScore: { accuracy: 0.9, macroF1: 0.9 },
      input: { minimumImprovement: 0.01 } });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output!.gate).toMatchObject({ promote: false, gate: 'test-set', minimumImprovement: 0.01 });
    expect(endpointTouched(result)).toBe(false);
  });

  test('on macro F1 (the run\'s input), the same figures decide the other way', async () => {
    const scenario: Scenario = { testSet: 'test-folder', endpointExists: true, championAccuracy: 0.5,
      challengerScore: { accuracy: 0.95, macroF1: 0.7 }, championScore: { accuracy: 0.9, macroF1: 0.8 } };
    expect((await run(scenario)).output!.gate).toMatchObject({ promote: true, metric: 'accuracy' });
    expect((await run({ ...scenario, input: { promotionMetric: 'macroF1' } })).output!.gate).toMatchObject({ promote: false, metric: 'macroF1' });
  });

  test('a champion with no score on this test-set version is scored first, then compared; one with a score is not scored again', async () => {
    const scenario: Scenario = { testSet: 'test-folder', endpointExists: true, championAccuracy: 0.5,
      challengerScore: { accuracy: 0.85, macroF1: 0.85 }, championScore: { accuracy: 0.9, macroF1: 0.9 } };
    for (const championScoredOn of [undefined, 'older-version'] as const) {
      const scored = await run({ ...scenario, championScoredOn });
      expect(scored.path).toEqual(expect.arrayContaining(['TransformChampion', 'ScoreChampion']));
      expect(scored.path.indexOf('ScoreChampion')).toBeLessThan(scored.path.indexOf('EvaluateModel'));
      expect(scored.output!.gate).toMatchObject({ promote: false, champion: { accuracy: 0.9, macroF1: 0.9 } });
    }
    const recorded = await run({ ...scenario, championScoredOn: 'this-version' });
    expect(recorded.path).not.toContain('TransformChampion');
    expect(recorded.path).toContain('UseRecordedChampionScore');
    expect(transforms(recorded)).toHaveLength(1);
    expect(recorded.output!.gate).toMatchObject({ promote: false, champion: { accuracy: 0.9, macroF1: 0.9 }, rescoredChampion: null });
    expect(recorded.world.parameters.size).toBe(0);
  });

  test('a hold-out trains on the manifest of the other images; a test folder on the whole training folder', async () => {
    const holdOut = await run({ testSet: 'hold-out' });
    const channel = (result: RunResult) => request(result, 'sagemaker:createTrainingJob.sync').InputDataConfig
      .find((c: { ChannelName: string }) => c.ChannelName === 'training').DataSource.S3DataSource;
    const selection = calls(holdOut, 'lambda').find((c) => c.request.action === 'selectTestSet')!;
    expect(channel(holdOut)).toEqual({ S3DataType: 'ManifestFile', S3Uri: `${selection.request.runFolderUri}training.manifest`, S3DataDistributionType: 'FullyReplicated' });
    expect(selection.request).toMatchObject({ holdOutFraction: 0.1, datasetUri: expect.stringMatching(/^s3:\/\/.+\/$/) });
    const folder = await run({ testSet: 'test-folder' });
    expect(channel(folder)).toMatchObject({ S3DataType: 'S3Prefix' });
    expect(channel(folder).S3Uri).toMatch(/^s3:\/\/.+\/training\/$/);
  });

  test.each(['none', 'empty'] as const)('no test set (%s): the fallback gate compares validation accuracies', async (testSet) => {
    const result = await run({ testSet, endpointExists: true, championAccuracy: 0.8, validationAccuracy: 0.9 });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.path).toEqual(expect.arrayContaining(['SelectTestSet', 'NoTestSet', 'TrainOnTrainingFolder', 'NoTestSetScores', 'Promoted']));
    expect(transforms(result)).toHaveLength(0);
    expect(result.output!.gate).toMatchObject({ gate: 'validation-accuracy', promote: true });
    expect(result.output!.evaluation).toBeNull();
    expect(result.world.messages[0].message).not.toContain('Evaluation report');
  });

  test.each([
    ['the challenger\'s transform fails', { challenger: 'failure' }, 'States.TaskFailed'],
    ['the champion\'s transform fails', { champion: 'failure' }, 'States.TaskFailed'],
    ['every test image of the challenger fails', { challenger: 'all-images-failed' }, 'AllTestImagesFailed'],
  ] as const)('%s: the run fails before the endpoint is touched, and cleans up what it created', async (_name, transform, error) => {
    const result = await run({ testSet: 'test-folder', endpointExists: true, championAccuracy: 0.5, transform });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(error);
    expect(endpointTouched(result)).toBe(false);
    expect(result.path).toEqual(expect.arrayContaining(['StopRunChallengerTransform', 'StopRunChampionTransform', 'DeleteRunModel', 'NotifyFailure']));
    expect(result.world.models.has(request(result, 'sagemaker:createModel').ModelName)).toBe(false);
    expect([...result.world.transformJobs.values()].filter((job) => job.status === 'InProgress')).toEqual([]);
    expect(result.world.endpoints.get(fixture.endpoint.endpointName)).toMatchObject({ status: 'InService', config: `${prefix}-20260100-000000-00000000` });
    expect(result.world.champion()).toMatchObject({ runId: 'champion' });
    expect(result.world.messages).toEqual([expect.objectContaining({ subject: 'Image classifier retraining failed' })]);
  });

  test('a transform that outlasts its task is stopped by the cleanup', async () => {
    const result = await run({ testSet: 'test-folder', endpointExists: true, championAccuracy: 0.5,
      fault: { state: 'TransformChallenger', kind: 'timeout', fromCall: 1, times: 1 } });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Timeout');
    const challenger = transforms(result)[0].TransformJobName;
    expect(result.world.transformJobs.get(challenger)!.status).toBe('Stopped');
  });
});
