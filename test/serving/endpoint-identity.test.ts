import * as crypto from 'crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { NO_BUNDLING } from '../helpers';
import { ImageClassifier } from '../../lib/image-classifier';
import { ClassifierEndpoint } from '../../lib/serving/classifier-endpoint';

/**
 * The endpoint's identity does not depend on where the classifier sits in the construct tree: wrapping it in any
 * number of constructs (the refactor that used to rename and so delete the serving endpoint) keeps its name, and so
 * the cleanup resource's physical id, the pipeline's resource name prefix and every ARN granted on it.
 */
/** The name versions before 0.2 derived from the stack name and the construct path of the ClassifierEndpoint. */
function pathBasedName(stackName: string, pathInStack: string): string {
  const hash = crypto.createHash('sha256').update(`${stackName}/${pathInStack}`).digest('hex').slice(0, 8);
  const readable = `${stackName}-${pathInStack}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '');
  return `${readable.slice(0, 29).replace(/-+$/, '')}-${hash}`;
}

const ids = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,14}$/);

function classifierIn(stackName: string, wrappers: readonly string[], id: string): { stack: Stack; classifier: ImageClassifier } {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING }), 'Stack', { stackName, env: { region: 'us-east-1', account: '123456789012' } });
  let scope: Construct = stack;
  for (const wrapper of wrappers) scope = new Construct(scope, wrapper);
  return { stack, classifier: new ImageClassifier(scope, id) };
}

describe('endpoint identity', () => {
  test('wrapping an ImageClassifier in any constructs keeps its endpoint name; the id and the stack name decide it', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/), ids, fc.array(ids, { minLength: 1, maxLength: 3 }), (stackName, id, wrappers) => {
      const top = classifierIn(stackName, [], id).classifier;
      const wrapped = classifierIn(stackName, wrappers, id).classifier;
      expect(wrapped.endpoint.endpointName).toBe(top.endpoint.endpointName);
      expect(wrapped.endpoint.resourceNamePrefix).toBe(top.endpoint.resourceNamePrefix);
      expect(classifierIn(stackName, wrappers, `${id}X`).classifier.endpoint.endpointName).not.toBe(top.endpoint.endpointName);
    }), { numRuns: 8 });
  });

  test('a classifier at the top of its stack keeps the name the earlier path-based derivation gave it', () => {
    expect(classifierIn('prod', [], 'Classifier').classifier.endpoint.endpointName).toBe(pathBasedName('prod', 'Classifier/Endpoint'));
  });

  test('tells at synth what the name comes from and what a rename does', () => {
    const { stack } = classifierIn('prod', [], 'Classifier');
    Annotations.fromStack(stack).hasInfo('/Stack/Classifier', Match.stringLikeRegexp(
      `Endpoint name '${pathBasedName('prod', 'Classifier/Endpoint')}' comes from the stack name 'prod' and 'Classifier/Endpoint', not from the construct path.*Set endpointName`));
    Annotations.fromStack(stack).hasInfo('/Stack/Classifier', Match.stringLikeRegexp(
      "take their logical ids from its identity 'Classifier'.*moving it.*changes nothing in the template.*set identity: 'Classifier'"));
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('Versions before'));
  });

  test('warns a classifier already inside other constructs that earlier versions named its endpoint from the path', () => {
    const { stack, classifier } = classifierIn('prod', ['Team'], 'Classifier');
    const former = pathBasedName('prod', 'Team/Classifier/Endpoint');
    expect(classifier.endpoint.endpointName).toBe(pathBasedName('prod', 'Classifier/Endpoint'));
    Annotations.fromStack(stack).hasWarning('/Stack/Team/Classifier', Match.stringLikeRegexp(
      `named this classifier's endpoint '${former}'.*set endpointName: '${former}'`));
  });

  test('an explicit endpointName is kept and announces nothing', () => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING }), 'Stack', { env: { region: 'us-east-1' } });
    const classifier = new ImageClassifier(new Construct(stack, 'Team'), 'Classifier', { serving: { endpointName: 'flowers' } });
    expect(classifier.endpoint.endpointName).toBe('flowers');
    Annotations.fromStack(stack).hasNoInfo('*', Match.stringLikeRegexp('Endpoint name'));
  });

  test('two classifiers that would share an endpoint name in one stack are refused, naming both and the fix', () => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING }), 'Stack', { env: { region: 'us-east-1' } });
    new ImageClassifier(new Construct(stack, 'TeamA'), 'Classifier', { serving: { endpointName: 'shared' } });
    expect(() => new ImageClassifier(new Construct(stack, 'TeamB'), 'Other', { serving: { endpointName: 'Shared' } })).toThrow(
      /Stack\/TeamB\/Other\/Endpoint: invalid ClassifierEndpoint props:\n.*endpoint name 'Shared' is already the endpoint of Stack\/TeamA\/Classifier\/Endpoint.*give one of them another endpointName/);
    new ClassifierEndpoint(stack, 'Mine', { endpointName: 'Flowers' });
    expect(() => new ClassifierEndpoint(stack, 'Yours', { endpointName: 'flowers' })).toThrow(/endpoint name 'flowers' is already the endpoint of Stack\/Mine/);
  });
});

