import { Duration, Token } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { PipelineFixture, pipelineFixture } from './fixture';
import { DeploymentStrategy } from '../../lib/pipeline/deployment-strategy';
import { RetrainingSchedule } from '../../lib/pipeline/retraining-schedule';
import { EndpointCapacity } from '../../lib/serving/endpoint-capacity';
import { BatchInstanceType, InferenceInstanceType, Processor, PromotionMetric, TrainingInstanceType } from '../../lib';
import { runId, runNames } from '../../lambda/shared/sagemaker-names';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: (definition: unknown) => { isValid: boolean; errors: unknown[] } = require('asl-validator');

let defaults: PipelineFixture;
beforeAll(() => {
  defaults = pipelineFixture({ retrainOnNewData: true, notificationEmail: 'owner@example.com' });
});

function statements(fixture: PipelineFixture) {
  return Object.values(fixture.template.findResources('AWS::IAM::Policy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement) as Array<{ Sid?: string; Action: string | string[]; Resource: unknown }>;
}

describe('RetrainingPipeline template', () => {
  test('the synthesized definition is valid ASL', () => {
    const result = aslValidator(defaults.definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  test('a Standard state machine with every event logged and X-Ray tracing', () => {
    defaults.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [Match.anyValue()] },
    });
  });

  test('its functions run on Node.js 24 with roles that hold only their log group\'s permissions, no managed policy', () => {
    const functions = Object.values(defaults.template.findResources('AWS::Lambda::Function'))
      .filter((fn) => /^Retraining pipeline|^Starts a retraining run/.test(fn.Properties.Description));
    expect(functions.map((fn) => fn.Properties.Runtime)).toEqual(['nodejs24.x', 'nodejs24.x', 'nodejs24.x']);
    for (const fn of functions) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const role = defaults.template.toJSON().Resources[roleId];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const actions = Object.values(defaults.template.findResources('AWS::IAM::Policy'))
        .filter((policy) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === roleId))
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement.flatMap((statement: { Action: string | string[] }) => [statement.Action].flat()));
      expect(actions).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']));
    }
  });

  test('a weekly EventBridge Scheduler schedule starts runs idempotently per tick', () => {
    defaults.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(7 days)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({ Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:sfn:startExecution']] } }),
    });
    const schedule = Object.values(defaults.template.findResources('AWS::Scheduler::Schedule'))[0];
    const input = JSON.stringify(defaults.stack.resolve(schedule.Properties.Target.Input));
    expect(input).toContain('scheduled-<aws.scheduler.execution-id>');
    expect(input).toContain('StateMachineArn');
  });

  test('the schedule can be changed or turned off', () => {
    const cron = pipelineFixture({ schedule: RetrainingSchedule.cron({ weekDay: 'SUN', hour: '3', minute: '0' }) });
    cron.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 ? * SUN *)' });
    const off = pipelineFixture({ schedule: RetrainingSchedule.DISABLED });
    off.template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(RetrainingSchedule.every(Duration.days(1)).expression).toBe('rate(1 day)');
    expect(RetrainingSchedule.every(Duration.hours(12)).expression).toBe('rate(12 hours)');
    expect(() => RetrainingSchedule.every(Duration.minutes(5))).toThrow('the interval must be at least 1 hour, got 5 minutes');
  });

  test('new images under the training folder start a run through a single-concurrency trigger', () => {
    defaults.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: [Match.anyValue()] }, object: { key: [{ prefix: 'dataset/training/' }] } },
      },
    });
    defaults.template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 1,
      Environment: { Variables: { QUIET_PERIOD_SECONDS: '3600', STATE_MACHINE_ARN: Match.anyValue() } },
    });
  });

  test('the notification topic refuses plain HTTP and has the email subscription', () => {
    defaults.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'owner@example.com' });
    defaults.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('rollback alarms watch the endpoint\'s 5xx errors and model latency, under names CloudFormation makes', () => {
    const name = defaults.endpoint.endpointName;
    // No fixed name: moving the construct replaces an alarm, and a fixed name would be deleted with the old one.
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.absent(), MetricName: 'Invocation5XXErrors', Namespace: 'AWS/SageMaker', Threshold: 1,
      Dimensions: Match.arrayWith([{ Name: 'EndpointName', Value: name }]),
    });
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.absent(), MetricName: 'ModelLatency', Threshold: 2_000_000,
    });
  });

  test('SageMaker permissions are scoped to this endpoint\'s names; the only wildcards are explained', () => {
    const all = statements(defaults);
    const sagemaker = all.filter((s) => [s.Action].flat().some((a) => a.startsWith('sagemaker:')));
    const resources = JSON.stringify(defaults.stack.resolve(sagemaker.map((s) => s.Resource)));
    const prefix = defaults.endpoint.resourceNamePrefix;
    // Exactly `<prefix>-<run id>` (one `?` per run id character), and training jobs `<prefix>-<run id>-<attempt>`.
    expect(resources).toContain(`endpoint-config/${prefix}-????????-??????-????????"`);
    expect(resources).toContain(`model/${prefix}-????????-??????-????????"`);
    expect(resources).toContain(`training-job/${prefix}-????????-??????-????????-?"`);
    expect(resources).not.toMatch(/(model|endpoint-config|training-job)\/[^"]*\*/);
    expect(resources).toContain(`endpoint/${defaults.endpoint.endpointName}`);
    const wildcard = all.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
    expect(wildcard.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      // training role: no resource type exists for these (see TrainingJobDefinition)
      'cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken',
      // model role (see ClassifierEndpoint)
      'cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken',
      // state machine: log delivery and X-Ray take no resource; listing has no resource type
      'logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:UpdateLogDelivery',
      'sagemaker:ListEndpointConfigs',
      'xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments',
    ].sort());
  });

  test('the names a run makes match those exact patterns, and a longer name under the same prefix does not', () => {
    const resources = JSON.stringify(defaults.stack.resolve(statements(defaults).map((s) => s.Resource)));
    const pattern = (type: string) => resources.match(new RegExp(`:${type}/([^"*]+)"`))![1];
    const matches = (iamPattern: string, name: string) =>
      new RegExp(`^${iamPattern.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\?/g, '.')}$`).test(name);
    const prefix = defaults.endpoint.resourceNamePrefix;
    const names = runNames(prefix, runId('arn:aws:states:us-east-1:123456789012:execution:m:run-1', '2026-11-28T12:00:00Z'), 10);
    expect(matches(pattern('model'), names.model)).toBe(true);
    expect(matches(pattern('endpoint-config'), names.endpointConfig)).toBe(true);
    expect(names.trainingJobs.filter((job) => !matches(pattern('training-job'), job))).toEqual([]);
    // The evaluation's two transform jobs, and nothing of BatchClassification's or another endpoint's.
    expect(Object.values(names.transformJobs).filter((job) => !matches(pattern('transform-job'), job.toLowerCase()))).toEqual([]);
    expect(matches(pattern('transform-job'), `${prefix}-batch-20261128-120000-abcdef12`.toLowerCase())).toBe(false);
    expect(matches(pattern('transform-job'), `${prefix}x-evalc-20261128-120000-abcdef12`.toLowerCase())).toBe(false);
    expect(matches(pattern('model'), `${prefix}-ic-20261128-120000-abcdef12`)).toBe(false);
  });

  test('passes the training and model roles to SageMaker only', () => {
    const passRole = statements(defaults).filter((s) => s.Action === 'iam:PassRole');
    expect(passRole.length).toBeGreaterThanOrEqual(2);
    for (const statement of passRole) {
      expect(statement).toMatchObject({ Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } });
    }
  });

  test('a serverless endpoint gets no autoscaling steps and no DeploymentConfig', () => {
    const serverless = pipelineFixture({}, { capacity: EndpointCapacity.serverless() });
    const states = serverless.definition.States as Record<string, { Parameters?: Record<string, unknown> }>;
    expect(Object.keys(states)).not.toContain('RegisterAutoScaling');
    expect(states.UpdateEndpoint.Parameters).not.toHaveProperty('DeploymentConfig');
  });

  test('a canary deployment renders its step size and interval', () => {
    const canary = pipelineFixture({ deployment: DeploymentStrategy.canary({ percent: 10, interval: Duration.minutes(10) }) });
    const states = canary.definition.States as Record<string, { Parameters: Record<string, any> }>;
    expect(states.UpdateEndpoint.Parameters.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration)
      .toEqual({ Type: 'CANARY', WaitIntervalInSeconds: 600, CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 } });
  });
});

