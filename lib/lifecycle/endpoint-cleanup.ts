import { Annotations, CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { wholeSeconds } from '../private/durations';
import { allowLogsToUseKey } from '../private/kms-grants';
import { DEFAULT_LOG_REMOVAL_POLICY, logSettingsProblems, sameLogGroupSettings } from '../private/log-groups';
import { bundledLambdaCode, SOURCE_MAPS_ENVIRONMENT } from '../private/lambda-entry';
import {
  championParameterName,
  CLEANUP_RESOURCE_TYPE,
  endpointNameProblems,
  EnvironmentVariable,
  ResourceProperty,
  resourceNamePrefixProblems,
  SAGEMAKER_SERVICE_NAMESPACE,
  VARIANT_SCALABLE_DIMENSIONS,
} from '../../lambda/shared/cleanup-contract';
import { iamResourceNames } from '../../lambda/shared/sagemaker-names';
import { acknowledgeAnyResource, acknowledgeRule, acknowledgeWildcardResource, SCALABLE_TARGETS_REASON } from '../private/nag';

/** Properties of an `EndpointCleanup`. */
export interface EndpointCleanupProps {
  /** Name of the SageMaker endpoint the retraining pipeline creates and updates (not CloudFormation). */
  readonly endpointName: string;
  /**
   * The prefix `P` of the pipeline's model and endpoint config names, `${P}-${runId}` (run id
   * `YYYYMMDD-HHMMSS-<8 hex digits>`), such as `ClassifierEndpoint.resourceNamePrefix`. 1-38
   * letters, digits and hyphens. Only names that are exactly `P-<run id>` are deleted.
   */
  readonly resourceNamePrefix: string;
  /**
   * How long a Delete may wait for SageMaker to delete the endpoint before the resource fails. At most 1 hour (how
   * long CloudFormation waits for a custom resource), a whole multiple of `queryInterval` and at least two of them.
   * @default Duration.minutes(30)
   */
  readonly totalTimeout?: Duration;
  /**
   * Time between two checks of whether everything is gone.
   * @default Duration.seconds(30)
   */
  readonly queryInterval?: Duration;
  /**
   * What happens to the pipeline's SageMaker resources when this resource leaves the stack (stack deletion, or an
   * endpoint rename, which replaces it). `RemovalPolicy.DESTROY` deletes them; `RemovalPolicy.RETAIN` leaves the
   * endpoint, its configs, models and scaling targets in place (and billing) for you to delete.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Constructs the cleanup must run before CloudFormation deletes them: typically the pipeline's state machine (so no
   * run starts creating models after the sweep) and the role SageMaker uses for the models. Same as `addDependency`.
   * @default - none
   */
  readonly dependsOn?: IConstruct[];
  /**
   * How long the handler's and the provider framework's logs (functions and waiter state machine) are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the handler's and the provider framework's log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * KMS key for the cleanup's log groups (the key policy is given a statement that lets CloudWatch Logs use it).
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
}

const DEFAULT_TOTAL_TIMEOUT = Duration.minutes(30);
const DEFAULT_QUERY_INTERVAL = Duration.seconds(30);
/** CloudFormation waits at most one hour for a custom resource to answer. */
const MAX_TOTAL_TIMEOUT = Duration.hours(1);
const REMOVAL_POLICIES: readonly RemovalPolicy[] = [RemovalPolicy.DESTROY, RemovalPolicy.RETAIN];

/**
 * Deletes, when the stack is deleted, the SageMaker resources the retraining pipeline created outside CloudFormation:
 * the Application Auto Scaling targets of the endpoint's variants (with their scaling policies), the endpoint, and
 * every endpoint config and model named `${resourceNamePrefix}-${runId}`. It creates nothing on deploy.
 *
 * A custom resource backed by a Provider framework with an `isComplete` waiter: the Delete starts the deletions, then
 * polls every `queryInterval` (deleting whatever a pipeline run still in flight created meanwhile) until the endpoint
 * is gone and no such config or model is listed, and fails after `totalTimeout` with a message naming what is left.
 * Resources that are already gone count as deleted; nothing outside the endpoint name and the naming rule is touched.
 *
 * Renaming the endpoint replaces this resource: CloudFormation then deletes the old endpoint (and the models and
 * configs under the old prefix, and its champion record) at the end of the update. Moving this construct (or the
 * classifier) in the construct tree also replaces it, under a new logical id but for the same endpoint: the old
 * resource's Delete then finds the new one claiming the endpoint in the stack's resources and touches nothing.
 * Changing only the prefix does not replace it: models and configs under the old prefix are then left for you to
 * delete.
 *
 * Order matters: CloudFormation deletes in reverse dependency order, so this resource must depend on (be created after)
 * the state machine and the model role, for its Delete to run BEFORE they are deleted. Pass them as `dependsOn` or
 * call `addDependency`.
 */
export class EndpointCleanup extends Construct {
  /** The custom resource (type `Custom::SageMakerEndpointCleanup`). */
  public readonly resource: CustomResource;
  /** The provider framework that drives the handler: the stack's one, shared by every cleanup in it. */
  public readonly provider: cr.Provider;
  /** Starts the deletions (and answers Create and Update with nothing to do); the stack's one. */
  public readonly onEventFunction: lambda.IFunction;
  /** Deletes stragglers and reports whether everything is gone; the stack's one. */
  public readonly isCompleteFunction: lambda.IFunction;
  /** The role both handler functions run with, shared by every cleanup of the stack. */
  public readonly role: iam.IRole;
  /**
   * This cleanup's permissions on the shared role: its endpoint, its configs and models. A policy of its own, on which
   * the custom resource depends, so that removing this cleanup (and no other) runs its Delete while they still hold.
   */
  public readonly policy: iam.Policy;
  /** The handler functions' log group, shared by every cleanup of the stack. */
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: EndpointCleanupProps) {
    super(scope, id);
    const problems = validateEndpointCleanupProps(props);
    if (problems.length > 0) {
      throw new Error(`${this.node.path}: invalid EndpointCleanup props:\n  ${problems.join('\n  ')}`);
    }
    const shared = EndpointCleanupProvider.of(this, {
      totalTimeout: props.totalTimeout ?? DEFAULT_TOTAL_TIMEOUT,
      queryInterval: props.queryInterval ?? DEFAULT_QUERY_INTERVAL,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      logRemovalPolicy: props.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY,
      logEncryptionKey: props.logEncryptionKey,
    });
    this.provider = shared.provider;
    this.onEventFunction = shared.onEventFunction;
    this.isCompleteFunction = shared.isCompleteFunction;
    this.role = shared.role;
    this.logGroup = shared.logGroup;

    this.policy = new iam.Policy(this, 'Policy', { roles: [shared.role] });
    grantCleanup(this.policy, props.endpointName, props.resourceNamePrefix);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: CLEANUP_RESOURCE_TYPE,
      properties: {
        [ResourceProperty.ENDPOINT_NAME]: props.endpointName,
        [ResourceProperty.RESOURCE_NAME_PREFIX]: props.resourceNamePrefix,
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    // Created after its permissions, and deleted (the sweep runs) before them.
    this.resource.node.addDependency(this.policy);
    this.addDependency(...props.dependsOn ?? []);
  }

  /**
   * Makes the cleanup resource depend on `constructs`: CloudFormation creates it after them and, on stack deletion,
   * runs its Delete (the sweep) before it deletes them.
   */
  public addDependency(...constructs: IConstruct[]): void {
    this.resource.node.addDependency(...constructs);
  }
}

/** What the stack's one cleanup provider is built with; every cleanup of the stack must agree on the timing. */
interface CleanupProviderSettings {
  readonly totalTimeout: Duration;
  readonly queryInterval: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly logEncryptionKey?: kms.IKey;
}

const PROVIDER_ID = 'ImageClassifierEndpointCleanupProvider';

/**
 * The stack's one cleanup handler (two functions, one role) and Provider framework (two functions and a waiter state
 * machine), shared by every `EndpointCleanup` of the stack. The role has only its logs' permissions; each cleanup
 * attaches its own policy naming its endpoint, configs and models.
 */
class EndpointCleanupProvider extends Construct {
  /** The stack's provider, created on first use with `settings`; a later cleanup with other timing is refused. */
  public static of(scope: Construct, settings: CleanupProviderSettings): EndpointCleanupProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID) as EndpointCleanupProvider | undefined;
    if (existing === undefined) return new EndpointCleanupProvider(stack, PROVIDER_ID, settings);
    existing.checkSettings(scope, settings);
    return existing;
  }

  public readonly provider: cr.Provider;
  public readonly onEventFunction: lambda.Function;
  public readonly isCompleteFunction: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  private constructor(scope: Construct, id: string, private readonly settings: CleanupProviderSettings) {
    super(scope, id);
    const { totalTimeout, queryInterval, logEncryptionKey: encryptionKey } = settings;
    if (encryptionKey) allowLogsToUseKey(encryptionKey, Stack.of(this));
    const logGroup = (logGroupId: string) => new logs.LogGroup(this, logGroupId, {
      retention: settings.logRetention,
      removalPolicy: settings.logRemovalPolicy,
      encryptionKey,
    });
    this.logGroup = logGroup('LogGroup');
    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Deletes the SageMaker endpoints of this stack\'s image classifiers and their pipelines\' models and endpoint configs',
    });
    this.logGroup.grantWrite(this.role);

    // One bundle for both handlers.
    const code = bundledLambdaCode('cleanup/index');
    const handlerFunction = (functionId: string, handler: 'onEvent' | 'isComplete', description: string): lambda.Function =>
      new lambda.Function(this, functionId, {
        description,
        code,
        handler: `index.${handler}`,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 256,
        timeout: Duration.minutes(5),
        role: this.role,
        logGroup: this.logGroup,
        environment: {
          // isComplete gives up one poll before the framework would, so the failure names what is left.
          [EnvironmentVariable.GIVE_UP_AFTER_SECONDS]: String(totalTimeout.toSeconds() - queryInterval.toSeconds()),
          ...SOURCE_MAPS_ENVIRONMENT,
        },
      });
    this.onEventFunction = handlerFunction('OnEventFunction', 'onEvent', 'Starts the deletion of an image classifier\'s SageMaker endpoint and its pipeline resources');
    this.isCompleteFunction = handlerFunction('IsCompleteFunction', 'isComplete', 'Checks that an image classifier\'s SageMaker endpoint and its pipeline resources are gone');

    // The framework's functions get roles of our own, with their log group's permissions instead of the
    // AWSLambdaBasicExecutionRole managed policy; two roles, as the framework asks, to avoid a dependency cycle.
    const providerLogGroup = logGroup('ProviderLogGroup');
    const frameworkRole = (roleId: string, description: string): iam.Role => {
      const created = new iam.Role(this, roleId, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
      providerLogGroup.grantWrite(created);
      return created;
    };
    const frameworkOnEventRole = frameworkRole('ProviderOnEventRole', 'Provider framework entry point of the image classifiers\' SageMaker endpoint cleanup');
    const frameworkWaiterRole = frameworkRole('ProviderWaiterRole', 'Provider framework waiter of the image classifiers\' SageMaker endpoint cleanup');
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEventFunction,
      isCompleteHandler: this.isCompleteFunction,
      queryInterval,
      totalTimeout,
      logGroup: providerLogGroup,
      frameworkOnEventRole,
      frameworkCompleteAndTimeoutRole: frameworkWaiterRole,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: logGroup('WaiterLogGroup'),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    acknowledgeProviderFramework(this.provider, [frameworkOnEventRole, frameworkWaiterRole], [this.onEventFunction, this.isCompleteFunction]);
  }

  /**
   * The waiter's timing is the provider's: a cleanup asking for other timing is refused. Log settings that differ
   * are only a warning: the shared provider's logs keep the first cleanup's.
   */
  private checkSettings(scope: Construct, wanted: CleanupProviderSettings): void {
    const mine = this.settings;
    const timing = (settings: CleanupProviderSettings) => `totalTimeout ${settings.totalTimeout.toHumanString()}, queryInterval ${settings.queryInterval.toHumanString()}`;
    if (timing(wanted) !== timing(mine)) {
      throw new Error(`${scope.node.path}: invalid EndpointCleanup props:\n  every cleanup of a stack shares one provider, `
        + `created with ${timing(mine)}; give this one the same, got ${timing(wanted)}`);
    }
    if (!sameLogGroupSettings(wanted, mine)) {
      Annotations.of(scope).addWarningV2('cdk-sagemaker-image-classifier:sharedCleanupLogs', `The stack's shared cleanup `
        + `provider ${this.node.path} keeps its logs ${mine.logRetention} days, ${mine.logRemovalPolicy} at deletion, `
        + `${mine.logEncryptionKey ? `encrypted with ${mine.logEncryptionKey.node.path}` : 'with CloudWatch Logs\' own encryption'}, `
        + 'as its first cleanup asked; this cleanup\'s log settings apply to its other log groups only.');
    }
  }
}

