import { Token } from 'aws-cdk-lib';
import { ImageSizeBasis } from './image-size-basis';
import { pretrainedInferenceModelKeyPrefix, pretrainedModelKey, pretrainedModelKeyCandidates } from '../private/algorithm-facts';
import { MODEL_CATALOG, closestModelIds, imageSizeProblem } from '../private/model-catalog';

/** Options for `JumpStartModel.of`. */
export interface JumpStartModelOptions {
  /**
   * The model's input image edge in pixels, used to size images before they are sent to the endpoint.
   * Needed for the BiT models, whose size is not published; it replaces the catalog's size for the others.
   *
   * @default - the catalog's size for the model
   */
  readonly imageSize?: number;
}

/**
 * A pretrained TensorFlow Hub model that the Image Classification - TensorFlow algorithm fine-tunes.
 *
 * Use a constant (`JumpStartModel.MOBILENET_V2_100_224`) or `JumpStartModel.of('tensorflow-ic-…')`; an id that is not
 * in the catalog is an error at synth time.
 */
export class JumpStartModel {
  /**
   * Looks a model up by its JumpStart model id.
   *
   * @throws if the id is not in the catalog, naming the closest ids.
   */
  public static of(modelId: string, options: JumpStartModelOptions = {}): JumpStartModel {
    const entry = JumpStartModel.CATALOG.get(modelId);
    if (!entry) {
      throw new Error(`JumpStartModel.of: unknown model id '${modelId}'. ${JumpStartModel.suggest(modelId)}`);
    }
    if (options.imageSize === undefined) {
      return entry;
    }
    validateImageSize(options.imageSize);
    return new JumpStartModel(modelId, options.imageSize, ImageSizeBasis.USER);
  }

  /** Every model in the catalog. */
  public static all(): JumpStartModel[] {
    return [...JumpStartModel.CATALOG.values()];
  }

  private static readonly CATALOG: ReadonlyMap<string, JumpStartModel> = new Map(
    MODEL_CATALOG.map(([id, size, basis]) => [id, new JumpStartModel(id, size ?? undefined, basis)]),
  );

  private static catalogued(modelId: string): JumpStartModel {
    return JumpStartModel.CATALOG.get(modelId)!;
  }

  private static suggest(modelId: string): string {
    const closest = closestModelIds(modelId).map((id) => `'${id}'`);
    return `Use a JumpStartModel constant (for example JumpStartModel.MOBILENET_V2_100_224) or a listed id; closest: ${closest.join(', ')}.`;
  }

