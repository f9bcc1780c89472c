/**
 * Choosing the fixed test set from a listing of the dataset (`<prefix>/training/<class>/<image>` and optionally
 * `<prefix>/test/<class>/<image>`, see lib/dataset/dataset-bucket.ts). Pure: the handler lists, this decides.
 *
 * - With at least one image in `test/`, the test set is `test/`'s images (of classes that have training images);
 *   training uses all of `training/`.
 * - Otherwise a deterministic hold-out: an image of `training/` is a test image when the SHA-256 of its key relative
 *   to `training/` (e.g. `roses/a.jpg`), read as a number in [0, 1), is below the hold-out fraction. The decision
 *   depends on the image's own key and nothing else, so adding or removing other images never moves an image from one
 *   set to the other; training then reads a manifest of the other images.
 * - The version is the SHA-256 over the sorted test keys with their ETags: equal versions mean the same test images
 *   with the same bytes, so two scores compare only when their versions are equal.
 *
 * The algorithm learns one class per `training/` folder (Keras numbers them alphabetically), and reads every image
 * below a class folder, sub-folders included; so the class of a key is its first folder.
 */
import { createHash } from 'crypto';
import { compareCodePoints, isImageKey, SkippedObject } from '../shared/s3-folder';
import type { TestSetSource } from '../shared/evaluation-report';
import { EvaluationErrorName } from '../shared/evaluation-contract';
import { EvaluationError } from './evaluation-error';

/** One object of a listing, with its key relative to the channel folder (`training/` or `test/`). */
export interface ListedImage {
  readonly relativeKey: string;
  readonly eTag: string;
}

export interface TestSetPlan {
  readonly source: TestSetSource;
  readonly version: string;
  readonly classes: readonly string[];
  readonly classesWithoutTestImages: readonly string[];
  /** test images, relative to their channel folder (`test/` or `training/`), sorted */
  readonly testKeys: readonly string[];
  /** for a hold-out, the training images left (relative to `training/`), sorted; null when `test/` is used */
  readonly trainingKeys: readonly string[] | null;
  /** objects in neither set, with the reason, relative to the dataset folder (`training/…`, `test/…`) */
  readonly skipped: readonly SkippedObject[];
}

/** The position of an image in [0, 1): its key's SHA-256, first 52 bits (exact in a double). */
export function holdOutPosition(relativeKey: string): number {
  const digest = createHash('sha256').update(relativeKey, 'utf8').digest('hex');
  return parseInt(digest.slice(0, 13), 16) / 2 ** 52;
}

export function isHeldOut(relativeKey: string, fraction: number): boolean {
  return holdOutPosition(relativeKey) < fraction;
}

/** SHA-256 over `key<TAB>etag<LF>` of each test image, in code point order of the full keys. */
export function testSetVersion(images: ReadonlyArray<{ readonly key: string; readonly eTag: string }>): string {
  const hash = createHash('sha256');
  for (const { key, eTag } of [...images].sort((a, b) => compareCodePoints(a.key, b.key))) hash.update(`${key}\t${eTag}\n`, 'utf8');
  return hash.digest('hex');
}

/**
 * Chooses the test set. `training` and `test` are the listings of the two folders (keys relative to each);
 * `datasetPrefix` is the dataset folder's key prefix (the version hashes full keys). Throws EvaluationError UnusableDataset when
 * `training/` has no image, or when the hold-out would leave a class with no image to train on.
 */
export function chooseTestSet(datasetPrefix: string, training: readonly ListedImage[], test: readonly ListedImage[], holdOutFraction: number): TestSetPlan {
  const skipped: SkippedObject[] = [];
  const trainingImages = classifiedImages(training, 'training/', skipped);
  const testImages = classifiedImages(test, 'test/', skipped);
  const classes = [...new Set(trainingImages.map((image) => image.label))].sort(compareCodePoints);
  if (classes.length === 0) {
    throw new EvaluationError(EvaluationErrorName.UNUSABLE_DATASET, `no image under ${datasetPrefix}training/: upload JPEG or PNG images to ${datasetPrefix}training/<class>/<image> before training`);
  }

  let source: TestSetSource;
  let chosen: ClassifiedImage[];
  let trainingKeys: string[] | null = null;
  let channel: string;
  if (testImages.length > 0) {
    source = 'test-folder';
    channel = 'test/';
    const known = new Set(classes);
    chosen = testImages.filter((image) => known.has(image.label));
    for (const image of testImages.filter((candidate) => !known.has(candidate.label))) {
      skipped.push({ key: `test/${image.relativeKey}`, reason: `class ${JSON.stringify(image.label)} has no training image, so the model cannot learn it` });
    }
  } else {
    source = 'hold-out';
    channel = 'training/';
    chosen = trainingImages.filter((image) => isHeldOut(image.relativeKey, holdOutFraction));
    const kept = trainingImages.filter((image) => !isHeldOut(image.relativeKey, holdOutFraction));
    const keptClasses = new Set(kept.map((image) => image.label));
    const emptied = classes.filter((label) => !keptClasses.has(label));
    if (emptied.length > 0) {
      throw new EvaluationError(EvaluationErrorName.UNUSABLE_DATASET, `the hold-out of ${holdOutFraction} took every image of the class(es) ${emptied.map((label) => JSON.stringify(label)).join(', ')}, `
        + `which would leave nothing to train on: add images to ${datasetPrefix}training/<class>/, or put test images in ${datasetPrefix}test/<class>/`);
    }
    trainingKeys = kept.map((image) => image.relativeKey).sort(compareCodePoints);
  }
  const tested = new Set(chosen.map((image) => image.label));
  return {
    source,
    version: testSetVersion(chosen.map((image) => ({ key: `${datasetPrefix}${channel}${image.relativeKey}`, eTag: image.eTag }))),
    classes,
    classesWithoutTestImages: classes.filter((label) => !tested.has(label)),
    testKeys: chosen.map((image) => image.relativeKey).sort(compareCodePoints),
    trainingKeys,
    skipped,
  };
}

interface ClassifiedImage extends ListedImage {
  readonly label: string;
}

/** The images of a listing with their class; the rest goes to `skipped` (folder markers are not objects and are ignored). */
function classifiedImages(listing: readonly ListedImage[], channel: string, skipped: SkippedObject[]): ClassifiedImage[] {
  const images: ClassifiedImage[] = [];
  for (const object of listing) {
    if (object.relativeKey.endsWith('/')) continue;
    const slash = object.relativeKey.indexOf('/');
    if (!isImageKey(object.relativeKey)) {
      skipped.push({ key: `${channel}${object.relativeKey}`, reason: 'not a JPEG or PNG image (.jpg, .jpeg, .png)' });
    } else if (slash <= 0) {
      skipped.push({ key: `${channel}${object.relativeKey}`, reason: `not in a class folder (${channel}<class>/<image>)` });
    } else {
      images.push({ ...object, label: object.relativeKey.slice(0, slash) });
    }
  }
  return images;
}
