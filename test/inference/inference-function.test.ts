import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Size, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { InferenceFunction, InferenceFunctionProps, InferencePackaging } from '../../lib/inference/inference-function';

/**
 * An environment-agnostic stack, without aws-cdk-lib's CloudFormation validation (slow; the app test runs it).
 * Asset bundling is skipped unless asked for: the tests of the template need no bundle, and one test below bundles.
 */
function newStack(options: { bundle?: boolean } = {}): Stack {
  const context = options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] };
  return new Stack(new App({ builtinCloudFormationValidation: false, context }), 'TestStack');
}

const required: InferenceFunctionProps = { endpointName: 'Flowers-Endpoint', imageSize: 224 };

/** Adds the construct; `template` synthesizes on first use, so grants can be added before. */
function synth(props: Partial<InferenceFunctionProps> = {}, stack = newStack()): { readonly template: Template; construct: InferenceFunction; stack: Stack } {
  const construct = new InferenceFunction(stack, 'Inference', { ...required, ...props });
  let template: Template | undefined;
  return {
    construct,
    stack,
    get template() {
      template ??= Template.fromStack(stack);
      return template;
    },
  };
}

/** The asset manifest of the stack's assembly: what `cdk deploy` would publish. */
function assetManifest(stack: Stack): cxapi.AssetManifestArtifact['contents'] {
  const assembly = (stack.node.root as App).synth();
  const manifests = assembly.artifacts.filter((artifact): artifact is cxapi.AssetManifestArtifact => artifact instanceof cxapi.AssetManifestArtifact);
  expect(manifests).toHaveLength(1);
  return manifests[0].contents;
}

/** Every statement of the function role's policies. */
function roleStatements(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
}

function statementsWithAction(template: Template, action: string): any[] {
  return roleStatements(template).filter((statement) => [statement.Action].flat().includes(action));
}

describe('InferenceFunction with its defaults', () => {
  // GIVEN a stack WHEN the function is added with the required props only
  const { template } = synth();

  test('is a bundled Node.js 24 function on arm64 with the handler environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      MemorySize: 2048,
      Timeout: 60,
      Environment: {
        Variables: {
          ENDPOINT_NAME: 'Flowers-Endpoint',
          IMAGE_SIZE: '224',
          DEFAULT_TOP_K: '5',
          MAX_IMAGE_BYTES: String(20 * 1024 * 1024),
          MAX_IMAGE_PIXELS: '50000000',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('keeps its logs for a month', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('has a function URL that needs SigV4 (AWS_IAM)', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', TargetFunctionArn: Match.anyValue() });
  });

  test('may invoke only its endpoint, by its lower-case ARN', () => {
    expect(statementsWithAction(template, 'sagemaker:InvokeEndpoint')).toEqual([{
      Sid: 'InvokeClassifierEndpoint',
      Effect: 'Allow',
      Action: 'sagemaker:InvokeEndpoint',
      Resource: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':endpoint/flowers-endpoint']],
      },
    }]);
  });

  test('has no S3 access and no wildcard resource, and no managed policy', () => {
    const actions = roleStatements(template).flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action: string) => action.startsWith('s3:'))).toEqual([]);
    expect(roleStatements(template).filter((statement) => statement.Resource === '*')).toEqual([]);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('writes only to its own log group', () => {
    const statement = statementsWithAction(template, 'logs:PutLogEvents');
    expect(statement).toHaveLength(1);
    expect(statement[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^InferenceLogGroup/), 'Arn'] });
  });
});

