import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { imageClassifierPropsFromContext } from '../lib/app-context';
import { ImageClassifierStack } from '../lib/image-classifier-stack';
import { STACK_OUTPUTS } from '../lambda/shared/stack-outputs';
import { NO_BUNDLING } from './helpers';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'));

/**
 * The app's stack exactly as bin/app.ts builds it from cdk.json. `full` adds what `cdk synth` does (Lambda bundling)
 * and aws-cdk-lib's template validation with every finding fatal; the other tests skip both for speed.
 */
function synthApp(extraContext: Record<string, unknown> = {}, full = false) {
  const app = new App({
    builtinCloudFormationValidation: full,
    context: { ...CDK_JSON.context, ...extraContext, ...(full ? { '@aws-cdk/core:validateAgainstDefaultRules': true } : NO_BUNDLING) },
  });
  const stack = new ImageClassifierStack(app, 'ImageClassifierStack', { classifier: imageClassifierPropsFromContext(app.node) });
  return { app, stack };
}

describe('the CDK app', () => {
  test('synthesizes an environment-agnostic stack, with its Lambda bundles, that passes CloudFormation schema validation with no finding', () => {
    const { app, stack } = synthApp({}, true);
    const assembly = app.synth(); // throws on any validation error
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const violations = report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations);
    expect(violations).toEqual([]);
    expect(stack.region).toMatch(/^\$\{Token/);
    const artifact = assembly.getStackByName('ImageClassifierStack');
    expect(artifact.template.Resources).toBeDefined();
    // Every Lambda asset was bundled into the cloud assembly (no Docker needed).
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${artifact.stackName}.assets.json`), 'utf8'));
    const bundles = Object.values(manifest.files as Record<string, { source: { path: string; packaging?: string } }>)
      .filter((file) => file.source.packaging === 'zip')
      .map((file) => path.join(assembly.directory, file.source.path));
    expect(bundles.length).toBeGreaterThanOrEqual(4); // inference, pipeline steps, cleanup onEvent and isComplete
    for (const bundle of bundles) expect(fs.readdirSync(bundle).some((f) => f.endsWith('.js') || f.endsWith('.py') || f.endsWith('.mjs'))).toBe(true);
  });

  test('outputs the bucket name and where to upload images', () => {
    const { stack } = synthApp();
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['DatasetBucketName', 'TrainingDataUri', 'UploadCommand', 'ModelOutputUri', 'PretrainedModel', 'BatchStateMachineArn', 'DashboardName']));
    expect(outputs.BatchStateMachineArn.Value).toEqual({ Ref: expect.stringMatching(/Batch.*StateMachine/) });
    expect(JSON.stringify(outputs.TrainingDataUri.Value)).toContain('/dataset/training/');
    expect(outputs.PretrainedModel.Value).toBe('tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4');
  });

  test('has every output the command line reads (lambda/shared/stack-outputs.ts), with the test prefix and the model input size', () => {
    const { stack } = synthApp({ 'imageClassifier:useValidationChannel': 'true' });
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    expect(Object.values(STACK_OUTPUTS).filter((name) => !(name in outputs))).toEqual([]);
    expect(JSON.stringify(outputs[STACK_OUTPUTS.testDataUri].Value)).toContain('/dataset/test/');
    expect(JSON.stringify(outputs[STACK_OUTPUTS.validationDataUri].Value)).toContain('/dataset/validation/');
    expect(outputs[STACK_OUTPUTS.modelImageSize].Value).toBe('224');
  });

  test('outputs the validation prefix only when training sends the validation channel (images there would be ignored otherwise)', () => {
    const outputs = Template.fromStack(synthApp().stack).toJSON().Outputs;
    expect(Object.keys(outputs)).not.toContain(STACK_OUTPUTS.validationDataUri);
  });

  test('cdk.json context configures the classifier', () => {
    const props = imageClassifierPropsFromContext(new App({ context: {
      'imageClassifier:model': 'tensorflow-ic-efficientnet-b0-classification-1',
      'imageClassifier:trainingInstanceType': 'ml.g4dn.xlarge',
      'imageClassifier:spot': 'true',
      'imageClassifier:maxRuntimeHours': '2.5',
      'imageClassifier:hyperparameters': '{"epochs": 10, "learningRate": 0.0005}',
      'imageClassifier:datasetPrefix': 'flowers',
    } }).node);
    expect(props.model!.modelId).toBe('tensorflow-ic-efficientnet-b0-classification-1');
    expect(props.training!.instanceType!.name).toBe('ml.g4dn.xlarge');
    expect(props.training!.spot).toBe(true);
    expect(props.training!.maxRuntime!.toMinutes()).toBe(150);
    expect(props.hyperparameters).toEqual({ epochs: 10, learningRate: 0.0005 });
    expect(props.dataset!.prefix).toBe('flowers');
  });

  test('rejects unknown context keys and unreadable values, naming each', () => {
    expect(() => imageClassifierPropsFromContext(new App({ context: {
      'imageClassifier:epochs': 3,
      'imageClassifier:spot': 'yes',
      'imageClassifier:hyperparameters': '{epochs: 3}',
    } }).node)).toThrow(/context key 'imageClassifier:epochs' is not a setting of this app; its settings are imageClassifier:model[\s\S]*imageClassifier:spot must be true or false, got "yes"[\s\S]*imageClassifier:hyperparameters must be a JSON object/);
  });

  test.each([
    ['an unknown model id', { 'imageClassifier:model': 'nope' }, "unknown model id 'nope'"],
    ['a learning rate of 3', { 'imageClassifier:hyperparameters': { learningRate: 3 } }, 'hyperparameters.learningRate must be a number in [0, 1], got 3'],
    ['a T2 training instance', { 'imageClassifier:trainingInstanceType': 'ml.t2.medium' }, 'SageMaker training does not accept T2 instances'],
    ['a bad dataset prefix', { 'imageClassifier:datasetPrefix': '/data' }, 'imageClassifier:datasetPrefix must be an S3 key prefix'],
  ])('fails synth with a clear message for %s', (_name, context, message) => {
    expect(() => synthApp(context)).toThrow(message);
  });
});