describe('RetrainingPipeline with a customer-managed key', () => {
  let keyed: PipelineFixture;
  beforeAll(() => {
    keyed = pipelineFixture({}, {}, { encrypt: true });
  });

  test('the key policy lets CloudWatch Logs use the key, so the encrypted log group can be created', () => {
    keyed.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        Action: Match.arrayWith(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey']),
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
      })]) },
    });
    keyed.template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue() });
  });

  test('the state machine may publish to the encrypted topic and create grants for the encrypted endpoint', () => {
    const all = statements(keyed);
    const actions = all.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey']));
    expect(all).toContainEqual(expect.objectContaining({ Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } }));
  });
});

describe('RetrainingPipeline validation', () => {
  test('collects every problem into one error naming each prop', () => {
    expect(() => pipelineFixture({
      minimumAccuracy: 1.5,
      keepVersions: 0,
      trainingInstanceTypes: [TrainingInstanceType.of('ml.t2.medium')],
      quietPeriod: Duration.minutes(10),
      deployment: DeploymentStrategy.canary({ percent: 150 }),
    })).toThrow(/trainingInstanceTypes\[1\] 'ml\.t2\.medium'[\s\S]*minimumAccuracy must be a number in \[0, 1\], got 1\.5[\s\S]*keepVersions must be a whole number in \[1, 50\][\s\S]*quietPeriod only applies with retrainOnNewData: true[\s\S]*deployment\.percent must be a whole number in \[1, 99\], got 150/);
  });
});

