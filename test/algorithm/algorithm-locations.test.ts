import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AlgorithmLocations, JumpStartModel, Processor, SUPPORTED_REGIONS } from '../../lib';
import { REFERENCE, testStack } from '../helpers';

const MODEL = JumpStartModel.MOBILENET_V2_100_224;

describe('AlgorithmLocations in a stack with a concrete region', () => {
  test.each([
    ['us-east-1', '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.9-gpu-py39'],
    ['eu-south-1', '692866216735.dkr.ecr.eu-south-1.amazonaws.com/tensorflow-training:2.9-gpu-py39'],
    ['af-south-1', '626614931356.dkr.ecr.af-south-1.amazonaws.com/tensorflow-training:2.9-gpu-py39'],
    ['ap-east-1', '871362719292.dkr.ecr.ap-east-1.amazonaws.com/tensorflow-training:2.9-gpu-py39'],
    ['cn-north-1', '727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/tensorflow-training:2.9-gpu-py39'],
  ])('%s resolves the GPU training image %s', (region, expected) => {
    const locations = AlgorithmLocations.of(testStack(region), MODEL);
    expect(locations.trainingImage(Processor.GPU)).toBe(expected);
    expect(expected.startsWith(REFERENCE.dlc_account_by_region[region].account)).toBe(true);
  });

  test('every supported region uses the reference account, and CPU instances get the CPU images', () => {
    for (const region of REFERENCE.jumpstart_content.regions_in_tf_ic_spec_regional_aliases) {
      const locations = AlgorithmLocations.of(testStack(region), MODEL);
      const account = REFERENCE.dlc_account_by_region[region].account;
      const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
      expect(locations.trainingImage(Processor.CPU)).toBe(`${account}.dkr.ecr.${region}.${domain}/tensorflow-training:2.9-cpu-py39`);
      expect(locations.inferenceImage(Processor.CPU)).toBe(`${account}.dkr.ecr.${region}.${domain}/tensorflow-inference:2.8-cpu`);
      expect(locations.inferenceImage(Processor.GPU)).toBe(`${account}.dkr.ecr.${region}.${domain}/tensorflow-inference:2.8-gpu`);
    }
    expect([...SUPPORTED_REGIONS].sort()).toEqual([...REFERENCE.jumpstart_content.regions_in_tf_ic_spec_regional_aliases].sort());
  });

  test('script and pretrained models come from the region\'s JumpStart content bucket', () => {
    const locations = AlgorithmLocations.of(testStack('eu-west-1'), MODEL);
    expect(locations.trainingScriptUri).toBe(
      's3://jumpstart-cache-prod-eu-west-1/source-directory-tarballs/tensorflow/transfer_learning/ic/prepack/v1.1.2/sourcedir.tar.gz');
    // The candidates in the order the deploy-time check tries them: the confirmed v3.0.0 layout first.
    expect(locations.pretrainedModelCandidateUris).toEqual([
      `s3://jumpstart-cache-prod-eu-west-1/tensorflow-training/v3.0.0/train-${MODEL.modelId}.tar.gz`,
      `s3://jumpstart-cache-prod-eu-west-1/tensorflow-training/v2.0.0/train-${MODEL.modelId}.tar.gz`,
      `s3://jumpstart-cache-prod-eu-west-1/tensorflow-training/train-${MODEL.modelId}.tar.gz`,
    ]);
    expect(locations.pretrainedInferenceModelUri).toBe(
      `s3://jumpstart-cache-prod-eu-west-1/tensorflow-ic/${MODEL.modelId}/artifacts/inference-prepack/v1.0.0/`);
    expect(Object.keys(locations.inferenceEnvironment)).toHaveLength(8);
  });

  test('rejects a region the algorithm does not run in, listing the supported regions', () => {
    expect(() => AlgorithmLocations.of(testStack('ap-southeast-7'), MODEL))
      .toThrow(/region 'ap-southeast-7' is not a region where the Image Classification - TensorFlow algorithm is known to run\. Supported regions: af-south-1, .*us-west-2/);
  });

  test('a concrete region renders no mapping and no rule', () => {
    const stack = testStack('us-east-1');
    AlgorithmLocations.of(stack, MODEL).trainingImage(Processor.GPU);
    const template = Template.fromStack(stack).toJSON();
    expect(template.Mappings).toBeUndefined();
    expect(Object.keys(template.Rules ?? {})).not.toContain('ImageClassificationTensorFlowRegionSupported');
  });
});

