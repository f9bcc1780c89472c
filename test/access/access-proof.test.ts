/**
 * Access proof: the synthesized IAM policies (identity, bucket, key and topic policies), evaluated by a policy
 * evaluator (@cloud-copilot/iam-simulate) for one fake deployment, allow every request the deployed system makes
 * at run time and deny what it must not do. Then every statement is removed in turn: each removal must break an
 * expected access (or let through a request that must be denied), or be explained in UNUSED_STATEMENTS.
 */
import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { expectedAccesses } from './expected-accesses';
import { Access, ADMINISTRATOR, describeAccess, evaluate, LocatedStatement, PolicySet } from './policies';
import { CfnTemplate, Deployment, FAKE_DEPLOYMENT, ResolvedTemplate } from './template-resolver';
import { Attribute, parseCheckRequest, s3UriOf } from '../../lambda/shared/algorithm-check-contract';
import { buildVariant, constructPaths, SETTING_VARIANTS, SettingVariant, Variant, VARIANTS } from '../compliance/variants';

type AnyVariant = Variant | SettingVariant;
const ALL_VARIANTS: readonly AnyVariant[] = [...VARIANTS, ...SETTING_VARIANTS];
const ACCOUNT = FAKE_DEPLOYMENT.account;
const FOREIGN_ROLE = `arn:aws:iam::${ACCOUNT}:role/SomeoneElsesRole`;

/**
 * What the stack's custom resources return at deploy time, by type and attribute, where the template passes an
 * attribute on by Fn::GetAtt (into the training request or a policy). A new custom resource whose attribute is used
 * fails the resolver with its type and attribute named until it is added here.
 * The algorithm check returns the first pretrained model candidate that exists: the first layout in half of the
 * variants, the last (the fallback layout) in the other half, so the grants are proven for both.
 */
function customAttributes(found: 'first' | 'last'): NonNullable<Deployment['customAttributes']> {
  const model = (properties: Record<string, any>) => {
    const candidates = parseCheckRequest(properties).pretrainedModelCandidates;
    return candidates[found === 'first' ? 0 : candidates.length - 1];
  };
  return {
    'Custom::ImageClassifierAlgorithmCheck': {
      [Attribute.PRETRAINED_MODEL_KEY]: (properties) => model(properties).key,
      [Attribute.PRETRAINED_MODEL_BUCKET]: (properties) => model(properties).bucket,
      [Attribute.PRETRAINED_MODEL_URI]: (properties) => s3UriOf(model(properties)),
      [Attribute.TRAINING_SCRIPT_URI]: (properties) => s3UriOf(parseCheckRequest(properties).trainingScript),
    },
  };
}

/**
 * Statements no run-time access needs, each with the reason it exists. Keyed by the construct path of the policy's
 * holder (without the stack) and the statement's actions.
 */
const UNUSED_STATEMENTS: ReadonlyArray<{ readonly holder: RegExp; readonly actions: string; readonly reason: string }> = [
  {
    holder: /\/Retraining\/StateMachine\/Role\/DefaultPolicy\/Resource$/,
    actions: 'sagemaker:StopTransformJob',
    reason: 'The failure phase\'s StopRunChallengerTransform and StopRunChampionTransform tasks (AWS SDK integrations) add '
      + 'their own statement; grantRunTransformJobs (lib/batch/transform-job.ts) grants the same action on the same job ARNs '
      + 'for createTransformJob.sync, so either one alone is enough.',
  },
  {
    holder: /\/Endpoint\/Role\/DefaultPolicy\/Resource$/,
    actions: 's3:ListBucket',
    reason: 'SageMaker reads the model artifact by its key; listing lets a missing artifact fail as NoSuchKey (a clear '
      + 'error) instead of AccessDenied.',
  },
];

/**
 * Requests the sweep would expect refused but that the deployment allows on purpose, each with its reason. Keyed by
 * the construct path of the role making the request and the action.
 */
