import type { PutScalingPolicyCommandInput, RegisterScalableTargetCommandInput } from '@aws-sdk/client-application-auto-scaling';
import { MetricType, PolicyType, ScalableDimension, ServiceNamespace } from '@aws-sdk/client-application-auto-scaling';
import type {
  CreateEndpointConfigCommandInput, CreateModelCommandInput, ProductionVariantInstanceType as ApiInstanceType,
} from '@aws-sdk/client-sagemaker';
import { CaptureMode, ModelCompressionType, ProductionVariantInstanceType, S3ModelDataType } from '@aws-sdk/client-sagemaker';
import { Size } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { endpoint, onlyResource } from './helpers';
import { API_MODEL_NAME_PATTERN, API_NAME_MAX_LENGTH, API_NAME_PATTERN } from '../support/sagemaker-api';
import { runId } from '../../lambda/shared/sagemaker-names';
import { ClassifierEndpoint } from '../../lib/serving/classifier-endpoint';
import { EndpointCapacity } from '../../lib/serving/endpoint-capacity';
import { CreateEndpointConfigRequest, CreateModelRequest, EndpointScalingRequests } from '../../lib/serving/endpoint-requests';
import { InferenceInstanceType } from '../../lib/serving/inference-instance-type';
import { ModelArtifact } from '../../lib/serving/model-artifact';
import { testStack } from '../helpers';

/** Compile-time checks that the rendered requests are valid SDK inputs; enums are checked at run time. */
function asModelInput(request: CreateModelRequest): CreateModelCommandInput {
  return request;
}
function asEndpointConfigInput(request: CreateEndpointConfigRequest): CreateEndpointConfigCommandInput {
  return {
    ...request,
    ProductionVariants: request.ProductionVariants.map((variant) => ({ ...variant, InstanceType: variant.InstanceType as ApiInstanceType | undefined })),
  };
}
function asScalingInputs(requests: EndpointScalingRequests): [RegisterScalableTargetCommandInput, PutScalingPolicyCommandInput] {
  return [requests.registerScalableTarget, requests.putScalingPolicy];
}

const RUN_ID = runId('arn:aws:states:us-east-1:123456789012:execution:pipeline:run', '2026-11-28T12:00:00Z');

describe('requests rendered for the pipeline are valid SageMaker API input', () => {
  test('CreateModel and CreateEndpointConfig with instances, a KMS key and data capture', () => {
    // GIVEN
    const stack = testStack('us-east-1');
    const classifier = new ClassifierEndpoint(stack, 'Endpoint', {
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      dataCapture: { bucket: new s3.Bucket(stack, 'Captures') },
    });
    const modelName = `${classifier.resourceNamePrefix}-${RUN_ID}`;
    // WHEN
    const model = asModelInput(stack.resolve(classifier.renderCreateModelRequest({ modelName, modelDataUrl: 's3://artifacts/m/model.tar.gz' })));
    const config = asEndpointConfigInput(stack.resolve(classifier.renderCreateEndpointConfigRequest({ endpointConfigName: modelName, modelName })));
    // THEN
    expect(model.ModelName).toMatch(API_MODEL_NAME_PATTERN);
    expect(model.ModelName!.length).toBeLessThanOrEqual(API_NAME_MAX_LENGTH);
    expect(model.PrimaryContainer!.Image!.length).toBeLessThanOrEqual(255);
    expect(Object.keys(model.PrimaryContainer!.Environment!).length).toBeLessThanOrEqual(100);
    for (const [key, value] of Object.entries(model.PrimaryContainer!.Environment!)) {
      expect(key.length).toBeLessThanOrEqual(1024);
      expect(typeof value).toBe('string');
    }
    expect(config.EndpointConfigName).toMatch(API_NAME_PATTERN);
    expect(config.ProductionVariants).toHaveLength(1);
    const variant = config.ProductionVariants![0];
    expect(Object.values(ProductionVariantInstanceType)).toContain(variant.InstanceType);
    expect(variant.InitialInstanceCount).toBeGreaterThanOrEqual(1);
    expect(variant.VariantName!.length).toBeLessThanOrEqual(API_NAME_MAX_LENGTH);
    expect(config.KmsKeyId).toBeDefined();
    for (const option of config.DataCaptureConfig!.CaptureOptions!) expect(Object.values(CaptureMode)).toContain(option.CaptureMode);
    expect(config.DataCaptureConfig!.InitialSamplingPercentage).toBe(20);
  });

  test('CreateEndpointConfig with serverless capacity', () => {
    const { stack, endpoint: classifier } = endpoint({ capacity: EndpointCapacity.serverless({ memorySize: Size.gibibytes(2), provisionedConcurrency: 1 }) });
    const name = `${classifier.resourceNamePrefix}-${RUN_ID}`;
    const config = asEndpointConfigInput(stack.resolve(classifier.renderCreateEndpointConfigRequest({ endpointConfigName: name, modelName: name })));
    expect(config.ProductionVariants![0]).toEqual({
      VariantName: 'AllTraffic', ModelName: name, InitialVariantWeight: 1,
      ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5, ProvisionedConcurrency: 1 },
    });
  });

  test('the pretrained model data source uses the API\'s enum values', () => {
    const { stack } = endpoint({ modelArtifact: ModelArtifact.pretrained() });
    const model = onlyResource(stack, 'AWS::SageMaker::Model').properties as CreateModelCommandInput;
    const source = model.PrimaryContainer!.ModelDataSource!.S3DataSource!;
    expect(Object.values(S3ModelDataType)).toContain(source.S3DataType);
    expect(Object.values(ModelCompressionType)).toContain(source.CompressionType);
    expect(source.S3Uri!.length).toBeLessThanOrEqual(1024);
  });

  test('the autoscaling requests are valid Application Auto Scaling input', () => {
    const { endpoint: classifier } = endpoint({ endpointName: 'flowers' });
    const [register, policy] = asScalingInputs(classifier.renderScalingRequests()!);
    expect(Object.values(ServiceNamespace)).toContain(register.ServiceNamespace);
    expect(Object.values(ScalableDimension)).toContain(register.ScalableDimension);
    expect(register.ResourceId).toBe('endpoint/flowers/variant/AllTraffic');
    expect(register.MinCapacity).toBeLessThanOrEqual(register.MaxCapacity!);
    expect(Object.values(PolicyType)).toContain(policy.PolicyType);
    expect(Object.values(MetricType)).toContain(policy.TargetTrackingScalingPolicyConfiguration!.PredefinedMetricSpecification!.PredefinedMetricType);
    expect(policy.PolicyName!.length).toBeLessThanOrEqual(256);
  });

  test('serverless capacity renders no autoscaling', () => {
    const { endpoint: classifier } = endpoint({ capacity: EndpointCapacity.serverless() });
    expect(classifier.renderScalingRequests()).toBeUndefined();
  });

  test('every InferenceInstanceType constant is a SageMaker hosting instance type', () => {
    const constants = Object.values(InferenceInstanceType).filter((value): value is InferenceInstanceType => value instanceof InferenceInstanceType);
    expect(constants.length).toBeGreaterThanOrEqual(12);
    for (const type of constants) expect(Object.values(ProductionVariantInstanceType)).toContain(type.name);
  });
});

