import * as path from 'path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ImageClassifier, ImageClassifierProps } from '../../lib/image-classifier';
import { testStack } from '../helpers';

const SEED = path.join(__dirname, '..', 'fixtures', 'mini-dataset');

/** Every part with a log group: the seed upload, the first run, the new-data trigger, and the rest. */
const EVERY_PART: ImageClassifierProps = { seedDatasetFrom: SEED, retraining: { retrainOnNewData: true } };

function logGroups(props: ImageClassifierProps) {
  const stack = testStack();
  new ImageClassifier(stack, 'Classifier', { ...EVERY_PART, ...props });
  return { stack, groups: Object.entries(Template.fromStack(stack).findResources('AWS::Logs::LogGroup')) };
}

describe('the log groups of a classifier', () => {
  test('all outlive the stack by default', () => {
    const { groups } = logGroups({});
    // Algorithm check (2), cleanup (3), pipeline (4, with the evaluation function's), batch classification (2), inference (1),
    // seed upload (1), first run (1).
    expect(groups).toHaveLength(14);
    expect(groups.filter(([, group]) => group.DeletionPolicy !== 'Retain').map(([id]) => id)).toEqual([]);
  });

  test.each([
    [logs.RetentionDays.ONE_WEEK, RemovalPolicy.DESTROY, 'Delete'],
    [logs.RetentionDays.TWO_YEARS, RemovalPolicy.RETAIN, 'Retain'],
    [logs.RetentionDays.INFINITE, RemovalPolicy.DESTROY, 'Delete'],
  ])('all follow logRetention %s and logRemovalPolicy %s', (retention, removalPolicy, deletionPolicy) => {
    const { groups } = logGroups({ logRetention: retention, logRemovalPolicy: removalPolicy });
    expect(groups).toHaveLength(14);
    const expected = retention === logs.RetentionDays.INFINITE ? undefined : retention;
    const differing = groups.filter(([, group]) => group.DeletionPolicy !== deletionPolicy || group.UpdateReplacePolicy !== deletionPolicy
      || group.Properties?.RetentionInDays !== expected);
    expect(differing.map(([id, group]) => `${id}: ${group.DeletionPolicy} ${group.Properties?.RetentionInDays}`)).toEqual([]);
  });

  test('a part\'s own setting wins for its log groups only', () => {
    const { stack, groups } = logGroups({
      logRetention: logs.RetentionDays.ONE_WEEK,
      logRemovalPolicy: RemovalPolicy.DESTROY,
      inference: { logRetention: logs.RetentionDays.ONE_YEAR, logRemovalPolicy: RemovalPolicy.RETAIN },
    });
    const inference = groups.filter(([id]) => id.startsWith('ClassifierInference'));
    expect(inference).toHaveLength(1);
    expect(inference[0][1]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
    expect(groups.filter(([id, group]) => !id.startsWith('ClassifierInference') && (group.DeletionPolicy !== 'Delete' || group.Properties?.RetentionInDays !== 7)))
      .toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', /.*/)).toEqual([]);
  });

  test('the stack\'s shared check and cleanup keep the first classifier\'s log settings; a second that differs is warned', () => {
    const stack = testStack();
    new ImageClassifier(stack, 'First', { logRetention: logs.RetentionDays.ONE_WEEK });
    new ImageClassifier(stack, 'Same', { logRetention: logs.RetentionDays.ONE_WEEK });
    new ImageClassifier(stack, 'Other', { logRemovalPolicy: RemovalPolicy.DESTROY });
    const warned = (id: string) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(id)).map((warning) => warning.id);
    expect(warned('sharedCheckLogs')).toEqual(['/TestStack/Other/Training/AlgorithmCheck']);
    expect(warned('sharedCleanupLogs')).toEqual(['/TestStack/Other/EndpointCleanup']);
    const shared = Object.entries(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'))
      .filter(([id]) => id.startsWith('ImageClassifierAlgorithmCheckProvider') || id.startsWith('ImageClassifierEndpointCleanupProvider'));
    expect(shared).toHaveLength(5);
    expect(shared.filter(([, group]) => group.Properties.RetentionInDays !== 7 || group.DeletionPolicy !== 'Retain')).toEqual([]);
  });

  test('rejects a removal policy a log group cannot have, naming the prop', () => {
    expect(() => logGroups({ logRemovalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow('logRemovalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got snapshot');
    expect(() => logGroups({ retraining: { logRemovalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE } }))
      .toThrow('logRemovalPolicy must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY, got retain-on-update-or-delete');
  });
});
