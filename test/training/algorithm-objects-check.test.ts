/**
 * The deploy-time check of the algorithm's objects in the template: the custom resource and what it is asked, the
 * found location flowing into the training request and the training role's policy through Fn::GetAtt (so nothing
 * can train before the check), the check's own least-privilege role, and one function per stack.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImageClassifier, JumpStartModel } from '../../lib';
import { pretrainedModelKeyCandidates, TRAINING_SCRIPT_KEY } from '../../lib/private/algorithm-facts';
import { testStack } from '../helpers';
import { resolveIntrinsics, TemplateJson } from '../support/cfn-template';

const CHECK_TYPE = 'Custom::ImageClassifierAlgorithmCheck';
const MODEL = JumpStartModel.MOBILENET_V2_100_224;
const CONTENT_BUCKET = { 'Fn::Join': ['', ['jumpstart-cache-prod-', { Ref: 'AWS::Region' }]] };

interface Statement {
  readonly Sid?: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

function checkIds(template: Template): string[] {
  return Object.keys(template.findResources(CHECK_TYPE));
}

/** Every statement of the identity policies attached to the role whose logical id starts with `rolePrefix`. */
function roleStatements(template: Template, rolePrefix: RegExp): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((role) => rolePrefix.test(role.Ref)));
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

function withAction(statements: Statement[], action: string): Statement[] {
  return statements.filter((s) => [s.Action].flat().includes(action));
}

/** Logical ids `id` waits for: DependsOn, Ref and Fn::GetAtt, transitively. */
function dependenciesOf(json: TemplateJson & { Resources: Record<string, { DependsOn?: string | string[] }> }, id: string): Set<string> {
  const seen = new Set<string>();
  const visit = (current: string) => {
    const resource = json.Resources[current];
    const direct = new Set<string>([resource.DependsOn ?? []].flat());
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (key === 'Ref' && typeof inner === 'string' && inner in json.Resources) direct.add(inner);
          else if (key === 'Fn::GetAtt') direct.add(Array.isArray(inner) ? inner[0] : String(inner).split('.')[0]);
          else walk(inner);
        }
      }
    };
    walk(resource.Properties);
    for (const next of direct) if (!seen.has(next)) {
      seen.add(next);
      visit(next);
    }
  };
  visit(id);
  return seen;
}

describe('the check resource', () => {
  test('asks for the script and the model\'s candidate keys, most likely first, in the deploy region\'s content bucket', () => {
    const stack = testStack();
    new ImageClassifier(stack, 'Classifier');
    const template = Template.fromStack(stack);
    expect(checkIds(template)).toHaveLength(1);
    template.hasResourceProperties(CHECK_TYPE, {
      ModelId: MODEL.modelId,
      TrainingScript: { Bucket: CONTENT_BUCKET, Key: TRAINING_SCRIPT_KEY },
      PretrainedModelCandidates: pretrainedModelKeyCandidates(MODEL.modelId).map((Key) => ({ Bucket: CONTENT_BUCKET, Key })),
      TrainingScriptOverridden: 'false',
      PretrainedModelOverridden: 'false',
    });
  });

  test('an overridden location is the one candidate, marked as overridden', () => {
    const stack = testStack('us-east-1');
    new ImageClassifier(stack, 'Classifier', {
      model: JumpStartModel.EFFICIENTNET_B0,
      training: { locations: { pretrainedModelUri: 's3://my-mirror/models/b0.tar.gz' } },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(CHECK_TYPE, {
      ModelId: JumpStartModel.EFFICIENTNET_B0.modelId,
      PretrainedModelCandidates: [{ Bucket: 'my-mirror', Key: 'models/b0.tar.gz' }],
      PretrainedModelOverridden: 'true',
    });
    // The training role lists the mirror with the model's key, and the content bucket with the script's.
    const lists = withAction(roleStatements(template, /^ClassifierTrainingRole/), 's3:ListBucket').filter((s) => s.Sid?.startsWith('ListAlgorithmChannels'));
    expect(lists.map((s) => [s.Resource, s.Condition])).toEqual([
      [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::jumpstart-cache-prod-us-east-1']] }, { StringEquals: { 's3:prefix': [TRAINING_SCRIPT_KEY] } }],
      [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-mirror']] }, { StringEquals: { 's3:prefix': [{ 'Fn::GetAtt': [checkIds(template)[0], 'PretrainedModelKey'] }] } }],
    ]);
  });
});

describe('the found key flows into the training', () => {
  function classifierWithFirstRun(): { stack: Stack; template: Template; checkId: string } {
    const stack = testStack();
    new ImageClassifier(stack, 'Classifier', { startRetrainingOnDeploy: true });
    const template = Template.fromStack(stack);
    return { stack, template, checkId: checkIds(template)[0] };
  }

  test('the state machine\'s training request reads the model channel from the check', () => {
    const { template, checkId } = classifierWithFirstRun();
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))
      .filter((machine) => JSON.stringify(machine.Properties.DefinitionString).includes('createTrainingJob.sync'));
    expect(machines).toHaveLength(1);
    expect(JSON.stringify(machines[0].Properties.DefinitionString)).toContain(JSON.stringify({ 'Fn::GetAtt': [checkId, 'PretrainedModelUri'] }));
    // As deployed, with the check answering its first candidate: the channel is that object.
    const json = template.toJSON() as TemplateJson;
    const definition = JSON.parse(resolveIntrinsics(json, machines[0].Properties.DefinitionString) as string) as { States: Record<string, { Parameters?: Record<string, unknown> }> };
    const train = Object.values(definition.States).find((state) => state.Parameters && 'InputDataConfig' in state.Parameters)!;
    const model = (train.Parameters!.InputDataConfig as { ChannelName: string; DataSource: { S3DataSource: { S3Uri: string } } }[])
      .find((channel) => channel.ChannelName === 'model')!;
    expect(model.DataSource.S3DataSource.S3Uri).toBe(`s3://jumpstart-cache-prod-us-east-1/${pretrainedModelKeyCandidates(MODEL.modelId)[0]}`);
  });

  test('the training role reads and lists exactly the script and the found key, and nothing else in the bucket', () => {
    const { template, checkId } = classifierWithFirstRun();
    const statements = roleStatements(template, /^ClassifierTrainingRole/);
    const found = { 'Fn::GetAtt': [checkId, 'PretrainedModelKey'] };
    const read = statements.find((s) => s.Sid === 'ReadAlgorithmScriptAndPretrainedModel')!;
    expect(read.Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::jumpstart-cache-prod-', { Ref: 'AWS::Region' }, `/${TRAINING_SCRIPT_KEY}`]] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::jumpstart-cache-prod-', { Ref: 'AWS::Region' }, '/', found]] },
    ]);
    const list = statements.find((s) => s.Sid === 'ListAlgorithmChannels')!;
    expect(list.Action).toBe('s3:ListBucket');
    expect(list.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::jumpstart-cache-prod-', { Ref: 'AWS::Region' }]] });
    expect(list.Condition).toEqual({ StringEquals: { 's3:prefix': [TRAINING_SCRIPT_KEY, found] } });
  });

  test('nothing that trains can be created before the check: the state machine, the role policy and the first run wait for it', () => {
    const { template, checkId } = classifierWithFirstRun();
    const json = template.toJSON() as TemplateJson & { Resources: Record<string, { DependsOn?: string[] }> };
    const [machineId] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(dependenciesOf(json, machineId)).toContain(checkId);
    const trainingPolicy = Object.entries(template.findResources('AWS::IAM::Policy'))
      .find(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith('ClassifierTrainingRole')))![0];
    expect(dependenciesOf(json, trainingPolicy)).toContain(checkId);
    const firstRuns = Object.keys(json.Resources).filter((id) => id.startsWith('FirstRetrainingRun') && json.Resources[id].Type === 'Custom::AWS');
    expect(firstRuns).toHaveLength(1);
    expect(dependenciesOf(json, firstRuns[0])).toContain(checkId);
    // And the check itself waits for its role's grants.
    const checkDependencies = dependenciesOf(json, checkId);
    expect([...checkDependencies].some((id) => json.Resources[id].Type === 'AWS::IAM::Policy' && id.startsWith('ImageClassifierAlgorithmCheckProviderServiceRole'))).toBe(true);
  });
});