describe('AlgorithmLocations in an environment-agnostic stack', () => {
  function agnostic(): { stack: Stack; image: unknown; template: Record<string, any> } {
    const stack = testStack();
    const image = stack.resolve(AlgorithmLocations.of(stack, MODEL).trainingImage(Processor.GPU));
    stack.exportValue(AlgorithmLocations.of(stack, MODEL).trainingImage(Processor.GPU), { name: 'Image' });
    return { stack, image, template: Template.fromStack(stack).toJSON() };
  }

  test('the image is looked up at deploy time from a mapping of every supported region', () => {
    const { image, template } = agnostic();
    expect(JSON.stringify(image)).toContain('"Fn::FindInMap":["ImageClassificationTensorFlowRegions",{"Ref":"AWS::Region"},"dlcAccount"]');
    const mapping = template.Mappings.ImageClassificationTensorFlowRegions;
    expect(Object.keys(mapping).sort()).toEqual([...REFERENCE.jumpstart_content.regions_in_tf_ic_spec_regional_aliases].sort());
    for (const [region, entry] of Object.entries(mapping) as Array<[string, { dlcAccount: string; ecrDomain: string }]>) {
      expect(entry.dlcAccount).toBe(REFERENCE.dlc_account_by_region[region].account);
      expect(entry.ecrDomain).toBe(region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com');
    }
  });

  test('a template rule refuses deployment to any other region before resources are created', () => {
    const { template } = agnostic();
    const rule = template.Rules.ImageClassificationTensorFlowRegionSupported;
    expect(rule.Assertions[0].Assert['Fn::Contains'][0]).toEqual([...SUPPORTED_REGIONS]);
    expect(rule.Assertions[0].Assert['Fn::Contains'][1]).toEqual({ Ref: 'AWS::Region' });
    expect(rule.Assertions[0].AssertDescription).toMatch(/runs in these regions only/);
  });
});

describe('location overrides', () => {
  const overrides = {
    trainingImage: '111122223333.dkr.ecr.ap-southeast-7.amazonaws.com/mirror/tensorflow-training:2.9-gpu-py39',
    inferenceImage: '111122223333.dkr.ecr.ap-southeast-7.amazonaws.com/mirror/tensorflow-inference:2.8-cpu',
    trainingScriptUri: 's3://my-mirror/scripts/sourcedir.tar.gz',
    pretrainedModelUri: 's3://my-mirror/models/train.tar.gz',
    pretrainedInferenceModelUri: 's3://my-mirror/models/inference/',
  };

  test('replace every resolved location and allow any region', () => {
    const locations = AlgorithmLocations.of(testStack('ap-southeast-7'), MODEL, overrides);
    expect(locations.trainingImage(Processor.GPU)).toBe(overrides.trainingImage);
    expect(locations.inferenceImage(Processor.CPU)).toBe(overrides.inferenceImage);
    expect(locations.trainingScriptUri).toBe(overrides.trainingScriptUri);
    expect(locations.pretrainedModelCandidateUris).toEqual([overrides.pretrainedModelUri]);
    expect(locations.pretrainedInferenceModelUri).toBe(overrides.pretrainedInferenceModelUri);
  });

  test('rejects malformed overrides, each named', () => {
    expect(() => AlgorithmLocations.of(testStack('us-east-1'), MODEL, {
      trainingScriptUri: 'https://example.com/x.tar.gz',
      pretrainedInferenceModelUri: 's3://bucket/no-slash',
      trainingImage: 'tensorflow-training:latest',
    })).toThrow(/trainingScriptUri must be a literal s3:\/\/bucket\/key URI[\s\S]*pretrainedInferenceModelUri must be a folder ending with '\/'[\s\S]*trainingImage must be a literal ECR image URI/);
  });
});