const ALLOWED_BEYOND_RUN_TIME: ReadonlyArray<{ readonly role: RegExp; readonly action: RegExp; readonly reason: string }> = [
  {
    role: /\/DatasetSeed\/UploadRole\/Resource$/,
    action: /^s3:/,
    reason: 'aws-cdk-lib\'s BucketDeployment grants its handler read on the asset bucket and read-write on the destination '
      + 'bucket (no prefix option); it runs only while the stack deploys, copying the assets the template names.',
  },
  {
    role: /\/BucketNotificationsHandler[0-9a-f]+\/Role\/Resource$/,
    action: /^logs:/,
    reason: 'aws-cdk-lib\'s stack-wide BucketNotificationsHandler has AWSLambdaBasicExecutionRole (logs of any group); it '
      + 'runs only while the stack deploys (acknowledged in lib/private/nag.ts).',
  },
  {
    role: /\/Classifier\/(Training|Endpoint)\/Role\/Resource$/,
    action: /^ec2:(CreateNetworkInterface|CreateNetworkInterfacePermission|DeleteNetworkInterface|DeleteNetworkInterfacePermission)$/,
    reason: 'SageMaker creates the job\'s and the endpoint\'s network interfaces under the execution role; the interfaces '
      + 'do not exist before, and the documented execution role policy grants these actions on "*" (acknowledged for cdk-nag).',
  },
];

interface Proof {
  readonly variant: AnyVariant;
  readonly policies: PolicySet;
  readonly allowed: Access[];
  readonly denied: Access[];
  readonly holderPaths: ReadonlyMap<string, string>;
  /** Construct path of each role, by ARN. */
  readonly rolePaths: ReadonlyMap<string, string>;
}

const proofs = new Map<AnyVariant, Proof>();

beforeAll(async () => {
  for (const [index, variant] of ALL_VARIANTS.entries()) {
    const built = buildVariant(variant, { bundle: false });
    const template = built.app.synth().getStackByName(built.stack.stackName).template as CfnTemplate;
    const paths = constructPaths(built.stack);
    const resolved = new ResolvedTemplate(template, { ...FAKE_DEPLOYMENT, stackName: built.stack.stackName, customAttributes: customAttributes(index % 2 === 0 ? 'first' : 'last') });
    const policies = PolicySet.fromTemplate(resolved);
    const allowed = dedupe(expectedAccesses({ resolved, paths }));
    const rolePaths = new Map(resolved.resourcesOfType('AWS::IAM::Role').map(([id]) => [resolved.getAtt(id, 'Arn'), paths.get(id) ?? id]));
    const denied = dedupe(await mustBeDenied(allowed, resolved))
      .filter((access) => !ALLOWED_BEYOND_RUN_TIME.some((entry) => entry.role.test(rolePaths.get(access.principal) ?? '') && entry.action.test(access.action)));
    proofs.set(variant, { variant, policies, allowed, denied, holderPaths: paths, rolePaths });
  }
}, 60_000);

afterAll(() => {
  const lines = [...proofs.values()].map((p) => `${p.variant}: ${p.allowed.length} accesses allowed, ${p.denied.length} denied, ${p.policies.statements.length} statements`);
  // The figures the issue asks for, printed once per run.
  process.stdout.write(`access proof:\n  ${lines.join('\n  ')}\n  ${removalSummary.join('\n  ')}\n`);
});

const removalSummary: string[] = [];

