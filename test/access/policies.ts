/**
 * Every IAM policy a deployment of a synthesized template would hold (identity policies per role, bucket, key and
 * topic policies), and the evaluation of one request against them with @cloud-copilot/iam-simulate, the policy
 * evaluator: same-account and cross-account rules, explicit denies, conditions.
 */
import * as path from 'path';
import { loadPolicy } from '@cloud-copilot/iam-policy';
import { isWildcardOnlyAction, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { FAKE_DEPLOYMENT, ResolvedTemplate } from './template-resolver';

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement[];
}

/** Where a statement lives, for messages and for the statement-removal sweep. */
export interface StatementLocation {
  /** `identity`, `bucket`, `key` or `topic` */
  readonly kind: 'identity' | 'bucket' | 'key' | 'topic';
  /** The logical id of the resource holding the policy (AWS::IAM::Policy, AWS::IAM::Role, bucket policy, key, topic policy). */
  readonly holder: string;
  /** Role ARN (identity) or resource ARN (bucket, key, topic) the policy applies to. */
  readonly subject: string;
  readonly index: number;
}

export interface LocatedStatement extends StatementLocation {
  readonly statement: PolicyStatement;
}

/**
 * AWS managed policies the proof knows the content of. Only aws-cdk-lib's stack-wide BucketNotificationsHandler has
 * one (acknowledged in lib/private/nag.ts); any other managed policy on a role fails the proof.
 */
const KNOWN_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

/**
 * A role of the same account allowed everything by its identity policy (not part of the deployment): what a
 * resource policy still refuses it (plain HTTP, old TLS) is refused to everyone.
 */
export const ADMINISTRATOR = `arn:aws:iam::${FAKE_DEPLOYMENT.account}:role/AccountAdministrator`;

/** The policies of one deployment. Immutable: `without` returns a copy lacking one statement. */
export class PolicySet {
  /** Reads every policy of the deployment; managed policies are refused (they cannot be evaluated offline). */
  public static fromTemplate(resolved: ResolvedTemplate): PolicySet {
    const statements: LocatedStatement[] = [];
    const add = (kind: StatementLocation['kind'], holder: string, subject: string, document: PolicyDocument) => {
      document.Statement.forEach((statement, index) => statements.push({ kind, holder, subject, index, statement }));
    };
    const roleArn = (roleName: string) => `arn:${resolved.deployment.partition}:iam::${resolved.deployment.account}:role/${roleName}`;
    const problems: string[] = [];
    for (const [id] of resolved.resourcesOfType('AWS::IAM::Role')) {
      const role = resolved.properties(id);
      const arn = resolved.getAtt(id, 'Arn');
      for (const managed of role.ManagedPolicyArns ?? []) {
        const name = String(managed).match(/^arn:[^:]+:iam::aws:policy\/(.+)$/)?.[1];
        const document = name === undefined ? undefined : KNOWN_MANAGED_POLICIES[name];
        if (document) add('identity', `${id}/${name}`, arn, document);
        else problems.push(`role ${id} has the managed policy ${managed}`);
      }
      if (role.PermissionsBoundary) problems.push(`role ${id} has a permissions boundary`);
      for (const [index, policy] of (role.Policies ?? []).entries()) add('identity', `${id}/Policies/${index}`, arn, policy.PolicyDocument);
    }
    for (const [id] of resolved.resourcesOfType('AWS::IAM::Policy')) {
      const policy = resolved.properties(id);
      if (policy.Users?.length || policy.Groups?.length) problems.push(`policy ${id} is attached to users or groups`);
      for (const roleName of policy.Roles ?? []) add('identity', id, roleArn(roleName), policy.PolicyDocument);
    }
    for (const type of ['AWS::IAM::ManagedPolicy', 'AWS::IAM::User', 'AWS::IAM::Group']) {
      for (const [id] of resolved.resourcesOfType(type)) problems.push(`${type} ${id}: the access proof evaluates roles with inline policies only`);
    }
    for (const [id] of resolved.resourcesOfType('AWS::S3::BucketPolicy')) {
      const policy = resolved.properties(id);
      add('bucket', id, `arn:${resolved.deployment.partition}:s3:::${policy.Bucket}`, policy.PolicyDocument);
    }
    for (const [id] of resolved.resourcesOfType('AWS::KMS::Key')) {
      add('key', id, resolved.getAtt(id, 'Arn'), resolved.properties(id).KeyPolicy);
    }
    for (const [id] of resolved.resourcesOfType('AWS::SNS::TopicPolicy')) {
      const policy = resolved.properties(id);
      for (const topic of policy.Topics) add('topic', id, topic, policy.PolicyDocument);
    }
    if (problems.length > 0) throw new Error(`policies the access proof cannot evaluate:\n  ${problems.join('\n  ')}`);
    return new PolicySet(statements);
  }

  private constructor(public readonly statements: readonly LocatedStatement[]) {}

  /** The same policies without `removed`. */
  public without(removed: StatementLocation): PolicySet {
    return new PolicySet(this.statements.filter((s) => !(s.holder === removed.holder && s.subject === removed.subject && s.index === removed.index)));
  }

