import { Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { RETRYABLE_ERRORS, retryByCause, retryTransient } from '../pipeline/phases/retries';
import { BatchErrorName, MAX_TOP_K } from '../../lambda/shared/batch-contract';
import { BatchInstanceType } from './batch-instance-type';
import { BatchModelConfig } from './batch-model';
import { createTransformJobTask } from './transform-job';

/** Everything the states of a batch run need. */
export interface BatchRunSettings {
  readonly scope: Construct;
  /** `s3://<bucket>/<input prefix>/`: runs classify folders under it. */
  readonly inputUri: string;
  /** `s3://<bucket>/<output prefix>/`: runs write under it. */
  readonly outputUri: string;
  readonly model: BatchModelConfig;
  /** `<prefix>-batch`: each run's transform job is `<jobPrefix>-<run id>`. */
  readonly jobPrefix: string;
  /** The batch function (`prepare` and `consolidate`). */
  readonly function: lambda.IFunction;
  readonly instanceType: BatchInstanceType;
  readonly instanceCount: number;
  readonly encryptionKey?: kms.IKey;
  readonly maxRuntime: Duration;
  readonly topK: number;
  /** Read one-probability answers as a binary-mode model's. */
  readonly binaryMode: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A batch run, as the README draws it: check the input → name the run → choose the model (the run's, the fixed one,
 * or the champion record's) → list the images and write the manifest → Batch Transform → consolidate the answers into
 * results.jsonl, results.csv and summary.json. Every problem ends the run in a named Fail state whose cause says
 * what went wrong: `InvalidInput` (before anything runs), `NoChampion`, `ChampionUnreadable`, `PrepareFailed`,
 * `NoImages`, `TransformFailed` (with the job's FailureReason), `TransformTimedOut` (the job is stopped),
 * `ConsolidateFailed`.
 *
 * State (JSONPath): `$.request` the input with defaults, `$.run` the run id and job name, `$.model.name`,
 * `$.prepared` the manifest, `$.transform` the job, `$.summary` the result; `$.error` any caught error.
 */
export function batchRunDefinition(settings: BatchRunSettings): sfn.IChainable {
  const scope = settings.scope;
  const invalid = new sfn.Fail(scope, 'InvalidInput', { error: 'InvalidInput', causePath: '$.problem' });
  /** A Pass that sets `$.problem` to `message` (a States.Format call, or plain text) and ends in InvalidInput. */
  const problem = (id: string, message: string) => new sfn.Pass(scope, id, {
    parameters: message.startsWith('States.') ? { 'problem.$': message } : { problem: message },
  }).next(invalid);
  const literal = (text: string) => `'${escapeIntrinsicText(text)}'`;

  const check = new sfn.Choice(scope, 'CheckInput');
  for (const field of ['input', 'output'] as const) {
    const uri = field === 'input' ? settings.inputUri : settings.outputUri;
    const what = field === 'input' ? 'the S3 folder of images to classify' : 'the S3 folder to write the results to';
    const path = `$.${field}`;
    const name = field[0].toUpperCase() + field.slice(1);
    check.when(sfn.Condition.or(sfn.Condition.not(sfn.Condition.isPresent(path)), sfn.Condition.not(sfn.Condition.isString(path))),
      problem(`${name}Missing`, `States.Format('${field} must be ${what}, a string like {}images/ (ending in /)', ${literal(uri)})`));
    check.when(sfn.Condition.not(sfn.Condition.stringMatches(path, `${uri}*`)),
      problem(`${name}OutsideFolder`, `States.Format('${field} must be under {}, the folder this batch classification may ${field === 'input' ? 'read' : 'write'}; got {}', ${literal(uri)}, ${path})`));
    check.when(sfn.Condition.not(sfn.Condition.stringMatches(path, '*/')),
      problem(`${name}NotFolder`, `States.Format('${field} must be a folder, ending in /; got {} (write {}/)', ${path}, ${path})`));
  }
  check.when(sfn.Condition.and(sfn.Condition.isPresent('$.modelName'), sfn.Condition.not(sfn.Condition.isString('$.modelName'))),
    problem('ModelNameNotString', `States.Format('modelName must be the name of a SageMaker model, a string matching {}', ${literal(settings.model.runModelNamePattern)})`));
  check.when(sfn.Condition.and(sfn.Condition.isPresent('$.modelName'), sfn.Condition.not(sfn.Condition.stringMatches('$.modelName', settings.model.runModelNamePattern))),
    problem('ModelNameNotAllowed', `States.Format('modelName must be a model this batch classification may run ({}); got {}', ${literal(settings.model.runModelNamePattern)}, $.modelName)`));
  check.when(sfn.Condition.and(sfn.Condition.isPresent('$.topK'), sfn.Condition.or(
    sfn.Condition.not(sfn.Condition.isNumeric('$.topK')),
    sfn.Condition.numberLessThan('$.topK', 1),
    sfn.Condition.numberGreaterThan('$.topK', MAX_TOP_K),
  )), problem('TopKOutOfRange', `topK must be a number of labels from 1 to ${MAX_TOP_K}`));

  // The run id has the shape of the retraining pipeline's, `YYYYMMDD-HHMMSS-<8 hex digits>`: the execution's start
  // (UTC) and the first group of a UUID drawn once per execution (kept in the state, so a redriven run keeps it).
  const defaults = new sfn.Pass(scope, 'ApplyDefaults', { parameters: { defaults: { topK: settings.topK }, 'given.$': '$' } });
  // Split one character at a time: Step Functions splits on each character of the splitter, aws-local-stepfunctions
  // on the whole splitter; both agree on a single character.
  const split = new sfn.Pass(scope, 'NameRun', {
    parameters: {
      'request.$': 'States.JsonMerge($.defaults, $.given, false)',
      'startedAt.$': "States.StringSplit($$.Execution.StartTime, 'T')",
      'random.$': "States.StringSplit(States.UUID(), '-')",
    },
  });
  // 2026-11-30T07:05:09.123Z: the date's three parts, the time's three (seconds without milliseconds or Z).
  const readTime = new sfn.Pass(scope, 'ReadStartTime', {
    parameters: {
      'request.$': '$.request',
      'random.$': '$.random',
      'date.$': "States.StringSplit(States.ArrayGetItem($.startedAt, 0), '-')",
      'time.$': "States.StringSplit(States.ArrayGetItem($.startedAt, 1), ':')",
    },
  });
  const seconds = "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit(States.ArrayGetItem($.time, 2), '.'), 0), 'Z'), 0)";
  const idArguments = ['States.ArrayGetItem($.date, 0)', 'States.ArrayGetItem($.date, 1)', 'States.ArrayGetItem($.date, 2)',
    'States.ArrayGetItem($.time, 0)', 'States.ArrayGetItem($.time, 1)', seconds, 'States.ArrayGetItem($.random, 0)'].join(', ');
  const name = new sfn.Pass(scope, 'NameJob', {
    parameters: {
      'request.$': '$.request',
      run: {
        'runId.$': `States.Format('{}{}{}-{}{}{}-{}', ${idArguments})`,
        // The prefix is a SageMaker name (letters, digits, hyphens): nothing to escape.
        'jobName.$': `States.Format('${settings.jobPrefix}-{}{}{}-{}{}{}-{}', ${idArguments})`,
      },
    },
  });
  check.otherwise(defaults.next(split).next(readTime).next(name));

  const prepare = invoke(settings, 'Prepare', {
    action: 'prepare',
    input: sfn.JsonPath.stringAt('$.request.input'),
    output: sfn.JsonPath.stringAt('$.request.output'),
    runId: sfn.JsonPath.stringAt('$.run.runId'),
  }, '$.prepared');
  const fail = (id: string, error: string, message: string) => new sfn.Pass(scope, `Describe${id}`, { parameters: { 'problem.$': message } })
    .next(new sfn.Fail(scope, id, { error, causePath: '$.problem' }));
  // The function's own errors carry its message in the cause's JSON (`errorMessage`): the run's cause is that message.
  prepare.addCatch(functionFailure(scope, 'InvalidBatchInput', new sfn.Fail(scope, 'InvalidBatchInput', { error: 'InvalidInput', causePath: '$.problem' }), "'{}'"),
    { errors: [BatchErrorName.INVALID_BATCH_INPUT], resultPath: '$.error' });
  prepare.addCatch(functionFailure(scope, 'NoImagesToClassify', new sfn.Fail(scope, 'NoImages', { error: 'NoImages', causePath: '$.problem' }), "'{}'"),
    { errors: [BatchErrorName.NO_IMAGES], resultPath: '$.error' });
  prepare.addCatch(functionFailure(scope, 'Prepare', new sfn.Fail(scope, 'PrepareFailed', { error: 'PrepareFailed', causePath: '$.problem' }),
    "'Listing the images and writing the manifest failed: {}'"), { resultPath: '$.error' });

  const chooseModel = new sfn.Choice(scope, 'ChooseModel');
  const useModel = (id: string, parameters: Record<string, unknown>) => new sfn.Pass(scope, id, { parameters, resultPath: '$.model' }).next(prepare);
  chooseModel.when(sfn.Condition.isPresent('$.request.modelName'), useModel('UseRunModel', { 'name.$': '$.request.modelName' }));
  const model = settings.model;
  if (model.modelName !== undefined) {
    chooseModel.otherwise(useModel('UseModel', { name: model.modelName }));
  } else {
    const noChampion = new sfn.Fail(scope, 'NoChampion', {
      error: 'NoChampion',
      cause: `No model has been promoted to endpoint ${model.endpointName} yet (no champion record in ${model.championParameterName}): `
        + 'let its retraining pipeline promote one, or start the run with {"modelName": "<one of its models>"}',
    });
    const getChampion = new tasks.CallAwsService(scope, 'GetChampion', {
      service: 'ssm',
      action: 'getParameter',
      iamAction: 'ssm:GetParameter',
      parameters: { Name: model.championParameterName },
      iamResources: [Stack.of(scope).formatArn({ service: 'ssm', resource: 'parameter', resourceName: model.championParameterName!.replace(/^\//, '') })],
      resultSelector: { 'record.$': 'States.StringToJson($.Parameter.Value)' },
      resultPath: '$.champion',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
    });
    retryTransient(getChampion, RETRYABLE_ERRORS.ssm);
    getChampion.addCatch(noChampion, { errors: ['Ssm.ParameterNotFoundException'], resultPath: '$.error' });
    getChampion.addCatch(fail('ChampionUnreadable', 'ChampionUnreadable', `States.Format('Reading the champion record {} failed: {}', ${literal(model.championParameterName!)}, $.error.Cause)`), { resultPath: '$.error' });
    getChampion.next(new sfn.Choice(scope, 'HasChampion')
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.champion.record.modelName'), sfn.Condition.isString('$.champion.record.modelName')),
        useModel('UseChampion', { 'name.$': '$.champion.record.modelName' }))
      .otherwise(noChampion));
    chooseModel.otherwise(getChampion);
  }
  name.next(chooseModel);

  const transform = createTransformJobTask(scope, 'Transform', {
    transformJobName: sfn.JsonPath.stringAt('$.run.jobName'),
    modelName: sfn.JsonPath.stringAt('$.model.name'),
    manifestUri: sfn.JsonPath.stringAt('$.prepared.manifestUri'),
    outputUri: sfn.JsonPath.stringAt('$.prepared.predictionsUri'),
    instanceType: settings.instanceType,
    instanceCount: settings.instanceCount,
    encryptionKey: settings.encryptionKey,
    tags: settings.tags,
    maxRuntime: settings.maxRuntime,
    resultPath: '$.transform',
  });
  const transformFailed = new sfn.Fail(scope, 'TransformFailed', { error: 'TransformFailed', causePath: '$.problem' });
  const describe = (id: string, reason: string) => new sfn.Pass(scope, id, {
    parameters: { 'problem.$': `States.Format('Transform job {} (model {}) failed: {}', $.run.jobName, $.model.name, ${reason})` },
  }).next(transformFailed);
  const rawFailure = describe('DescribeTransformError', '$.error.Cause');
  // A job that ended Failed fails the .sync task with the job's description as JSON in the cause.
  const readReason = new sfn.Choice(scope, 'IsJobDescription')
    .when(sfn.Condition.stringMatches('$.error.Cause', '{*}'), new sfn.Pass(scope, 'ReadJobDescription', {
      parameters: { 'job.$': 'States.StringToJson($.error.Cause)' },
      resultPath: '$.failure',
    }).next(new sfn.Choice(scope, 'HasFailureReason')
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.failure.job.FailureReason'), sfn.Condition.isString('$.failure.job.FailureReason')),
        describe('DescribeFailureReason', '$.failure.job.FailureReason'))
      .otherwise(rawFailure)))
    .otherwise(rawFailure);
  // An SDK-integration task written as a custom state: StopTransformJob is granted with the other transform job
  // permissions (grantRunTransformJobs), as .sync needs it too.
  const stop = new sfn.CustomState(scope, 'StopTransformJob', {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Stack.of(scope).partition}:states:::aws-sdk:sagemaker:stopTransformJob`,
      Parameters: { 'TransformJobName.$': '$.run.jobName' },
      ResultPath: null,
      TimeoutSeconds: 60,
    },
  });
  retryTransient(stop, RETRYABLE_ERRORS.sageMaker);
  const timedOut = fail('TransformTimedOut', 'TransformTimedOut',
    `States.Format('Transform job {} ran longer than ${settings.maxRuntime.toHumanString()} (maxRuntime) and was stopped', $.run.jobName)`);
  // Stopped, or already ended: the run fails as timed out either way.
  stop.addCatch(timedOut, { resultPath: '$.stopError' });
  stop.next(timedOut);
  retryByCause(scope, 'Transform', transform, readReason, Duration.seconds(10));
  transform.addCatch(stop, { errors: ['States.Timeout'], resultPath: '$.error' });
  transform.addCatch(readReason, { resultPath: '$.error' });

  const consolidate = invoke(settings, 'Consolidate', {
    action: 'consolidate',
    manifestUri: sfn.JsonPath.stringAt('$.prepared.manifestUri'),
    predictionsUri: sfn.JsonPath.stringAt('$.prepared.predictionsUri'),
    output: sfn.JsonPath.stringAt('$.request.output'),
    runId: sfn.JsonPath.stringAt('$.run.runId'),
    topK: sfn.JsonPath.numberAt('$.request.topK'),
    skipped: sfn.JsonPath.objectAt('$.prepared.skipped'),
    binaryMode: settings.binaryMode,
  }, '$.summary');
  consolidate.addCatch(functionFailure(scope, 'Consolidate', new sfn.Fail(scope, 'ConsolidateFailed', { error: 'ConsolidateFailed', causePath: '$.problem' }),
    "'Reading the answers and writing the results failed: {}'"), { resultPath: '$.error' });
  const result = new sfn.Pass(scope, 'Result', {
    parameters: {
      'runId.$': '$.run.runId',
      'transformJobName.$': '$.run.jobName',
      'modelName.$': '$.model.name',
      'input.$': '$.request.input',
      'output.$': '$.request.output',
      'summary.$': '$.summary',
    },
  });
  prepare.next(transform);
  transform.next(consolidate).next(result).next(new sfn.Succeed(scope, 'Classified'));
  return check;
}

/** The batch function with `payload`, its result at `resultPath`, retried on Lambda's transient errors. */
function invoke(settings: BatchRunSettings, id: string, payload: Record<string, unknown>, resultPath: string): tasks.LambdaInvoke {
  const call = new tasks.LambdaInvoke(settings.scope, id, {
    lambdaFunction: settings.function,
    payload: sfn.TaskInput.fromObject(payload),
    payloadResponseOnly: true,
    resultPath,
    retryOnServiceExceptions: false,
    taskTimeout: sfn.Timeout.duration(Duration.minutes(15)),
  });
  retryTransient(call, RETRYABLE_ERRORS.lambda, Duration.seconds(2));
  return call;
}

/**
 * Ends in `fail` with `$.problem` set to `format` (a States.Format string literal with one `{}`) filled with the
 * function's error message: the `errorMessage` of the JSON cause Lambda reports, or the whole cause otherwise.
 */
function functionFailure(scope: Construct, id: string, fail: sfn.Fail, format: string): sfn.IChainable {
  const message = (source: string) => ({ 'problem.$': `States.Format(${format}, ${source})` });
  const raw = new sfn.Pass(scope, `Describe${id}Error`, { parameters: message('$.error.Cause') }).next(fail);
  return new sfn.Choice(scope, `Is${id}ErrorJson`)
    .when(sfn.Condition.stringMatches('$.error.Cause', '{*}'), new sfn.Pass(scope, `Read${id}Error`, {
      parameters: { 'cause.$': 'States.StringToJson($.error.Cause)' },
      resultPath: '$.failure',
    }).next(new sfn.Choice(scope, `Has${id}ErrorMessage`)
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.failure.cause.errorMessage'), sfn.Condition.isString('$.failure.cause.errorMessage')),
        new sfn.Pass(scope, `Describe${id}ErrorMessage`, { parameters: message('$.failure.cause.errorMessage') }).next(fail))
      .otherwise(raw)))
    .otherwise(raw);
}

/**
 * `text` as the inside of a string literal of an intrinsic function (`'…'`): `'`, `{`, `}` and `\\` escaped with a
 * backslash, except inside CDK tokens (a bucket name), which must stay intact to be resolved.
 */
function escapeIntrinsicText(text: string): string {
  return text.split(/(\$\{Token\[[^\]]*\]\})/).map((part, index) => (index % 2 === 1 ? part : part.replace(/[\\'{}]/g, (c) => `\\${c}`))).join('');
}
