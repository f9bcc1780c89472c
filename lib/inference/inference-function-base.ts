import { Arn, ArnFormat, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeWildcardResource, grantHolder } from '../private/nag';

/**
 * The function that classifies images with the endpoint: an `InferenceFunction` of this app, or one deployed by
 * another (`InferenceFunction.fromFunctionArn`).
 */
export interface IInferenceFunction extends IConstruct {
  /** The Lambda function. */
  readonly function: lambda.IFunction;
  /** Lets `grantee` invoke the function, through its URL (SigV4-signed HTTP) if it has one, and directly. */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
  /** Invocations that failed: an uncaught error or a timeout (an HTTP error response is not one). */
  metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Time the function ran, per invocation. */
  metricDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Number of invocations. */
  metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Invocations refused because the function's concurrency was exhausted. */
  metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** What identifies an inference function deployed elsewhere. */
export interface InferenceFunctionAttributes {
  /** The function's ARN (unqualified). */
  readonly functionArn: string;
  /**
   * Whether the function has a Function URL, so that `grantInvoke` also allows `lambda:InvokeFunctionUrl`.
   * @default true - `InferenceFunction`'s default
   */
  readonly functionUrl?: boolean;
}

/** The grants and metrics every inference function has. */
export abstract class InferenceFunctionBase extends Construct implements IInferenceFunction {
  /** An inference function deployed by another stack or app, with a Function URL (the default). */
  public static fromFunctionArn(scope: Construct, id: string, functionArn: string): IInferenceFunction {
    return InferenceFunctionBase.fromFunctionAttributes(scope, id, { functionArn });
  }

  /** An inference function deployed by another stack or app. */
  public static fromFunctionAttributes(scope: Construct, id: string, attributes: InferenceFunctionAttributes): IInferenceFunction {
    return new ImportedInferenceFunction(scope, id, attributes);
  }

  public abstract readonly function: lambda.IFunction;
  /** Whether callers reach the function through a Function URL. */
  protected abstract readonly hasFunctionUrl: boolean;

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    const direct = this.function.grantInvoke(grantee);
    const holder = grantHolder(grantee);
    if (holder) {
      acknowledgeWildcardResource(holder, `${this.function.functionArn}:*`, 'aws-cdk-lib\'s grantInvoke allows '
        + 'lambda:InvokeFunction on the function and on <function ARN>:*, its versions and aliases (the only things after '
        + 'the colon): this one inference function.');
    }
    return this.hasFunctionUrl ? direct.combine(this.function.grantInvokeUrl(grantee)) : direct;
  }

  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  public metricDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricDuration(props);
  }

  public metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricInvocations(props);
  }

  public metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles(props);
  }
}

/** An inference function that exists already: its grants and metrics, nothing created. */
class ImportedInferenceFunction extends InferenceFunctionBase {
  public readonly function: lambda.IFunction;
  protected readonly hasFunctionUrl: boolean;

  constructor(scope: Construct, id: string, attributes: InferenceFunctionAttributes) {
    super(scope, id);
    const problem = functionArnProblem(attributes.functionArn);
    if (problem) throw new Error(`${this.node.path}: invalid InferenceFunction attributes: ${problem}`);
    // Grants go to the grantee's policy (skipPermissions): this app cannot change the other app's function policy.
    this.function = lambda.Function.fromFunctionAttributes(this, 'Function', { functionArn: attributes.functionArn, skipPermissions: true });
    this.hasFunctionUrl = attributes.functionUrl ?? true;
  }
}

/** An unqualified Lambda function ARN; a token passes unchecked. */
function functionArnProblem(functionArn: string): string | undefined {
  if (Token.isUnresolved(functionArn)) return undefined;
  const expected = 'an unqualified function ARN like arn:aws:lambda:eu-west-1:123456789012:function:classify';
  let components;
  try {
    components = Arn.split(functionArn, ArnFormat.COLON_RESOURCE_NAME);
  } catch {
    return `functionArn must be ${expected}, got '${functionArn}'`;
  }
  if (components.service !== 'lambda' || components.resource !== 'function' || !components.resourceName || components.resourceName.includes(':')) {
    return `functionArn must be ${expected} (no version or alias), got '${functionArn}'`;
  }
  return undefined;
}