describe('RetrainingPipeline validation of durations, fallbacks and addresses', () => {
  test('durations must be literal whole seconds, each named', () => {
    expect(() => pipelineFixture({
      retrainOnNewData: true,
      quietPeriod: Duration.millis(330_500),
      endpointTimeout: Duration.millis(600_500),
      endpointPollInterval: Duration.millis(12_500),
    })).toThrow(/endpointPollInterval must be a whole number of seconds, got 12\.5 seconds[\s\S]*endpointTimeout must be a whole number of seconds[\s\S]*quietPeriod must be a whole number of seconds/);
    expect(() => pipelineFixture({ endpointTimeout: Duration.seconds(Token.asNumber({ Ref: 'Timeout' })) }))
      .toThrow('endpointTimeout must be a literal duration (the state machine is built from it at synth), got a token');
    expect(() => pipelineFixture({ deployment: DeploymentStrategy.allAtOnce({ baking: Duration.millis(1500) }) }))
      .toThrow('deployment.baking must be a whole number of seconds, got 1.5 seconds');
  });

  test('a CPU training definition falls back to CPU instance types by default', () => {
    const fixture = pipelineFixture({}, {}, { trainingInstanceType: TrainingInstanceType.ML_M5_XLARGE });
    const prepare = JSON.stringify(fixture.definition);
    expect(prepare).toContain('ml.m5.2xlarge');
    expect(prepare).not.toContain('ml.g5.xlarge');
  });

  test('a fallback of the wrong processor is named as trainingInstanceTypes', () => {
    expect(() => pipelineFixture({ trainingInstanceTypes: [TrainingInstanceType.ML_G5_XLARGE] }, {}, { trainingInstanceType: TrainingInstanceType.ML_M5_XLARGE, processor: Processor.CPU }))
      .toThrow(/trainingInstanceTypes\[1\] 'ml\.g5\.xlarge' is a GPU instance, but the training is configured for CPU/);
  });

  test('rejects a notification address that is not one', () => {
    expect(() => pipelineFixture({ notificationEmail: '__proto__' })).toThrow("notificationEmail must be an email address like owner@example.com, got '__proto__'");
  });
});

describe('RetrainingPipeline evaluation settings', () => {
  test('the evaluation runs on a type of the endpoint\'s processor, and the gate settings reach every run', () => {
    const gpu = pipelineFixture({ promotionMetric: PromotionMetric.MACRO_F1, minimumImprovement: 0.02, testHoldOutPercent: 20 },
      { capacity: EndpointCapacity.instances({ instanceType: InferenceInstanceType.ML_G4DN_XLARGE }) });
    const states = JSON.stringify(gpu.definition);
    expect(states).toContain('"InstanceType":"ml.g4dn.xlarge"');
    const prepare = Object.values(gpu.definition.States as Record<string, any>).find((state) => state.Parameters?.action === 'prepare');
    expect(prepare.Parameters.config.promotion).toEqual({ metric: 'macroF1', minimumImprovement: 0.02 });
    expect(prepare.Parameters.config.evaluation.holdOutPercent).toBe(20);
    expect(JSON.stringify(defaults.definition)).toContain('"InstanceType":"ml.m5.xlarge"');
  });

  test.each([['0', 0], ['unset (the default)', undefined]])('a hold-out of %s never trains on a hold-out manifest', (_name, percent) => {
    const off = pipelineFixture({ testHoldOutPercent: percent });
    const states = off.definition.States as Record<string, any>;
    expect(states.TrainWithoutHoldOut).toBeUndefined();
    expect(JSON.stringify(states.SelectTestSet)).not.toContain('holdOutFraction');
    expect(JSON.stringify(pipelineFixture({ testHoldOutPercent: 10 }).definition.States)).toContain('"holdOutFraction":0.1');
  });

  test('rejects every bad evaluation setting at once, naming the fix', () => {
    expect(() => pipelineFixture({ testHoldOutPercent: 60, evaluationInstanceType: BatchInstanceType.ML_G4DN_XLARGE }))
      .toThrow(/testHoldOutPercent must be a whole number in \[0, 50\] \(0 turns the hold-out off\), got 60[\s\S]*evaluationInstanceType 'ml\.g4dn\.xlarge' is a GPU type but the endpoint's model uses the CPU image: use a CPU type such as 'ml\.m5\.xlarge', or leave evaluationInstanceType unset/);
    expect(() => pipelineFixture({ testHoldOutPercent: 2.5 })).toThrow('testHoldOutPercent must be a whole number in [0, 50] (0 turns the hold-out off), got 2.5');
  });
});