/**
 * The findings the Provider framework's own resources raise and that its props cannot remove: every grant of a
 * function invocation also covers the function's versions and aliases (`<function ARN>:*`), and its waiter state
 * machine has no tracing option and delivers its logs with CloudWatch Logs actions that have no resource type.
 */
function acknowledgeProviderFramework(provider: cr.Provider, frameworkRoles: iam.IRole[], handlers: lambda.IFunction[]): void {
  const qualifiers = 'aws-cdk-lib\'s grantInvoke allows lambda:InvokeFunction on the function and on <function ARN>:* '
    + '(its versions and aliases, the only things after the colon); the function is one of this cleanup\'s own.';
  for (const role of frameworkRoles) {
    for (const handler of handlers) acknowledgeWildcardResource(role, `${handler.functionArn}:*`, qualifiers);
  }
  const waiter = provider.node.tryFindChild('waiter-state-machine');
  if (waiter === undefined) return; // a later aws-cdk-lib built it differently: its findings then show, unacknowledged
  for (const frameworkFunctionId of ['framework-isComplete', 'framework-onTimeout']) {
    const frameworkFunction = provider.node.tryFindChild(frameworkFunctionId) as lambda.IFunction | undefined;
    if (frameworkFunction) acknowledgeWildcardResource(waiter, `${frameworkFunction.functionArn}:*`, qualifiers);
  }
  acknowledgeAnyResource(waiter, 'Step Functions delivers the waiter\'s execution logs through CloudWatch Logs vended '
    + 'log delivery (logs:CreateLogDelivery, PutResourcePolicy, Describe*...), whose actions have no resource type and accept '
    + 'only "*"; aws-cdk-lib adds logs:CreateLogStream and PutLogEvents to that statement of its internal waiter role, '
    + 'which only Step Functions can assume.');
  acknowledgeRule(waiter, 'AwsSolutions-SF2', 'The waiter is aws-cdk-lib\'s Provider framework state machine, which '
    + 'offers no tracing option; it only calls this cleanup\'s isComplete function, whose logs and the waiter\'s ALL-level '
    + 'execution logs already record every poll.');
}

