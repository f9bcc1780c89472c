/**
 * The control plane emulator answers as SageMaker and Application Auto Scaling do, judged by the real SDK clients:
 * outputs deserialize, errors arrive as exceptions with the service's name and message, pages chain through
 * NextToken. If it drifted from the protocol, the cleanup handler tests built on it would prove nothing.
 */
import {
  ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  ListModelsCommand,
  paginateListModels,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { useControlPlane } from './control-plane-fixture';

const fixture = useControlPlane({ describesToSettle: 1 });
let sageMaker: SageMakerClient;
let autoScaling: ApplicationAutoScalingClient;

beforeAll(() => {
  sageMaker = new SageMakerClient({ maxAttempts: 3 });
  autoScaling = new ApplicationAutoScalingClient({ maxAttempts: 1 });
});

afterAll(() => {
  sageMaker.destroy();
  autoScaling.destroy();
});

const VARIANT = { ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/flowers/variant/AllTraffic', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' } as const;

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('SageMaker control plane', () => {
  test('an endpoint goes Creating, then InService, from a config of an existing model', async () => {
    // GIVEN
    await sageMaker.send(new CreateModelCommand({ ModelName: 'm-1', ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r', PrimaryContainer: { Image: 'image' } }));
    await sageMaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'c-1', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'm-1', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    // WHEN
    const created = await sageMaker.send(new CreateEndpointCommand({ EndpointName: 'Flowers', EndpointConfigName: 'c-1' }));
    const first = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'Flowers' }));
    const second = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'Flowers' }));
    // THEN SageMaker lower-cases names in ARNs; timestamps arrive as Dates
    expect(created.EndpointArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:endpoint/flowers');
    expect(first.EndpointStatus).toBe('Creating');
    expect(second).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'c-1', ProductionVariants: [{ VariantName: 'AllTraffic' }] });
    expect(second.CreationTime).toBeInstanceOf(Date);
  });

  test('a missing endpoint is a ValidationException "Could not find endpoint" naming its ARN', async () => {
    const error = await rejection(sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'Missing' })));
    expect(error).toBeInstanceOf(SageMakerServiceException);
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/missing".');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  test('DeleteEndpoint moves the endpoint to Deleting, refuses a second delete, and it disappears after describes', async () => {
    // GIVEN
    fixture.emulator.putEndpoint('flowers');
    // WHEN
    await sageMaker.send(new DeleteEndpointCommand({ EndpointName: 'flowers' }));
    const again = await rejection(sageMaker.send(new DeleteEndpointCommand({ EndpointName: 'flowers' })));
    const deleting = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'flowers' }));
    const gone = await rejection(sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'flowers' })));
    // THEN
    expect(again.message).toMatch(/^Cannot update in-progress endpoint/);
    expect(deleting.EndpointStatus).toBe('Deleting');
    expect(gone.message).toMatch(/^Could not find endpoint "/);
    expect(fixture.emulator.endpoints.has('flowers')).toBe(false);
  });

  test('ListModels honours MaxResults, caps pages at maxPageSize, and the SDK paginator chains NextToken to the end', async () => {
    // GIVEN 7 models, pages of at most 3
    for (let n = 0; n < 7; n += 1) fixture.emulator.putModel(`model-${n}`);
    fixture.emulator.maxPageSize = 3;
    // WHEN
    const two = await sageMaker.send(new ListModelsCommand({ MaxResults: 2, SortBy: 'Name', SortOrder: 'Ascending' }));
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListModels({ client: sageMaker }, { MaxResults: 100, NameContains: 'MODEL' })) {
      pages += 1;
      names.push(...(page.Models ?? []).map((model) => model.ModelName ?? ''));
    }
    // THEN newest first by default; NameContains ignores case
    expect(two.Models?.map((model) => model.ModelName)).toEqual(['model-0', 'model-1']);
    expect(two.NextToken).toEqual(expect.any(String));
    expect(pages).toBe(3);
    expect(names).toEqual(['model-6', 'model-5', 'model-4', 'model-3', 'model-2', 'model-1', 'model-0']);
  });

  test('MaxResults above 100 is a ValidationException', async () => {
    const error = await rejection(sageMaker.send(new ListModelsCommand({ MaxResults: 101 })));
    expect(error.name).toBe('ValidationException');
  });

  test('an injected ThrottlingException is retried by the SDK, and every attempt is recorded', async () => {
    // GIVEN
    fixture.emulator.putModel('m-1').failNext('ListModels', { type: 'ThrottlingException', message: 'Rate exceeded' });
    // WHEN
    const output = await sageMaker.send(new ListModelsCommand({}));
    // THEN
    expect(output.Models).toHaveLength(1);
    expect(fixture.emulator.callsOf('ListModels').map((call) => call.error)).toEqual(['ThrottlingException', undefined]);
  });

  test('a request signed for another service is refused with 403', async () => {
    const response = await fetch(`${fixture.emulator.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'SageMaker.ListModels',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/application-autoscaling/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ __type: 'InvalidSignatureException' });
  });
});

describe('Application Auto Scaling', () => {
  test('registers a target with a policy, describes it, and deregistering removes the policy too', async () => {
    // GIVEN
    await autoScaling.send(new RegisterScalableTargetCommand({ ...VARIANT, MinCapacity: 1, MaxCapacity: 3 }));
    await autoScaling.send(new PutScalingPolicyCommand({ ...VARIANT, PolicyName: 'invocations', PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 70 } }));
    // WHEN
    const described = await autoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker', ResourceIds: [VARIANT.ResourceId] }));
    await autoScaling.send(new DeregisterScalableTargetCommand(VARIANT));
    const policies = await autoScaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'sagemaker' }));
    // THEN
    expect(described.ScalableTargets).toEqual([expect.objectContaining({ ...VARIANT, MinCapacity: 1, MaxCapacity: 3, CreationTime: expect.any(Date) })]);
    expect(described.ScalableTargets?.[0].ScalableTargetARN).toMatch(/^arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target\/[0-9a-f]+$/);
    expect(policies.ScalingPolicies).toEqual([]);
    expect(fixture.emulator.scalableTargets.size).toBe(0);
  });

  test('deregistering a missing target is the modelled ObjectNotFoundException', async () => {
    const error = await rejection(autoScaling.send(new DeregisterScalableTargetCommand(VARIANT)));
    expect(error).toBeInstanceOf(ObjectNotFoundException);
  });

  test('ResourceIds filter by exact id, and MaxResults pages through the namespace', async () => {
    // GIVEN
    for (const variant of ['a', 'b', 'c']) fixture.emulator.putScalableTarget(`endpoint/flowers/variant/${variant}`);
    fixture.emulator.putScalableTarget('table/flowers', { serviceNamespace: 'dynamodb', scalableDimension: 'dynamodb:table:ReadCapacityUnits' });
    // WHEN
    const prefixOnly = await autoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker', ResourceIds: ['endpoint/flowers/variant/'] }));
    const first = await autoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker', MaxResults: 2 }));
    const second = await autoScaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker', MaxResults: 2, NextToken: first.NextToken }));
    // THEN
    expect(prefixOnly.ScalableTargets).toEqual([]);
    expect(first.ScalableTargets?.map((target) => target.ResourceId)).toEqual(['endpoint/flowers/variant/a', 'endpoint/flowers/variant/b']);
    expect(second.ScalableTargets?.map((target) => target.ResourceId)).toEqual(['endpoint/flowers/variant/c']);
    expect(second.NextToken).toBeUndefined();
  });
});
