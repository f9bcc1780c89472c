import { ProductionVariantInstanceType } from '@aws-sdk/client-sagemaker';
import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { endpoint } from './helpers';
import { Processor } from '../../lib/algorithm/algorithm-locations';
import { CPU_INSTANCE_FAMILIES, GPU_INSTANCE_FAMILIES } from '../../lib/private/algorithm-facts';
import { ClassifierEndpoint } from '../../lib/serving/classifier-endpoint';
import { EndpointCapacity } from '../../lib/serving/endpoint-capacity';
import { InferenceInstanceType } from '../../lib/serving/inference-instance-type';
import { HOSTING_CPU_FAMILIES, HOSTING_GPU_FAMILIES, validateInferenceInstanceType } from '../../lib/private/instance-type-checks';
import { ModelArtifact } from '../../lib/serving/model-artifact';
import { testStack } from '../helpers';

describe('InferenceInstanceType', () => {
  test.each([
    ['a T2 instance', 'ml.t2.medium', "capacity.instanceType 'ml.t2.medium': T2 instances are not in the algorithm's hosting list and their burstable CPU runs out of credits under steady inference; use 'ml.m5.large' (CPU), 'ml.c6i.large' (CPU) or 'ml.g4dn.xlarge' (GPU)"],
    ['an unknown family', 'ml.inf1.xlarge', "capacity.instanceType 'ml.inf1.xlarge': the algorithm is not hosted on the inf1 family; use a CPU family (c4, c5"],
    ['a family SageMaker does not host', 'ml.t3.medium', "capacity.instanceType 'ml.t3.medium': the algorithm is not hosted on the t3 family"],
    ['a doubled ml. prefix', 'ml.ml.m5.large', "capacity.instanceType 'ml.ml.m5.large' has a doubled 'ml.' prefix; use 'ml.m5.large'"],
    ['a missing ml. prefix', 'm5.large', "capacity.instanceType 'm5.large' must start with 'ml.', for example 'ml.m5.large'"],
    ['a malformed name', 'ml.m5', "capacity.instanceType 'ml.m5' is not an instance type name like 'ml.m5.large'"],
  ])('rejects %s', (_case, name, message) => {
    expect(() => endpoint({ capacity: EndpointCapacity.instances({ instanceType: InferenceInstanceType.of(name) }) })).toThrow(message);
  });

  test('the processor follows the family', () => {
    expect(InferenceInstanceType.ML_P3_2XLARGE.processor).toBe(Processor.GPU);
    expect(InferenceInstanceType.ML_G4DN_XLARGE.processor).toBe(Processor.GPU);
    expect(InferenceInstanceType.ML_C6I_LARGE.processor).toBe(Processor.CPU);
    expect(InferenceInstanceType.of('ml.inf2.xlarge').processor).toBeUndefined();
    expect(EndpointCapacity.serverless().processor).toBe(Processor.CPU);
  });

  test('accepts every hosting type of the algorithm specification', () => {
    const specification = ['ml.p3.2xlarge', 'ml.p2.xlarge', 'ml.g4dn.xlarge', 'ml.m5.xlarge', 'ml.m4.xlarge', 'ml.m5.large',
      'ml.c5.2xlarge', 'ml.c5.xlarge', 'ml.r5.xlarge', 'ml.r5.large', 'ml.c6i.xlarge', 'ml.c6i.large'];
    for (const name of specification) expect(validateInferenceInstanceType(InferenceInstanceType.of(name), 'type')).toEqual([]);
  });

  test('the hosting families are exactly the algorithm\'s families that SageMaker hosting offers', () => {
    const hostedFamilies = new Set(Object.values(ProductionVariantInstanceType).map((name) => name.split('.')[1]));
    for (const family of [...HOSTING_CPU_FAMILIES, ...HOSTING_GPU_FAMILIES]) expect(hostedFamilies).toContain(family);
    const left = [...CPU_INSTANCE_FAMILIES, ...GPU_INSTANCE_FAMILIES].filter((f) => ![...HOSTING_CPU_FAMILIES, ...HOSTING_GPU_FAMILIES].includes(f));
    for (const family of left) expect(hostedFamilies).not.toContain(family);
  });
});

