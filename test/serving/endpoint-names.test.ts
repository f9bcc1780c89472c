import { App, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ClassifierEndpoint } from '../../lib/serving/classifier-endpoint';
import { deriveEndpointName } from '../../lib/serving/private/endpoint-names';
import { resourceNamePrefix } from '../../lambda/shared/sagemaker-names';
import { API_NAME_PATTERN } from '../support/sagemaker-api';

/** An endpoint at `path` (ids separated by `/`) in a stack called `stackName`, in a fresh app. */
function endpointAt(stackName: string, path: string): ClassifierEndpoint {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), stackName, { env: { region: 'us-east-1' } });
  const ids = path.split('/');
  let scope: Construct = stack;
  for (const id of ids.slice(0, -1)) scope = new Construct(scope, id);
  return new ClassifierEndpoint(scope, ids[ids.length - 1]);
}

describe('derived endpoint names', () => {
  test('are lowercase, readable, end with a hash, and are literal strings', () => {
    const classifier = endpointAt('FlowerClassifier', 'Serving/Endpoint');
    expect(classifier.endpointName).toMatch(/^flowerclassifier-endpoint-[0-9a-f]{8}$/);
    expect(Token.isUnresolved(classifier.endpointName)).toBe(false);
  });

  test('are deterministic: the same stack and path always give the same name', () => {
    expect(endpointAt('FlowerClassifier', 'Serving/Endpoint').endpointName).toBe(endpointAt('FlowerClassifier', 'Serving/Endpoint').endpointName);
  });

  test('differ between stacks and between construct ids, even when the readable part is cut off', () => {
    const longStack = 'AVeryLongStackNameForTheFlowerClassifierInProduction';
    const names = [
      endpointAt('FlowerClassifier', 'Endpoint').endpointName,
      endpointAt('FlowerClassifierDev', 'Endpoint').endpointName,
      endpointAt('FlowerClassifier', 'Other').endpointName,
      endpointAt(longStack, 'W/A').endpointName,
      endpointAt(longStack, 'W/B').endpointName,
    ];
    expect(new Set(names).size).toBe(names.length);
  });

  test.each([
    ['a short stack and path', 'S', 'E'],
    ['a long stack name and a deep path', 'A'.repeat(120), 'Level-One/Level_Two/Level.Three/Endpoint'],
    ['ids without letters or digits', 'Stack', '___/---'],
  ])('with %s: at most 38 characters, a valid name, and the prefix is the name', (_case, stackName, path) => {
    const classifier = endpointAt(stackName, path);
    expect(classifier.endpointName.length).toBeLessThanOrEqual(38);
    expect(classifier.endpointName).toMatch(API_NAME_PATTERN);
    expect(classifier.endpointName).toMatch(/^[a-z0-9-]+$/);
    expect(classifier.resourceNamePrefix).toBe(classifier.endpointName);
  });

  test('the derivation only reads the stack name and the identity it is given', () => {
    const stack = new Stack(new App(), 'Named', { stackName: 'prod-flowers' });
    expect(deriveEndpointName(new Construct(new Construct(stack, 'Wrapper'), 'Endpoint'), ['Endpoint'])).toMatch(/^prod-flowers-endpoint-[0-9a-f]{8}$/);
  });
});

describe('resource name prefix', () => {
  test('is the endpoint name when it has at most 38 characters', () => {
    expect(resourceNamePrefix('flowers')).toBe('flowers');
    expect(resourceNamePrefix('a'.repeat(38))).toBe('a'.repeat(38));
  });

  test('is at most 38 characters without a trailing hyphen, and tells long names with a common start apart', () => {
    const a = resourceNamePrefix(`${'company-image-classifier-endpoint-'}production`);
    const b = resourceNamePrefix(`${'company-image-classifier-endpoint-'}productiox`);
    for (const prefix of [a, b]) {
      expect(prefix.length).toBeLessThanOrEqual(38);
      expect(prefix).not.toMatch(/-$/);
      expect(prefix).toMatch(API_NAME_PATTERN);
    }
    expect(a).not.toBe(b);
    expect(a.startsWith('company-image-classifier-end')).toBe(true);
  });

  test('a given name is kept as it is', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1' } });
    const classifier = new ClassifierEndpoint(stack, 'Endpoint', { endpointName: 'Flowers-Prod' });
    expect(classifier.endpointName).toBe('Flowers-Prod');
    expect(classifier.resourceNamePrefix).toBe('Flowers-Prod');
  });
});
