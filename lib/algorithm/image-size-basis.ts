/** Where a model's input image size comes from. */
export enum ImageSizeBasis {
  /** Stated on the model's TensorFlow Hub card. */
  MODEL_CARD = 'model-card',
  /** Read from the number in the model id (CaiT, DeiT, Swin); not stated on a card. */
  MODEL_NAME = 'model-name',
  /** Not published: the model accepts any size (BiT). Give one with `JumpStartModel.of(id, { imageSize })`. */
  UNKNOWN = 'unknown',
  /** Given by the user. */
  USER = 'user',
}