describe('names of the resources the pipeline creates', () => {
  test.each([
    ['a derived name', undefined],
    ['a short given name', 'flowers'],
    ['a 63-character given name', `a${'-b'.repeat(31)}`],
  ])('with %s, <prefix>-<run id> is a valid model and endpoint configuration name of at most 63 characters', (_case, endpointName) => {
    const { endpoint: classifier } = endpoint({ endpointName });
    const name = `${classifier.resourceNamePrefix}-${RUN_ID}`;
    expect(name.length).toBeLessThanOrEqual(API_NAME_MAX_LENGTH);
    expect(name).toMatch(API_MODEL_NAME_PATTERN);
    expect(name).toMatch(API_NAME_PATTERN);
    expect(() => classifier.renderCreateModelRequest({ modelName: name, modelDataUrl: 's3://b/k' })).not.toThrow();
    expect(new RegExp(classifier.ownedResourceNamePattern).test(name)).toBe(true);
  });

  test('the owned-name pattern matches this endpoint\'s run and static names, not another endpoint\'s sharing its prefix', () => {
    const { endpoint: classifier } = endpoint({ endpointName: 'flowers' });
    const owned = new RegExp(classifier.ownedResourceNamePattern);
    expect(owned.test(`flowers-${RUN_ID}`)).toBe(true);
    expect(owned.test('flowers-static-0123abcd')).toBe(true);
    expect(owned.test(`flowers-v2-${RUN_ID}`)).toBe(false);
    expect(owned.test('flowers-v2-static-0123abcd')).toBe(false);
    expect(owned.test(`xflowers-${RUN_ID}`)).toBe(false);
  });

  test('the model and endpoint configuration ARN patterns are lowercased and scoped to the prefix and the run id', () => {
    const { stack, endpoint: classifier } = endpoint({ endpointName: 'Flowers' });
    expect(stack.resolve(classifier.modelArnPattern))
      .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:model/flowers-????????-??????-????????']] });
    expect(JSON.stringify(stack.resolve(classifier.endpointConfigArnPattern))).toContain(':endpoint-config/flowers-????????-??????-????????"');
  });

  test('rejects a literal name outside the endpoint\'s prefix, which the cleanup would not find', () => {
    const { endpoint: classifier } = endpoint({ endpointName: 'flowers' });
    expect(() => classifier.renderCreateModelRequest({ modelName: `tulips-${RUN_ID}`, modelDataUrl: 's3://b/k' }))
      .toThrow(`modelName must start with the endpoint's resourceNamePrefix 'flowers-' so that the cleanup finds it, got 'tulips-${RUN_ID}'`);
    expect(() => classifier.renderCreateEndpointConfigRequest({ endpointConfigName: 'flowers_1', modelName: `flowers-${RUN_ID}` }))
      .toThrow("endpointConfigName must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit");
  });
});
