import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { RetrainingPipeline } from '../pipeline/retraining-pipeline';
import { shortHash } from '../../lambda/shared/sagemaker-names';
import { DEFAULT_LOG_REMOVAL_POLICY, logSettingsProblems } from '../private/log-groups';

/** Properties of a `FirstRetrainingRun`. */
export interface FirstRetrainingRunProps {
  /** The pipeline to start. */
  readonly pipeline: RetrainingPipeline;
  /**
   * Start only after these exist (the dataset upload, say).
   * @default - after the pipeline
   */
  readonly after?: IConstruct[];
  /**
   * How long the log of the call that starts the run is kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to that log group when it leaves the stack: kept with its retention, or deleted with its events.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * Starts one retraining run when the stack is created, so that a deployment with a seeded dataset ends with a
 * trained and served model without a manual step (the run itself takes minutes after the deployment finishes; its
 * outcome is published to the pipeline's topic). Nothing happens on later deployments or on deletion.
 *
 * The custom resource's logical id and the execution name come from the endpoint name (unique in a stack), not from
 * the construct path: moving the classifier in the construct tree leaves CloudFormation the same resource, so the
 * deploy sends it an Update, which calls nothing, instead of a Create, which would start another run.
 */
export class FirstRetrainingRun extends Construct {
  /** The custom resource that calls StartExecution. */
  public readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: FirstRetrainingRunProps) {
    super(scope, id);
    const stateMachine = props.pipeline.stateMachine;
    const identity = shortHash(props.pipeline.endpointName);
    const problems = logSettingsProblems(props);
    if (problems.length > 0) throw new Error(`${this.node.path}: invalid FirstRetrainingRun props:\n  ${problems.join('\n  ')}`);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? DEFAULT_LOG_REMOVAL_POLICY,
    });
    // A role of our own instead of the default with AWSLambdaBasicExecutionRole: logs to its group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Starts the first retraining run when the stack is created',
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    this.resource = new cr.AwsCustomResource(this, 'StartExecution', {
      role,
      onCreate: {
        service: 'SFN',
        action: 'startExecution',
        parameters: {
          stateMachineArn: stateMachine.stateMachineArn,
          // Execution names are unique per state machine; a retried create asks for the same one.
          name: `first-run-${identity}`,
          input: JSON.stringify({ trigger: 'deploy' }),
        },
        physicalResourceId: cr.PhysicalResourceId.of('first-retraining-run'),
        ignoreErrorCodesMatching: 'ExecutionAlreadyExists',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
      ]),
      installLatestAwsSdk: false,
      logGroup,
    });
    (this.resource.node.findChild('Resource').node.defaultChild as CfnResource).overrideLogicalId(firstRunLogicalId(props.pipeline.endpointName));
    this.resource.node.addDependency(props.pipeline, ...(props.after ?? []));
  }
}

/** The logical id of the first run's custom resource for the pipeline of `endpointName`, whatever its construct path. */
export function firstRunLogicalId(endpointName: string): string {
  return `FirstRetrainingRun${shortHash(endpointName)}`;
}
