import { Duration, Token } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import {
  HYPERPARAMETER_FIELDS, MODEL_IDS, deploymentStrategy, hostingNames, hyperparameters, instanceCapacityOptions, serverlessCapacityOptions,
  trainingNames,
} from './construct-props';
import { expectCleanOutcome, mentions } from './expect-clean-outcome';
import { ConstructFuzz, ValueFuzz, expectBothOutcomes, fuzzConstruct, fuzzStack, fuzzValues, throwProblems } from './fuzz-construct';
import {
  Gen, Recipe, anyNumber, anyString, cases, durationOfMinutes, durationOfSeconds, durationToken, field, fractionalDuration, mapShape, numberOutside, numberToken,
  optional, record, stringOutside, stringToken, under, wholeIn,
} from './generators';
import { knownBugsOf, knownValueBugsOf, testKnownValueBugs } from './known-library-bugs';
import {
  ClassifierEndpoint, DeploymentStrategy, EndpointCapacity, Hyperparameters, ImageSizeBasis, InferenceInstanceType, InstanceCapacityOptions,
  JumpStartModel, JumpStartModelOptions, Processor, RetrainingSchedule, ServerlessCapacityOptions, TrainingInstanceType,
} from '../../lib';
import { hyperparameterWireName } from '../../lambda/shared/hyperparameter-spec';
import { renderHyperparameters } from '../../lib/private/hyperparameter-rendering';
import { validateInferenceInstanceType, validateTrainingInstanceType } from '../../lib/private/instance-type-checks';
import { CPU_INSTANCE_FAMILIES, GPU_INSTANCE_FAMILIES } from '../../lib/private/algorithm-facts';
import { invalidScheduleExpression, validScheduleExpression } from '../support/schedule-expressions';

const WIRE_NAMES = HYPERPARAMETER_FIELDS.map((name) => hyperparameterWireName(name as keyof Hyperparameters)).sort();

/** Every hyperparameter is sent, as a string token or a string of at most 256 characters. */
function expectCompleteHyperparameterMap(rendered: Record<string, string>): void {
  expect(Object.keys(rendered).sort()).toEqual(WIRE_NAMES);
  const stack = fuzzStack();
  for (const [name, text] of Object.entries(rendered)) {
    if (Token.isUnresolved(text)) continue;
    const resolved: unknown = stack.resolve(text);
    if (typeof resolved !== 'string' || resolved.length > 256) {
      throw new Error(`hyperparameter ${name} renders to ${JSON.stringify(resolved)}, not a string of at most 256 characters`);
    }
  }
}

const RENDER_HYPERPARAMETERS: ValueFuzz<Recipe<Hyperparameters>, Record<string, string>> = {
  names: ['hyperparameters'],
  run: (value) => renderHyperparameters(value as Hyperparameters),
  check: expectCompleteHyperparameterMap,
  // The message shows the value received: a number as JavaScript writes it.
  checkRejection: (error, gen) => {
    for (const path of gen.invalid) {
      const value = (gen.value as Record<string, unknown>)[path.replace(/^hyperparameters\./, '')];
      const line = error.message.split('\n').find((text) => text.includes(`${path} must`));
      if (typeof value === 'number' && line !== undefined && !line.endsWith(`got ${String(value)}`)) {
        throw new Error(`the message shows ${path} = ${String(value)} as: ${line}`);
      }
    }
  },
  knownBugs: [
    ...knownBugsOf('TrainingJobDefinition').map((bug) => (value: unknown) => bug.affects({ hyperparameters: value })),
    ...knownValueBugsOf('renderHyperparameters').map((bug) => bug.affects),
  ],
};

