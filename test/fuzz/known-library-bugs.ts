/**
 * Library bugs the fuzz tests found and that are not fixed yet. While a bug is listed, the fuzz tests do not generate
 * the prop sets that run into it (so that they keep judging everything else), and its construct's test file checks
 * that the reproduction still fails the way `symptom` says. Once the library is fixed that check fails: delete the
 * entry, and the fuzz tests generate those prop sets again.
 */
import { RemovalPolicy, Size, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IMPORTED_VPC, SEED_FOLDER, TrainingVariant } from './construct-props';
import { ConstructFuzz, ValueFuzz, checkCase, checkValue } from './fuzz-construct';
import { Deferred, Gen } from './generators';
import { DatasetBucket, EndpointCapacity } from '../../lib';

export type ConstructName =
  | 'DatasetBucket' | 'TrainingJobDefinition' | 'ClassifierEndpoint' | 'InferenceFunction' | 'EndpointCleanup' | 'RetrainingPipeline'
  | 'ImageClassifier';

type Props = Readonly<Record<string, unknown>>;

/** A bug, the generated values that run into it, and how to see it. */
interface Reproducible<V> {
  /** What goes wrong. */
  readonly title: string;
  /** Whether a generated value runs into the bug. */
  readonly affects: (value: V) => boolean;
  /** The smallest value that shows it, with what should happen to it. */
  readonly repro: Gen<V>;
  /** What the fuzz harness reports for `repro` while the bug is there. */
  readonly symptom: RegExp;
}

/** A bug of a construct: `affects` and `repro` are about its props. */
export interface KnownBug extends Reproducible<Props> {
  readonly construct: ConstructName;
}

// ---- what props hold -----------------------------------------------------------------------------------------------


const isSizeToken = (value: unknown): boolean => value instanceof Size && value.isUnresolved();
const isNumberToken = (value: unknown): boolean => typeof value === 'number' && Token.isUnresolved(value);

function subnetsOutsideTheVpc(value: unknown): boolean {
  const selection = value as ec2.SubnetSelection | undefined;
  return selection?.subnetType === ec2.SubnetType.PRIVATE_ISOLATED || selection?.subnetGroupName !== undefined;
}


const part = (props: Props, name: string): Props => (props[name] ?? {}) as Props;
const valid = (value: Props): Gen<Props> => ({ value, invalid: [], open: false });
const openCase = (value: Props): Gen<Props> => ({ value, invalid: [], open: true });
const dataset = new Deferred('new DatasetBucket(…)', (scope, id) => new DatasetBucket(scope, id));

/** vpcSubnets the VPC does not have (isolated ones, a group name) reach aws-cdk-lib's subnet selection unchecked. */
function subnetsTheVpcLacks(construct: ConstructName, required: Props): KnownBug {
  return {
    title: `${construct}: vpcSubnets the VPC does not have reach aws-cdk-lib, whose ValidationError does not name vpcSubnets`,
    construct,
    affects: (props) => props.vpc !== undefined && subnetsOutsideTheVpc(props.vpcSubnets),
    repro: openCase({ ...required, vpc: IMPORTED_VPC, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }),
    symptom: /threw ValidationError[\s\S]*There are no 'Isolated' subnet groups in this VPC/,
  };
}

// ---- the bugs -----------------------------------------------------------------------------------------------------

const datasetBucketBugs: KnownBug[] = [
  {
    title: 'DatasetBucket: a removalPolicy outside RemovalPolicy reaches aws-cdk-lib, whose ValidationError does not name removalPolicy',
    construct: 'DatasetBucket',
    affects: (props) => props.removalPolicy !== undefined && !Object.values(RemovalPolicy).includes(props.removalPolicy as RemovalPolicy),
    repro: openCase({ removalPolicy: 'banana' }),
    symptom: /threw ValidationError[\s\S]*Invalid removal policy: banana/,
  },
];

const trainingJobDefinitionBugs: KnownBug[] = [
  subnetsTheVpcLacks('TrainingJobDefinition', { dataset }),
];

