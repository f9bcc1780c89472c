// The public face of the hyperparameters: the typed interface and the enums of its choices. Checking and rendering
// them is internal (lib/private/hyperparameter-rendering.ts); the specification is in lambda/shared/hyperparameter-spec.ts.
export type { Hyperparameters } from '../../lambda/shared/hyperparameter-spec';
export { AugmentationRandomFlip, EvalMetric, ImageResizeInterpolation, Optimizer, ReinitializeTopLayer } from '../../lambda/shared/hyperparameter-spec';
