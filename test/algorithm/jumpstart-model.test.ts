import { ImageSizeBasis, JumpStartModel } from '../../lib';
import { REFERENCE } from '../helpers';

describe('JumpStartModel', () => {
  test('the catalog holds every model id of the reference with its input size', () => {
    const catalog = new Map(JumpStartModel.all().map((model) => [model.modelId, model.imageSize]));
    expect(catalog.size).toBe(REFERENCE.models.length);
    for (const model of REFERENCE.models) {
      expect([model.model_id, catalog.get(model.model_id)]).toEqual([model.model_id, model.input_image_size ?? undefined]);
    }
  });

  test('every catalogued model is reachable as a static constant', () => {
    const constants = Object.values(JumpStartModel).filter((value) => value instanceof JumpStartModel) as JumpStartModel[];
    expect(new Set(constants.map((model) => model.modelId))).toEqual(new Set(REFERENCE.models.map((model) => model.model_id)));
  });

  test('MOBILENET_V2_100_224 is the 224-pixel MobileNet v2 with its pretrained artifact keys', () => {
    const model = JumpStartModel.MOBILENET_V2_100_224;
    expect(model.modelId).toBe('tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4');
    expect(model.imageSize).toBe(224);
    expect(model.imageSizeBasis).toBe(ImageSizeBasis.MODEL_CARD);
    expect(model.pretrainedModelKey).toBe('tensorflow-training/v3.0.0/train-tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4.tar.gz');
    expect(model.pretrainedInferenceModelKeyPrefix).toBe(
      'tensorflow-ic/tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4/artifacts/inference-prepack/v1.0.0/');
  });

  test('of() returns the catalogued model for a listed id', () => {
    expect(JumpStartModel.of('tensorflow-ic-efficientnet-b7-classification-1')).toBe(JumpStartModel.EFFICIENTNET_B7);
    expect(JumpStartModel.EFFICIENTNET_B7.imageSize).toBe(600);
  });

  test('rejects an unknown model id, naming it and the closest ids', () => {
    expect(() => JumpStartModel.of('nope')).toThrow(/unknown model id 'nope'.*JumpStartModel\.MOBILENET_V2_100_224/);
    expect(() => JumpStartModel.of('tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-5'))
      .toThrow(/closest: 'tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4'/);
  });

  test('BiT models have no published size until one is given', () => {
    expect(JumpStartModel.BIT_M_R50X1_ILSVRC2012.imageSize).toBeUndefined();
    expect(JumpStartModel.BIT_M_R50X1_ILSVRC2012.imageSizeBasis).toBe(ImageSizeBasis.UNKNOWN);
    const sized = JumpStartModel.of('tensorflow-ic-bit-m-r50x1-ilsvrc2012-classification-1', { imageSize: 384 });
    expect(sized.imageSize).toBe(384);
    expect(sized.imageSizeBasis).toBe(ImageSizeBasis.USER);
  });

  test('rejects an image size that is not a whole number of pixels in [32, 1024]', () => {
    expect(() => JumpStartModel.of(JumpStartModel.BIT_S_R50X1_ILSVRC2012.modelId, { imageSize: 10.5 }))
      .toThrow('imageSize must be a whole number of pixels in [32, 1024], got 10.5');
  });
});