describe('the check\'s function', () => {
  test('one per stack, shared by every classifier in it', () => {
    const stack = testStack('eu-west-1');
    new ImageClassifier(stack, 'Flowers');
    new ImageClassifier(stack, 'Birds', { model: JumpStartModel.EFFICIENTNET_B0 });
    const template = Template.fromStack(stack);
    const checks = Object.values(template.findResources(CHECK_TYPE));
    expect(checks).toHaveLength(2);
    expect(new Set(checks.map((check) => JSON.stringify(check.Properties.ServiceToken))).size).toBe(1);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f) => String(f.Properties.Description).startsWith('Checks that the Image Classification'));
    expect(functions).toHaveLength(1);
    expect(functions[0].Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x' });
  });

  test('its role reads and lists exactly the candidate keys of every check, with no wildcard', () => {
    const stack = testStack('eu-west-1');
    new ImageClassifier(stack, 'Flowers');
    new ImageClassifier(stack, 'Birds', { model: JumpStartModel.EFFICIENTNET_B0 });
    const statements = roleStatements(Template.fromStack(stack), /^ImageClassifierAlgorithmCheckProviderServiceRole/);
    const keys = [TRAINING_SCRIPT_KEY, ...pretrainedModelKeyCandidates(MODEL.modelId), ...pretrainedModelKeyCandidates(JumpStartModel.EFFICIENTNET_B0.modelId)];
    const objectArn = (key: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::jumpstart-cache-prod-eu-west-1/${key}`]] });
    const gets = withAction(statements, 's3:GetObject').flatMap((s) => [s.Resource].flat());
    expect(new Set(gets.map((arn) => JSON.stringify(arn)))).toEqual(new Set(keys.map((key) => JSON.stringify(objectArn(key)))));
    const lists = withAction(statements, 's3:ListBucket');
    const prefixes = lists.flatMap((s) => [s.Condition!.StringEquals['s3:prefix']].flat());
    expect(new Set(prefixes)).toEqual(new Set(keys));
    for (const s of lists) expect(s.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::jumpstart-cache-prod-eu-west-1']] });
    expect(JSON.stringify(statements)).not.toMatch(/\*/);
  });

  test('its log groups take the classifier\'s encryption key', () => {
    const stack = testStack('us-east-1');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new ImageClassifier(stack, 'Classifier', { encryptionKey: key });
    const groups = Object.entries(Template.fromStack(stack).findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('ImageClassifierAlgorithmCheckProvider'));
    expect(groups).toHaveLength(2);
    for (const [, group] of groups) expect(group.Properties.KmsKeyId).toEqual(stack.resolve(key.keyArn));
  });
});