describe('ClassifierEndpoint validation', () => {
  test.each([
    ['serverless memory of 7 GiB', EndpointCapacity.serverless({ memorySize: Size.gibibytes(7) }),
      'capacity.memorySize must be 1 to 6 GiB in whole GiB (1024, 2048, 3072, 4096, 5120 or 6144 MiB), got 7168 MiB'],
    ['serverless memory of 1.5 GiB', EndpointCapacity.serverless({ memorySize: Size.mebibytes(1536) }),
      'capacity.memorySize must be 1 to 6 GiB in whole GiB (1024, 2048, 3072, 4096, 5120 or 6144 MiB), got 1536 MiB'],
    ['serverless concurrency above 200', EndpointCapacity.serverless({ maxConcurrency: 201 }),
      'capacity.maxConcurrency must be a whole number in [1, 200], got 201'],
    ['provisioned concurrency above the maximum', EndpointCapacity.serverless({ maxConcurrency: 4, provisionedConcurrency: 5 }),
      'capacity.provisionedConcurrency must be a whole number from 1 to maxConcurrency (4), got 5'],
    ['fewer maximum than minimum instances', EndpointCapacity.instances({ minInstances: 3, maxInstances: 2 }),
      'capacity.maxInstances must be at least minInstances (3), got 2'],
    ['zero instances', EndpointCapacity.instances({ minInstances: 0 }),
      'capacity.minInstances must be a whole number, at least 1, got 0'],
    ['a non-positive scaling target', EndpointCapacity.instances({ targetInvocationsPerInstance: 0 }),
      'capacity.targetInvocationsPerInstance must be a number of invocations per instance per minute above 0, got 0'],
    ['a fractional cooldown', EndpointCapacity.instances({ scaleInCooldown: Duration.millis(1500) }),
      'capacity.scaleInCooldown must be a whole number of seconds, got 1 second 500 millis'],
  ])('rejects %s', (_case, capacity, message) => {
    expect(() => endpoint({ capacity })).toThrow(message);
  });

  test('rejects a sampling percentage of 120%', () => {
    const stack = testStack('us-east-1');
    expect(() => new ClassifierEndpoint(stack, 'Endpoint', { dataCapture: { bucket: new s3.Bucket(stack, 'C'), samplingPercentage: 120 } }))
      .toThrow('dataCapture.samplingPercentage must be a whole percentage in [0, 100], got 120');
  });

  test('rejects a data capture prefix with a trailing slash', () => {
    const stack = testStack('us-east-1');
    expect(() => new ClassifierEndpoint(stack, 'Endpoint', { dataCapture: { bucket: new s3.Bucket(stack, 'C'), prefix: 'captures/' } }))
      .toThrow("dataCapture.prefix must be a key prefix without leading or trailing '/', like 'data-capture', got 'captures/'");
  });

  test.each([
    ['an underscore', 'flowers_prod'],
    ['a leading hyphen', '-flowers'],
    ['64 characters', 'a'.repeat(64)],
  ])('rejects an endpoint name with %s', (_case, endpointName) => {
    expect(() => endpoint({ endpointName }))
      .toThrow(`endpointName must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit (^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$), got '${endpointName}'`);
  });

  test('rejects a variant name SageMaker would refuse', () => {
    expect(() => endpoint({ variantName: 'all traffic' })).toThrow("variantName must be 1-63 letters, digits and hyphens");
  });

  test('rejects a model key that is a folder', () => {
    const stack = testStack('us-east-1');
    expect(() => new ClassifierEndpoint(stack, 'Endpoint', { modelArtifact: ModelArtifact.fromS3(new s3.Bucket(stack, 'M'), 'models/run-1/') }))
      .toThrow("modelArtifact: ModelArtifact.fromS3 key must be the key of a model.tar.gz object, without a leading '/', got 'models/run-1/'");
  });

  test('rejects data capture and a VPC on serverless capacity, which SageMaker does not support there', () => {
    const stack = testStack('us-east-1');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
    expect(() => new ClassifierEndpoint(stack, 'Endpoint', {
      capacity: EndpointCapacity.serverless(), vpc, dataCapture: { bucket: new s3.Bucket(stack, 'C') },
    })).toThrow(/dataCapture is not supported by serverless endpoints; remove it or use EndpointCapacity\.instances\(\)[\s\S]*vpc is not supported by serverless endpoints/);
  });

  test('rejects subnets or security groups without a VPC', () => {
    expect(() => endpoint({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } })).toThrow('vpcSubnets needs vpc');
  });

  test('collects every problem into one error, before creating anything', () => {
    const stack = testStack('us-east-1');
    expect(() => new ClassifierEndpoint(stack, 'Endpoint', {
      endpointName: 'bad_name',
      capacity: EndpointCapacity.instances({ instanceType: InferenceInstanceType.of('ml.t2.medium'), minInstances: 4, maxInstances: 1 }),
      dataCapture: { bucket: s3.Bucket.fromBucketName(stack, 'C', 'captures'), samplingPercentage: 120 },
    })).toThrow(/invalid ClassifierEndpoint props:\n {2}capacity\.instanceType 'ml\.t2\.medium'[\s\S]*maxInstances must be at least minInstances \(4\), got 1[\s\S]*endpointName must be[\s\S]*samplingPercentage/);
    expect(stack.node.findChild('Endpoint').node.children).toHaveLength(0);
  });
});