  /** Identity policies of the role `roleArn`, one document per holder. */
  public identityPolicies(roleArn: string): Array<{ name: string; policy: PolicyDocument }> {
    if (roleArn === ADMINISTRATOR) {
      return [{ name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
    }
    return documents(this.statements.filter((s) => s.kind === 'identity' && s.subject === roleArn));
  }

  /** The resource policy that governs `resourceArn` (bucket policy of its bucket, key policy, topic policy). */
  public resourcePolicy(resourceArn: string): PolicyDocument | undefined {
    const bucket = resourceArn.match(/^(arn:[^:]+:s3:::[^/]+)/)?.[1];
    const subject = bucket ?? resourceArn;
    const found = this.statements.filter((s) => s.kind !== 'identity' && s.subject === subject);
    if (found.length === 0) return undefined;
    return { Version: '2012-10-17', Statement: found.map((s) => s.statement) };
  }
}

function documents(statements: LocatedStatement[]): Array<{ name: string; policy: PolicyDocument }> {
  const byHolder = new Map<string, PolicyStatement[]>();
  for (const s of statements) byHolder.set(s.holder, [...(byHolder.get(s.holder) ?? []), s.statement]);
  return [...byHolder].map(([name, statement]) => ({ name, policy: { Version: '2012-10-17', Statement: statement } }));
}

/** One request the deployed system makes, as IAM sees it. */
export interface Access {
  /** The role whose credentials sign the request. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** Request context keys the service sends (aws:SecureTransport is always added). */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** Who makes the request and why, for messages. */
  readonly why: string;
  /**
   * The resource belongs to an AWS-owned account (JumpStart bucket, DLC image repositories) whose resource policy
   * cannot be read offline: it is taken as allowing and the role's policies decide.
   */
  readonly awsOwned?: boolean;
  /** Callers name any key of the bucket by design (the inference function's readable buckets): no prefix to hold to. */
  readonly anyKey?: boolean;
}

export interface Decision {
  readonly allowed: boolean;
  /** The evaluator's result (Allowed, ExplicitlyDenied, ImplicitlyDenied) or its input errors. */
  readonly detail: string;
}

/** Evaluates `access` against `policies` for a deployment in `account`. */
export async function evaluate(policies: PolicySet, access: Access, account: string): Promise<Decision> {
  const resourcePolicy = access.awsOwned ? undefined : policies.resourcePolicy(access.resource);
  const simulation: Simulation = {
    request: {
      principal: access.principal,
      action: access.action,
      // An AWS-owned resource is evaluated as if in the caller's account with no resource policy: only the
      // caller's identity policies decide (its owner's policy is taken as allowing, see above).
      resource: { resource: access.resource, accountId: account },
      contextVariables: { 'aws:SecureTransport': 'true', ...access.context },
    },
    identityPolicies: policies.identityPolicies(access.principal),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
  // Validates the action, the resource type and the context keys, then evaluates.
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') return { allowed: false, detail: `simulation error: ${JSON.stringify(result.errors)}` };
  const ignored = result.resultType === 'single' ? result.result.ignoredContextKeys ?? [] : [];
  const unexpected = ignored.filter((key) => !ENCRYPTION_CONTEXT.test(key));
  if (unexpected.length > 0) return { allowed: false, detail: `context keys that do not apply to ${access.action}: ${unexpected.join(', ')}` };
  if (ignored.length > 0) {
    const decision = await evaluateWithEncryptionContext(simulation);
    return { allowed: decision === 'Allowed', detail: decision };
  }
  return { allowed: result.overallResult === 'Allowed', detail: result.overallResult };
}

const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:/i;

/**
 * iam-simulate 0.1.x drops context keys whose variable part follows a colon (`kms:EncryptionContext:aws:s3:arn`) as
 * not applying to the action, so a key policy condition on the encryption context could never match. Requests with
 * an encryption context (validated by runSimulation above, all but those keys) are evaluated by the simulator's own
 * authorization engine with the context as given. Its runUnsafeSimulation does the same but fails on a resource
 * policy without a name, hence the direct call.
 */
async function evaluateWithEncryptionContext(simulation: Simulation): Promise<string> {
  const root = path.dirname(require.resolve('@cloud-copilot/iam-simulate'));
  const { authorize } = require(path.join(root, 'core_engine', 'CoreSimulatorEngine.js'));
  const { RequestContextImpl } = require(path.join(root, 'requestContext.js'));
  const { AwsRequestImpl } = require(path.join(root, 'request', 'request.js'));
  const { DiscoveryContextKeyConstraints } = require(path.join(root, 'context_keys', 'discoveryContextKeyConstraints.js'));
  const [service, action] = simulation.request.action.split(':');
  const request = new AwsRequestImpl(simulation.request.principal, simulation.request.resource, simulation.request.action,
    new RequestContextImpl(simulation.request.contextVariables), await isWildcardOnlyAction(service, action));
  const analysis = authorize({
    request,
    sessionPolicy: undefined,
    identityPolicies: simulation.identityPolicies.map((p) => loadPolicy(p.policy, { name: p.name })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: simulation.resourcePolicy ? loadPolicy(simulation.resourcePolicy, { name: 'resource-policy' }) : undefined,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: {} },
  });
  return analysis.result;
}

/** A readable one-line description of an access. */
export function describeAccess(access: Access): string {
  const context = access.context && Object.keys(access.context).length > 0 ? ` ${JSON.stringify(access.context)}` : '';
  return `${access.why}: ${access.principal.split('/').pop()} ${access.action} ${access.resource}${context}`;
}
