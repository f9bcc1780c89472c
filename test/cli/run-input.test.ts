/**
 * `train`'s `--set` values, swept over every hyperparameter of the specification: each value reads as its type
 * (numbers, switches, choices) under its camelCase and snake_case names, the result is exactly what the pipeline's own
 * check accepts or refuses, and a mistyped name gets the closest real one.
 */
import * as fc from 'fast-check';
import { buildRunInput, readHyperparameterSettings } from '../../cli/run-input';
import { checkHyperparameters, HYPERPARAMETER_FIELDS, Hyperparameters, hyperparameterKind, hyperparameterWireName } from '../../lambda/shared/hyperparameter-spec';
import type { PipelineConfig } from '../../lambda/shared/pipeline-config';

const NOW = new Date('2026-11-30T07:00:00Z');
const CONFIG: PipelineConfig = {
  resourceNamePrefix: 'flowers',
  hyperparameters: { epochs: 8 },
  containerHyperparameters: { sagemaker_program: 'transfer_learning.py' },
  trainingOptions: [
    { instanceType: 'ml.p3.2xlarge', trainingImage: 'image', resourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 } },
    { instanceType: 'ml.g5.xlarge', trainingImage: 'image', resourceConfig: { InstanceType: 'ml.g5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 } },
  ],
  evaluation: { datasetUri: 's3://bucket/dataset/', outputUri: 's3://bucket/evaluation/', holdOutPercent: 10 },
  promotion: { metric: 'accuracy', minimumImprovement: 0 },
};

/** Text for a value as a user types it, and the value it stands for. */
function valueFor(field: keyof Hyperparameters): fc.Arbitrary<[string, unknown]> {
  const { kind, choices } = hyperparameterKind(field);
  switch (kind) {
    case 'boolean':
      return fc.boolean().chain((value) => fc.constantFrom<[string, unknown]>([String(value), value], [value ? 'True' : 'False', value], [value ? 'TRUE' : 'false', value]));
    case 'int':
      return fc.integer({ min: -5, max: 2000 }).map((value): [string, unknown] => [String(value), value]);
    case 'float':
      return fc.double({ min: -2, max: 2, noNaN: true }).map((value): [string, unknown] => [String(value), Number(String(value))]);
    case 'choice':
      // Blanks around a value are not part of it.
      return fc.oneof(fc.constantFrom(...choices!), fc.string({ minLength: 1, maxLength: 8 })).map((value): [string, unknown] => [value, value.trim()]);
  }
}

describe('--set values', () => {
  test('every hyperparameter, by either name, reads as its type; accepted exactly when the pipeline\'s check accepts it', () => {
    fc.assert(fc.property(
      fc.constantFrom(...HYPERPARAMETER_FIELDS).chain((field) => fc.tuple(fc.constant(field), fc.boolean(), valueFor(field))),
      ([field, snake, [text, value]]) => {
        const name = snake ? hyperparameterWireName(field) : field;
        expect(readHyperparameterSettings([`${name}=${text}`])).toEqual({ values: { [field]: value }, problems: [] });
        const pipeline = checkHyperparameters({ ...CONFIG.hyperparameters, [field]: value } as Hyperparameters, 'input.hyperparameters');
        const result = buildRunInput({ set: [`${name}=${text}`] }, CONFIG, NOW);
        expect(result.ok).toBe(pipeline.length === 0);
        if (!result.ok) expect(result.problems[0]).toBe(pipeline.join('; '));
      },
    ), { numRuns: 300 });
  });

  test('text that is not a number stays text, so the message shows what was typed', () => {
    for (const text of ['ten', '0x10', '1e', '', ' ', 'Infinity', 'NaN', '1_000']) {
      expect(readHyperparameterSettings([`epochs=${text}`]).values.epochs).toBe(text.trim());
    }
  });

  test('a value may hold "=" (only the first one splits)', () => {
    expect(readHyperparameterSettings(['optimizer=a=b']).values).toEqual({ optimizer: 'a=b' });
  });

  test.each([
    ['epochs', /--set "epochs" must be name=value/],
    ['=10', /--set "=10" must be name=value/],
  ])('%j without a name or a value is refused with the form to use', (setting, message) => {
    const result = buildRunInput({ set: [setting] }, CONFIG, NOW);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join('\n')).toMatch(message);
  });

  test('the same hyperparameter twice (whatever its spelling) is refused', () => {
    const result = buildRunInput({ set: ['learningRate=0.1', 'learning_rate=0.2'] }, CONFIG, NOW);
    expect(!result.ok && result.problems).toEqual(['--set learningRate is given twice; give each hyperparameter once']);
  });
});