  /** `tensorflow-ic-bit-m-r101x1-ilsvrc2012-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_M_R101X1_ILSVRC2012 = JumpStartModel.catalogued('tensorflow-ic-bit-m-r101x1-ilsvrc2012-classification-1');

  /** `tensorflow-ic-bit-m-r101x1-imagenet21k-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_M_R101X1_IMAGENET21K = JumpStartModel.catalogued('tensorflow-ic-bit-m-r101x1-imagenet21k-classification-1');

  /** `tensorflow-ic-bit-m-r101x3-ilsvrc2012-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_M_R101X3_ILSVRC2012 = JumpStartModel.catalogued('tensorflow-ic-bit-m-r101x3-ilsvrc2012-classification-1');

  /** `tensorflow-ic-bit-m-r101x3-imagenet21k-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_M_R101X3_IMAGENET21K = JumpStartModel.catalogued('tensorflow-ic-bit-m-r101x3-imagenet21k-classification-1');

  /** `tensorflow-ic-bit-m-r50x1-ilsvrc2012-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_M_R50X1_ILSVRC2012 = JumpStartModel.catalogued('tensorflow-ic-bit-m-r50x1-ilsvrc2012-classification-1');

  /** `tensorflow-ic-bit-m-r50x1-imagenet21k-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_M_R50X1_IMAGENET21K = JumpStartModel.catalogued('tensorflow-ic-bit-m-r50x1-imagenet21k-classification-1');

  /** `tensorflow-ic-bit-m-r50x3-ilsvrc2012-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_M_R50X3_ILSVRC2012 = JumpStartModel.catalogued('tensorflow-ic-bit-m-r50x3-ilsvrc2012-classification-1');

  /** `tensorflow-ic-bit-m-r50x3-imagenet21k-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_M_R50X3_IMAGENET21K = JumpStartModel.catalogued('tensorflow-ic-bit-m-r50x3-imagenet21k-classification-1');

  /** `tensorflow-ic-bit-s-r101x1-ilsvrc2012-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_S_R101X1_ILSVRC2012 = JumpStartModel.catalogued('tensorflow-ic-bit-s-r101x1-ilsvrc2012-classification-1');

  /** `tensorflow-ic-bit-s-r101x3-ilsvrc2012-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_S_R101X3_ILSVRC2012 = JumpStartModel.catalogued('tensorflow-ic-bit-s-r101x3-ilsvrc2012-classification-1');

  /** `tensorflow-ic-bit-s-r50x1-ilsvrc2012-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_S_R50X1_ILSVRC2012 = JumpStartModel.catalogued('tensorflow-ic-bit-s-r50x1-ilsvrc2012-classification-1');

  /** `tensorflow-ic-bit-s-r50x3-ilsvrc2012-classification-1`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_S_R50X3_ILSVRC2012 = JumpStartModel.catalogued('tensorflow-ic-bit-s-r50x3-ilsvrc2012-classification-1');

  /** `tensorflow-ic-bit-m-r152x4-ilsvrc2012`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_M_R152X4_ILSVRC2012 = JumpStartModel.catalogued('tensorflow-ic-bit-m-r152x4-ilsvrc2012');

  /** `tensorflow-ic-bit-m-r152x4-imagenet21k`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_M_R152X4_IMAGENET21K = JumpStartModel.catalogued('tensorflow-ic-bit-m-r152x4-imagenet21k');

  /** `tensorflow-ic-bit-s-r152x4-ilsvrc2012`: input size not published (BiT models take any size); pass `imageSize` to `JumpStartModel.of` to serve it. */
  public static readonly BIT_S_R152X4_ILSVRC2012 = JumpStartModel.catalogued('tensorflow-ic-bit-s-r152x4-ilsvrc2012');

  /** `tensorflow-ic-cait-m36-384` (384×384, size read from the model name). */
  public static readonly CAIT_M36_384 = JumpStartModel.catalogued('tensorflow-ic-cait-m36-384');

  /** `tensorflow-ic-cait-m48-448` (448×448, size read from the model name). */
  public static readonly CAIT_M48_448 = JumpStartModel.catalogued('tensorflow-ic-cait-m48-448');

  /** `tensorflow-ic-cait-s24-224` (224×224, size read from the model name). */
  public static readonly CAIT_S24_224 = JumpStartModel.catalogued('tensorflow-ic-cait-s24-224');

  /** `tensorflow-ic-cait-s24-384` (384×384, size read from the model name). */
  public static readonly CAIT_S24_384 = JumpStartModel.catalogued('tensorflow-ic-cait-s24-384');

  /** `tensorflow-ic-cait-s36-384` (384×384, size read from the model name). */
  public static readonly CAIT_S36_384 = JumpStartModel.catalogued('tensorflow-ic-cait-s36-384');

  /** `tensorflow-ic-cait-xs24-384` (384×384, size read from the model name). */
  public static readonly CAIT_XS24_384 = JumpStartModel.catalogued('tensorflow-ic-cait-xs24-384');

  /** `tensorflow-ic-cait-xxs24-224` (224×224, size read from the model name). */
  public static readonly CAIT_XXS24_224 = JumpStartModel.catalogued('tensorflow-ic-cait-xxs24-224');

  /** `tensorflow-ic-cait-xxs24-384` (384×384, size read from the model name). */
  public static readonly CAIT_XXS24_384 = JumpStartModel.catalogued('tensorflow-ic-cait-xxs24-384');

  /** `tensorflow-ic-cait-xxs36-224` (224×224, size read from the model name). */
  public static readonly CAIT_XXS36_224 = JumpStartModel.catalogued('tensorflow-ic-cait-xxs36-224');

  /** `tensorflow-ic-cait-xxs36-384` (384×384, size read from the model name). */
  public static readonly CAIT_XXS36_384 = JumpStartModel.catalogued('tensorflow-ic-cait-xxs36-384');

