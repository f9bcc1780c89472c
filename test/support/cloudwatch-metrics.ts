import { TemplateJson, resolveIntrinsics } from './cfn-template';

/** One CloudWatch metric: what identifies it (namespace, name and every dimension). */
export interface MetricIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A metric as an embedded metric format line declares it, with its value and unit. */
export interface EmittedMetric extends MetricIdentity {
  readonly value: unknown;
  readonly unit?: string;
}

/** A metric of a dashboard graph, with its options (`id`, `visible`, `stat`, `label`, …). */
export interface GraphedMetric extends MetricIdentity {
  readonly options: Readonly<Record<string, unknown>>;
}

/** A math expression of a dashboard graph. */
export interface GraphedExpression {
  readonly expression: string;
  readonly id?: string;
  readonly label?: string;
}

export interface DashboardWidget {
  readonly type: string;
  readonly properties: { readonly title?: string; readonly metrics?: unknown[][]; readonly markdown?: string; readonly [key: string]: unknown };
}

/** `Namespace/Name{dim=value,…}`, dimensions sorted: equal identities give equal keys. */
export function metricKey(metric: MetricIdentity): string {
  const dimensions = Object.entries(metric.dimensions).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  return `${metric.namespace}/${metric.name}{${dimensions.join(',')}}`;
}

// ---- embedded metric format ------------------------------------------------------------------------------------

/** What `run` wrote on stdout, a line each, and its result; stdout is restored whatever happens. */
export async function stdoutOf<T>(run: () => T | Promise<T>): Promise<{ lines: string[]; result: T }> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((line) => line.length > 0));
    return true;
  });
  try {
    return { result: await run(), lines };
  } finally {
    write.mockRestore();
  }
}

/** Storage units CloudWatch accepts in an EMF `Unit` (the PutMetricData StandardUnit enum). */
const STANDARD_UNITS = new Set(['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second',
  'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second',
  'Count/Second', 'None']);

/**
 * What makes `line` an invalid embedded metric format document, by the specification's rules (CloudWatch drops such
 * a line, or extracts no metric from it): the `_aws` root with a millisecond Timestamp, directives with a Namespace,
 * dimension sets of at most 30 names each naming a string member, metrics naming a numeric member, known units.
 */
export function emfProblems(line: string): string[] {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return [`not JSON: ${line}`];
  }
  const aws = doc._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || typeof aws !== 'object') return ['no _aws member'];
  const problems: string[] = [];
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 1e12) problems.push(`Timestamp ${String(aws.Timestamp)} is not epoch milliseconds`);
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0) return [...problems, 'no CloudWatchMetrics directive'];
  for (const directive of aws.CloudWatchMetrics as Array<{ Namespace?: unknown; Dimensions?: unknown; Metrics?: unknown }>) {
    if (typeof directive.Namespace !== 'string' || directive.Namespace.length === 0 || directive.Namespace.length > 255) problems.push(`bad Namespace ${String(directive.Namespace)}`);
    if (!Array.isArray(directive.Dimensions)) problems.push('Dimensions is not an array');
    for (const set of (directive.Dimensions ?? []) as unknown[]) {
      if (!Array.isArray(set) || set.length > 30) problems.push(`dimension set ${JSON.stringify(set)} is not an array of at most 30 names`);
      for (const name of (Array.isArray(set) ? set : []) as unknown[]) {
        if (typeof name !== 'string' || typeof doc[name] !== 'string' || (doc[name] as string).length === 0) {
          problems.push(`dimension ${String(name)} has no non-empty string member`);
        }
      }
    }
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length === 0 || directive.Metrics.length > 100) problems.push('Metrics is not an array of 1 to 100');
    for (const metric of (directive.Metrics ?? []) as Array<{ Name?: unknown; Unit?: unknown }>) {
      const value = typeof metric.Name === 'string' ? doc[metric.Name] : undefined;
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) problems.push(`metric ${String(metric.Name)} has no finite numeric member`);
      if (metric.Unit !== undefined && !STANDARD_UNITS.has(metric.Unit as string)) problems.push(`metric ${String(metric.Name)} has unit ${String(metric.Unit)}`);
    }
  }
  return problems;
}

/** The metrics EMF lines among `lines` declare (other lines, such as log lines, are skipped): one per metric and dimension set. */
export function emittedMetrics(lines: readonly string[]): EmittedMetric[] {
  const metrics: EmittedMetric[] = [];
  for (const line of lines) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const aws = doc._aws as { CloudWatchMetrics?: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit?: string }> }> } | undefined;
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      for (const set of directive.Dimensions) {
        const dimensions = Object.fromEntries(set.map((name) => [name, doc[name] as string]));
        for (const metric of directive.Metrics) {
          metrics.push({ namespace: directive.Namespace, name: metric.Name, dimensions, value: doc[metric.Name], unit: metric.Unit });
        }
      }
    }
  }
  return metrics;
}

// ---- dashboards ------------------------------------------------------------------------------------------------

/** The widgets of every AWS::CloudWatch::Dashboard of the template, by logical id, the body's intrinsics resolved. */
export function dashboardWidgets(template: TemplateJson): Map<string, DashboardWidget[]> {
  const dashboards = new Map<string, DashboardWidget[]>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::CloudWatch::Dashboard') continue;
    const body = resolveIntrinsics(template, resource.Properties?.DashboardBody);
    if (typeof body !== 'string') throw new Error(`the DashboardBody of ${logicalId} does not resolve to a string`);
    dashboards.set(logicalId, (JSON.parse(body) as { widgets: DashboardWidget[] }).widgets);
  }
  return dashboards;
}

/**
 * The metrics and expressions of a graph widget. A metric entry is `[namespace, name, (dimension name, value)*,
 * options?]`, an expression `[{ expression, id, label }]`. (aws-cdk-lib writes every entry in full; the console's
 * `"..."`/`"."` shorthand is refused rather than guessed at.)
 */
export function widgetMetrics(widget: DashboardWidget): { metrics: GraphedMetric[]; expressions: GraphedExpression[] } {
  const metrics: GraphedMetric[] = [];
  const expressions: GraphedExpression[] = [];
  for (const entry of widget.properties.metrics ?? []) {
    const last = entry[entry.length - 1];
    const options = (last !== null && typeof last === 'object' ? last : {}) as Record<string, unknown>;
    const parts = last === options ? entry.slice(0, -1) : entry;
    if (parts.length === 0 && typeof options.expression === 'string') {
      expressions.push({ expression: options.expression, id: options.id as string | undefined, label: options.label as string | undefined });
      continue;
    }
    if (parts.some((part) => part === '...' || part === '.')) throw new Error(`shorthand metric entry ${JSON.stringify(entry)}`);
    const [namespace, name, ...pairs] = parts as string[];
    if (pairs.length % 2 !== 0) throw new Error(`odd dimension list in ${JSON.stringify(entry)}`);
    const dimensions: Record<string, string> = {};
    for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]] = pairs[i + 1];
    metrics.push({ namespace, name, dimensions, options });
  }
  return { metrics, expressions };
}
