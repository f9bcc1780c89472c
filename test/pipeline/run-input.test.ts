/** prepareRun's checks of the untrusted run input, one field at a time (test/pipeline/pipeline-steps.test.ts has the rest). */
import { InvalidRunInput, prepareRun } from '../../lambda/shared/prepare-run';
import type { PipelineConfig } from '../../lambda/shared/pipeline-config';

const config: PipelineConfig = {
  resourceNamePrefix: 'flowers',
  hyperparameters: { epochs: 8 },
  containerHyperparameters: { sagemaker_program: 'transfer_learning.py' },
  trainingOptions: [{ instanceType: 'ml.m5.xlarge', trainingImage: 'cpu-image', resourceConfig: { InstanceType: 'ml.m5.xlarge' } }],
  evaluation: { datasetUri: 's3://bucket/dataset/', outputUri: 's3://bucket/evaluation/', holdOutPercent: 10 },
  promotion: { metric: 'accuracy', minimumImprovement: 0 },
};
const execution = { id: 'arn:exec:1', name: 'run-1', startTime: '2026-11-28T12:00:00Z' };
const refusal = (input: unknown): string => {
  try {
    prepareRun(execution, input, config);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRunInput);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
};

test.each([
  ['a string', 'fast', '"fast"'],
  ['a number', 3, '3'],
  ['true', true, 'true'],
])('hyperparameters that are %s are refused, showing them', (_name, hyperparameters, shown) => {
  expect(refusal({ hyperparameters })).toBe(`input.hyperparameters must be an object of camelCase hyperparameters, got ${shown}`);
});

test('hyperparameters that are an array are refused', () => {
  expect(refusal({ hyperparameters: [5] })).toMatch(/^input\.hyperparameters must be an object of camelCase hyperparameters, got \[5\]/);
});

test('null hyperparameters are no overrides', () => {
  expect(prepareRun(execution, { hyperparameters: null }, config).hyperparameters.epochs).toBe('8');
});

test.each(['manual!', '!manual', 'Manual', 'new data', 'x'.repeat(33), ''])('the trigger %p is refused: a short lowercase word', (trigger) => {
  expect(refusal({ trigger })).toBe(`input.trigger must be a short lowercase word such as 'manual', got ${JSON.stringify(trigger)}`);
});

test.each(['x'.repeat(32), 'a', 'new-data', 'schedule'])('the trigger %p is accepted as it is', (trigger) => {
  expect(prepareRun(execution, { trigger }, config).trigger).toBe(trigger);
});

test.each([0, 0.5, 1])('a minimumImprovement of %p (in [0, 1], both ends included) is the run\'s margin', (minimumImprovement) => {
  expect(prepareRun(execution, { minimumImprovement }, config).promotion).toEqual({ metric: 'accuracy', minimumImprovement });
});

test.each([-0.0001, 1.0001, '0.5', true])('a minimumImprovement of %p is refused', (minimumImprovement) => {
  expect(refusal({ minimumImprovement })).toBe(`input.minimumImprovement must be a number in [0, 1], got ${JSON.stringify(minimumImprovement)}`);
});

test.each(['accuracy', 'macroF1'])('the promotionMetric %p is the run\'s metric', (promotionMetric) => {
  expect(prepareRun(execution, { promotionMetric }, config).promotion).toEqual({ metric: promotionMetric, minimumImprovement: 0 });
});
