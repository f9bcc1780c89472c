/**
 * ClassifierEndpoint.modelArnPattern and endpointConfigArnPattern are exactly what the library itself grants on the
 * endpoint's models and endpoint configurations (the retraining pipeline's and the cleanup's IAM statements, read
 * from the synthesized template), and they match exactly the names the endpoint's resources get.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as fc from 'fast-check';
import { ImageClassifier } from '../../lib/image-classifier';
import { ClassifierEndpoint } from '../../lib/serving/classifier-endpoint';
import { ModelArtifact } from '../../lib/serving/model-artifact';
import { runId, runNames } from '../../lambda/shared/sagemaker-names';
import { NO_BUNDLING } from '../helpers';
import { resolveIntrinsics, TemplateJson } from '../support/cfn-template';
import { iamWildcardMatches, pipelineRunIds } from '../support/naming';

const ENV = { region: 'us-east-1', account: '123456789012' };

function newStack(): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING }), 'TestStack', { env: ENV });
}

/** `value` as a deployment would see it (the test pseudo parameters: partition aws, the stack's region and account). */
function deployed(stack: Stack, value: unknown): unknown {
  return resolveIntrinsics(Template.fromStack(stack).toJSON() as TemplateJson, stack.resolve(value));
}

/** Every SageMaker `<resourceType>/…` resource in the stack's IAM policies, with the policy's logical id. */
function grantedResources(stack: Stack, resourceType: string): Array<{ readonly policy: string; readonly resource: string }> {
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const granted: Array<{ policy: string; resource: string }> = [];
  for (const [policy, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const statements = (resource.Properties as { PolicyDocument: { Statement: Array<{ Resource: unknown }> } }).PolicyDocument.Statement;
    for (const statement of statements) {
      for (const arn of [resolveIntrinsics(template, statement.Resource)].flat() as string[]) {
        if (arn.startsWith('arn:aws:sagemaker:') && arn.split(':')[5].startsWith(`${resourceType}/`)) granted.push({ policy, resource: arn });
      }
    }
  }
  return granted;
}

describe.each([
  ['a derived endpoint name', undefined],
  ['a mixed-case endpoint name', 'Flowers-Prod'],
  ['a 63-character endpoint name (hashed prefix)', `Flowers-${'x'.repeat(55)}`],
])('a pipeline-managed endpoint with %s', (_case, endpointName) => {
  const stack = newStack();
  const classifier = new ImageClassifier(stack, 'Classifier', { serving: { endpointName } });
  const endpoint = classifier.endpoint;
  const modelPattern = deployed(stack, endpoint.modelArnPattern) as string;
  const configPattern = deployed(stack, endpoint.endpointConfigArnPattern) as string;

  test.each([
    ['model', () => modelPattern],
    ['endpoint-config', () => configPattern],
  ])('every IAM statement on a %s grants exactly the public ARN pattern, in the pipeline\'s and the cleanup\'s policies', (resourceType, pattern) => {
    const granted = grantedResources(stack, resourceType);
    const policies = new Set(granted.map((grant) => grant.policy));
    // Not vacuous: the pipeline (create, delete superseded, clean up a failed run) and the cleanup both hold grants.
    expect([...policies].some((id) => id.includes('Retraining'))).toBe(true);
    expect([...policies].some((id) => id.includes('Cleanup'))).toBe(true);
    for (const grant of granted) expect(grant).toEqual({ policy: grant.policy, resource: pattern() });
  });

  test('the patterns match every model and config a run names, and none of another endpoint sharing the prefix', () => {
    fc.assert(fc.property(pipelineRunIds, fc.integer({ min: 1, max: 10 }), (id, attempts) => {
      const names = runNames(endpoint.resourceNamePrefix, id, attempts);
      const arn = (type: string, name: string) => `arn:aws:sagemaker:${ENV.region}:${ENV.account}:${type}/${name.toLowerCase()}`;
      expect(iamWildcardMatches(modelPattern, arn('model', names.model))).toBe(true);
      expect(iamWildcardMatches(configPattern, arn('endpoint-config', names.endpointConfig))).toBe(true);
      for (const job of names.trainingJobs) expect(iamWildcardMatches(modelPattern, arn('model', job))).toBe(false);
      for (const foreign of [`${endpoint.resourceNamePrefix}-ic-${id}`, `${endpoint.resourceNamePrefix}x-${id}`, `${endpoint.resourceNamePrefix}-static-${id.slice(-8)}`]) {
        expect(iamWildcardMatches(modelPattern, arn('model', foreign))).toBe(false);
        expect(iamWildcardMatches(configPattern, arn('endpoint-config', foreign))).toBe(false);
      }
    }), { numRuns: 50 });
  });
});

test('an endpoint with a fixed model: the patterns match exactly the model and config CloudFormation creates', () => {
  const stack = newStack();
  const endpoint = new ClassifierEndpoint(stack, 'Endpoint', { endpointName: 'Flowers', modelArtifact: ModelArtifact.pretrained() });
  const arn = (type: string, name: string) => `arn:aws:sagemaker:${ENV.region}:${ENV.account}:${type}/${name.toLowerCase()}`;
  const modelPattern = deployed(stack, endpoint.modelArnPattern) as string;
  const configPattern = deployed(stack, endpoint.endpointConfigArnPattern) as string;
  const model = endpoint.cfnModel as sagemaker.CfnModel;
  const config = endpoint.cfnEndpointConfig as sagemaker.CfnEndpointConfig;
  expect(iamWildcardMatches(modelPattern, arn('model', model.modelName!))).toBe(true);
  expect(iamWildcardMatches(configPattern, arn('endpoint-config', config.endpointConfigName!))).toBe(true);
  // Nothing else: not the names a pipeline run would give, nor a longer name sharing the prefix.
  expect(iamWildcardMatches(modelPattern, arn('model', `flowers-${runId('x', '2026-11-28T12:00:00Z')}`))).toBe(false);
  expect(iamWildcardMatches(modelPattern, arn('model', `${model.modelName}0`))).toBe(false);
});