/** Least privilege: what the sweep calls (lambda/cleanup/sweep.ts), scoped as far as each API allows. */
function grantCleanup(policy: iam.Policy, endpointName: string, resourceNamePrefix: string): void {
  const stack = Stack.of(policy);
  // SageMaker puts names in ARNs in lower case; a token is used as it resolves.
  const lower = (value: string): string => (Token.isUnresolved(value) ? value : value.toLowerCase());
  const sagemakerArn = (resource: string, resourceName: string): string => stack.formatArn({ service: 'sagemaker', resource, resourceName });
  const runResourceName = iamResourceNames.runResources(lower(resourceNamePrefix));

  policy.addStatements(new iam.PolicyStatement({
    sid: 'DeleteTheEndpoint',
    actions: ['sagemaker:DescribeEndpoint', 'sagemaker:DeleteEndpoint'],
    resources: [sagemakerArn('endpoint', lower(endpointName))],
  }));
  policy.addStatements(new iam.PolicyStatement({
    sid: 'DeleteTheChampionRecord',
    actions: ['ssm:DeleteParameter'],
    resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: championParameterName(endpointName).slice(1) })],
  }));
  policy.addStatements(new iam.PolicyStatement({
    sid: 'FindOtherClaimsOnTheEndpoint',
    // Before a Delete touches anything, the handler checks whether another cleanup resource of this stack still
    // claims the endpoint (the classifier moved in the construct tree): this stack only.
    actions: ['cloudformation:DescribeStacks', 'cloudformation:ListStackResources'],
    resources: [stack.stackId],
  }));
  policy.addStatements(new iam.PolicyStatement({
    sid: 'DeletePipelineConfigsAndModels',
    actions: ['sagemaker:DeleteEndpointConfig', 'sagemaker:DeleteModel'],
    // `?` stands for exactly one character: `P-` plus a 24-character run id, nothing longer.
    resources: [sagemakerArn('endpoint-config', runResourceName), sagemakerArn('model', runResourceName)],
  }));
  policy.addStatements(new iam.PolicyStatement({
    sid: 'ListPipelineConfigsAndModels',
    actions: ['sagemaker:ListEndpointConfigs', 'sagemaker:ListModels'],
    // List actions have no resource type in SageMaker's authorization reference: they accept only '*'. The handler
    // narrows the listing with NameContains and deletes only exact `P-<run id>` names.
    resources: ['*'],
  }));
  acknowledgeAnyResource(policy, 'sagemaker:ListEndpointConfigs and sagemaker:ListModels have no resource type in IAM and '
    + 'accept only "*"; they return names only, and the deletes that follow are scoped to exact <prefix>-<run id> ARNs.');
  policy.addStatements(new iam.PolicyStatement({
    sid: 'FindEndpointScalableTargets',
    actions: ['application-autoscaling:DescribeScalableTargets'],
    // Describe actions have no resource type in Application Auto Scaling's authorization reference: only '*'.
    resources: ['*'],
  }));
  acknowledgeAnyResource(policy, 'application-autoscaling:DescribeScalableTargets has no resource type in IAM and accepts '
    + 'only "*"; it is read-only and the handler keeps only the targets of this endpoint\'s variants.');
  // A scalable target's ARN ends in a random id, not the endpoint or variant name, so it cannot be scoped by name:
  // '*' for the id, with the account, region, SageMaker's namespace and the variant dimensions pinned.
  const scalableTargets = stack.formatArn({ service: 'application-autoscaling', resource: 'scalable-target', resourceName: '*' });
  policy.addStatements(new iam.PolicyStatement({
    sid: 'DeregisterEndpointScalableTargets',
    // Also what SageMaker's DeleteEndpoint uses, on the caller's behalf, to deregister the variants' targets.
    actions: ['application-autoscaling:DeregisterScalableTarget'],
    resources: [scalableTargets],
    conditions: {
      StringEquals: {
        'application-autoscaling:service-namespace': SAGEMAKER_SERVICE_NAMESPACE,
        'application-autoscaling:scalable-dimension': [...VARIANT_SCALABLE_DIMENSIONS],
      },
    },
  }));
  acknowledgeWildcardResource(policy, scalableTargets, SCALABLE_TARGETS_REASON);
}

