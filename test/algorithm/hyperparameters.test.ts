import {
  EvalMetric, Hyperparameters, ImageResizeInterpolation, Optimizer, ReinitializeTopLayer, AugmentationRandomFlip,
} from '../../lib';
import { hyperparameterWireName, pythonFloat } from '../../lambda/shared/hyperparameter-spec';
import { renderHyperparameters, validateHyperparameters } from '../../lib/private/hyperparameter-rendering';
import { REFERENCE } from '../helpers';

describe('renderHyperparameters', () => {
  test('the default configuration equals the algorithm defaults as the SDK sends them, key by key', () => {
    const expected = Object.fromEntries(REFERENCE.hyperparameters.algorithm.map((h) => [h.name, h.default_as_sent_by_sdk]));
    expect(renderHyperparameters()).toEqual(expected);
  });

  test('camelCase fields map to the algorithm snake_case names; booleans and numbers become strings', () => {
    const rendered = renderHyperparameters({
      trainOnlyTopLayer: false, learningRate: 0.0005, epochs: 12, beta1: 0.85, earlyStopping: true, optimizer: Optimizer.SGD,
    });
    expect(rendered).toMatchObject({
      train_only_top_layer: 'False', learning_rate: '0.0005', epochs: '12', beta_1: '0.85', early_stopping: 'True', optimizer: 'sgd',
    });
    expect(hyperparameterWireName('regularizersL2')).toBe('regularizers_l2');
  });

  test('every value is a string of at most 256 characters', () => {
    for (const value of Object.values(renderHyperparameters({ epsilon: 1e-300 }))) {
      expect(typeof value).toBe('string');
      expect(value.length).toBeLessThanOrEqual(256);
    }
  });

  test.each([
    ['learningRate', { learningRate: 3 }, 'hyperparameters.learningRate must be a number in [0, 1], got 3'],
    ['epochs', { epochs: 0 }, 'hyperparameters.epochs must be a whole number in [1, 1000], got 0'],
    ['batchSize', { batchSize: 0 }, 'hyperparameters.batchSize must be a whole number in [1, 1024], got 0'],
    ['a fractional epoch count', { epochs: 2.5 }, 'hyperparameters.epochs must be a whole number in [1, 1000], got 2.5'],
    ['a negative seed', { randomSeed: -1 }, 'hyperparameters.randomSeed must be a whole number of at least 0, got -1'],
    ['an unknown optimizer', { optimizer: 'lion' as Optimizer }, "hyperparameters.optimizer must be one of 'adam', 'sgd', 'nesterov', 'rmsprop', 'adagrad', 'adadelta', got \"lion\""],
    ['a string boolean', { augmentation: 'True' as unknown as boolean }, 'hyperparameters.augmentation must be true or false, got "True"'],
    ['a rotation below -1', { augmentationRandomRotation: -1.5 }, 'hyperparameters.augmentationRandomRotation must be a number in [-1, 1], got -1.5'],
    ['NaN', { dropoutRate: NaN }, 'hyperparameters.dropoutRate must be a number in [0, 1], got NaN'],
    ['a BigInt', { epochs: BigInt(5) as unknown as number }, 'hyperparameters.epochs must be a whole number in [1, 1000], got 5n'],
  ])('rejects %s, naming the field, the value and the allowed range', (_name, hyperparameters, message) => {
    expect(() => renderHyperparameters(hyperparameters as Hyperparameters)).toThrow(message);
  });

  test('collects every problem into one error', () => {
    const problems = validateHyperparameters({ learningRate: 3, epochs: 0, batchSize: 0 });
    expect(problems).toHaveLength(3);
    expect(() => renderHyperparameters({ learningRate: 3, epochs: 0, batchSize: 0 }))
      .toThrow(/epochs[\s\S]*batchSize[\s\S]*learningRate/);
  });

  test('rejects a field the algorithm does not have (a typo), listing the known ones', () => {
    expect(validateHyperparameters({ learning_rate: 0.1 } as Hyperparameters)[0])
      .toMatch(/^hyperparameters\.learning_rate is not a hyperparameter of the algorithm; known fields: trainOnlyTopLayer/);
  });

  test('rejects a non-accuracy eval metric outside binary mode, and accepts it in binary mode', () => {
    expect(validateHyperparameters({ evalMetric: EvalMetric.AUC })).toEqual([
      "hyperparameters.evalMetric 'auc' is only used in binary mode; set hyperparameters.binaryMode to true or use EvalMetric.ACCURACY",
    ]);
    expect(validateHyperparameters({ evalMetric: EvalMetric.AUC, binaryMode: true })).toEqual([]);
  });

  test('the boundary values of every range are accepted', () => {
    expect(validateHyperparameters({ learningRate: 0, epochs: 1000, batchSize: 1024, augmentationRandomZoom: -1, dropoutRate: 1 })).toEqual([]);
  });

  test('choice enums hold exactly the values the algorithm allows', () => {
    const allowed = Object.fromEntries(REFERENCE.hyperparameters.algorithm.filter((h) => h.allowed_values && h.type === 'text')
      .map((h) => [h.name, [...h.allowed_values!].sort()]));
    expect(Object.values(Optimizer).sort()).toEqual(allowed.optimizer);
    expect(Object.values(ReinitializeTopLayer).sort()).toEqual(allowed.reinitialize_top_layer);
    expect(Object.values(ImageResizeInterpolation).sort()).toEqual(allowed.image_resize_interpolation);
    expect(Object.values(AugmentationRandomFlip).sort()).toEqual(allowed.augmentation_random_flip);
    expect(Object.values(EvalMetric).sort()).toEqual(allowed.eval_metric);
  });

  test('numeric ranges match the reference', () => {
    for (const spec of REFERENCE.hyperparameters.algorithm.filter((h) => h.type !== 'text')) {
      const field = Object.keys(renderHyperparameters()).indexOf(spec.name);
      expect(field).toBeGreaterThanOrEqual(0);
      const camel = spec.name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) as keyof Hyperparameters;
      expect(validateHyperparameters({ [camel]: spec.min } as Hyperparameters)).toEqual([]);
      expect(validateHyperparameters({ [camel]: spec.min! - 0.5 } as Hyperparameters)).toHaveLength(1);
      if (spec.max !== undefined) {
        expect(validateHyperparameters({ [camel]: spec.max } as Hyperparameters)).toEqual([]);
        expect(validateHyperparameters({ [camel]: spec.max + 0.5 } as Hyperparameters)).toHaveLength(1);
      }
    }
  });
});