describe('mistyped names', () => {
  /** Every name one edit away from a field: a deletion, a swap of neighbours, a doubled letter. */
  const typos = (name: string): string[] => [
    ...Array.from({ length: name.length }, (_, i) => name.slice(0, i) + name.slice(i + 1)),
    ...Array.from({ length: name.length - 1 }, (_, i) => name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2)),
    ...Array.from({ length: name.length }, (_, i) => name.slice(0, i + 1) + name[i] + name.slice(i + 1)),
  ];

  test('one edit from a field: refused with the pipeline\'s message, and the suggestion names a field that close', () => {
    fc.assert(fc.property(
      fc.constantFrom(...HYPERPARAMETER_FIELDS).chain((field) => fc.constantFrom(...typos(field))),
      (typo) => {
        fc.pre(!HYPERPARAMETER_FIELDS.some((f) => f.toLowerCase() === typo.toLowerCase()));
        const result = buildRunInput({ set: [`${typo}=1`] }, CONFIG, NOW);
        expect(result.ok).toBe(false);
        const problems = result.ok ? [] : result.problems;
        expect(problems[0]).toContain(`input.hyperparameters.${typo} is not a hyperparameter of the algorithm`);
        const hint = /did you mean --set (\w+)=1\?/.exec(problems.join('\n'));
        expect(hint).not.toBeNull();
        expect(HYPERPARAMETER_FIELDS).toContain(hint![1]);
      },
    ), { numRuns: 150 });
  });

  test('a name far from every field gets no suggestion', () => {
    const result = buildRunInput({ set: ['colour=blue'] }, CONFIG, NOW);
    expect(!result.ok && result.problems.join('\n')).not.toContain('did you mean');
  });
});

describe('the whole input', () => {
  test('the instance type is checked against the deployed pipeline\'s list only when its configuration is known', () => {
    expect(buildRunInput({ instanceType: 'ml.m5.large' }, undefined, NOW)).toEqual({ ok: true, input: { trigger: 'manual', instanceType: 'ml.m5.large' } });
    const result = buildRunInput({ instanceType: 'ml.m5.large' }, CONFIG, NOW);
    expect(!result.ok && result.problems).toEqual(['input.instanceType must be one of the pipeline\'s training instance types (ml.p3.2xlarge, ml.g5.xlarge), got "ml.m5.large"']);
    expect(buildRunInput({ instanceType: 'ml.g5.xlarge', set: ['epochs=3'] }, CONFIG, NOW))
      .toEqual({ ok: true, input: { trigger: 'manual', instanceType: 'ml.g5.xlarge', hyperparameters: { epochs: 3 } } });
  });

  test('no options: the stack\'s own settings, trigger manual', () => {
    expect(buildRunInput({}, CONFIG, NOW)).toEqual({ ok: true, input: { trigger: 'manual' } });
  });
});

describe('--promotion-metric and --minimum-improvement', () => {
  const metricTexts = fc.oneof(fc.constantFrom('accuracy', 'macroF1', 'f1', 'Accuracy', ''), fc.string({ maxLength: 8 }));
  const improvementTexts = fc.oneof(
    fc.double({ min: -0.5, max: 1.5, noNaN: true }).map(String),
    fc.constantFrom('0', '1', '0.02', '1.0001', '-0', 'NaN', 'Infinity', '0x1', 'five', ' 0.5 ', ''),
  );

  test('each is accepted exactly when the pipeline would accept it, with or without the deployed configuration', () => {
    fc.assert(fc.property(fc.option(metricTexts, { nil: undefined }), fc.option(improvementTexts, { nil: undefined }), (metric, improvement) => {
      const metricOk = metric === undefined || metric === 'accuracy' || metric === 'macroF1';
      const number = improvement === undefined ? 0 : Number(improvement);
      const improvementOk = improvement === undefined
        || (/^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(improvement) && number >= 0 && number <= 1);
      for (const config of [undefined, CONFIG]) {
        const result = buildRunInput({ promotionMetric: metric, minimumImprovement: improvement }, config, NOW);
        expect(result.ok).toBe(metricOk && improvementOk);
        if (result.ok) {
          expect(result.input.promotionMetric).toBe(metric);
          expect(result.input.minimumImprovement).toBe(improvement === undefined ? undefined : number);
        } else {
          const text = result.problems.join('\n');
          if (!metricOk) expect(text).toMatch(/promotion-?[mM]etric must be one of/);
          if (!improvementOk) expect(text).toMatch(/minimum-?[iI]mprovement must be a number in \[0, 1\]/);
        }
      }
    }), { numRuns: 300 });
  });
});
