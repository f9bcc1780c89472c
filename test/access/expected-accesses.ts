/**
 * The requests a deployment of a synthesized template makes at run time, derived from what the system does rather
 * than from its policies:
 * - every Task of every state machine, from its Resource and resolved Parameters (with the run's names computed by
 *   the pipeline's own prepare-run code, as the PrepareRun step does);
 * - SageMaker acting as the training role on the rendered training request (each S3Prefix channel listed with its
 *   prefix and read, the output path, checkpoints, the image pull, logs, metrics, the VPC and volume key) and as the
 *   model role on each CreateModel request;
 * - every Lambda function: its logs, VPC interfaces, and the SDK calls of its handler (this package's handlers: the
 *   commands their modules construct, see handler-sdk-calls.ts; aws-cdk-lib's handlers: the calls their documented
 *   behaviour makes, from the custom resource's properties);
 * - EventBridge Scheduler targets, CloudWatch Logs using a log group key, S3 and SNS using KMS on a caller's behalf.
 */
import { championParameterName } from '../../lambda/shared/cleanup-contract';
import { sdkCallsOf } from './handler-sdk-calls';
import { Access } from './policies';
import { ResolvedTemplate } from './template-resolver';
import { parseCheckRequest } from '../../lambda/shared/algorithm-check-contract';
import { prepareRun } from '../../lambda/shared/prepare-run';
import { resourceNamePrefix } from '../../lambda/shared/sagemaker-names';

/** This package's handlers, by the construct path of their function (relative to the classifier). */
export const PACKAGE_HANDLERS: ReadonlyArray<{ readonly pathSuffix: string; readonly entry: string }> = [
  { pathSuffix: '/Retraining/StepFunction/Resource', entry: 'pipeline/index' },
  { pathSuffix: '/Retraining/NewDataTrigger/Resource', entry: 'pipeline/new-data-trigger' },
  { pathSuffix: '/Retraining/EvaluationFunction/Resource', entry: 'evaluation/index' },
  { pathSuffix: '/Inference/Function/Resource', entry: 'inference/index' },
  // The stack's one cleanup handler serves every classifier's cleanup resource.
  { pathSuffix: '/ImageClassifierEndpointCleanupProvider/OnEventFunction/Resource', entry: 'cleanup/index' },
  { pathSuffix: '/ImageClassifierEndpointCleanupProvider/IsCompleteFunction/Resource', entry: 'cleanup/index' },
  { pathSuffix: '/ImageClassifierAlgorithmCheckProvider/Function/Resource', entry: 'algorithm-check/index' },
  { pathSuffix: '/Batch/Function/Resource', entry: 'batch/index' },
  { pathSuffix: '/Batch/NewImagesTrigger/Resource', entry: 'pipeline/new-data-trigger' },
];

const JUMPSTART_BUCKET = /^jumpstart-cache-prod-[a-z0-9-]+$/;
const SAMPLE_EPOCH = 1767225600;

export interface AccessContext {
  readonly resolved: ResolvedTemplate;
  /** Construct path by logical id. */
  readonly paths: ReadonlyMap<string, string>;
}

/** Everything the deployment does at run time. */
export function expectedAccesses(context: AccessContext): Access[] {
  const derive = new AccessDerivation(context);
  return derive.all();
}

class AccessDerivation {
  private readonly accesses: Access[] = [];
  /** KmsKeyId of each endpoint config the state machines create, by name. */
  private readonly endpointConfigKeys = new Map<string, string>();
  /** The execution roles (and images) of the models the state machine being derived creates. */
  private transformModelRoles: Array<{ roleArn: string; image: string }> = [];
  /** Whether the state machine being derived is the retraining pipeline, whose transform jobs read the dataset. */
  private evaluatesTestSets = false;
  private readonly resolved: ResolvedTemplate;
  private readonly account: string;
  private readonly region: string;
  private readonly partition: string;
  /** The input folder of the batch run whose tasks are being derived. */
  private batchInput = '';

  constructor(private readonly context: AccessContext) {
    this.resolved = context.resolved;
    ({ account: this.account, region: this.region, partition: this.partition } = context.resolved.deployment);
  }

  public all(): Access[] {
    for (const [id] of this.resolved.resourcesOfType('AWS::StepFunctions::StateMachine')) this.stateMachine(id);
    for (const [id] of this.resolved.resourcesOfType('AWS::Lambda::Function')) this.lambdaFunction(id);
    for (const [id] of this.resolved.resourcesOfType('AWS::Scheduler::Schedule')) this.schedule(id);
    for (const [id] of this.resolved.resourcesOfType('AWS::Logs::LogGroup')) this.logGroupKey(id);
    for (const [id] of this.resolved.resourcesOfType('AWS::EC2::FlowLog')) this.flowLog(id);
    for (const [id] of this.resolved.resourcesOfType('AWS::S3::Bucket')) this.serverAccessLogs(id);
    for (const [id] of this.resolved.resourcesOfType('AWS::SageMaker::Model')) {
      const model = this.resolved.properties(id);
      this.modelRole(model, `model ${id}`);
    }
    return this.accesses;
  }

  private add(access: Access): void {
    this.accesses.push(access);
  }

  // ---------------------------------------------------------------- state machines

  private stateMachine(id: string): void {
    const properties = this.resolved.properties(id);
    const role: string = properties.RoleArn;
    const arn = this.resolved.ref(id);
    const definition = JSON.parse(properties.DefinitionString);
    // The role a transform job runs with is its model's: the models this state machine creates, or else those the
    // template's other state machines create (a batch run of the champion).
    const modelRoles = (states: Record<string, any>) => allStates(states)
      .filter(([, state]) => String(state.Resource).endsWith(':sagemaker:createModel'))
      .map(([, state]) => ({ roleArn: state.Parameters.ExecutionRoleArn as string, image: state.Parameters.PrimaryContainer?.Image as string }));
    const own = modelRoles(definition.States);
    this.transformModelRoles = own.length > 0 ? own : this.resolved.resourcesOfType('AWS::StepFunctions::StateMachine')
      .flatMap(([other]) => modelRoles(JSON.parse(this.resolved.properties(other).DefinitionString).States));
    this.evaluatesTestSets = allStates(definition.States).some(([, state]) => state.Parameters?.action === 'selectTestSet');
    // Every Task once per training attempt (instance type), as a run that falls back through all of them.
    for (const run of this.runStates(definition, arn)) {
      this.batchInput = (run.request as { input?: string } | undefined)?.input ?? '';
      for (const [name, state] of allStates(definition.States)) {
        if (state.Type !== 'Task') continue;
        const parameters = substitute(state.Parameters ?? {}, run, arn);
        this.task(role, `${id} ${name}`, state.Resource, parameters);
      }
    }
    if (properties.LoggingConfiguration?.Destinations?.length) {
      // Step Functions sets up the log delivery with the execution role (CloudWatch Logs vended logs API).
      for (const action of ['CreateLogDelivery', 'GetLogDelivery', 'UpdateLogDelivery', 'DeleteLogDelivery', 'ListLogDeliveries',
        'PutResourcePolicy', 'DescribeResourcePolicies', 'DescribeLogGroups']) {
        this.add({ principal: role, action: `logs:${action}`, resource: '*', why: `${id} execution logs` });
      }
    }
    if (properties.TracingConfiguration?.Enabled) {
      for (const action of ['PutTraceSegments', 'PutTelemetryRecords', 'GetSamplingRules', 'GetSamplingTargets']) {
        this.add({ principal: role, action: `xray:${action}`, resource: '*', why: `${id} X-Ray tracing` });
      }
    }
  }