describe.each(ALL_VARIANTS)('%s variant', (variant) => {
  test('every access the deployment makes at run time is allowed', async () => {
    const proof = proofs.get(variant)!;
    expect(proof.allowed.length).toBeGreaterThan(50);
    const refused = await failing(proof.policies, proof.allowed, true);
    expect(refused).toEqual([]);
  });

  test('other resources, prefixes, run names, plain HTTP and passing other roles are denied', async () => {
    const proof = proofs.get(variant)!;
    expect(proof.denied.length).toBeGreaterThan(50);
    const permitted = await failing(proof.policies, proof.denied, false);
    expect(permitted).toEqual([]);
  });

  test('every statement is needed: removing it breaks an access, or it is explained', async () => {
    const proof = proofs.get(variant)!;
    const unexplained: string[] = [];
    const explainedUnused = new Set<string>();
    for (const statement of proof.policies.statements) {
      const without = proof.policies.without(statement);
      const broken = await breaksSomething(proof, statement, without);
      if (broken) continue;
      const path = proof.holderPaths.get(statement.holder.split('/')[0]) ?? statement.holder;
      const actions = [statement.statement.Action ?? statement.statement.NotAction].flat().join(',');
      const explained = UNUSED_STATEMENTS.find((entry) => entry.holder.test(path) && entry.actions === actions);
      if (explained) explainedUnused.add(`${path} ${actions}`);
      else unexplained.push(`${path} #${statement.index}: ${JSON.stringify(statement.statement)}`);
    }
    removalSummary.push(`${variant}: removed ${proof.policies.statements.length} statements one at a time, ${explainedUnused.size} explained as unused`);
    expect(unexplained).toEqual([]);
  });
});

test('the allow-list explains only statements that exist', () => {
  for (const entry of UNUSED_STATEMENTS) {
    const found = [...proofs.values()].some((proof) => proof.policies.statements.some((statement) => {
      const path = proof.holderPaths.get(statement.holder.split('/')[0]) ?? '';
      return entry.holder.test(path) && [statement.statement.Action].flat().join(',') === entry.actions;
    }));
    expect({ entry: entry.actions, found }).toEqual({ entry: entry.actions, found: true });
  }
});

/** Accesses whose decision is not `allowed`, described. */
async function failing(policies: PolicySet, accesses: Access[], allowed: boolean): Promise<string[]> {
  const wrong: string[] = [];
  for (const access of accesses) {
    const decision = await evaluate(policies, access, ACCOUNT);
    if (decision.allowed !== allowed) wrong.push(`${describeAccess(access)} -> ${decision.detail}`);
  }
  return wrong;
}

/** Whether `without` (the policies less `statement`) refuses an expected access or allows a forbidden one. */
async function breaksSomething(proof: Proof, statement: LocatedStatement, without: PolicySet): Promise<boolean> {
  const concerned = (access: Access) => statement.kind === 'identity'
    ? access.principal === statement.subject
    : access.resource === statement.subject || access.resource.startsWith(`${statement.subject}/`);
  const actions = [statement.statement.Action ?? []].flat();
  const matches = (access: Access) => statement.statement.NotAction !== undefined
    || actions.some((pattern) => wildcard(pattern).test(access.action));
  for (const access of proof.allowed) {
    if (concerned(access) && matches(access) && !(await evaluate(without, access, ACCOUNT)).allowed) return true;
  }
  for (const access of proof.denied) {
    if (concerned(access) && matches(access) && (await evaluate(without, access, ACCOUNT)).allowed) return true;
  }
  return false;
}

/**
 * Requests the deployment must refuse, made from each expected access: the same action on a resource of another
 * name (another bucket, endpoint, run name, repository, state machine, key), under another prefix of the same
 * bucket, over plain HTTP; and for every role, passing a role that is not ours, or ours to another service.
 */
