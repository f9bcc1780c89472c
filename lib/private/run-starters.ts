import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { RetrainingSchedule } from '../pipeline/retraining-schedule';
import { bucketForNotifications } from './cross-stack';
import { bundledLambdaCode, SOURCE_MAPS_ENVIRONMENT } from './lambda-entry';
import { acknowledgeBucketNotificationsHandler } from './nag';

/*
 * What starts the package's state machines on their own (the retraining pipeline, batch classification): an
 * EventBridge Scheduler schedule, and a debounced trigger on new objects in a bucket. Construct ids are the caller's,
 * so that the resources keep their logical ids.
 */

/** A Lambda execution role with only its log group's permissions (no AWSLambdaBasicExecutionRole managed policy). */
export function functionRole(scope: Construct, id: string, description: string, logGroup: logs.ILogGroup): iam.Role {
  const role = new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  logGroup.grantWrite(role);
  return role;
}

/** What a schedule starts. */
export interface ScheduledStartOptions {
  readonly stateMachine: sfn.IStateMachine;
  /** A schedule with an expression (not DISABLED). */
  readonly schedule: RetrainingSchedule;
  /** The execution input, as JSON text (may hold tokens). */
  readonly input: string;
  readonly description: string;
  readonly roleDescription: string;
}

/**
 * An EventBridge Scheduler schedule (`Schedule`, with its role `ScheduleRole`) that starts the state machine. The SDK
 * target names each execution after the scheduler's invocation id: a retried delivery of the same tick asks for the
 * same name, which Step Functions treats as the same execution.
 */
export function startOnSchedule(scope: Construct, options: ScheduledStartOptions): scheduler.CfnSchedule {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'ScheduleRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    description: options.roleDescription,
  });
  options.stateMachine.grantStartExecution(role);
  return new scheduler.CfnSchedule(scope, 'Schedule', {
    description: options.description,
    scheduleExpression: options.schedule.expression!,
    scheduleExpressionTimezone: options.schedule.timeZone?.timezoneName,
    flexibleTimeWindow: { mode: 'OFF' },
    target: {
      arn: `arn:${stack.partition}:scheduler:::aws-sdk:sfn:startExecution`,
      roleArn: role.roleArn,
      input: stack.toJsonString({ StateMachineArn: options.stateMachine.stateMachineArn, Name: 'scheduled-<aws.scheduler.execution-id>', Input: options.input }),
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
    },
  });
}

/** What a new-objects trigger watches and starts. */
export interface NewObjectsStartOptions {
  readonly stateMachine: sfn.IStateMachine;
  readonly bucket: s3.IBucket;
  /** The EventBridge matchers of the objects' keys (`events.Match.prefix(...)`, ...). */
  readonly keyMatchers: unknown[];
  readonly quietPeriod: Duration;
  readonly logGroup: logs.LogGroupProps;
  /** Ids: the function (`<id>`, `<id>Logs`, `<id>Role`), the rule, and the bucket as imported into this stack. */
  readonly ids: { readonly function: string; readonly rule: string; readonly bucket: string };
  readonly description: string;
  readonly ruleDescription: string;
  /** The execution input (JSON text) and name prefix; the trigger's defaults (`{"trigger": "new-data"}`, `new-data`) when absent. */
  readonly execution?: { readonly input: string; readonly namePrefix: string };
}

/**
 * A function (lambda/pipeline/new-data-trigger.ts) started by EventBridge when matching objects are created, that
 * starts at most one execution per quiet period and none while one is running.
 */
export function startOnNewObjects(scope: Construct, options: NewObjectsStartOptions): lambda.IFunction {
  const ids = options.ids;
  const logGroup = new logs.LogGroup(scope, `${ids.function}Logs`, options.logGroup);
  const trigger = new lambda.Function(scope, ids.function, {
    code: bundledLambdaCode('pipeline/new-data-trigger'),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 128,
    timeout: Duration.seconds(30),
    // One at a time, so two uploads cannot both see "nothing running" and start two runs.
    reservedConcurrentExecutions: 1,
    description: options.description,
    environment: {
      STATE_MACHINE_ARN: options.stateMachine.stateMachineArn,
      QUIET_PERIOD_SECONDS: String(options.quietPeriod.toSeconds()),
      ...(options.execution ? { EXECUTION_INPUT: options.execution.input, EXECUTION_NAME_PREFIX: options.execution.namePrefix } : {}),
      ...SOURCE_MAPS_ENVIRONMENT,
    },
    role: functionRole(scope, `${ids.function}Role`, options.description, logGroup),
    logGroup,
  });
  options.stateMachine.grantStartExecution(trigger);
  trigger.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [options.stateMachine.stateMachineArn] }));
  bucketForNotifications(scope, ids.bucket, options.bucket).enableEventBridgeNotification();
  acknowledgeBucketNotificationsHandler(scope);
  new events.Rule(scope, ids.rule, {
    description: options.ruleDescription,
    eventPattern: {
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: { bucket: { name: [options.bucket.bucketName] }, object: { key: options.keyMatchers } },
    },
    targets: [new eventsTargets.LambdaFunction(trigger, { retryAttempts: 2 })],
  });
  return trigger;
}