describe('classifier identity', () => {
  const stackIn = () => new Stack(new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING }), 'Stack', { stackName: 'prod', env: { region: 'us-east-1', account: '123456789012' } });
  const logicalIds = (stack: Stack) => Object.keys(Template.fromStack(stack).toJSON().Resources).sort();

  test('identity set to the former construct id keeps the endpoint name and every logical id of the renamed classifier', () => {
    const former = stackIn();
    const top = new ImageClassifier(former, 'Classifier');
    const renamed = stackIn();
    const classifier = new ImageClassifier(new Construct(renamed, 'Team'), 'Flowers', { identity: 'Classifier' });
    expect(classifier.endpoint.endpointName).toBe(top.endpoint.endpointName);
    expect(logicalIds(renamed)).toEqual(logicalIds(former));
  });

  test('resources added to a wrapped classifier after construction take path-independent ids too; ids set explicitly are kept', () => {
    const build = (wrappers: readonly string[]) => {
      const stack = stackIn();
      let scope: Construct = stack;
      for (const wrapper of wrappers) scope = new Construct(scope, wrapper);
      const classifier = new ImageClassifier(scope, 'Classifier');
      const late = new s3.CfnBucket(classifier.dataset, 'Late');
      const pinned = new s3.CfnBucket(classifier, 'Pinned');
      pinned.overrideLogicalId('MyOwnId');
      // a grant after construction creates the role's default policy then
      const role = new iam.Role(classifier, 'LateRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      classifier.dataset.bucket.grantRead(role);
      Template.fromStack(stack);
      return { late: stack.resolve(late.logicalId), pinned: stack.resolve(pinned.logicalId), ids: logicalIds(stack) };
    };
    const top = build([]);
    const wrapped = build(['Team', 'Inner']);
    expect(wrapped.late).toBe(top.late);
    expect(wrapped.pinned).toBe('MyOwnId');
    expect(wrapped.ids).toEqual(top.ids);
    expect(wrapped.ids.filter((id) => id.startsWith('ClassifierLateRole'))).toHaveLength(2); // the role and its default policy
  });

  test('a move keeps the exports other stacks import (a changed export name in use would fail the deploy)', () => {
    const build = (wrappers: readonly string[]) => {
      const app = new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING });
      const env = { region: 'us-east-1', account: '123456789012' };
      const ml = new Stack(app, 'Ml', { env });
      let scope: Construct = ml;
      for (const wrapper of wrappers) scope = new Construct(scope, wrapper);
      const classifier = new ImageClassifier(scope, 'Classifier');
      const consumer = new Stack(app, 'Consumer', { env });
      const role = new iam.Role(consumer, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
      classifier.grantInvoke(role);
      classifier.grantStartRetraining(role);
      const assembly = app.synth();
      return { outputs: assembly.getStackByName('Ml').template.Outputs, consumer: assembly.getStackByName('Consumer').template };
    };
    const top = build([]);
    expect(Object.keys(top.outputs)).toHaveLength(2); // the function's ARN and the state machine's
    expect(build(['Team', 'Vision'])).toEqual(top);
  });

  test('two classifiers of one identity in a stack are refused, naming both and the fix', () => {
    const stack = stackIn();
    new ImageClassifier(new Construct(stack, 'TeamA'), 'Classifier');
    expect(() => new ImageClassifier(new Construct(stack, 'TeamB'), 'Classifier')).toThrow(
      /Stack\/TeamB\/Classifier: invalid ImageClassifier props:\n.*identity 'Classifier' is already the identity of Stack\/TeamA\/Classifier in this stack.*Give this one another construct id, or set identity/);
    expect(() => new ImageClassifier(stack, 'Renamed', { identity: 'Classifier' })).toThrow(/identity 'Classifier' is already the identity of Stack\/TeamA\/Classifier/);
    expect(() => new ImageClassifier(new Construct(stack, 'TeamC'), 'Classifier', { identity: 'Other' })).not.toThrow();
  });

  test.each([[''], ['Team/Classifier'], [42]])('identity %p is refused with what an identity is', (identity) => {
    expect(() => new ImageClassifier(stackIn(), 'Classifier', { identity: identity as string })).toThrow(
      /identity must be a literal, non-empty string without '\/'.*its former construct id\), got/);
  });

  test('warns a classifier inside other constructs that earlier versions gave its resources path-derived ids', () => {
    const stack = stackIn();
    new ImageClassifier(new Construct(stack, 'Team'), 'Classifier');
    Annotations.fromStack(stack).hasWarning('/Stack/Team/Classifier', Match.stringLikeRegexp('logical ids from its path.*this deploy replaces its resources.*cdk diff'));
    const top = stackIn();
    new ImageClassifier(top, 'Classifier');
    Annotations.fromStack(top).hasNoWarning('*', Match.stringLikeRegexp('logical ids from its path'));
  });
});