const classifierEndpointBugs: KnownBug[] = [
  {
    title: 'ClassifierEndpoint: a maxConcurrency token is compared as a number, so any provisionedConcurrency is refused',
    construct: 'ClassifierEndpoint',
    affects: (props) => {
      const capacity = props.capacity as Props | undefined;
      return capacity?.isServerless === true && isNumberToken(capacity.maxConcurrency) && capacity.provisionedConcurrency !== undefined;
    },
    repro: valid({ capacity: EndpointCapacity.serverless({ maxConcurrency: Token.asNumber({ resolve: () => 10 }), provisionedConcurrency: 2 }) }),
    symptom: /the message shows a number token used in arithmetic[\s\S]*provisionedConcurrency must be a whole number from 1 to maxConcurrency/,
  },
  {
    title: 'ClassifierEndpoint: a minInstances token without maxInstances doubles the token into a number and refuses it',
    construct: 'ClassifierEndpoint',
    affects: (props) => {
      const capacity = props.capacity as Props | undefined;
      return capacity?.isServerless === false && isNumberToken((capacity as { minInstances?: unknown }).minInstances);
    },
    repro: valid({ capacity: EndpointCapacity.instances({ minInstances: Token.asNumber({ resolve: () => 2 }) }) }),
    symptom: /maxInstances must be a whole number, at least 1/,
  },
  subnetsTheVpcLacks('ClassifierEndpoint', {}),
];

const inferenceFunctionBugs: KnownBug[] = [
  {
    title: 'InferenceFunction: a maxImageSize token crashes with aws-cdk-lib\'s UnscopedValidationError (toBytes with FLOOR rounding)',
    construct: 'InferenceFunction',
    affects: (props) => isSizeToken(props.maxImageSize),
    repro: valid({ endpointName: 'flowers', imageSize: 224, maxImageSize: Size.bytes(Token.asNumber({ resolve: () => 1_000_000 })) }),
    symptom: /threw UnscopedValidationError[\s\S]*Size must be specified as 'Size\.bytes\(\)' here since its value comes from a token/,
  },
  {
    title: 'InferenceFunction: public vpcSubnets reach lambda.Function, whose ValidationError (allowPublicSubnet) does not name vpcSubnets',
    construct: 'InferenceFunction',
    affects: (props) => props.vpc !== undefined && (props.vpcSubnets as ec2.SubnetSelection | undefined)?.subnetType === ec2.SubnetType.PUBLIC,
    repro: valid({
      endpointName: 'flowers',
      imageSize: 224,
      vpc: new Deferred('new ec2.Vpc(…)', (scope, id) => new ec2.Vpc(scope, id, { maxAzs: 1, natGateways: 0 })),
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    }),
    symptom: /threw ValidationError[\s\S]*Lambda Functions in a public subnet can NOT access the internet/,
  },
  subnetsTheVpcLacks('InferenceFunction', { endpointName: 'flowers', imageSize: 224 }),
];

const endpointCleanupBugs: KnownBug[] = [
];

const retrainingPipelineBugs: KnownBug[] = [
];

const imageClassifierBugs: KnownBug[] = [
  {
    title: 'ImageClassifier: seedDatasetFrom with a dataset.prefix over 92 characters (DatasetBucket allows 512) fails in BucketDeployment\'s ValidationError (its tag key ends at 128 characters, so the key prefix at 102, not the 104 it says)',
    construct: 'ImageClassifier',
    affects: (props) => props.seedDatasetFrom === SEED_FOLDER && typeof part(props, 'dataset').prefix === 'string'
      && `${part(props, 'dataset').prefix}/training/`.length > 102,
    repro: valid({ seedDatasetFrom: SEED_FOLDER, dataset: { prefix: 'p'.repeat(100) } }),
    symptom: /threw ValidationError[\s\S]*"destinationKeyPrefix" be <=104 characters/,
  },
  {
    title: 'ImageClassifier: a part given `vpc: undefined` next to the whole\'s vpc loses the VPC but keeps its subnets ("vpcSubnets needs vpc")',
    construct: 'ImageClassifier',
    affects: (props) => props.vpc !== undefined && ['training', 'serving', 'inference'].some((name) => 'vpc' in part(props, name)),
    repro: valid({ vpc: new Deferred('new ec2.Vpc(…)', (scope, id) => new ec2.Vpc(scope, id, { maxAzs: 2 })), inference: { vpc: undefined } }),
    symptom: /rejected props that are all allowed[\s\S]*vpcSubnets needs vpc/,
  },
  subnetsTheVpcLacks('ImageClassifier', {}),
];