describe('pythonFloat', () => {
  test.each([
    [0.001, '0.001'], [1e-7, '1e-07'], [0, '0.0'], [0.0001, '0.0001'], [0.00001, '1e-05'], [5, '5.0'],
    [0.999, '0.999'], [1e16, '1e+16'], [123456789012345.6, '123456789012345.6'], [-0.2, '-0.2'], [2.5e-300, '2.5e-300'],
  ])('%p renders as Python str() does: %p', (value, expected) => {
    expect(pythonFloat(value)).toBe(expected);
  });
});

describe('validateHyperparameters on what JavaScript callers and JSON configs pass', () => {
  test('null or a non-object is one clear problem, not a TypeError', () => {
    expect(validateHyperparameters(null as unknown as Hyperparameters)).toEqual(['hyperparameters must be an object of camelCase hyperparameters like { epochs: 10 }, got null']);
    expect(() => renderHyperparameters([1] as unknown as Hyperparameters)).toThrow('hyperparameters must be an object of camelCase hyperparameters');
  });

  test('names of Object.prototype members are unknown fields, not silently accepted', () => {
    expect(validateHyperparameters(JSON.parse('{"constructor": 1, "toString": 2}'))).toHaveLength(2);
  });

  test('a non-string evalMetric is reported once', () => {
    expect(validateHyperparameters({ evalMetric: 5 as unknown as EvalMetric })).toEqual([
      "hyperparameters.evalMetric must be one of 'accuracy', 'precision', 'recall', 'auc', 'prc', got 5",
    ]);
  });
});