  /** `tensorflow-ic-deit-base-distilled-patch16-224` (224×224, size read from the model name). */
  public static readonly DEIT_BASE_DISTILLED_PATCH16_224 = JumpStartModel.catalogued('tensorflow-ic-deit-base-distilled-patch16-224');

  /** `tensorflow-ic-deit-base-distilled-patch16-384` (384×384, size read from the model name). */
  public static readonly DEIT_BASE_DISTILLED_PATCH16_384 = JumpStartModel.catalogued('tensorflow-ic-deit-base-distilled-patch16-384');

  /** `tensorflow-ic-deit-base-patch16-224` (224×224, size read from the model name). */
  public static readonly DEIT_BASE_PATCH16_224 = JumpStartModel.catalogued('tensorflow-ic-deit-base-patch16-224');

  /** `tensorflow-ic-deit-base-patch16-384` (384×384, size read from the model name). */
  public static readonly DEIT_BASE_PATCH16_384 = JumpStartModel.catalogued('tensorflow-ic-deit-base-patch16-384');

  /** `tensorflow-ic-deit-small-distilled-patch16-224` (224×224, size read from the model name). */
  public static readonly DEIT_SMALL_DISTILLED_PATCH16_224 = JumpStartModel.catalogued('tensorflow-ic-deit-small-distilled-patch16-224');

  /** `tensorflow-ic-deit-small-patch16-224` (224×224, size read from the model name). */
  public static readonly DEIT_SMALL_PATCH16_224 = JumpStartModel.catalogued('tensorflow-ic-deit-small-patch16-224');

  /** `tensorflow-ic-deit-tiny-distilled-patch16-224` (224×224, size read from the model name). */
  public static readonly DEIT_TINY_DISTILLED_PATCH16_224 = JumpStartModel.catalogued('tensorflow-ic-deit-tiny-distilled-patch16-224');

  /** `tensorflow-ic-deit-tiny-patch16-224` (224×224, size read from the model name). */
  public static readonly DEIT_TINY_PATCH16_224 = JumpStartModel.catalogued('tensorflow-ic-deit-tiny-patch16-224');

  /** `tensorflow-ic-efficientnet-b0-classification-1` (224×224). */
  public static readonly EFFICIENTNET_B0 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-b0-classification-1');

  /** `tensorflow-ic-efficientnet-b1-classification-1` (240×240). */
  public static readonly EFFICIENTNET_B1 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-b1-classification-1');

  /** `tensorflow-ic-efficientnet-b2-classification-1` (260×260). */
  public static readonly EFFICIENTNET_B2 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-b2-classification-1');

  /** `tensorflow-ic-efficientnet-b3-classification-1` (300×300). */
  public static readonly EFFICIENTNET_B3 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-b3-classification-1');

  /** `tensorflow-ic-efficientnet-b4-classification-1` (380×380). */
  public static readonly EFFICIENTNET_B4 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-b4-classification-1');

  /** `tensorflow-ic-efficientnet-b5-classification-1` (456×456). */
  public static readonly EFFICIENTNET_B5 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-b5-classification-1');

  /** `tensorflow-ic-efficientnet-b6-classification-1` (528×528). */
  public static readonly EFFICIENTNET_B6 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-b6-classification-1');

  /** `tensorflow-ic-efficientnet-b7-classification-1` (600×600). */
  public static readonly EFFICIENTNET_B7 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-b7-classification-1');

  /** `tensorflow-ic-efficientnet-lite0-classification-2` (224×224). */
  public static readonly EFFICIENTNET_LITE0 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-lite0-classification-2');

  /** `tensorflow-ic-efficientnet-lite1-classification-2` (240×240). */
  public static readonly EFFICIENTNET_LITE1 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-lite1-classification-2');

  /** `tensorflow-ic-efficientnet-lite2-classification-2` (260×260). */
  public static readonly EFFICIENTNET_LITE2 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-lite2-classification-2');

  /** `tensorflow-ic-efficientnet-lite3-classification-2` (300×300). */
  public static readonly EFFICIENTNET_LITE3 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-lite3-classification-2');

