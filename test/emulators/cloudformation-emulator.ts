/**
 * A loopback CloudFormation answering the read calls of the endpoint cleanup and the command line, DescribeStacks
 * (with the stack's outputs) and ListStackResources, in the awsQuery protocol @aws-sdk/client-cloudformation speaks
 * (reached through AWS_ENDPOINT_URL_CLOUDFORMATION): POST / with a form-encoded body (`Action=…&Version=2010-05-15&StackName=…`),
 * signed for `cloudformation`; answers in XML (`<ActionResponse><ActionResult>…`), lists as `<member>` elements,
 * errors as `<ErrorResponse><Error><Code>…`. The stacks and their resources are set by the test (`putStack`,
 * `setResource`, `removeResource`), playing CloudFormation's part in an update or a deletion.
 */
import { randomUUID } from 'node:crypto';
import { LoopbackEmulator, LoopbackRequest, LoopbackResponse } from './loopback-server';

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export interface EmulatedStackResource {
  readonly logicalResourceId: string;
  readonly physicalResourceId: string;
  readonly resourceType: string;
  /** e.g. CREATE_COMPLETE, UPDATE_COMPLETE, DELETE_IN_PROGRESS */
  readonly status: string;
}

interface EmulatedStack {
  readonly stackId: string;
  readonly stackName: string;
  status: string;
  readonly resources: Map<string, EmulatedStackResource>;
  /** OutputKey → OutputValue, as DescribeStacks lists them */
  outputs: Readonly<Record<string, string>>;
}

export class CloudFormationEmulator extends LoopbackEmulator {
  public static async start(): Promise<CloudFormationEmulator> {
    return new CloudFormationEmulator().listen();
  }

  /** `Action` of every request, in order */
  public readonly calls: Array<{ action: string; stackName?: string }> = [];
  private readonly stacks = new Map<string, EmulatedStack>();
  private readonly failures = new Map<string, { readonly code: string; readonly message: string }>();

  public reset(): void {
    this.stacks.clear();
    this.failures.clear();
    this.calls.length = 0;
  }

  /** The next request of `action` is answered with this error (a 400, as CloudFormation's Sender errors are). */
  public failNext(action: string, code: string, message: string): this {
    this.failures.set(action, { code, message });
    return this;
  }

  public putStack(stackId: string, status = 'CREATE_COMPLETE'): this {
    const stackName = stackId.split('/')[1] ?? stackId;
    this.stacks.set(stackId, { stackId, stackName, status, resources: new Map(), outputs: {} });
    return this;
  }

  /** Sets the stack's outputs (OutputKey → OutputValue), replacing the earlier ones. */
  public setOutputs(stackId: string, outputs: Readonly<Record<string, string>>): this {
    this.stack(stackId).outputs = { ...outputs };
    return this;
  }

  public setStackStatus(stackId: string, status: string): this {
    this.stack(stackId).status = status;
    return this;
  }

  public setResource(stackId: string, resource: EmulatedStackResource): this {
    this.stack(stackId).resources.set(resource.logicalResourceId, resource);
    return this;
  }

  public removeResource(stackId: string, logicalResourceId: string): this {
    this.stack(stackId).resources.delete(logicalResourceId);
    return this;
  }

  protected route(request: LoopbackRequest): LoopbackResponse {
    const form = new URLSearchParams(request.body.toString('utf8'));
    const action = form.get('Action') ?? '';
    const stackName = form.get('StackName') ?? undefined;
    this.calls.push({ action, stackName });
    const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(request.headers.authorization ?? ''));
    if (request.method !== 'POST' || scope?.[1] !== 'cloudformation') {
      return error('InvalidClientTokenId', 'The request must be a POST signed for cloudformation', 403);
    }
    const failure = this.failures.get(action);
    if (failure !== undefined) {
      this.failures.delete(action);
      return error(failure.code, failure.message);
    }
    const stack = stackName === undefined ? undefined : [...this.stacks.values()].find((s) => s.stackId === stackName || s.stackName === stackName);
    switch (action) {
      case 'DescribeStacks':
        if (stack === undefined) return error('ValidationError', `Stack with id ${stackName} does not exist`);
        return ok(action, `<Stacks><member><StackId>${xml(stack.stackId)}</StackId><StackName>${xml(stack.stackName)}</StackName>`
          + `<CreationTime>2026-11-30T00:00:00.000Z</CreationTime><StackStatus>${stack.status}</StackStatus>`
          + `<Outputs>${Object.entries(stack.outputs).map(([key, value]) => `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`).join('')}</Outputs>`
          + '</member></Stacks>');
      case 'ListStackResources': {
        if (stack === undefined) return error('ValidationError', `Stack with id ${stackName} does not exist`);
        // One resource per page, so callers must follow NextToken.
        const resources = [...stack.resources.values()];
        const offset = Number(form.get('NextToken') ?? '0');
        const page = resources.slice(offset, offset + 1);
        const next = offset + 1 < resources.length ? `<NextToken>${offset + 1}</NextToken>` : '';
        return ok(action, `<StackResourceSummaries>${page.map((r) => '<member>'
          + `<LogicalResourceId>${xml(r.logicalResourceId)}</LogicalResourceId><PhysicalResourceId>${xml(r.physicalResourceId)}</PhysicalResourceId>`
          + `<ResourceType>${xml(r.resourceType)}</ResourceType><LastUpdatedTimestamp>2026-11-30T00:00:00.000Z</LastUpdatedTimestamp>`
          + `<ResourceStatus>${r.status}</ResourceStatus></member>`).join('')}</StackResourceSummaries>${next}`);
      }
      default:
        return error('InvalidAction', `Could not find operation ${action} for version 2010-05-15`);
    }
  }

  private stack(stackId: string): EmulatedStack {
    const stack = this.stacks.get(stackId);
    if (stack === undefined) throw new Error(`no emulated stack ${stackId}`);
    return stack;
  }
}

function ok(action: string, result: string): LoopbackResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${result}</${action}Result>`
      + `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function error(code: string, message: string, status = 400): LoopbackResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error>`
      + `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
