import { CfnTemplate, FAKE_DEPLOYMENT, ResolvedTemplate } from './template-resolver';

const TEMPLATE: CfnTemplate = {
  Parameters: { Stage: { Type: 'String', Default: 'prod' } },
  Mappings: { Regions: { 'us-east-1': { account: '763104351884' } } },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    IsTest: { 'Fn::Not': [{ Condition: 'IsProd' }] },
  },
  Resources: {
    Data: { Type: 'AWS::S3::Bucket' },
    Named: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': 'images-${AWS::AccountId}-${AWS::Region}' } } },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    TestOnly: { Type: 'AWS::SNS::Topic', Condition: 'IsTest' },
    Resolve: { Type: 'Custom::ResolveModelKey', Properties: { ModelId: 'tensorflow-ic-x', Bucket: { Ref: 'Named' } } },
    Consumer: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Sub: { 'Fn::Sub': ['arn:${AWS::Partition}:s3:::${Bucket}/${Named.Arn}/${!Literal}', { Bucket: { Ref: 'Data' } }] },
        Join: { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['Role', 'Arn'] }, { 'Fn::GetAtt': 'Key.Arn' }]] },
        Image: { 'Fn::Join': ['', [{ 'Fn::FindInMap': ['Regions', { Ref: 'AWS::Region' }, 'account'] }, '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
        Second: { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] },
        Chosen: { 'Fn::If': ['IsProd', 'yes', 'no'] },
        Dropped: { 'Fn::If': ['IsTest', 'x', { Ref: 'AWS::NoValue' }] },
        List: ['keep', { Ref: 'AWS::NoValue' }],
        ModelKey: { 'Fn::GetAtt': ['Resolve', 'PretrainedModelKey'] },
      },
    },
  },
};

const resolved = new ResolvedTemplate(TEMPLATE, {
  ...FAKE_DEPLOYMENT,
  stackName: 'Stack',
  customAttributes: { 'Custom::ResolveModelKey': { PretrainedModelKey: (properties) => `training/train-${properties.ModelId}.tar.gz in ${properties.Bucket}` } },
});

test('resolves every intrinsic and pseudo parameter for one fake deployment', () => {
  expect(resolved.properties('Consumer')).toEqual({
    Sub: 'arn:aws:s3:::stack-data-fake0suffix/arn:aws:s3:::images-111122223333-us-east-1/${Literal}',
    Join: 'arn:aws:iam::111122223333:role/Stack-Role-FAKE0SUFFIX/arn:aws:kms:us-east-1:111122223333:key/key-key',
    Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com',
    Second: 'b',
    Chosen: 'yes',
    List: ['keep'],
    ModelKey: 'training/train-tensorflow-ic-x.tar.gz in images-111122223333-us-east-1',
  });
});

test('names resources as the template names them, else from the stack and logical id', () => {
  expect(resolved.ref('Named')).toBe('images-111122223333-us-east-1');
  expect(resolved.ref('Data')).toBe('stack-data-fake0suffix');
  expect(resolved.ref('Stage')).toBe('prod');
});

test('leaves out resources whose condition is false', () => {
  expect(resolved.resourcesOfType('AWS::SNS::Topic')).toEqual([]);
  expect(resolved.resourcesOfType('AWS::S3::Bucket').map(([id]) => id)).toEqual(['Data', 'Named']);
});

test('a custom resource attribute missing from the table is an error naming the type and attribute', () => {
  const bare = new ResolvedTemplate(TEMPLATE, { ...FAKE_DEPLOYMENT, stackName: 'Stack' });
  expect(() => bare.properties('Consumer')).toThrow('no value for attribute PretrainedModelKey of Custom::ResolveModelKey; add it to deployment.customAttributes');
});

test('an attribute or intrinsic the resolver does not know is an error, not a guess', () => {
  expect(() => resolved.getAtt('Role', 'Nonsense')).toThrow('attribute of AWS::IAM::Role not known to the resolver');
  expect(() => resolved.resolve({ 'Fn::ImportValue': 'x' })).toThrow('intrinsic Fn::ImportValue not supported');
});