  /**
   * The state of a retraining run as the Task states see it: the pipeline's own prepareRun names the run from the
   * PrepareRun step's configuration; the training result is what createTrainingJob.sync returns.
   */
  private runStates(definition: any, stateMachineArn: string): Array<Record<string, unknown>> {
    // The retraining pipeline's PrepareRun (BatchClassification's own prepare step has no pipeline configuration).
    const prepare = allStates(definition.States).find(([, state]) => state.Parameters?.action === 'prepare' && state.Parameters.config !== undefined);
    if (!prepare) return batchRunStates(definition, this.account) ?? [{}];
    const execution = { id: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:run-1`, name: 'run-1', startTime: '2026-11-30T03:00:00.000Z' };
    const prepared = prepareRun(execution, {}, prepare[1].Parameters.config);
    const older = prepareRun({ ...execution, id: `${execution.id}-older`, startTime: '2026-11-23T03:00:00.000Z' }, {}, prepare[1].Parameters.config);
    const train = allStates(definition.States).find(([, state]) => String(state.Resource).endsWith(':sagemaker:createTrainingJob.sync'));
    const outputPath: string = train?.[1].Parameters?.OutputDataConfig?.S3OutputPath ?? '';
    const evaluation = prepare[1].Parameters.config.evaluation as { datasetUri: string } | undefined;
    const runFolder = prepared.evaluation?.folderUri;
    // The test set of the run: a hold-out (the training channel reads its manifest), or the test/ folder.
    const testSets = evaluation ? [
      { source: 'hold-out', testManifestUri: `${runFolder}test.manifest`, trainingManifestUri: `${runFolder}training.manifest` },
      { source: 'test-folder', testManifestUri: `${runFolder}test.manifest`, trainingManifestUri: null },
    ] : [undefined];
    const trainingFolder = `${evaluation?.datasetUri}training/`;
    return prepared.attempts.flatMap((attempt) => testSets.map((testSet) => ({
      run: prepared,
      current: { attempt },
      training: {
        TrainingJobName: attempt.trainingJobName,
        ModelArtifacts: { S3ModelArtifacts: `${outputPath}${attempt.trainingJobName}/output/model.tar.gz` },
        FinalMetricDataList: [],
      },
      ...(testSet ? {
        testSet: { ...testSet, version: '0'.repeat(64), imageCount: 40 },
        trainingData: testSet.trainingManifestUri ? { type: 'ManifestFile', uri: testSet.trainingManifestUri } : { type: 'S3Prefix', uri: trainingFolder },
        // The champion the evaluation scores: an older run's model.
        plan: { scoreChampion: true, championModelName: older.names.model, recorded: null },
      } : {}),
      // The superseded versions the cleanup loop deletes: an older run's model and config.
      name: older.names.model,
    })));
  }

  private task(role: string, why: string, resource: string, p: Record<string, any>): void {
    const integration = resource.match(/^arn:[^:]+:states:::(.+)$/)?.[1];
    if (!integration) {
      // A function ARN as Resource: Step Functions invokes it directly.
      this.add({ principal: role, action: 'lambda:InvokeFunction', resource, why });
      return;
    }
    const [service, rest] = [integration.split(':')[0], integration.split(':').slice(1).join(':')];
    if (service === 'aws-sdk') {
      const [sdkService, operation] = rest.split(':');
      this.sdkTask(role, why, sdkService, operation, p);
      return;
    }
    const operation = rest.replace(/\.(sync|waitForTaskToken)(:2)?$/, '');
    const sync = /\.sync/.test(rest);
    if (service === 'lambda' && operation === 'invoke') {
      this.add({ principal: role, action: 'lambda:InvokeFunction', resource: p.FunctionName, why });
    } else if (service === 'sns' && operation === 'publish') {
      this.publish(role, why, p.TopicArn);
    } else if (service === 'sagemaker') {
      this.sageMakerTask(role, why, operation, sync, p);
    } else if (service === 'states' && operation === 'startExecution') {
      this.add({ principal: role, action: 'states:StartExecution', resource: p.StateMachineArn, why });
    } else {
      throw new Error(`${why}: integration ${integration} is not known to the access proof; add what it calls`);
    }
  }

  private sdkTask(role: string, why: string, sdkService: string, operation: string, p: Record<string, any>): void {
    const action = `${iamPrefix(sdkService)}:${operation[0].toUpperCase()}${operation.slice(1)}`;
    this.add({ principal: role, action, resource: this.sdkResource(action, p, why), why, context: sdkContext(action, p) });
    if (action === 'application-autoscaling:RegisterScalableTarget') {
      // The first registration of a SageMaker variant creates Application Auto Scaling's service-linked role.
      this.add({
        principal: role,
        action: 'iam:CreateServiceLinkedRole',
        resource: `arn:${this.partition}:iam::${this.account}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`,
        context: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' },
        why: `${why} (service-linked role)`,
      });
    }
    if (action === 'application-autoscaling:PutScalingPolicy' && p.PolicyType === 'TargetTrackingScaling') {
      // Target tracking creates and deletes its CloudWatch alarms with the caller's permissions.
      const alarm = `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:TargetTracking-${p.ResourceId}-AlarmHigh-0a1b2c3d`;
      for (const alarmAction of ['PutMetricAlarm', 'DescribeAlarms', 'DeleteAlarms']) {
        this.add({ principal: role, action: `cloudwatch:${alarmAction}`, resource: alarm, why: `${why} (target tracking alarms)` });
      }
    }
  }

  private sdkResource(action: string, p: Record<string, any>, why: string): string {
    const { partition, region, account } = this;
    const sagemaker = (type: string, name: string) => `arn:${partition}:sagemaker:${region}:${account}:${type}/${String(name).toLowerCase()}`;
    switch (action) {
      case 'states:ListExecutions': return p.StateMachineArn;
      case 'states:StartExecution': return p.StateMachineArn;
      case 'ssm:GetParameter':
      case 'ssm:PutParameter': return `arn:${partition}:ssm:${region}:${account}:parameter/${String(p.Name).replace(/^\//, '')}`;
      case 'sagemaker:DescribeEndpoint':
      case 'sagemaker:DeleteEndpoint': return sagemaker('endpoint', p.EndpointName);
      case 'sagemaker:DeleteEndpointConfig': return sagemaker('endpoint-config', p.EndpointConfigName);
      case 'sagemaker:DeleteModel': return sagemaker('model', p.ModelName);
      case 'sagemaker:DescribeTrainingJob':
      case 'sagemaker:StopTrainingJob': return sagemaker('training-job', p.TrainingJobName);
      case 'sagemaker:StopTransformJob': return sagemaker('transform-job', p.TransformJobName);
      case 'sagemaker:ListEndpointConfigs':
      case 'sagemaker:ListModels': return '*';
      case 'application-autoscaling:RegisterScalableTarget':
      case 'application-autoscaling:DeregisterScalableTarget':
      case 'application-autoscaling:PutScalingPolicy':
        // Scalable targets' ARNs carry an id Application Auto Scaling makes up at registration.
        return `arn:${partition}:application-autoscaling:${region}:${account}:scalable-target/0123456789abcdef0123456789abcdef`;
      case 'application-autoscaling:DescribeScalableTargets': return '*';
      default: throw new Error(`${why}: ${action} has no resource rule in the access proof; add one`);
    }
  }

  private sageMakerTask(role: string, why: string, operation: string, sync: boolean, p: Record<string, any>): void {
    const { partition, region, account } = this;
    const arn = (type: string, name: string) => `arn:${partition}:sagemaker:${region}:${account}:${type}/${String(name).toLowerCase()}`;
    const passRole = (roleArn: string) => this.add({
      principal: role, action: 'iam:PassRole', resource: roleArn, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' }, why: `${why} (pass role)`,
    });
    const tags = (resource: string) => {
      if (p.Tags?.length) this.add({ principal: role, action: 'sagemaker:AddTags', resource, why: `${why} (tags on create)` });
    };
    switch (operation) {
      case 'createTrainingJob': {
        const job = arn('training-job', p.TrainingJobName);
        this.add({ principal: role, action: 'sagemaker:CreateTrainingJob', resource: job, why });
        tags(job);
        passRole(p.RoleArn);
        if (sync) {
          // .sync polls the job, stops it when the execution is stopped, and listens to its events through a
          // managed EventBridge rule.
          for (const action of ['DescribeTrainingJob', 'StopTrainingJob']) this.add({ principal: role, action: `sagemaker:${action}`, resource: job, why: `${why} (.sync)` });
          const rule = `arn:${partition}:events:${region}:${account}:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule`;
          for (const action of ['PutTargets', 'PutRule', 'DescribeRule']) this.add({ principal: role, action: `events:${action}`, resource: rule, why: `${why} (.sync)` });
        }
        this.trainingRole(p, `training job as ${String(p.RoleArn).split('/').pop()}`);
        return;
      }
      case 'createModel': {
        const model = arn('model', p.ModelName);
        this.add({ principal: role, action: 'sagemaker:CreateModel', resource: model, why });
        tags(model);
        passRole(p.ExecutionRoleArn);
        this.modelRole(p, `model as ${String(p.ExecutionRoleArn).split('/').pop()}`);
        return;
      }
      case 'createEndpointConfig': {
        const config = arn('endpoint-config', p.EndpointConfigName);
        this.add({ principal: role, action: 'sagemaker:CreateEndpointConfig', resource: config, why });
        tags(config);
        if (p.KmsKeyId) this.endpointConfigKeys.set(String(p.EndpointConfigName), p.KmsKeyId);
        return;
      }
      case 'createEndpoint':
      case 'updateEndpoint': {
        const action = operation === 'createEndpoint' ? 'sagemaker:CreateEndpoint' : 'sagemaker:UpdateEndpoint';
        const endpoint = arn('endpoint', p.EndpointName);
        this.add({ principal: role, action, resource: endpoint, why });
        this.add({ principal: role, action, resource: arn('endpoint-config', p.EndpointConfigName), why });
        if (operation === 'createEndpoint') tags(endpoint);
        // An endpoint config with a key: SageMaker creates grants on it for the instances' volumes, as the caller.
        const key = this.endpointConfigKeys.get(String(p.EndpointConfigName));
        if (key) {
          this.add({ principal: role, action: 'kms:CreateGrant', resource: this.keyArn(key), context: { 'kms:GrantIsForAWSResource': 'true' }, why: `${why} (endpoint key)` });
          this.add({ principal: role, action: 'kms:DescribeKey', resource: this.keyArn(key), why: `${why} (endpoint key)` });
        }
        return;
      }
      case 'createTransformJob': {
        const job = arn('transform-job', p.TransformJobName);
        // The job runs an existing model: no role is passed; the models it may run are a condition of the call.
        this.add({ principal: role, action: 'sagemaker:CreateTransformJob', resource: job, context: { 'sagemaker:ModelArn': arn('model', p.ModelName) }, why });
        tags(job);
        if (sync) {
          for (const action of ['DescribeTransformJob', 'StopTransformJob']) this.add({ principal: role, action: `sagemaker:${action}`, resource: job, why: `${why} (.sync)` });
          const rule = `arn:${partition}:events:${region}:${account}:rule/StepFunctionsGetEventsForSageMakerTransformJobsRule`;
          for (const action of ['PutTargets', 'PutRule', 'DescribeRule']) this.add({ principal: role, action: `events:${action}`, resource: rule, why: `${why} (.sync)` });
        }
        const volumeKey = p.TransformResources?.VolumeKmsKeyId;
        if (volumeKey) {
          // The instances' volumes are encrypted under the caller's identity, as an endpoint's are.
          this.add({ principal: role, action: 'kms:CreateGrant', resource: this.keyArn(volumeKey), context: { 'kms:GrantIsForAWSResource': 'true' }, why: `${why} (volume key)` });
          this.add({ principal: role, action: 'kms:DescribeKey', resource: this.keyArn(volumeKey), why: `${why} (volume key)` });
        }
        // The evaluation's jobs read the test images its manifests list; a batch run's, the images of its input.
        if (this.evaluatesTestSets) this.transformRole(p, why);
        else this.transformAsModelRole(p, `transform job as the role of model ${p.ModelName}`);
        return;
      }
      default: throw new Error(`${why}: sagemaker:${operation} is not known to the access proof; add what it calls`);
    }
  }

  /**
   * What SageMaker does as the model's execution role for one CreateTransformJob request: read the manifest and each
   * image it names, write each answer (`<output path><relative key>.out`, in parts when large), log to
   * /aws/sagemaker/TransformJobs and publish the instances' metrics.
   */
  private transformAsModelRole(request: Record<string, any>, why: string): void {
    const role = this.modelRoleArn(why);
    const manifest = parseS3Uri(request.TransformInput.DataSource.S3DataSource.S3Uri);
    this.s3(role, 's3:GetObject', manifest.bucket, manifest.key, `${why}, manifest`);
    this.bucketKey(role, ['kms:Decrypt'], manifest.bucket, manifest.key, `${why}, manifest`);
    for (const [input, relative] of batchImages(this.batchInput)) {
      const image = parseS3Uri(`${input}${relative}`);
      this.s3(role, 's3:GetObject', image.bucket, image.key, `${why}, image`);
      this.bucketKey(role, ['kms:Decrypt'], image.bucket, image.key, `${why}, image`);
      const answer = parseS3Uri(`${request.TransformOutput.S3OutputPath}${relative}.out`);
      for (const action of ['s3:PutObject', 's3:AbortMultipartUpload']) this.s3(role, action, answer.bucket, answer.key, `${why}, answer`);
      this.bucketKey(role, ['kms:GenerateDataKey', 'kms:Decrypt'], answer.bucket, answer.key, `${why}, answer`, request.TransformOutput.KmsKeyId);
    }
    this.logs(role, '/aws/sagemaker/TransformJobs', `${request.TransformJobName}/i-0123456789abcdef0-${SAMPLE_EPOCH}`, why);
    this.add({ principal: role, action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': '/aws/sagemaker/TransformJobs' }, why: `${why}, metrics` });
  }


  /** The execution role of the classifier's models: the retraining pipeline's CreateModel requests, or the fixed model's. */
  private modelRoleArn(why: string): string {
    for (const [id] of this.resolved.resourcesOfType('AWS::SageMaker::Model')) return this.resolved.properties(id).ExecutionRoleArn;
    for (const [id] of this.resolved.resourcesOfType('AWS::StepFunctions::StateMachine')) {
      const definition = JSON.parse(this.resolved.properties(id).DefinitionString);
      const create = allStates(definition.States).find(([, state]) => String(state.Resource).endsWith(':sagemaker:createModel'));
      if (create) return create[1].Parameters.ExecutionRoleArn;
    }
    throw new Error(`${why}: no model of the template says which role it runs with`);
  }

  private publish(role: string, why: string, topicArn: string): void {
    this.add({ principal: role, action: 'sns:Publish', resource: topicArn, why });
    const topic = this.resolved.resourcesOfType('AWS::SNS::Topic').find(([id]) => this.resolved.ref(id) === topicArn);
    const key = topic && this.resolved.properties(topic[0]).KmsMasterKeyId;
    if (key) {
      // SNS asks KMS for a data key for each message, on the publisher's behalf.
      const context = { 'kms:ViaService': `sns.${this.region}.amazonaws.com`, 'kms:EncryptionContext:aws:sns:topicArn': topicArn };
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) this.add({ principal: role, action, resource: this.keyArn(key), context, why: `${why} (encrypted topic)` });
    }
  }

  // ---------------------------------------------------------------- SageMaker as the execution roles

  /** What SageMaker does as the training role for one CreateTrainingJob request. */
  private trainingRole(request: Record<string, any>, why: string): void {
    const role: string = request.RoleArn;
    const job = String(request.TrainingJobName);
    for (const channel of request.InputDataConfig ?? []) {
      const source = channel.DataSource?.S3DataSource;
      if (!source) continue;
      const { bucket, key } = parseS3Uri(source.S3Uri);
      const channelWhy = `${why}, channel ${channel.ChannelName}`;
      if (source.S3DataType === 'S3Prefix') {
        // SageMaker lists the prefix, then downloads every object under it.
        this.s3(role, 's3:ListBucket', bucket, undefined, channelWhy, { 's3:prefix': key });
      }
      if (source.S3DataType === 'ManifestFile') {
        // SageMaker reads the manifest, then each object it lists: the training images of the dataset.
        const training = this.evaluationConfig();
        if (!training) throw new Error(`${channelWhy}: a ManifestFile channel outside the retraining pipeline's evaluation`);
        const image = parseS3Uri(`${training.datasetUri}training/roses/0001.jpg`);
        this.s3(role, 's3:GetObject', image.bucket, image.key, `${channelWhy} (listed image)`);
        this.bucketKey(role, ['kms:Decrypt'], image.bucket, image.key, `${channelWhy} (listed image)`);
      }
      const object = key.endsWith('/') ? `${key}roses/0001.jpg` : key;
      this.s3(role, 's3:GetObject', bucket, object, channelWhy);
      this.bucketKey(role, ['kms:Decrypt'], bucket, object, channelWhy);
    }
    const output = parseS3Uri(request.OutputDataConfig.S3OutputPath);
    const modelKey = `${output.key}${job}/output/model.tar.gz`;
    this.s3(role, 's3:ListBucket', output.bucket, undefined, `${why}, output path`, { 's3:prefix': output.key });
    for (const action of ['s3:PutObject', 's3:AbortMultipartUpload']) this.s3(role, action, output.bucket, modelKey, `${why}, model output`);
    this.bucketKey(role, ['kms:GenerateDataKey', 'kms:Decrypt'], output.bucket, modelKey, `${why}, model output`, request.OutputDataConfig.KmsKeyId);
    if (request.CheckpointConfig?.S3Uri) {
      const checkpoints = parseS3Uri(request.CheckpointConfig.S3Uri);
      const file = `${checkpoints.key}checkpoint-3.h5`;
      this.s3(role, 's3:ListBucket', checkpoints.bucket, undefined, `${why}, checkpoints`, { 's3:prefix': checkpoints.key });
      for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) this.s3(role, action, checkpoints.bucket, file, `${why}, checkpoints`);
      this.bucketKey(role, ['kms:GenerateDataKey', 'kms:Decrypt'], checkpoints.bucket, file, `${why}, checkpoints`);
    }
    this.imagePull(role, request.AlgorithmSpecification.TrainingImage, why);
    this.logs(role, '/aws/sagemaker/TrainingJobs', `${job}/algo-1-${SAMPLE_EPOCH}`, why);
    this.add({ principal: role, action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' }, why: `${why}, metrics` });
    const volumeKey = request.ResourceConfig?.VolumeKmsKeyId;
    if (volumeKey) {
      // The encrypted training volume is attached under the execution role: EBS asks for a grant on the key.
      this.add({ principal: role, action: 'kms:CreateGrant', resource: this.keyArn(volumeKey), context: { 'kms:GrantIsForAWSResource': 'true' }, why: `${why}, volume` });
    }
    if (request.VpcConfig) this.vpcInterfaces(role, request.VpcConfig.Subnets, request.VpcConfig.SecurityGroupIds, `${why}, VPC`);
  }

  /**
   * What SageMaker does as the model's role for one CreateTransformJob request: reads the manifest and each image it
   * lists (under the dataset), writes one answer per image under the output path, logs and publishes metrics.
   */
  private transformRole(request: Record<string, any>, why: string): void {
    if (this.transformModelRoles.length === 0) throw new Error(`${why}: no CreateModel task tells which role the transform job runs with`);
    const manifest = parseS3Uri(request.TransformInput.DataSource.S3DataSource.S3Uri);
    const output = parseS3Uri(request.TransformOutput.S3OutputPath);
    const evaluation = this.evaluationConfig();
    for (const { roleArn, image } of this.transformModelRoles) {
      const as = `${why}, as ${roleArn.split('/').pop()}`;
      this.s3(roleArn, 's3:GetObject', manifest.bucket, manifest.key, `${as}, manifest`);
      this.bucketKey(roleArn, ['kms:Decrypt'], manifest.bucket, manifest.key, `${as}, manifest`);
      // The evaluation's manifests list test images: the test/ folder's, or a hold-out of training/.
      for (const folder of evaluation && this.evaluatesTestSets ? ['test/', 'training/'] : []) {
        const listed = parseS3Uri(`${evaluation!.datasetUri}${folder}roses/0001.jpg`);
        this.s3(roleArn, 's3:GetObject', listed.bucket, listed.key, `${as}, listed image`);
        this.bucketKey(roleArn, ['kms:Decrypt'], listed.bucket, listed.key, `${as}, listed image`);
      }
      const answer = `${output.key}roses/0001.jpg.out`;
      this.s3(roleArn, 's3:PutObject', output.bucket, answer, `${as}, answer`);
      this.bucketKey(roleArn, ['kms:GenerateDataKey'], output.bucket, answer, `${as}, answer`, request.TransformOutput.KmsKeyId);
      this.imagePull(roleArn, image, as);
      this.logs(roleArn, '/aws/sagemaker/TransformJobs', `${String(request.TransformJobName)}/i-0123456789abcdef0-${SAMPLE_EPOCH}`, as);
      this.add({ principal: roleArn, action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': '/aws/sagemaker/TransformJobs' }, why: `${as}, metrics` });
    }
  }

  /** The retraining pipeline's evaluation configuration (PrepareRun's), if the template has a pipeline. */
  private evaluationConfig(): { datasetUri: string; outputUri: string } | undefined {
    for (const [id] of this.resolved.resourcesOfType('AWS::StepFunctions::StateMachine')) {
      const definition = JSON.parse(this.resolved.properties(id).DefinitionString);
      const prepare = allStates(definition.States).find(([, state]) => state.Parameters?.action === 'prepare' && state.Parameters.config);
      if (prepare?.[1].Parameters.config.evaluation) return prepare[1].Parameters.config.evaluation;
    }
    return undefined;
  }

  /**
   * The evaluation function's S3 calls (lambda/evaluation): it lists the dataset's training/ and test/ folders, writes
   * the manifests and the reports under the run's folder, and reads the test manifest and each image's answer there
   * (a missing answer must be a 404, not a 403: it may list the folder).
   */
  private evaluationCall(role: string, why: string, key: string): void {
    const config = this.evaluationConfig();
    if (!config) throw new Error(`${why}: no retraining pipeline configures the evaluation function`);
    const dataset = parseS3Uri(config.datasetUri);
    const runFolder = parseS3Uri(`${config.outputUri}20261130-030000-0a1b2c3d/`);
    const inRun = (name: string) => `${runFolder.key}${name}`;
    switch (key) {
      case 's3:ListObjectsV2':
        for (const folder of ['training/', 'test/']) this.s3(role, 's3:ListBucket', dataset.bucket, undefined, why, { 's3:prefix': `${dataset.key}${folder}` });
        return;
      case 's3:GetObject':
        for (const object of [inRun('test.manifest'), inRun('predictions/challenger/roses/0001.jpg.out')]) {
          this.s3(role, 's3:GetObject', runFolder.bucket, object, why);
          this.s3(role, 's3:ListBucket', runFolder.bucket, undefined, `${why} (a missing answer is a 404, not a 403)`, { 's3:prefix': object });
          this.bucketKey(role, ['kms:Decrypt'], runFolder.bucket, object, why);
        }
        return;
      case 's3:PutObject':
        for (const object of [inRun('test.manifest'), inRun('training.manifest'), inRun('reports/challenger-model.html')]) {
          this.s3(role, 's3:PutObject', runFolder.bucket, object, why);
          this.bucketKey(role, ['kms:GenerateDataKey'], runFolder.bucket, object, why);
        }
        return;
      default:
        throw new Error(`${why}: the evaluation function calls ${key}, which the access proof does not know; add the access it makes`);
    }
  }

  /** What SageMaker does as the model role for one CreateModel request (or AWS::SageMaker::Model). */
  private modelRole(request: Record<string, any>, why: string): void {
    const role: string = request.ExecutionRoleArn;
    for (const container of [request.PrimaryContainer, ...(request.Containers ?? [])].filter(Boolean)) {
      this.imagePull(role, container.Image, why);
      if (container.ModelDataUrl) {
        const { bucket, key } = parseS3Uri(container.ModelDataUrl);
        this.s3(role, 's3:GetObject', bucket, key, `${why}, model data`);
        this.bucketKey(role, ['kms:Decrypt'], bucket, key, `${why}, model data`);
      }
    }
    const endpointName = this.endpointNames()[0];
    this.logs(role, `/aws/sagemaker/Endpoints/${endpointName}`, `AllTraffic/i-0123456789abcdef0`, why);
    this.add({ principal: role, action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': '/aws/sagemaker/Endpoints' }, why: `${why}, metrics` });
    if (request.VpcConfig) this.vpcInterfaces(role, request.VpcConfig.Subnets, request.VpcConfig.SecurityGroupIds, `${why}, VPC`);
  }

  private endpointNames(): string[] {
    const names = new Set<string>();
    for (const [id] of this.resolved.resourcesOfType('AWS::Lambda::Function')) {
      const name = this.resolved.properties(id).Environment?.Variables?.ENDPOINT_NAME;
      if (name) names.add(name);
    }
    return [...names];
  }

  private imagePull(role: string, image: string, why: string): void {
    const match = image.match(/^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[^/]+\/([^:@]+)/);
    if (!match) throw new Error(`${why}: image ${image} is not an ECR image URI`);
    const [, imageAccount, imageRegion, repository] = match;
    const repositoryArn = `arn:${this.partition}:ecr:${imageRegion}:${imageAccount}:repository/${repository}`;
    this.add({ principal: role, action: 'ecr:GetAuthorizationToken', resource: '*', why: `${why}, image pull` });
    for (const action of ['BatchGetImage', 'GetDownloadUrlForLayer', 'BatchCheckLayerAvailability']) {
      this.add({ principal: role, action: `ecr:${action}`, resource: repositoryArn, why: `${why}, image pull`, awsOwned: imageAccount !== this.account });
    }
  }

  private logs(role: string, group: string, stream: string, why: string): void {
    const groupArn = `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:${group}`;
    for (const action of ['CreateLogGroup', 'DescribeLogStreams']) this.add({ principal: role, action: `logs:${action}`, resource: groupArn, why: `${why}, logs` });
    for (const action of ['CreateLogStream', 'PutLogEvents']) this.add({ principal: role, action: `logs:${action}`, resource: `${groupArn}:log-stream:${stream}`, why: `${why}, logs` });
  }

  private vpcInterfaces(role: string, subnets: string[], securityGroups: string[], why: string): void {
    const ec2 = (type: string, id: string) => `arn:${this.partition}:ec2:${this.region}:${this.account}:${type}/${id}`;
    for (const subnet of subnets) this.add({ principal: role, action: 'ec2:CreateNetworkInterface', resource: ec2('subnet', subnet), why });
    for (const group of securityGroups) this.add({ principal: role, action: 'ec2:CreateNetworkInterface', resource: ec2('security-group', group), why });
    const eni = ec2('network-interface', 'eni-0123456789abcdef0');
    for (const action of ['CreateNetworkInterface', 'CreateNetworkInterfacePermission', 'DeleteNetworkInterface', 'DeleteNetworkInterfacePermission']) {
      this.add({ principal: role, action: `ec2:${action}`, resource: eni, why });
    }
    for (const action of ['DescribeNetworkInterfaces', 'DescribeVpcs', 'DescribeDhcpOptions', 'DescribeSubnets', 'DescribeSecurityGroups']) {
      this.add({ principal: role, action: `ec2:${action}`, resource: '*', why });
    }
  }

  // ---------------------------------------------------------------- S3 and KMS

  private s3(role: string, action: string, bucket: string, key: string | undefined, why: string, context?: Record<string, string>, anyKey?: boolean): void {
    const resource = key === undefined ? `arn:${this.partition}:s3:::${bucket}` : `arn:${this.partition}:s3:::${bucket}/${key}`;
    this.add({ principal: role, action, resource, why, context, awsOwned: JUMPSTART_BUCKET.test(bucket), anyKey });
  }

  /** KMS calls S3 makes for `role` on an SSE-KMS bucket of the template (or with an explicit request key). */
  private bucketKey(role: string, actions: string[], bucket: string, key: string, why: string, requestKey?: string): void {
    const encryption = this.bucketEncryption(bucket);
    const kmsKey = requestKey ?? encryption?.key;
    if (!kmsKey) return;
    const bucketArn = `arn:${this.partition}:s3:::${bucket}`;
    // With an S3 Bucket Key, S3 asks KMS with the bucket as encryption context; without one, with the object.
    const s3Arn = encryption?.bucketKey ? bucketArn : `${bucketArn}/${key}`;
    const context = { 'kms:ViaService': `s3.${this.region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': s3Arn };
    for (const action of actions) this.add({ principal: role, action, resource: this.keyArn(kmsKey), context, why: `${why} (SSE-KMS)` });
  }

  private bucketEncryption(bucket: string): { key?: string; bucketKey: boolean } | undefined {
    for (const [id] of this.resolved.resourcesOfType('AWS::S3::Bucket')) {
      if (this.resolved.ref(id) !== bucket) continue;
      const rule = this.resolved.properties(id).BucketEncryption?.ServerSideEncryptionConfiguration?.[0];
      const byDefault = rule?.ServerSideEncryptionByDefault;
      return { key: byDefault?.SSEAlgorithm === 'aws:kms' ? byDefault.KMSMasterKeyID : undefined, bucketKey: Boolean(rule?.BucketKeyEnabled) };
    }
    return undefined;
  }

  /** A key's ARN from an id, an ARN or an alias ARN of a key of the template. */
  private keyArn(key: string): string {
    if (key.startsWith('arn:')) return key;
    return `arn:${this.partition}:kms:${this.region}:${this.account}:key/${key}`;
  }

  // ---------------------------------------------------------------- Lambda functions and custom resources

  private lambdaFunction(id: string): void {
    const fn = this.resolved.properties(id);
    const role: string = fn.Role;
    const name = this.resolved.ref(id);
    const why = `function ${id}`;
    const logGroup = fn.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}`;
    const groupArn = `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:${logGroup}`;
    for (const action of ['CreateLogStream', 'PutLogEvents']) {
      this.add({ principal: role, action: `logs:${action}`, resource: `${groupArn}:log-stream:2026/11/30/[$LATEST]0123456789abcdef`, why: `${why}, logs` });
    }
    if (fn.VpcConfig?.SubnetIds?.length) {
      // Lambda creates and removes the function's network interfaces with the execution role.
      for (const action of ['CreateNetworkInterface', 'DescribeNetworkInterfaces', 'DescribeSubnets', 'DeleteNetworkInterface', 'AssignPrivateIpAddresses', 'UnassignPrivateIpAddresses']) {
        this.add({ principal: role, action: `ec2:${action}`, resource: '*', why: `${why}, VPC` });
      }
    }
    if (fn.TracingConfig?.Mode === 'Active') {
      for (const action of ['PutTraceSegments', 'PutTelemetryRecords']) this.add({ principal: role, action: `xray:${action}`, resource: '*', why: `${why}, X-Ray` });
    }
    if (fn.KmsKeyArn) this.add({ principal: role, action: 'kms:Decrypt', resource: fn.KmsKeyArn, why: `${why}, environment` });

    const path = this.context.paths.get(id) ?? '';
    const handler = PACKAGE_HANDLERS.find((h) => path.endsWith(h.pathSuffix));
    const env: Record<string, string> = fn.Environment?.Variables ?? {};
    if (handler) {
      for (const call of sdkCallsOf(handler.entry)) this.packageHandlerCall(role, id, handler.entry, call.client, call.operation, env);
    } else if (env.USER_ON_EVENT_FUNCTION_ARN) {
      // aws-cdk-lib's custom resource provider framework: invokes the user functions (waiting for them to be
      // active with GetFunction) and starts the waiter state machine.
      for (const variable of ['USER_ON_EVENT_FUNCTION_ARN', 'USER_IS_COMPLETE_FUNCTION_ARN']) {
        if (!env[variable]) continue;
        this.add({ principal: role, action: 'lambda:InvokeFunction', resource: env[variable], why: `${why} (provider framework)` });
        this.add({ principal: role, action: 'lambda:GetFunction', resource: env[variable], why: `${why} (provider framework)` });
      }
      if (env.WAITER_STATE_MACHINE_ARN) this.add({ principal: role, action: 'states:StartExecution', resource: env.WAITER_STATE_MACHINE_ARN, why: `${why} (provider framework)` });
    } else {
      this.cdkHandler(id, role, why);
    }
  }

  /** The custom resources served by one of aws-cdk-lib's own handler functions, and what it does for each. */
  private cdkHandler(functionId: string, role: string, why: string): void {
    const served = [...this.resolved.resourcesOfType('Custom::AWS'), ...this.resolved.resourcesOfType('Custom::CDKBucketDeployment'),
      ...this.resolved.resourcesOfType('Custom::S3BucketNotifications')]
      .filter(([id]) => JSON.stringify(this.resolved.template.Resources[id].Properties?.ServiceToken ?? '').includes(`"${functionId}"`));
    if (served.length === 0) throw new Error(`${why}: a function the access proof does not know (not this package's, not aws-cdk-lib's); add its calls`);
    for (const [id, resource] of served) {
      const p = this.resolved.properties(id);
      if (resource.Type === 'Custom::AWS') {
        for (const phase of ['Create', 'Update', 'Delete']) {
          if (!p[phase]) continue;
          const call = JSON.parse(p[phase]);
          const prefix = ({ SFN: 'states' } as Record<string, string>)[call.service] ?? call.service.toLowerCase();
          const action = `${prefix}:${call.action[0].toUpperCase()}${call.action.slice(1)}`;
          this.add({ principal: role, action, resource: this.sdkResource(action, capitalize(call.parameters), why), why: `${why} (${id} ${phase})` });
        }
      } else if (resource.Type === 'Custom::CDKBucketDeployment') {
        // BucketDeployment copies the asset zips into the destination prefix (aws s3 sync), deleting extra
        // objects only with prune.
        p.SourceBucketNames.forEach((bucket: string, index: number) => this.s3(role, 's3:GetObject', bucket, p.SourceObjectKeys[index], `${why} (${id} source)`));
        const bucket: string = p.DestinationBucketName;
        const prefix: string = p.DestinationBucketKeyPrefix ?? '';
        const object = `${prefix}roses/0001.jpg`;
        this.s3(role, 's3:ListBucket', bucket, undefined, `${why} (${id} destination)`, { 's3:prefix': prefix });
        this.s3(role, 's3:PutObject', bucket, object, `${why} (${id} destination)`);
        if (String(p.Prune) === 'true') this.s3(role, 's3:DeleteObject', bucket, object, `${why} (${id} prune)`);
        this.bucketKey(role, ['kms:GenerateDataKey', 'kms:Decrypt'], bucket, object, `${why} (${id} destination)`);
      } else {
        // The bucket notifications handler replaces the configuration of a bucket the stack manages; of another
        // bucket, it reads the configuration first to keep what others put there.
        const bucketArn = `arn:${this.partition}:s3:::${p.BucketName}`;
        const actions = String(p.Managed) === 'true' ? ['s3:PutBucketNotification'] : ['s3:GetBucketNotification', 's3:PutBucketNotification'];
        for (const action of actions) this.add({ principal: role, action, resource: bucketArn, why: `${why} (${id})` });
      }
    }
  }

  /** One SDK operation of this package's handler, with the resource its configuration points it at. */
  private packageHandlerCall(role: string, functionId: string, entry: string, client: string, operation: string, env: Record<string, string>): void {
    const why = `function ${functionId} (${entry}) ${operation}`;
    const { partition, region, account } = this;
    const sagemaker = (type: string, name: string) => `arn:${partition}:sagemaker:${region}:${account}:${type}/${name.toLowerCase()}`;
    // Every cleanup resource of the stack: the one handler cleans up after each of them.
    const cleanupTargets = () => {
      const targets = this.resolved.resourcesOfType('Custom::SageMakerEndpointCleanup').map(([id]) => this.resolved.properties(id));
      if (targets.length === 0) throw new Error(`${why}: no Custom::SageMakerEndpointCleanup resource names the endpoint to clean up`);
      return targets.map((target) => ({ endpoint: String(target.EndpointName), prefix: String(target.ResourceNamePrefix) }));
    };
    const runResource = (prefix: string) => `${prefix}-20261130-030000-0a1b2c3d`;
    const key = `${client}:${operation}`;
    if (entry === 'algorithm-check/index') {
      this.algorithmCheckCall(role, why, key);
      return;
    }
    if (entry === 'evaluation/index') {
      this.evaluationCall(role, why, key);
      return;
    }
    if (entry === 'batch/index') {
      this.batchFunctionCall(role, functionId, why, key);
      return;
    }
    switch (key) {
      case 'sagemaker-runtime:InvokeEndpoint':
        this.add({ principal: role, action: 'sagemaker:InvokeEndpoint', resource: sagemaker('endpoint', env.ENDPOINT_NAME), why });
        return;
      case 's3:GetObject':
        // {"s3Uri": …} requests read any object of the readable buckets; the inbox reads the images dropped in it.
        for (const bucket of (env.READABLE_BUCKETS ?? '').split(',').filter(Boolean)) {
          this.s3(role, 's3:GetObject', bucket, 'photos/garden.jpg', why, undefined, true);
          this.s3(role, 's3:ListBucket', bucket, undefined, `${why} (missing keys are 404, not 403)`, { 's3:prefix': 'photos/garden.jpg' }, true);
          this.bucketKey(role, ['kms:Decrypt'], bucket, 'photos/garden.jpg', why);
        }
        if (env.INBOX_BUCKET) {
          this.s3(role, 's3:GetObject', env.INBOX_BUCKET, `${env.INBOX_PREFIX}garden.jpg`, why);
          this.s3(role, 's3:ListBucket', env.INBOX_BUCKET, undefined, `${why} (missing keys are 404, not 403)`, { 's3:prefix': `${env.INBOX_PREFIX}garden.jpg` });
          this.bucketKey(role, ['kms:Decrypt'], env.INBOX_BUCKET, `${env.INBOX_PREFIX}garden.jpg`, why);
        }
        return;
      case 's3:PutObject':
        if (env.INBOX_BUCKET) {
          const result = `${env.INBOX_PREFIX}garden.jpg.prediction.json`;
          this.s3(role, 's3:PutObject', env.INBOX_BUCKET, result, why);
          this.bucketKey(role, ['kms:GenerateDataKey'], env.INBOX_BUCKET, result, why);
        }
        return;
      case 'sfn:ListExecutions':
      case 'sfn:StartExecution':
        this.add({ principal: role, action: `states:${operation}`, resource: env.STATE_MACHINE_ARN, why });
        return;
      case 'sagemaker:DescribeEndpoint':
      case 'sagemaker:DeleteEndpoint':
        for (const target of cleanupTargets()) this.add({ principal: role, action: `sagemaker:${operation}`, resource: sagemaker('endpoint', target.endpoint), why });
        return;
      case 'sagemaker:DeleteEndpointConfig':
        for (const target of cleanupTargets()) this.add({ principal: role, action: `sagemaker:${operation}`, resource: sagemaker('endpoint-config', runResource(target.prefix)), why });
        return;
      case 'sagemaker:DeleteModel':
        for (const target of cleanupTargets()) this.add({ principal: role, action: `sagemaker:${operation}`, resource: sagemaker('model', runResource(target.prefix)), why });
        return;
      case 'sagemaker:ListEndpointConfigs':
      case 'sagemaker:ListModels':
      case 'application-auto-scaling:DescribeScalableTargets':
        this.add({ principal: role, action: `${iamPrefix(client)}:${operation}`, resource: '*', why });
        return;
      case 'ssm:DeleteParameter':
        // The champion record the pipeline keeps for each endpoint (lambda/shared/cleanup-contract.ts names it).
        for (const target of cleanupTargets()) this.add({ principal: role, action: 'ssm:DeleteParameter', resource: `arn:${partition}:ssm:${region}:${account}:parameter${championParameterName(target.endpoint)}`, why });
        return;
      case 'cloudformation:DescribeStacks':
      case 'cloudformation:ListStackResources':
        // Its own stack, by the StackId CloudFormation puts in every custom resource request.
        this.add({ principal: role, action: `cloudformation:${operation}`, resource: String(this.resolved.resolve({ Ref: 'AWS::StackId' })), why });
        return;
      case 'application-auto-scaling:DeregisterScalableTarget':
        this.add({
          principal: role,
          action: 'application-autoscaling:DeregisterScalableTarget',
          resource: this.sdkResource('application-autoscaling:DeregisterScalableTarget', {}, why),
          context: { 'application-autoscaling:service-namespace': 'sagemaker', 'application-autoscaling:scalable-dimension': 'sagemaker:variant:DesiredInstanceCount' },
          why,
        });
        return;
      default:
        throw new Error(`${why}: the handler calls ${key}, which the access proof does not know; add the access it makes`);
    }
  }

  /**
   * The algorithm check probes every object each check resource names: HeadObject (s3:GetObject), and after a 403
   * ListObjectsV2 with the object's key as prefix.
   */
  private algorithmCheckCall(role: string, why: string, key: string): void {
    const objects = this.resolved.resourcesOfType('Custom::ImageClassifierAlgorithmCheck').flatMap(([id]) => {
      const request = parseCheckRequest(this.resolved.properties(id));
      return [request.trainingScript, ...request.pretrainedModelCandidates];
    });
    if (objects.length === 0) throw new Error(`${why}: no Custom::ImageClassifierAlgorithmCheck resource names what to check`);
    for (const object of objects) {
      if (key === 's3:HeadObject') this.s3(role, 's3:GetObject', object.bucket, object.key, why);
      else if (key === 's3:ListObjectsV2') this.s3(role, 's3:ListBucket', object.bucket, undefined, why, { 's3:prefix': object.key });
      else throw new Error(`${why}: the algorithm check calls ${key}, which the access proof does not know; add the access it makes`);
    }
  }

  /**
   * The batch function's S3 calls in a run of the state machine that invokes it: prepare lists the input folder and
   * writes the manifest (and the skipped list); consolidate reads the manifest, the answers (encrypted with the
   * transform's output key) and the skipped list, and writes the results (in parts) and the summary. Reading a missing
   * answer must say NoSuchKey: the output folder is listable.
   */
  private batchFunctionCall(role: string, functionId: string, why: string, key: string): void {
    const functionArn = this.resolved.getAtt(functionId, 'Arn');
    const machines = this.resolved.resourcesOfType('AWS::StepFunctions::StateMachine')
      .map(([id]) => this.resolved.properties(id).DefinitionString as string).filter((definition) => definition.includes(functionArn));
    if (machines.length === 0) throw new Error(`${why}: no state machine invokes the batch function`);
    for (const definition of machines) {
      const parsed = JSON.parse(definition);
      const transform = allStates(parsed.States).find(([, state]) => String(state.Resource).endsWith(':sagemaker:createTransformJob.sync'))![1];
      const outputKey: string | undefined = transform.Parameters.TransformOutput.KmsKeyId;
      for (const run of batchRunStates(parsed, this.account) ?? []) {
        const request = run.request as { input: string; output: string };
        const prepared = run.prepared as { manifestUri: string; predictionsUri: string };
        const output = parseS3Uri(request.output);
        const objects = (names: string[]) => names.map((name) => `${output.key}${name}`);
        const put = (keys: string[], actions: string[], kmsActions: string[]) => {
          for (const object of keys) {
            for (const action of actions) this.s3(role, action, output.bucket, object, why);
            this.bucketKey(role, kmsActions, output.bucket, object, why);
          }
        };
        switch (key) {
          case 's3:ListObjectsV2': {
            const input = parseS3Uri(request.input);
            this.s3(role, 's3:ListBucket', input.bucket, undefined, why, { 's3:prefix': input.key });
            break;
          }
          case 's3:GetObject': {
            for (const object of objects(['manifest.json', 'skipped.json'])) {
              this.s3(role, 's3:GetObject', output.bucket, object, why);
              this.bucketKey(role, ['kms:Decrypt'], output.bucket, object, why);
            }
            for (const [, relative] of batchImages(request.input)) {
              const answer = parseS3Uri(`${prepared.predictionsUri}${relative}.out`);
              this.s3(role, 's3:GetObject', answer.bucket, answer.key, `${why} (answer)`);
              this.s3(role, 's3:ListBucket', answer.bucket, undefined, `${why} (a missing answer is NoSuchKey)`, { 's3:prefix': answer.key });
              this.bucketKey(role, ['kms:Decrypt'], answer.bucket, answer.key, `${why} (answer)`, outputKey);
            }
            break;
          }
          case 's3:PutObject':
            put(objects(['manifest.json', 'skipped.json', 'summary.json']), ['s3:PutObject'], ['kms:GenerateDataKey']);
            break;
          case 's3:CreateMultipartUpload':
          case 's3:UploadPart':
          case 's3:CompleteMultipartUpload':
            put(objects(['results.jsonl', 'results.csv']), ['s3:PutObject'], ['kms:GenerateDataKey', 'kms:Decrypt']);
            break;
          case 's3:AbortMultipartUpload':
            put(objects(['results.jsonl', 'results.csv']), ['s3:AbortMultipartUpload'], []);
            break;
          default:
            throw new Error(`${why}: the batch function calls ${key}, which the access proof does not know; add the access it makes`);
        }
      }
    }
  }

  // ---------------------------------------------------------------- schedules and log group keys

  private schedule(id: string): void {
    const target = this.resolved.properties(id).Target;
    const why = `schedule ${id}`;
    // A universal target (arn:aws:scheduler:::aws-sdk:<service>:<operation>) calls the API with the target's Input
    // as parameters; a templated target (a state machine ARN) starts it.
    const universal = String(target.Arn).match(/^arn:[^:]+:scheduler:::aws-sdk:([^:]+):(.+)$/);
    if (universal) {
      const action = `${iamPrefix(universal[1])}:${universal[2][0].toUpperCase()}${universal[2].slice(1)}`;
      this.add({ principal: target.RoleArn, action, resource: this.sdkResource(action, JSON.parse(target.Input ?? '{}'), why), why });
    } else if (String(target.Arn).split(':')[2] === 'states') {
      this.add({ principal: target.RoleArn, action: 'states:StartExecution', resource: target.Arn, why });
    } else {
      throw new Error(`${why}: target ${target.Arn} is not known to the access proof; add what it calls`);
    }
  }

  /** VPC Flow Logs delivers to its log group with the role it is given. */
  private flowLog(id: string): void {
    const flowLog = this.resolved.properties(id);
    if (!flowLog.DeliverLogsPermissionArn) return;
    const stream = `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:${flowLog.LogGroupName}:log-stream:eni-0123456789abcdef0-all`;
    for (const action of ['CreateLogStream', 'PutLogEvents']) {
      this.add({ principal: flowLog.DeliverLogsPermissionArn, action: `logs:${action}`, resource: stream, why: `flow log ${id}` });
    }
  }

  /** S3 server access logging writes each bucket's logs into the destination bucket, as the logging service. */
  private serverAccessLogs(id: string): void {
    const logging = this.resolved.properties(id).LoggingConfiguration;
    if (!logging?.DestinationBucketName) return;
    const source = `arn:${this.partition}:s3:::${this.resolved.ref(id)}`;
    this.add({
      principal: 'logging.s3.amazonaws.com',
      action: 's3:PutObject',
      resource: `arn:${this.partition}:s3:::${logging.DestinationBucketName}/${logging.LogFilePrefix ?? ''}2026-11-30-03-00-00-0123456789ABCDEF`,
      context: { 'aws:SourceArn': source, 'aws:SourceAccount': this.account },
      why: `server access logs of bucket ${id}`,
    });
  }

  /** CloudWatch Logs uses a log group's key itself, with the log group as encryption context. */
  private logGroupKey(id: string): void {
    const group = this.resolved.properties(id);
    if (!group.KmsKeyId) return;
    const arn = `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:${this.resolved.ref(id)}`;
    for (const action of ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']) {
      this.add({
        principal: `logs.${this.region}.amazonaws.com`,
        action,
        resource: group.KmsKeyId,
        context: { 'kms:EncryptionContext:aws:logs:arn': arn },
        why: `CloudWatch Logs encrypting log group ${id}`,
      });
    }
  }
}

/**
 * The state of a batch classification run as its Task states see it (a BatchClassification definition: one with a
 * `Transform` createTransformJob.sync state), or undefined for another definition: its folders are read from the
 * CheckInput rules, its job name from NameJob, its model from the champion record's name or the fixed model.
 */
function batchRunStates(definition: any, account: string): Array<Record<string, unknown>> | undefined {
  const states = new Map(allStates(definition.States));
  if (!String(states.get('Transform')?.Resource ?? '').endsWith(':sagemaker:createTransformJob.sync')) return undefined;
  const folder = (variable: string): string => {
    const found = JSON.stringify(states.get('CheckInput')).match(new RegExp(`"Variable":"\\$\\.${variable}","StringMatches":"(s3://[^"]*/)\\*"`));
    if (!found) throw new Error(`the batch definition's CheckInput has no folder rule for ${variable}`);
    return found[1];
  };
  const jobPrefix = /^States\.Format\('([^']*?)-\{\}/.exec(states.get('NameJob').Parameters.run['jobName.$'])![1];
  const runId = '20261130-030000-0a1b2c3d';
  const endpoint = /^\/sagemaker-image-classifier\/(.+)\/champion$/.exec(states.get('GetChampion')?.Parameters.Name ?? '')?.[1];
  const modelName: string = states.get('UseModel')?.Parameters.name ?? `${resourceNamePrefix(endpoint!)}-20261123-030000-0a1b2c3d`;
  const input = `${folder('input')}garden/`;
  const output = `${folder('output')}run-1/`;
  void account;
  return [{
    request: { input, output, topK: 3 },
    run: { runId, jobName: `${jobPrefix}-${runId}` },
    model: { name: modelName },
    prepared: { manifestUri: `${output}manifest.json`, predictionsUri: `${output}predictions/`, imageCount: 2, skipped: { count: 0, examples: [], listUri: null } },
  }];
}

/** The images of a sample batch run under `input`: [input folder, key relative to it]. */
function batchImages(input: string): Array<[string, string]> {
  return ['rose.jpg', 'beds/tulip.png'].map((relative) => [input, relative]);
}

/** Every state of a definition, including those inside Parallel branches and Map iterators. */
export function allStates(states: Record<string, any>): Array<[string, any]> {
  const found: Array<[string, any]> = [];
  for (const [name, state] of Object.entries(states)) {
    found.push([name, state]);
    for (const branch of state.Branches ?? []) found.push(...allStates(branch.States));
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) found.push(...allStates(inner.States));
  }
  return found;
}

/** Parameters with their `.$` paths taken from the run state (`$.a.b`) or the context object (`$$.StateMachine.Id`). */
function substitute(value: any, run: Record<string, unknown>, stateMachineArn: string): any {
  if (Array.isArray(value)) return value.map((item) => substitute(item, run, stateMachineArn));
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.endsWith('.$') && typeof item === 'string') {
      result[key.slice(0, -2)] = pathValue(item, run, stateMachineArn);
    } else {
      result[key] = substitute(item, run, stateMachineArn);
    }
  }
  return result;
}

function pathValue(path: string, run: Record<string, unknown>, stateMachineArn: string): unknown {
  if (path === '$$.StateMachine.Id') return stateMachineArn;
  if (!/^\$(\.[A-Za-z0-9_]+)+$/.test(path)) return `<${path}>`;
  let value: any = run;
  for (const part of path.slice(2).split('.')) value = value?.[part];
  return value ?? `<${path}>`;
}

function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = String(uri).match(/^s3:\/\/([^/]+)\/?(.*)$/);
  if (!match) throw new Error(`not an S3 URI: ${uri}`);
  return { bucket: match[1], key: match[2] };
}

function iamPrefix(sdkService: string): string {
  const prefixes: Record<string, string> = {
    'sfn': 'states',
    'applicationautoscaling': 'application-autoscaling',
    'application-auto-scaling': 'application-autoscaling',
    'sagemaker-runtime': 'sagemaker',
  };
  return prefixes[sdkService] ?? sdkService;
}

function sdkContext(action: string, p: Record<string, any>): Record<string, string> | undefined {
  if (action.startsWith('application-autoscaling:') && p.ServiceNamespace) {
    return { 'application-autoscaling:service-namespace': p.ServiceNamespace, 'application-autoscaling:scalable-dimension': p.ScalableDimension };
  }
  return undefined;
}

function capitalize(parameters: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parameters ?? {}).map(([key, value]) => [key[0].toUpperCase() + key.slice(1), value]));
}