export const KNOWN_BUGS: readonly KnownBug[] = [
  ...datasetBucketBugs, ...trainingJobDefinitionBugs, ...classifierEndpointBugs, ...inferenceFunctionBugs, ...endpointCleanupBugs,
  ...retrainingPipelineBugs, ...imageClassifierBugs,
];

/** The network an `ImageClassifier` gives its parts. */
function network(props: Props): Props {
  return props.vpc === undefined ? {} : { vpc: props.vpc, vpcSubnets: props.vpcSubnets };
}

/** How each part's props come out of an `ImageClassifier`'s. */
const PARTS_OF_IMAGE_CLASSIFIER: ReadonlyArray<readonly [ConstructName, (props: Props) => Props]> = [
  ['DatasetBucket', (props) => part(props, 'dataset')],
  ['TrainingJobDefinition', (props) => ({ ...network(props), ...part(props, 'training'), hyperparameters: props.hyperparameters })],
  ['ClassifierEndpoint', (props) => ({ ...network(props), ...part(props, 'serving') })],
  ['InferenceFunction', (props) => ({ ...network(props), ...part(props, 'inference') })],
  ['RetrainingPipeline', (props) => ({ ...part(props, 'retraining'), training: new TrainingVariant('', part(props, 'training')) })],
];

/** The known bugs a construct's generated props can run into: its own, and for `ImageClassifier` its parts'. */
export function knownBugsOf(construct: ConstructName): KnownBug[] {
  const own = KNOWN_BUGS.filter((bug) => bug.construct === construct);
  if (construct !== 'ImageClassifier') return own;
  const ofParts = PARTS_OF_IMAGE_CLASSIFIER.flatMap(([name, propsOf]) => KNOWN_BUGS.filter((bug) => bug.construct === name)
    .map((bug) => ({ ...bug, affects: (props: Props) => bug.affects(propsOf(props)) })));
  return [...own, ...ofParts];
}

/**
 * One test per known bug of `construct`: its reproduction still fails the way the entry says. It fails once the bug
 * is fixed, to say that the entry (and the cases it keeps out of the fuzz tests) can go.
 */
export function testKnownBugs<C>(construct: ConstructName, spec: ConstructFuzz<C>): void {
  describeKnownBugs(KNOWN_BUGS.filter((bug) => bug.construct === construct), (repro) => checkCase(spec, repro, { synthesize: true }));
}

/** One test per bug: `check` of its reproduction throws what `symptom` says. Nothing when there is no bug. */
function describeKnownBugs<V>(bugs: ReadonlyArray<Reproducible<V>>, check: (repro: Gen<V>) => unknown): void {
  if (bugs.length === 0) return;
  describe('known library bugs, kept out of the fuzz cases until fixed (a failure here means fixed: delete the entry)', () => {
    test.each(bugs.map((bug) => [bug.title, bug] as const))('%s', (_title, bug) => {
      expect(() => check(bug.repro)).toThrow(bug.symptom);
    });
  });
}

// ---- bugs of functions and option classes ------------------------------------------------------------------------

export type ValueApi = 'renderHyperparameters' | 'JumpStartModel.of' | 'DeploymentStrategy' | 'RetrainingSchedule.every';

/** A bug of a function or an option class: `affects` and `repro` are about the value passed to it. */
export interface KnownValueBug extends Reproducible<unknown> {
  readonly api: ValueApi;
}

export const KNOWN_VALUE_BUGS: readonly KnownValueBug[] = [];

export function knownValueBugsOf(api: ValueApi): KnownValueBug[] {
  return KNOWN_VALUE_BUGS.filter((bug) => bug.api === api);
}

/** Like `testKnownBugs`, for a function or an option class. */
export function testKnownValueBugs<V, R>(api: ValueApi, spec: ValueFuzz<V, R>): void {
  describeKnownBugs(knownValueBugsOf(api), (repro) => checkValue(spec, repro as Gen<V>));
}
