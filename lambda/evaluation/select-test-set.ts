/**
 * The `selectTestSet` action: list `training/` and `test/` of the dataset, choose the test set (test-set.ts), write
 * the transform manifest of the test images, for a hold-out the training channel's manifest of the rest, and the list
 * of skipped objects, all in the run's folder.
 */
import {
  DEFAULT_HOLD_OUT_FRACTION, EvaluationErrorName, SelectTestSetEvent, TEST_MANIFEST_NAME, TEST_SET_SKIPPED_NAME,
  TestSetSelection, TRAINING_MANIFEST_NAME,
} from '../shared/evaluation-contract';
import type { ObjectStore } from '../shared/object-store';
import { isWithin, objectIn, objectUri, parseS3Folder, S3Folder, skippedSummary, subFolder, transformManifest } from '../shared/s3-folder';
import { EvaluationError } from './evaluation-error';
import { chooseTestSet, ListedImage } from './test-set';

interface ValidEvent {
  readonly dataset: S3Folder;
  readonly runFolder: S3Folder;
  readonly holdOutFraction: number;
}

export async function selectTestSet(event: SelectTestSetEvent, store: ObjectStore): Promise<TestSetSelection> {
  const { dataset, runFolder, holdOutFraction } = validEvent(event);
  const trainingFolder = subFolder(dataset, 'training');
  const testFolder = subFolder(dataset, 'test');
  const [training, test] = await Promise.all([listImages(store, trainingFolder), listImages(store, testFolder)]);
  const plan = chooseTestSet(dataset.prefix, training, test, holdOutFraction);

  const testManifest = objectIn(runFolder, TEST_MANIFEST_NAME);
  const trainingManifest = objectIn(runFolder, TRAINING_MANIFEST_NAME);
  const skippedList = objectIn(runFolder, TEST_SET_SKIPPED_NAME);
  const fullKeys = plan.skipped.map((entry) => ({ key: `${dataset.prefix}${entry.key}`, reason: entry.reason }));
  await Promise.all([
    writeJson(store, testManifest, transformManifest(plan.source === 'test-folder' ? testFolder : trainingFolder, plan.testKeys)),
    plan.trainingKeys === null ? undefined : writeJson(store, trainingManifest, transformManifest(trainingFolder, plan.trainingKeys)),
    fullKeys.length === 0 ? undefined : writeJson(store, skippedList, fullKeys),
  ]);
  return {
    source: plan.source,
    version: plan.version,
    imageCount: plan.testKeys.length,
    classes: plan.classes,
    classesWithoutTestImages: plan.classesWithoutTestImages,
    testManifestUri: objectUri(testManifest),
    trainingManifestUri: plan.trainingKeys === null ? null : objectUri(trainingManifest),
    skipped: skippedSummary(fullKeys, objectUri(skippedList)),
  };
}

function validEvent(event: SelectTestSetEvent): ValidEvent {
  const problems: string[] = [];
  const dataset = parseS3Folder(event.datasetUri, 'datasetUri');
  const runFolder = parseS3Folder(event.runFolderUri, 'runFolderUri');
  const holdOutFraction = event.holdOutFraction ?? DEFAULT_HOLD_OUT_FRACTION;
  for (const problem of [dataset, runFolder]) if (typeof problem === 'string') problems.push(problem);
  if (typeof dataset !== 'string' && typeof runFolder !== 'string'
    && ['training', 'test'].some((channel) => isWithin(runFolder, subFolder(dataset, channel)))) {
    problems.push(`runFolderUri ${JSON.stringify(event.runFolderUri)} lies inside the dataset's training/ or test/ folder, where its manifests would be read as images; choose a folder outside them`);
  }
  if (typeof holdOutFraction !== 'number' || !(holdOutFraction > 0 && holdOutFraction < 1)) {
    problems.push(`holdOutFraction must be a number between 0 and 1 (exclusive), got ${JSON.stringify(holdOutFraction)}`);
  }
  if (problems.length > 0) throw new EvaluationError(EvaluationErrorName.INVALID_EVENT, `invalid selectTestSet event: ${problems.join('; ')}`);
  return { dataset: dataset as S3Folder, runFolder: runFolder as S3Folder, holdOutFraction };
}

/** Every object under `folder`, with its key relative to the folder. */
async function listImages(store: ObjectStore, folder: S3Folder): Promise<ListedImage[]> {
  const listed: ListedImage[] = [];
  for await (const page of store.listPages(folder)) {
    for (const object of page) listed.push({ relativeKey: object.key.slice(folder.prefix.length), eTag: object.eTag });
  }
  return listed;
}

function writeJson(store: ObjectStore, object: { readonly bucket: string; readonly key: string }, value: unknown): Promise<void> {
  return store.writeText(object, JSON.stringify(value), 'application/json');
}