/** Arbitrary JavaScript values where an object of hyperparameters belongs: any clean outcome will do. */
const anyLeaf = [anyNumber(), anyString(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constantFrom(...HYPERPARAMETER_FIELDS)];
const anyHyperparameterObject: fc.Arbitrary<Gen<unknown>> = fc.oneof(
  fc.anything({ maxDepth: 2, values: anyLeaf }),
  fc.dictionary(fc.constantFrom(...HYPERPARAMETER_FIELDS), fc.anything({ maxDepth: 1, values: anyLeaf }), { maxKeys: 6 }),
).map((value) => ({ value, invalid: [], open: true }));

describe('renderHyperparameters fuzzing', () => {
  test('generated hyperparameters render completely, or are refused naming each field and showing its value', () => {
    expectBothOutcomes(fuzzValues(cases(under('hyperparameters', hyperparameters)), RENDER_HYPERPARAMETERS));
  });

  test('arbitrary objects render completely, or are refused with a message naming a hyperparameter', () => {
    expectBothOutcomes(fuzzValues(anyHyperparameterObject, {
      names: RENDER_HYPERPARAMETERS.names,
      run: (value: unknown) => renderHyperparameters(value as Hyperparameters),
      check: expectCompleteHyperparameterMap,
      knownBugs: RENDER_HYPERPARAMETERS.knownBugs as ReadonlyArray<(value: unknown) => boolean>,
    }));
  });

  test('rejects zero epochs, naming hyperparameters.epochs', () => {
    const outcome = expectCleanOutcome(() => renderHyperparameters({ epochs: 0 }), ['hyperparameters']);
    expect(!outcome.ok && outcome.error.message).toMatch(/hyperparameters\.epochs must be a whole number in \[1, 1000\], got 0/);
  });

  testKnownValueBugs('renderHyperparameters', RENDER_HYPERPARAMETERS);
});

const JUMPSTART_MODEL_OF: ValueFuzz<Recipe<{ modelId: string; options: JumpStartModelOptions }>, JumpStartModel> = {
  names: ['model id', 'imageSize'],
  matchesPath: (message, path) => mentions(message, path === 'modelId' ? 'model id' : 'imageSize'),
  // The id is looked up first; the image size is checked for a known id.
  checkedLater: ['options.'],
  run: ({ modelId, options }) => JumpStartModel.of(modelId as string, options as JumpStartModelOptions),
  check: (model, gen) => {
    const imageSize = (gen.value.options as JumpStartModelOptions | undefined)?.imageSize;
    expect(model.modelId).toBe(gen.value.modelId);
    expect(model.imageSizeBasis === ImageSizeBasis.USER).toBe(imageSize !== undefined);
    if (imageSize !== undefined) expect(model.imageSize).toBe(imageSize);
  },
  checkRejection: (error) => {
    const closest = /closest: (.*)\.$/.exec(error.message)?.[1];
    if (closest !== undefined) expect(closest.split(', ').map((id) => id.slice(1, -1)).every((id) => MODEL_IDS.includes(id))).toBe(true);
  },
  knownBugs: knownValueBugsOf('JumpStartModel.of').map((bug) => bug.affects),
};

const modelIdOrOptions = record<{ modelId: string; options: JumpStartModelOptions }>({
  modelId: field({
    valid: fc.constantFrom(...MODEL_IDS),
    invalid: fc.oneof(
      stringOutside((id) => MODEL_IDS.includes(id)),
      fc.constantFrom(...MODEL_IDS).chain((id) => fc.constantFrom(id.toUpperCase(), id.replace('tensorflow-ic-', ''), `${id} `, `${id}-2`, id.slice(0, -1))),
      stringToken(MODEL_IDS[0]),
    ).filter((id) => !MODEL_IDS.includes(id)),
    required: true,
  }),
  options: optional(record<JumpStartModelOptions>({
    imageSize: field({ valid: fc.integer({ min: 32, max: 1024 }), invalid: numberOutside(wholeIn(32, 1024)), token: numberToken(224) }),
  })),
});

describe('JumpStartModel.of fuzzing', () => {
  test('catalog ids give their model, anything else is refused naming the model id or imageSize', () => {
    expectBothOutcomes(fuzzValues(cases(modelIdOrOptions), JUMPSTART_MODEL_OF));
  });

  test('rejects a mistyped version, suggesting the closest ids', () => {
    const outcome = expectCleanOutcome(() => JumpStartModel.of('tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-5'), ['model id']);
    expect(!outcome.ok && outcome.error.message).toMatch(/unknown model id .*closest: 'tensorflow-ic-imagenet-mobilenet-v2-100-224-classification-4'/);
  });

  testKnownValueBugs('JumpStartModel.of', JUMPSTART_MODEL_OF);
});

interface InstanceTypeCase {
  readonly name: string;
  readonly processor?: Processor;
}

function familyOf(name: string): string | undefined {
  return /^ml\.([a-z0-9]+)\.[a-z0-9]+$/.exec(name)?.[1];
}

function instanceTypeCases(names: typeof trainingNames, token: string, checkProcessor: boolean) {
  return record<InstanceTypeCase>({
    name: field({ ...names, token: stringToken(token), required: true }),
    processor: checkProcessor ? field({ valid: fc.constantFrom(Processor.GPU, Processor.CPU) }) : field({}),
  }, ({ name, processor }) => {
    const family = familyOf(name as string) ?? '';
    const actual = GPU_INSTANCE_FAMILIES.includes(family) ? Processor.GPU : CPU_INSTANCE_FAMILIES.includes(family) ? Processor.CPU : undefined;
    return { invalid: processor !== undefined && actual !== undefined && actual !== processor ? ['name'] : [] };
  });
}

/** The getters answer for any name; a name of a known family gets its processor. */
function describeInstanceType(type: TrainingInstanceType | InferenceInstanceType) {
  return { family: type.family, processor: type.processor, hasLocalStorage: type.hasLocalStorage, text: type.toString() };
}

const TRAINING_INSTANCE_TYPE: ValueFuzz<Recipe<InstanceTypeCase>, ReturnType<typeof describeInstanceType>> = {
  names: ['instanceType'],
  matchesPath: (message) => mentions(message, 'instanceType'),
  run: ({ name, processor }) => {
    const type = TrainingInstanceType.of(name as string);
    const described = describeInstanceType(type);
    throwProblems(validateTrainingInstanceType(type, 'instanceType', processor as Processor | undefined));
    return described;
  },
  check: (described, gen) => expect(described.text).toBe(gen.value.name),
};

const INFERENCE_INSTANCE_TYPE: ValueFuzz<Recipe<InstanceTypeCase>, ReturnType<typeof describeInstanceType>> = {
  names: ['capacity.instanceType'],
  matchesPath: (message) => mentions(message, 'capacity.instanceType'),
  run: ({ name }) => {
    const type = InferenceInstanceType.of(name as string);
    const described = describeInstanceType(type);
    throwProblems(validateInferenceInstanceType(type, 'capacity.instanceType'));
    return described;
  },
  check: (described, gen) => expect(described.text).toBe(gen.value.name),
};

describe('instance type fuzzing', () => {
  test('training instance types of the algorithm\'s families pass, others are refused naming instanceType', () => {
    expectBothOutcomes(fuzzValues(cases(instanceTypeCases(trainingNames, 'ml.g5.xlarge', true)), TRAINING_INSTANCE_TYPE));
  });

  test('hosting instance types of the algorithm\'s families pass, others are refused naming capacity.instanceType', () => {
    expectBothOutcomes(fuzzValues(cases(instanceTypeCases(hostingNames, 'ml.m5.large', false)), INFERENCE_INSTANCE_TYPE));
  });

  test('rejects a doubled ml. prefix, naming instanceType', () => {
    expect(validateTrainingInstanceType(TrainingInstanceType.of('ml.ml.p3.2xlarge'), 'instanceType'))
      .toEqual(["instanceType 'ml.ml.p3.2xlarge' has a doubled 'ml.' prefix; use 'ml.p3.2xlarge'"]);
  });

  test('rejects a T2 hosting instance, naming capacity.instanceType', () => {
    expect(validateInferenceInstanceType(InferenceInstanceType.of('ml.t2.medium'), 'capacity.instanceType')[0])
      .toMatch(/^capacity\.instanceType 'ml\.t2\.medium': T2 instances are not in the algorithm's hosting list/);
  });
});

const CAPACITY: ConstructFuzz<ClassifierEndpoint> = {
  names: ['capacity'],
  create: (stack, props) => new ClassifierEndpoint(stack, 'Endpoint', props),
  exercise: (endpoint) => [
    endpoint.renderCreateEndpointConfigRequest({
      endpointConfigName: `${endpoint.resourceNamePrefix}-static-00000000`, modelName: `${endpoint.resourceNamePrefix}-static-00000001`,
    }),
    endpoint.renderScalingRequests(),
  ],
  synthesize: { every: 50, max: 4 },
  knownBugs: knownBugsOf('ClassifierEndpoint'),
};

describe('EndpointCapacity fuzzing', () => {
  test.each([
    ['instances()', mapShape(instanceCapacityOptions, (options) => EndpointCapacity.instances(options as InstanceCapacityOptions))],
    ['serverless()', mapShape(serverlessCapacityOptions, (options) => EndpointCapacity.serverless(options as ServerlessCapacityOptions))],
  ])('%s with arbitrary numbers, durations and sizes renders its variant and scaling, or is refused naming the option', (_factory, capacity) => {
    expectBothOutcomes(fuzzConstruct(record<{ capacity: unknown }>({ capacity }), CAPACITY));
  });

  test('rejects a serverless maxConcurrency of 0, naming capacity.maxConcurrency', () => {
    const outcome = expectCleanOutcome(
      () => new ClassifierEndpoint(fuzzStack(), 'Endpoint', { capacity: EndpointCapacity.serverless({ maxConcurrency: 0 }) }), ['capacity']);
    expect(!outcome.ok && outcome.error.message).toMatch(/capacity\.maxConcurrency must be a whole number in \[1, 200\], got 0/);
  });
});

const DEPLOYMENT_STRATEGY: ValueFuzz<unknown, ReturnType<DeploymentStrategy['render']>> = {
  names: ['deployment'],
  run: (strategy) => {
    throwProblems((strategy as DeploymentStrategy).validate('deployment'));
    return (strategy as DeploymentStrategy).render(['fuzz-5xx-errors', 'fuzz-model-latency']);
  },
  check: (config) => {
    const policy = config.BlueGreenUpdatePolicy;
    for (const seconds of [policy.TerminationWaitInSeconds, policy.MaximumExecutionTimeoutInSeconds, policy.TrafficRoutingConfiguration.WaitIntervalInSeconds]) {
      expect(Number.isInteger(seconds) || typeof seconds !== 'number').toBe(true);
    }
    expect(config.AutoRollbackConfiguration.Alarms).toHaveLength(2);
  },
  knownBugs: [
    ...knownBugsOf('RetrainingPipeline').map((bug) => (strategy: unknown) => bug.affects({ deployment: strategy })),
    ...knownValueBugsOf('DeploymentStrategy').map((bug) => bug.affects),
  ],
};

describe('DeploymentStrategy fuzzing', () => {
  test('allAtOnce, canary and linear options render a DeploymentConfig, or are refused naming the option', () => {
    expectBothOutcomes(fuzzValues(cases(under('deployment', deploymentStrategy)), DEPLOYMENT_STRATEGY));
  });

  test('rejects a canary of 100 percent, naming deployment.percent', () => {
    expect(DeploymentStrategy.canary({ percent: 100 }).validate('deployment')).toEqual(['deployment.percent must be a whole number in [1, 99], got 100']);
  });

  testKnownValueBugs('DeploymentStrategy', DEPLOYMENT_STRATEGY);
});

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_SECONDS: Readonly<Record<string, number>> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };

const SCHEDULE_EVERY: ValueFuzz<Recipe<{ interval: Duration }>, string | undefined> = {
  names: ['interval'],
  run: ({ interval }) => RetrainingSchedule.every(interval as Duration).expression,
  // The rate is the interval, in a unit EventBridge Scheduler takes, singular for one.
  check: (expression, gen) => {
    const interval = gen.value.interval as Duration;
    if (interval.isUnresolved()) return;
    const rate = RATE.exec(expression ?? '');
    if (!rate) throw new Error(`${interval} renders to ${expression}, not rate(<n> <unit>)`);
    expect(Number(rate[1]) * UNIT_SECONDS[rate[2]]).toBe(interval.toSeconds({ integral: false }));
    expect(rate[2].endsWith('s')).toBe(rate[1] !== '1');
  },
  knownBugs: knownValueBugsOf('RetrainingSchedule.every').map((bug) => bug.affects),
};

const SCHEDULE_EXPRESSION: ValueFuzz<Recipe<{ expression: string }>, string | undefined> = {
  names: ['RetrainingSchedule.expression'],
  matchesPath: (message) => mentions(message, 'RetrainingSchedule.expression'),
  run: ({ expression }) => RetrainingSchedule.expression(expression as string).expression,
  check: (expression, gen) => expect(expression).toBe(gen.value.expression),
};

const SCHEDULE_SHAPE = /^(rate|cron|at)\(.+\)$/;

describe('RetrainingSchedule fuzzing', () => {
  test('every() takes an hour or more and renders the same rate, and refuses less naming the interval', () => {
    expectBothOutcomes(fuzzValues(cases(record<{ interval: Duration }>({
      interval: field({
        valid: durationOfMinutes(60, 10 ** 6),
        // Under an hour, or not whole minutes (a Scheduler rate counts minutes).
        invalid: fc.oneof(durationOfSeconds(0, 3599), durationOfSeconds(3600, 10 ** 8).filter((d) => d.toSeconds() % 60 !== 0)),
        open: fc.oneof(fractionalDuration(), durationToken('minutes', 120), durationToken('seconds', 7200)),
        required: true,
      }),
    })), SCHEDULE_EVERY));
  });

  test('expression() takes what EventBridge Scheduler accepts as it is, and refuses anything else naming itself', () => {
    expectBothOutcomes(fuzzValues(cases(record<{ expression: string }>({
      expression: field({
        valid: validScheduleExpression(),
        open: fc.tuple(fc.constantFrom('rate', 'cron', 'at'), anyString()).map(([kind, inner]) => `${kind}(${inner})`),
        invalid: fc.oneof(invalidScheduleExpression().map((invalid) => invalid.expression), stringOutside((text) => SCHEDULE_SHAPE.test(text))),
        token: stringToken('rate(7 days)'),
        required: true,
      }),
    })), SCHEDULE_EXPRESSION));
  });

  test('rejects every half hour, naming the interval', () => {
    const outcome = expectCleanOutcome(() => RetrainingSchedule.every(Duration.minutes(30)), ['interval']);
    expect(!outcome.ok && outcome.error.message).toMatch(/the interval must be at least 1 hour, got 30 minutes/);
  });

  test('rejects an expression that is neither rate(…), cron(…) nor at(…)', () => {
    const outcome = expectCleanOutcome(() => RetrainingSchedule.expression('weekly'), ['RetrainingSchedule.expression']);
    expect(!outcome.ok && outcome.error.message).toMatch(/'weekly' is not a schedule expression; use rate\(7 days\)/);
  });

  testKnownValueBugs('RetrainingSchedule.every', SCHEDULE_EVERY);
});
