import { Arn, ArnFormat, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';

/**
 * The retraining pipeline of a classifier: a `RetrainingPipeline` of this app, or one deployed by another
 * (`RetrainingPipeline.fromStateMachineArn`).
 */
export interface IRetrainingPipeline extends IConstruct {
  /** The pipeline's state machine. */
  readonly stateMachine: sfn.IStateMachine;
  /** Lets `grantee` start a run by hand (`states:StartExecution` on this state machine only). */
  grantStartRetraining(grantee: iam.IGrantable): iam.Grant;
  /** Runs that failed. */
  metricFailedRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Runs that ended successfully, promoted or not. */
  metricSucceededRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** The grants and metrics every retraining pipeline has. */
export abstract class RetrainingPipelineBase extends Construct implements IRetrainingPipeline {
  /** A retraining pipeline deployed by another stack or app, by its state machine's ARN. */
  public static fromStateMachineArn(scope: Construct, id: string, stateMachineArn: string): IRetrainingPipeline {
    return new ImportedRetrainingPipeline(scope, id, stateMachineArn);
  }

  public abstract readonly stateMachine: sfn.IStateMachine;

  public grantStartRetraining(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  public metricFailedRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricFailed(props);
  }

  public metricSucceededRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stateMachine.metricSucceeded(props);
  }
}

/** A retraining pipeline that exists already: its grants and metrics, nothing created. */
class ImportedRetrainingPipeline extends RetrainingPipelineBase {
  public readonly stateMachine: sfn.IStateMachine;

  constructor(scope: Construct, id: string, stateMachineArn: string) {
    super(scope, id);
    const problem = stateMachineArnProblem(stateMachineArn);
    if (problem) throw new Error(`${this.node.path}: invalid RetrainingPipeline attributes: ${problem}`);
    this.stateMachine = sfn.StateMachine.fromStateMachineArn(this, 'StateMachine', stateMachineArn);
  }
}

/** A Step Functions state machine ARN; a token passes unchecked. */
function stateMachineArnProblem(stateMachineArn: string): string | undefined {
  if (Token.isUnresolved(stateMachineArn)) return undefined;
  const problem = `stateMachineArn must be a state machine ARN like arn:aws:states:eu-west-1:123456789012:stateMachine:retraining, got '${stateMachineArn}'`;
  try {
    const components = Arn.split(stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
    const valid = components.service === 'states' && components.resource === 'stateMachine'
      && components.resourceName !== undefined && /^[A-Za-z0-9_-]{1,80}$/.test(components.resourceName);
    return valid ? undefined : problem;
  } catch {
    return problem;
  }
}