describe('readable buckets', () => {
  test('grant s3:GetObject on their objects and s3:ListBucket on them, nothing else, and name them in the environment', () => {
    // GIVEN
    const stack = newStack();
    const photos = new s3.Bucket(stack, 'Photos');
    const imported = s3.Bucket.fromBucketName(stack, 'Imported', 'shared-photos');
    // WHEN
    const { template } = synth({ readableBuckets: [photos, imported] }, stack);
    // THEN
    const photosArn = { 'Fn::GetAtt': [stack.getLogicalId(photos.node.defaultChild as s3.CfnBucket), 'Arn'] };
    expect(statementsWithAction(template, 's3:GetObject').map((statement) => statement.Resource)).toEqual([
      { 'Fn::Join': ['', [photosArn, '/*']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::shared-photos/*']] },
    ]);
    expect(statementsWithAction(template, 's3:ListBucket').map((statement) => statement.Resource)).toEqual([
      photosArn,
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::shared-photos']] },
    ]);
    expect(statementsWithAction(template, 's3:PutObject')).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ READABLE_BUCKETS: { 'Fn::Join': ['', [{ Ref: stack.getLogicalId(photos.node.defaultChild as s3.CfnBucket) }, ',shared-photos']] } }) },
    });
  });

  test('a KMS-encrypted bucket adds decrypt on its key only', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const { template } = synth({ readableBuckets: [new s3.Bucket(stack, 'Photos', { encryptionKey: key })] }, stack);
    const kmsStatements = roleStatements(template).filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('kms:')));
    expect(kmsStatements).toEqual([expect.objectContaining({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } })]);
  });
});

describe('inbox', () => {
  const stack = newStack();
  const uploads = new s3.Bucket(stack, 'Uploads');
  const failures = new sqs.Queue(stack, 'Failures');
  const { template } = synth({ inbox: { bucket: uploads, prefix: 'inbox/', concurrency: 3, onFailure: new destinations.SqsDestination(failures) } }, stack);
  const uploadsArn = { 'Fn::GetAtt': [stack.getLogicalId(uploads.node.defaultChild as s3.CfnBucket), 'Arn'] };

  test('reads and writes only under the prefix', () => {
    expect(statementsWithAction(template, 's3:PutObject')).toEqual([expect.objectContaining({
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: { 'Fn::Join': ['', [uploadsArn, '/inbox/*']] },
    })]);
    expect(statementsWithAction(template, 's3:ListBucket')).toEqual([expect.objectContaining({
      Resource: uploadsArn,
      Condition: { StringLike: { 's3:prefix': ['inbox/*'] } },
    })]);
  });

  test('is notified of every object created under the prefix', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [{
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'inbox/' }] } },
          LambdaFunctionArn: Match.anyValue(),
        }],
      },
    });
  });

  test('tells the handler where the inbox is', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ INBOX_BUCKET: { Ref: stack.getLogicalId(uploads.node.defaultChild as s3.CfnBucket) }, INBOX_PREFIX: 'inbox/', INBOX_CONCURRENCY: '3' }) },
    });
  });

  test('sends events that keep failing to the on-failure destination', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [stack.getLogicalId(failures.node.defaultChild as sqs.CfnQueue), 'Arn'] } } },
    });
  });
});

describe('options', () => {
  test.each([true, false, undefined])('binaryMode %s sets BINARY_MODE only when true', (binaryMode) => {
    const { template } = synth({ binaryMode });
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
    expect(fn.Properties.Environment.Variables.BINARY_MODE).toBe(binaryMode === true ? 'true' : undefined);
  });

  test('binaryMode that is not a literal boolean is refused, naming the prop', () => {
    expect(() => synth({ binaryMode: Token.asAny('yes') as never })).toThrow('binaryMode must be true or false (not a token)');
  });

  test('functionUrl: false creates no URL', () => {
    const { template, construct } = synth({ functionUrl: false });
    template.resourceCountIs('AWS::Lambda::Url', 0);
    expect(construct.functionUrl).toBeUndefined();
  });

  test('memory, timeout, concurrency, retention, limits and top-k are passed through', () => {
    const { template } = synth({
      memorySize: Size.mebibytes(3008), timeout: Duration.minutes(2), reservedConcurrency: 7, logRetention: 7 as never,
      maxImageSize: Size.mebibytes(5), maxImagePixels: 1_000_000, defaultTopK: 3,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 3008,
      Timeout: 120,
      ReservedConcurrentExecutions: 7,
      Environment: { Variables: Match.objectLike({ MAX_IMAGE_BYTES: String(5 * 1024 * 1024), MAX_IMAGE_PIXELS: '1000000', DEFAULT_TOP_K: '3' }) },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('in a VPC it gets a security group and the network interface actions of the VPC execution policy, inline', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const { template } = synth({ vpc }, stack);
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() } });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    expect(roleStatements(template)).toContainEqual(expect.objectContaining({
      Sid: 'ManageVpcNetworkInterfaces',
      Action: [
        'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    }));
  });

  test('token endpoint name and image size are not validated and pass through', () => {
    const stack = newStack();
    const { template } = synth({ endpointName: Token.asString({ Ref: 'EndpointName' }), imageSize: Token.asNumber({ Ref: 'ImageSize' }) }, stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ENDPOINT_NAME: { Ref: 'EndpointName' }, IMAGE_SIZE: { Ref: 'ImageSize' } }) },
    });
  });
});

describe('container image packaging', () => {
  test('synthesizes offline as an x86_64 image function built from lambda/Dockerfile', () => {
    // GIVEN / WHEN
    const { template, stack } = synth({ packaging: InferencePackaging.containerImage() });
    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      Architectures: ['x86_64'],
      Code: { ImageUri: Match.anyValue() },
      Environment: { Variables: Match.objectLike({ ENDPOINT_NAME: 'Flowers-Endpoint', IMAGE_SIZE: '224' }) },
    });
    const images = Object.values(assetManifest(stack).dockerImages ?? {});
    expect(images.map((image) => image.source)).toEqual([expect.objectContaining({ dockerFile: 'Dockerfile', platform: 'linux/amd64' })]);
    expect(fs.readdirSync(path.join((stack.node.root as App).outdir, images[0].source.directory!))).toEqual(expect.arrayContaining(['Dockerfile', 'inference']));
  });
});

describe('grants and metrics', () => {
  test('grantInvoke allows the URL and direct invocation of this function only', () => {
    // GIVEN
    const stack = newStack();
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    const { construct } = synth({}, stack);
    // WHEN
    construct.grantInvoke(caller);
    // THEN
    const template = Template.fromStack(stack);
    const functionArn = { 'Fn::GetAtt': [stack.getLogicalId(construct.function.node.defaultChild as lambda.CfnFunction), 'Arn'] };
    const callerPolicy = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(caller.node.defaultChild as iam.CfnRole) }] } });
    const statements = Object.values(callerPolicy).flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', Resource: functionArn }),
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: expect.arrayContaining([functionArn]) }),
    ]));
    expect(statements.every((statement: any) => JSON.stringify(statement.Resource).includes(functionArn['Fn::GetAtt'][0]))).toBe(true);
  });

  test('metrics name the function and take overrides', () => {
    const stack = newStack();
    const { construct } = synth({}, stack);
    const errors = construct.metricErrors({ period: Duration.minutes(1) });
    expect(errors).toMatchObject({ namespace: 'AWS/Lambda', metricName: 'Errors', period: Duration.minutes(1) });
    expect(stack.resolve(errors.dimensions)).toEqual({ FunctionName: { Ref: stack.getLogicalId(construct.function.node.defaultChild as lambda.CfnFunction) } });
    expect(construct.metricDuration().metricName).toBe('Duration');
    expect(construct.metricInvocations().metricName).toBe('Invocations');
    expect(construct.metricThrottles().metricName).toBe('Throttles');
  });
});

describe('validation', () => {
  test('collects every problem into one error naming the prop, the value and what is allowed', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Uploads');
    expect(() => new InferenceFunction(stack, 'Inference', {
      endpointName: 'flowers_endpoint',
      imageSize: 2048,
      defaultTopK: 0,
      memorySize: Size.mebibytes(64),
      timeout: Duration.minutes(20),
      inbox: { bucket, prefix: '/inbox/*', concurrency: 100 },
    })).toThrow([
      'TestStack/Inference: invalid InferenceFunction props:',
      "  endpointName must be a SageMaker endpoint name (1-63 letters, digits and hyphens, ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$), got 'flowers_endpoint'",
      '  imageSize must be an integer in [32, 1024], got 2048',
      '  defaultTopK must be an integer in [1, 1000], got 0',
      '  inbox.concurrency must be an integer in [1, 16], got 100',
      '  memorySize must be a whole number of MiB in [128, 10240], got 64 MiB',
      '  timeout must be at most 15 minutes, got 20 minutes',
      "  inbox.prefix must be a key prefix of 1-512 letters, digits and ! - _ . ' in segments separated by '/', with no leading '/' and no '*' or '?' (for example 'inbox/'), got '/inbox/*'",
    ].join('\n'));
    // nothing was created before the error
    expect(stack.node.findChild('Inference').node.children).toHaveLength(0);
  });

  test.each([[31], [1025], [224.5]])('rejects imageSize %p', (imageSize) => {
    expect(() => synth({ imageSize })).toThrow(`imageSize must be an integer in [32, 1024], got ${imageSize}`);
  });

  test.each([['inbox'], ['inbox/'], ['users/uploads/in']])('accepts the inbox prefix %p', (prefix) => {
    const stack = newStack();
    expect(() => synth({ inbox: { bucket: new s3.Bucket(stack, 'B'), prefix } }, stack)).not.toThrow();
  });

  test.each([[''], ['a//b/'], ['../x/'], ['in box/']])('rejects the inbox prefix %p', (prefix) => {
    const stack = newStack();
    expect(() => synth({ inbox: { bucket: new s3.Bucket(stack, 'B'), prefix } }, stack)).toThrow('inbox.prefix must be a key prefix');
  });
});

test('the zip package is bundled by the local esbuild, minified with a source map, quickly', () => {
  // GIVEN
  const stack = newStack({ bundle: true });
  const started = process.hrtime.bigint();
  // WHEN
  new InferenceFunction(stack, 'Inference', required);
  const files = Object.values(assetManifest(stack).files ?? {}).filter((file) => file.source.packaging === 'zip');
  // THEN
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  expect(seconds).toBeLessThan(5);
  expect(files).toHaveLength(1);
  const bundleDir = path.join((stack.node.root as App).outdir, files[0].source.path!);
  expect(fs.readdirSync(bundleDir).sort()).toEqual(['index.js', 'index.js.map']);
  const bundle = fs.readFileSync(path.join(bundleDir, 'index.js'), 'utf8');
  expect(bundle).not.toContain('/**'); // minified: no doc comments,
  expect(bundle).not.toContain('parseHttpRequest'); // and internal names mangled
  expect(bundle).toContain('require("@aws-sdk/client-sagemaker-runtime")'); // left to the runtime
  expect(bundle).toContain('application/json;verbose'); // the handler's own code is inlined
  // TensorFlow.js stays out (760 KB): the JavaScript port does the resize; tfjs is only the tests' reference engine.
  expect(bundle).toContain('import("@tensorflow/tfjs-core")');
  expect(bundle.length).toBeLessThan(150_000);
});
