import { RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { validateSageMakerName } from './private/endpoint-names';

/**
 * A SageMaker endpoint serving the image classifier: a `ClassifierEndpoint` of this app, or one deployed by another
 * (`ClassifierEndpoint.fromEndpointName`). It is an aws-cdk-lib `sagemaker.IEndpoint`, so it plugs into
 * `apigateway.SagemakerIntegration` and anything else that takes one.
 */
export interface IClassifierEndpoint extends sagemaker.IEndpoint {
  /** The production variant's name, a dimension of every metric. */
  readonly variantName: string;

  /**
   * A metric SageMaker publishes for the variant, by name: invocation metrics (`Invocations`, `ModelLatency`, …) in
   * `AWS/SageMaker`; the instance metrics (`CPUUtilization`, `MemoryUtilization`, `GPUUtilization`,
   * `GPUMemoryUtilization`, `DiskUtilization`) in `/aws/sagemaker/Endpoints`, except a serverless endpoint's
   * `MemoryUtilization`, which SageMaker publishes in `AWS/SageMaker`.
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Number of InvokeEndpoint requests (sum). */
  metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Time the model takes to answer as SageMaker sees it, in microseconds (average). */
  metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Time SageMaker adds to the model's, in microseconds (average). */
  metricOverheadLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests the model answered with a 4xx status (sum). */
  metricInvocation4XXErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests the model answered with a 5xx status (sum). */
  metricInvocation5XXErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests that got no 2xx answer from the model container (`InvocationModelErrors`, sum). */
  metricModelErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** CPU use of the instances, percent per core summed over the cores (average); instance capacity only. */
  metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Memory use of the containers, percent (average). */
  metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** GPU use of the instances, percent per GPU summed over the GPUs (average); GPU instances only. */
  metricGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** GPU memory use of the instances, percent per GPU summed over the GPUs (average); GPU instances only. */
  metricGpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Disk space used by the containers, percent (average); instance capacity only. */
  metricDiskUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** What identifies a classifier endpoint deployed elsewhere. */
export interface ClassifierEndpointAttributes {
  /** The endpoint's name. */
  readonly endpointName: string;
  /**
   * The production variant's name.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
  /**
   * Whether the endpoint is serverless: SageMaker then publishes memory use in `AWS/SageMaker` and no CPU, GPU or
   * disk metrics.
   * @default false
   */
  readonly serverless?: boolean;
}

/** The default name of the endpoint's one production variant. */
export const DEFAULT_VARIANT_NAME = 'AllTraffic';

const INVOCATION_NAMESPACE = 'AWS/SageMaker';
const INSTANCE_NAMESPACE = '/aws/sagemaker/Endpoints';
/** Metrics SageMaker publishes per instance of the variant, in `/aws/sagemaker/Endpoints`. */
const INSTANCE_METRICS = ['CPUUtilization', 'MemoryUtilization', 'GPUUtilization', 'GPUMemoryUtilization', 'DiskUtilization'];
/** Serverless endpoints publish no instance metrics but memory use, which goes to `AWS/SageMaker`. */
const SERVERLESS_INVOCATION_METRICS = ['MemoryUtilization'];

/**
 * The grants and metrics every classifier endpoint has, built from its name and variant. The endpoint's ARN
 * lowercases its name, as SageMaker does.
 */
export abstract class ClassifierEndpointBase extends Resource implements IClassifierEndpoint {
  /**
   * A classifier endpoint deployed by another stack or app, by name, with the `AllTraffic` variant on instances.
   */
  public static fromEndpointName(scope: Construct, id: string, endpointName: string): IClassifierEndpoint {
    return ClassifierEndpointBase.fromEndpointAttributes(scope, id, { endpointName });
  }

  /** A classifier endpoint deployed by another stack or app. */
  public static fromEndpointAttributes(scope: Construct, id: string, attributes: ClassifierEndpointAttributes): IClassifierEndpoint {
    return new ImportedClassifierEndpoint(scope, id, attributes);
  }

  public abstract readonly endpointName: string;
  public abstract readonly endpointArn: string;
  public abstract readonly variantName: string;
  /** Whether SageMaker serves the endpoint serverless (it then publishes fewer metrics). */
  protected abstract readonly serverless: boolean;

  /** The reference aws-cdk-lib's SageMaker integrations read. */
  public get endpointRef(): sagemaker.EndpointReference {
    return { endpointArn: this.endpointArn };
  }

  /** Lets `grantee` invoke this endpoint, and no other. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
  }

  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const instanceMetric = INSTANCE_METRICS.includes(metricName)
      && !(this.serverless && SERVERLESS_INVOCATION_METRICS.includes(metricName));
    return new cloudwatch.Metric({
      namespace: instanceMetric ? INSTANCE_NAMESPACE : INVOCATION_NAMESPACE,
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: this.variantName },
      ...props,
    });
  }

  public metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocations', { statistic: 'Sum', ...props });
  }

  public metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ModelLatency', { statistic: 'Average', ...props });
  }

  public metricOverheadLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('OverheadLatency', { statistic: 'Average', ...props });
  }

  public metricInvocation4XXErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocation4XXErrors', { statistic: 'Sum', ...props });
  }

  public metricInvocation5XXErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocation5XXErrors', { statistic: 'Sum', ...props });
  }

  public metricModelErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('InvocationModelErrors', { statistic: 'Sum', ...props });
  }

  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('CPUUtilization', 'metricCpuUtilization', props);
  }

  public metricMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('MemoryUtilization', { statistic: 'Average', ...props });
  }

  public metricGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('GPUUtilization', 'metricGpuUtilization', props);
  }

  public metricGpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('GPUMemoryUtilization', 'metricGpuMemoryUtilization', props);
  }

  public metricDiskUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instanceMetric('DiskUtilization', 'metricDiskUtilization', props);
  }

  /** An instance metric: a serverless endpoint never publishes it, so an alarm on it could never fire. */
  private instanceMetric(metricName: string, method: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (this.serverless) {
      throw new Error(`${this.node.path}: ${method}: SageMaker publishes no ${metricName} for a serverless endpoint; `
        + 'watch metricMemoryUtilization, metricModelLatency or metricOverheadLatency instead, or serve on instances');
    }
    return this.metric(metricName, { statistic: 'Average', ...props });
  }
}

/** A classifier endpoint that exists already: its grants and metrics, nothing created. */
class ImportedClassifierEndpoint extends ClassifierEndpointBase {
  public readonly endpointName: string;
  public readonly endpointArn: string;
  public readonly variantName: string;
  protected readonly serverless: boolean;

  constructor(scope: Construct, id: string, attributes: ClassifierEndpointAttributes) {
    super(scope, id);
    const problems = [
      // Tokens (an exported value, a parameter) pass: the name only appears in ARNs and metric dimensions here.
      ...(Token.isUnresolved(attributes.endpointName) ? [] : validateSageMakerName(attributes.endpointName, 'endpointName')),
      ...(attributes.variantName === undefined || Token.isUnresolved(attributes.variantName) ? [] : validateSageMakerName(attributes.variantName, 'variantName')),
    ];
    if (problems.length > 0) throw new Error(`${this.node.path}: invalid ClassifierEndpoint attributes:\n  ${problems.join('\n  ')}`);
    this.endpointName = attributes.endpointName;
    this.variantName = attributes.variantName ?? DEFAULT_VARIANT_NAME;
    this.serverless = attributes.serverless ?? false;
    const arnName = Token.isUnresolved(this.endpointName) ? this.endpointName : this.endpointName.toLowerCase();
    this.endpointArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: arnName });
  }

  /** An imported endpoint belongs to the app that deployed it: nothing here to retain or delete. */
  public applyRemovalPolicy(_policy: RemovalPolicy): void {
    throw new Error(`${this.node.path}: an imported endpoint has no resource in this stack; apply the removal policy in the app that deploys it`);
  }
}