async function mustBeDenied(allowed: Access[], resolved: ResolvedTemplate): Promise<Access[]> {
  const denied: Access[] = [];
  const ownBuckets = new Set(resolved.resourcesOfType('AWS::S3::Bucket').map(([id]) => resolved.ref(id)));
  for (const access of allowed) {
    const [service, action] = access.action.split(':');
    if (access.resource === '*' || await isWildcardOnlyAction(service, action)) continue;
    // Application Auto Scaling names scalable targets with ids it makes up: they cannot be named in a policy.
    if (service === 'application-autoscaling') continue;
    denied.push({ ...access, resource: foreign(access.resource), why: `${access.why} [other resource]` });
    const s3 = access.resource.match(/^arn:aws:s3:::([^/]+)(?:\/(.*))?$/);
    if (s3 && ownBuckets.has(s3[1]) && access.principal.includes(':role/')) {
      denied.push({ ...access, context: { ...access.context, 'aws:SecureTransport': 'false' }, why: `${access.why} [plain HTTP]` });
    }
    if (s3 && s3[2] !== undefined && !access.anyKey) {
      denied.push({ ...access, resource: `arn:aws:s3:::${s3[1]}/elsewhere/${s3[2]}`, why: `${access.why} [other prefix]` });
    }
    if (access.context?.['s3:prefix'] !== undefined && !access.anyKey) {
      denied.push({ ...access, context: { ...access.context, 's3:prefix': 'elsewhere/' }, why: `${access.why} [other prefix]` });
    }
    const logGroup = access.context?.['kms:EncryptionContext:aws:logs:arn'];
    if (typeof logGroup === 'string') {
      const elsewhere = logGroup.replace(`:${ACCOUNT}:`, ':444455556666:');
      denied.push({ ...access, context: { ...access.context, 'kms:EncryptionContext:aws:logs:arn': elsewhere }, why: `${access.why} [log group of another account]` });
    }
    const model = access.context?.['sagemaker:ModelArn'];
    if (typeof model === 'string') {
      denied.push({ ...access, context: { ...access.context, 'sagemaker:ModelArn': foreign(model) }, why: `${access.why} [a model of someone else]` });
    }
    if (access.action === 'iam:PassRole') {
      denied.push({ ...access, context: { 'iam:PassedToService': 'ec2.amazonaws.com' }, why: `${access.why} [to another service]` });
    }
  }
  // Every bucket and topic of the deployment refuses plain HTTP and old TLS, even to an administrator.
  for (const bucket of ownBuckets) {
    for (const [resource, action] of [[`arn:aws:s3:::${bucket}`, 's3:ListBucket'], [`arn:aws:s3:::${bucket}/any/key.jpg`, 's3:GetObject'], [`arn:aws:s3:::${bucket}/any/key.jpg`, 's3:PutObject']]) {
      denied.push({ principal: ADMINISTRATOR, action, resource, context: { 'aws:SecureTransport': 'false' }, why: `bucket ${bucket} over plain HTTP` });
      denied.push({ principal: ADMINISTRATOR, action, resource, context: { 's3:TlsVersion': '1.1' }, why: `bucket ${bucket} over TLS 1.1` });
    }
  }
  for (const [id] of resolved.resourcesOfType('AWS::SNS::Topic')) {
    denied.push({ principal: ADMINISTRATOR, action: 'sns:Publish', resource: resolved.ref(id), context: { 'aws:SecureTransport': 'false' }, why: `topic ${id} over plain HTTP` });
  }
  const principals = new Set(allowed.map((access) => access.principal).filter((principal) => principal.startsWith('arn:')));
  for (const principal of principals) {
    for (const service of ['sagemaker.amazonaws.com', 'lambda.amazonaws.com']) {
      denied.push({ principal, action: 'iam:PassRole', resource: FOREIGN_ROLE, context: { 'iam:PassedToService': service }, why: 'pass an arbitrary role' });
    }
  }
  return denied;
}

/** The ARN of a resource of the same kind with another name. */
function foreign(arn: string): string {
  const s3 = arn.match(/^(arn:[^:]+:s3:::)([^/]+)(.*)$/);
  if (s3) return `${s3[1]}someone-elses-${s3[2]}${s3[3]}`;
  const parts = arn.split(':');
  const rest = parts.slice(5).join(':');
  const renamed = /^[a-z-]+\//i.test(rest) ? rest.replace(/^([a-z-]+)\//i, '$1/foreign-')
    : /^[a-z-]+:/i.test(rest) ? rest.replace(/^([a-z-]+):/i, '$1:foreign-')
      : `foreign-${rest}`;
  return [...parts.slice(0, 5), renamed].join(':');
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`, 'i');
}

function dedupe(accesses: Access[]): Access[] {
  const seen = new Map<string, Access>();
  for (const access of accesses) {
    const key = JSON.stringify([access.principal, access.action, access.resource, access.context ?? {}]);
    if (!seen.has(key)) seen.set(key, access);
  }
  return [...seen.values()];
}