  /** `tensorflow-ic-efficientnet-lite4-classification-2` (380×380). */
  public static readonly EFFICIENTNET_LITE4 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-lite4-classification-2');

  /** `tensorflow-ic-efficientnet-v2-imagenet1k-b0` (224×224). */
  public static readonly EFFICIENTNET_V2_IMAGENET1K_B0 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet1k-b0');

  /** `tensorflow-ic-efficientnet-v2-imagenet1k-b1` (240×240). */
  public static readonly EFFICIENTNET_V2_IMAGENET1K_B1 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet1k-b1');

  /** `tensorflow-ic-efficientnet-v2-imagenet1k-b2` (260×260). */
  public static readonly EFFICIENTNET_V2_IMAGENET1K_B2 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet1k-b2');

  /** `tensorflow-ic-efficientnet-v2-imagenet1k-b3` (300×300). */
  public static readonly EFFICIENTNET_V2_IMAGENET1K_B3 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet1k-b3');

  /** `tensorflow-ic-efficientnet-v2-imagenet1k-l` (480×480). */
  public static readonly EFFICIENTNET_V2_IMAGENET1K_L = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet1k-l');

  /** `tensorflow-ic-efficientnet-v2-imagenet1k-m` (480×480). */
  public static readonly EFFICIENTNET_V2_IMAGENET1K_M = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet1k-m');