function validateEndpointCleanupProps(props: EndpointCleanupProps): string[] {
  const problems: string[] = [];
  if (!Token.isUnresolved(props.endpointName)) {
    problems.push(...endpointNameProblems(props.endpointName).map((problem) => problem.replace(ResourceProperty.ENDPOINT_NAME, 'endpointName')));
  }
  if (!Token.isUnresolved(props.resourceNamePrefix)) {
    problems.push(...resourceNamePrefixProblems(props.resourceNamePrefix).map((problem) => problem.replace(ResourceProperty.RESOURCE_NAME_PREFIX, 'resourceNamePrefix')));
  }
  const total = props.totalTimeout ?? DEFAULT_TOTAL_TIMEOUT;
  const interval = props.queryInterval ?? DEFAULT_QUERY_INTERVAL;
  // The provider framework derives its retry count from both, so they must be literal whole seconds.
  const totalCheck = wholeSeconds(total, 'totalTimeout', 'refuse');
  const intervalCheck = wholeSeconds(interval, 'queryInterval', 'refuse');
  for (const check of [totalCheck, intervalCheck]) if (check.problem) problems.push(check.problem);
  if (totalCheck.seconds !== undefined && intervalCheck.seconds !== undefined) {
    const totalSeconds = totalCheck.seconds;
    const intervalSeconds = intervalCheck.seconds;
    if (intervalSeconds < 1) problems.push(`queryInterval must be at least 1 second, got ${interval.toHumanString()}`);
    if (totalSeconds > MAX_TOTAL_TIMEOUT.toSeconds()) problems.push(`totalTimeout must be at most 1 hour, got ${total.toHumanString()}`);
    if (intervalSeconds >= 1 && (totalSeconds % intervalSeconds !== 0 || totalSeconds < 2 * intervalSeconds)) {
      problems.push(`totalTimeout must be a whole multiple of queryInterval and at least two of them, got ${total.toHumanString()} and ${interval.toHumanString()}`);
    }
  }
  if (props.removalPolicy !== undefined && !REMOVAL_POLICIES.includes(props.removalPolicy)) {
    problems.push(`removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, got ${props.removalPolicy}`);
  }
  problems.push(...logSettingsProblems(props));
  return problems;
}

/** The handler source: TypeScript in the repository and the published package (`lambda/`), or compiled JavaScript
 * next to the compiled library (`dist/lambda/`). */