  /** `tensorflow-ic-efficientnet-v2-imagenet1k-s` (384×384). */
  public static readonly EFFICIENTNET_V2_IMAGENET1K_S = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet1k-s');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-b0` (224×224). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_B0 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-b0');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-b1` (240×240). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_B1 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-b1');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-b2` (260×260). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_B2 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-b2');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-b3` (300×300). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_B3 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-b3');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-l` (480×480). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_L = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-l');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-m` (480×480). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_M = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-m');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-s` (384×384). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_S = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-s');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-xl` (512×512). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_XL = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-xl');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b0` (224×224). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_FT1K_B0 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b0');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b1` (240×240). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_FT1K_B1 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b1');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b2` (260×260). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_FT1K_B2 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b2');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b3` (300×300). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_FT1K_B3 = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-b3');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-l` (480×480). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_FT1K_L = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-l');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-m` (480×480). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_FT1K_M = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-m');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-s` (384×384). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_FT1K_S = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-s');

  /** `tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-xl` (512×512). */
  public static readonly EFFICIENTNET_V2_IMAGENET21K_FT1K_XL = JumpStartModel.catalogued('tensorflow-ic-efficientnet-v2-imagenet21k-ft1k-xl');

  /** `tensorflow-ic-imagenet-inception-resnet-v2-classification-4` (299×299). */
  public static readonly INCEPTION_RESNET_V2 = JumpStartModel.catalogued('tensorflow-ic-imagenet-inception-resnet-v2-classification-4');

  /** `tensorflow-ic-imagenet-inception-v1-classification-4` (224×224). */
  public static readonly INCEPTION_V1 = JumpStartModel.catalogued('tensorflow-ic-imagenet-inception-v1-classification-4');

  /** `tensorflow-ic-imagenet-inception-v2-classification-4` (224×224). */
  public static readonly INCEPTION_V2 = JumpStartModel.catalogued('tensorflow-ic-imagenet-inception-v2-classification-4');

  /** `tensorflow-ic-imagenet-inception-v3-classification-4` (299×299). */
  public static readonly INCEPTION_V3 = JumpStartModel.catalogued('tensorflow-ic-imagenet-inception-v3-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-025-128-classification-4` (128×128). */
  public static readonly MOBILENET_V1_025_128 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-025-128-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-025-160-classification-4` (160×160). */
  public static readonly MOBILENET_V1_025_160 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-025-160-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-025-192-classification-4` (192×192). */
  public static readonly MOBILENET_V1_025_192 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-025-192-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-025-224-classification-4` (224×224). */
  public static readonly MOBILENET_V1_025_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-025-224-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-050-128-classification-4` (128×128). */
  public static readonly MOBILENET_V1_050_128 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-050-128-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-050-160-classification-4` (160×160). */
  public static readonly MOBILENET_V1_050_160 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-050-160-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-050-192-classification-4` (192×192). */
  public static readonly MOBILENET_V1_050_192 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-050-192-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-050-224-classification-4` (224×224). */
  public static readonly MOBILENET_V1_050_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-050-224-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-075-128-classification-4` (128×128). */
  public static readonly MOBILENET_V1_075_128 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-075-128-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-075-160-classification-4` (160×160). */
  public static readonly MOBILENET_V1_075_160 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-075-160-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-075-192-classification-4` (192×192). */
  public static readonly MOBILENET_V1_075_192 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-075-192-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-075-224-classification-4` (224×224). */
  public static readonly MOBILENET_V1_075_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-075-224-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-100-128-classification-4` (128×128). */
  public static readonly MOBILENET_V1_100_128 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-100-128-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-100-160-classification-4` (160×160). */
  public static readonly MOBILENET_V1_100_160 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-100-160-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-100-192-classification-4` (192×192). */
  public static readonly MOBILENET_V1_100_192 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-100-192-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v1-100-224-classification-4` (224×224). */
  public static readonly MOBILENET_V1_100_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v1-100-224-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v2-035-96` (96×96). */
  public static readonly MOBILENET_V2_035_96 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-035-96');

  /** `tensorflow-ic-imagenet-mobilenet-v2-035-128` (128×128). */
  public static readonly MOBILENET_V2_035_128 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-035-128');

  /** `tensorflow-ic-imagenet-mobilenet-v2-035-160` (160×160). */
  public static readonly MOBILENET_V2_035_160 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-035-160');

  /** `tensorflow-ic-imagenet-mobilenet-v2-035-192` (192×192). */
  public static readonly MOBILENET_V2_035_192 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-035-192');

  /** `tensorflow-ic-imagenet-mobilenet-v2-050-96` (96×96). */
  public static readonly MOBILENET_V2_050_96 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-050-96');

  /** `tensorflow-ic-imagenet-mobilenet-v2-050-128` (128×128). */
  public static readonly MOBILENET_V2_050_128 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-050-128');

  /** `tensorflow-ic-imagenet-mobilenet-v2-050-160` (160×160). */
  public static readonly MOBILENET_V2_050_160 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-050-160');

  /** `tensorflow-ic-imagenet-mobilenet-v2-050-192` (192×192). */
  public static readonly MOBILENET_V2_050_192 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-050-192');

  /** `tensorflow-ic-imagenet-mobilenet-v2-075-96` (96×96). */
  public static readonly MOBILENET_V2_075_96 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-075-96');

  /** `tensorflow-ic-imagenet-mobilenet-v2-075-128` (128×128). */
  public static readonly MOBILENET_V2_075_128 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-075-128');

  /** `tensorflow-ic-imagenet-mobilenet-v2-075-160` (160×160). */
  public static readonly MOBILENET_V2_075_160 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-075-160');

  /** `tensorflow-ic-imagenet-mobilenet-v2-075-192` (192×192). */
  public static readonly MOBILENET_V2_075_192 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-075-192');

  /** `tensorflow-ic-imagenet-mobilenet-v2-100-96` (96×96). */
  public static readonly MOBILENET_V2_100_96 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-100-96');

  /** `tensorflow-ic-imagenet-mobilenet-v2-100-160` (160×160). */
  public static readonly MOBILENET_V2_100_160 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-100-160');

  /** `tensorflow-ic-imagenet-mobilenet-v2-100-192` (192×192). */
  public static readonly MOBILENET_V2_100_192 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-100-192');

  /** `tensorflow-ic-imagenet-mobilenet-v2-035-224-classification-4` (224×224). */
  public static readonly MOBILENET_V2_035_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-035-224-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v2-050-224-classification-4` (224×224). */
  public static readonly MOBILENET_V2_050_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-050-224-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v2-075-224-classification-4` (224×224). */
  public static readonly MOBILENET_V2_075_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-075-224-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4` (224×224). */
  public static readonly MOBILENET_V2_100_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v2-130-224-classification-4` (224×224). */
  public static readonly MOBILENET_V2_130_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-130-224-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v2-140-224-classification-4` (224×224). */
  public static readonly MOBILENET_V2_140_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v2-140-224-classification-4');

  /** `tensorflow-ic-imagenet-mobilenet-v3-large-075-224` (224×224). */
  public static readonly MOBILENET_V3_LARGE_075_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v3-large-075-224');

  /** `tensorflow-ic-imagenet-mobilenet-v3-large-100-224` (224×224). */
  public static readonly MOBILENET_V3_LARGE_100_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v3-large-100-224');

  /** `tensorflow-ic-imagenet-mobilenet-v3-small-075-224` (224×224). */
  public static readonly MOBILENET_V3_SMALL_075_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v3-small-075-224');

  /** `tensorflow-ic-imagenet-mobilenet-v3-small-100-224` (224×224). */
  public static readonly MOBILENET_V3_SMALL_100_224 = JumpStartModel.catalogued('tensorflow-ic-imagenet-mobilenet-v3-small-100-224');

  /** `tensorflow-ic-imagenet-nasnet-large` (331×331). */
  public static readonly NASNET_LARGE = JumpStartModel.catalogued('tensorflow-ic-imagenet-nasnet-large');

  /** `tensorflow-ic-imagenet-nasnet-mobile` (224×224). */
  public static readonly NASNET_MOBILE = JumpStartModel.catalogued('tensorflow-ic-imagenet-nasnet-mobile');

  /** `tensorflow-ic-imagenet-pnasnet-large` (331×331). */
  public static readonly PNASNET_LARGE = JumpStartModel.catalogued('tensorflow-ic-imagenet-pnasnet-large');

  /** `tensorflow-ic-imagenet-resnet-v1-50-classification-4` (224×224). */
  public static readonly RESNET_V1_50 = JumpStartModel.catalogued('tensorflow-ic-imagenet-resnet-v1-50-classification-4');

  /** `tensorflow-ic-imagenet-resnet-v1-101-classification-4` (224×224). */
  public static readonly RESNET_V1_101 = JumpStartModel.catalogued('tensorflow-ic-imagenet-resnet-v1-101-classification-4');

  /** `tensorflow-ic-imagenet-resnet-v1-152-classification-4` (224×224). */
  public static readonly RESNET_V1_152 = JumpStartModel.catalogued('tensorflow-ic-imagenet-resnet-v1-152-classification-4');

  /** `tensorflow-ic-imagenet-resnet-v2-50-classification-4` (224×224). */
  public static readonly RESNET_V2_50 = JumpStartModel.catalogued('tensorflow-ic-imagenet-resnet-v2-50-classification-4');

  /** `tensorflow-ic-imagenet-resnet-v2-101-classification-4` (224×224). */
  public static readonly RESNET_V2_101 = JumpStartModel.catalogued('tensorflow-ic-imagenet-resnet-v2-101-classification-4');

  /** `tensorflow-ic-imagenet-resnet-v2-152-classification-4` (224×224). */
  public static readonly RESNET_V2_152 = JumpStartModel.catalogued('tensorflow-ic-imagenet-resnet-v2-152-classification-4');

  /** `tensorflow-ic-resnet-50-classification-1` (224×224). */
  public static readonly RESNET_50 = JumpStartModel.catalogued('tensorflow-ic-resnet-50-classification-1');

  /** `tensorflow-ic-swin-base-patch4-window12-384` (384×384, size read from the model name). */
  public static readonly SWIN_BASE_PATCH4_WINDOW12_384 = JumpStartModel.catalogued('tensorflow-ic-swin-base-patch4-window12-384');

  /** `tensorflow-ic-swin-base-patch4-window7-224` (224×224, size read from the model name). */
  public static readonly SWIN_BASE_PATCH4_WINDOW7_224 = JumpStartModel.catalogued('tensorflow-ic-swin-base-patch4-window7-224');

  /** `tensorflow-ic-swin-large-patch4-window12-384` (384×384, size read from the model name). */
  public static readonly SWIN_LARGE_PATCH4_WINDOW12_384 = JumpStartModel.catalogued('tensorflow-ic-swin-large-patch4-window12-384');

  /** `tensorflow-ic-swin-large-patch4-window7-224` (224×224, size read from the model name). */
  public static readonly SWIN_LARGE_PATCH4_WINDOW7_224 = JumpStartModel.catalogued('tensorflow-ic-swin-large-patch4-window7-224');

  /** `tensorflow-ic-swin-s3-base-224` (224×224, size read from the model name). */
  public static readonly SWIN_S3_BASE_224 = JumpStartModel.catalogued('tensorflow-ic-swin-s3-base-224');

  /** `tensorflow-ic-swin-s3-small-224` (224×224, size read from the model name). */
  public static readonly SWIN_S3_SMALL_224 = JumpStartModel.catalogued('tensorflow-ic-swin-s3-small-224');

  /** `tensorflow-ic-swin-s3-tiny-224` (224×224, size read from the model name). */
  public static readonly SWIN_S3_TINY_224 = JumpStartModel.catalogued('tensorflow-ic-swin-s3-tiny-224');

  /** `tensorflow-ic-swin-small-patch4-window7-224` (224×224, size read from the model name). */
  public static readonly SWIN_SMALL_PATCH4_WINDOW7_224 = JumpStartModel.catalogued('tensorflow-ic-swin-small-patch4-window7-224');

  /** `tensorflow-ic-swin-tiny-patch4-window7-224` (224×224, size read from the model name). */
  public static readonly SWIN_TINY_PATCH4_WINDOW7_224 = JumpStartModel.catalogued('tensorflow-ic-swin-tiny-patch4-window7-224');

  /** `tensorflow-ic-tf2-preview-inception-v3-classification-4` (299×299). */
  public static readonly TF2_PREVIEW_INCEPTION_V3 = JumpStartModel.catalogued('tensorflow-ic-tf2-preview-inception-v3-classification-4');

  /** `tensorflow-ic-tf2-preview-mobilenet-v2-classification-4` (224×224). */
  public static readonly TF2_PREVIEW_MOBILENET_V2 = JumpStartModel.catalogued('tensorflow-ic-tf2-preview-mobilenet-v2-classification-4');

  /** `tensorflow-ic-imagenet-resnet-50-classification-4` (224×224). Doubtful: only the 2023 AWS docs list this id; prefer `RESNET_50` (`tensorflow-ic-resnet-50-classification-1`). */
  public static readonly IMAGENET_RESNET_50 = JumpStartModel.catalogued('tensorflow-ic-imagenet-resnet-50-classification-4');

  /** The JumpStart model id, for example `tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4`. */
  public readonly modelId: string;
  /**
   * The edge of the square input image in pixels, or `undefined` where the model does not publish one (BiT).
   * The algorithm itself reads the size from the pretrained model's own files; this is what images are resized to
   * before they are sent to the endpoint.
   */
  public readonly imageSize?: number;
  /** Where `imageSize` comes from. */
  public readonly imageSizeBasis: ImageSizeBasis;

  private constructor(modelId: string, imageSize: number | undefined, imageSizeBasis: ImageSizeBasis) {
    this.modelId = modelId;
    this.imageSize = imageSize;
    this.imageSizeBasis = imageSizeBasis;
  }

  /**
   * The most likely key, in the region's JumpStart content bucket, of the pretrained model that training starts from.
   * The deploy-time check of a `TrainingJobDefinition` tries `pretrainedModelKeyCandidates` and uses the first found.
   */
  public get pretrainedModelKey(): string {
    return pretrainedModelKey(this.modelId);
  }

  /** Every key the pretrained model that training starts from may have in the JumpStart content bucket, most likely first. */
  public get pretrainedModelKeyCandidates(): string[] {
    return pretrainedModelKeyCandidates(this.modelId);
  }

  /** Key prefix, in the region's JumpStart content bucket, of the pretrained model ready to serve. */
  public get pretrainedInferenceModelKeyPrefix(): string {
    return pretrainedInferenceModelKeyPrefix(this.modelId);
  }

  public toString(): string {
    return this.modelId;
  }
}

function validateImageSize(imageSize: number): void {
  if (Token.isUnresolved(imageSize)) return;
  const problem = imageSizeProblem(imageSize, 'imageSize');
  if (problem) throw new Error(`JumpStartModel.of: ${problem}`);
}
