/**
 * The dataset check, pure: from what was learnt of each file (its hash, and its size or the image module's error
 * code), the problems that would waste a training run, each an error (the push refuses to start) or a warning.
 *
 * Errors
 * - a file the function's decoder refuses, with its code (CORRUPT_IMAGE for truncated data, UNSUPPORTED_IMAGE_TYPE,
 *   EMPTY_IMAGE, IMAGE_TOO_LARGE, TOO_MANY_PIXELS), or UNREADABLE_FILE
 * - STRAY_FILE: a file outside every class folder (it would belong to no class)
 * - TOO_FEW_CLASSES: fewer than two classes (the algorithm classifies between at least two)
 * - CLASS_BELOW_MINIMUM: a class with fewer usable images than `minImagesPerClass` (see MIN_IMAGES_PER_CLASS)
 * - CLASS_NAMES_DIFFER_ONLY_IN_CASE: `Roses` next to `roses` (or the same name in two Unicode normal forms) would be
 *   two labels for one thing
 * - DUPLICATE_ACROSS_CLASSES: the same bytes under two labels
 * - IMAGE_FAR_TOO_SMALL: an edge under a quarter of the model input: the model would see mostly interpolation
 * Warnings
 * - DUPLICATE_IN_CLASS: the same bytes twice in a class (the push uploads the first copy only)
 * - IMAGE_SMALLER_THAN_MODEL_INPUT: an edge under the model input, so the algorithm enlarges it (blurry)
 * - CLASS_FEW_IMAGES: fewer than RECOMMENDED_IMAGES_PER_CLASS usable images
 * - CLASS_IMBALANCE: the largest class has more than `maxImbalance` times the images of the smallest
 */
import type { ImageErrorCode } from '../../lambda/image/image-error';
import type { ScannedDataset } from './scan';

/**
 * The algorithm itself accepts a class folder with a single image (lib/private/image-folder.ts enforces that at
 * synth). Without a validation channel it holds out a random 20 % of the images (validation_split_ratio 0.2) across
 * all classes: a class of one image is then either never trained on or never validated. Two is the least for which
 * both sides can see it; far more are needed for a good model (RECOMMENDED_IMAGES_PER_CLASS).
 */
export const MIN_IMAGES_PER_CLASS = 2;
/**
 * Below this, a warning: the README's rule of thumb (not AWS's, whose documentation gives no number). The gate
 * judges a class on the ~20 % held out, so with 20 images four decide its accuracy.
 */
export const RECOMMENDED_IMAGES_PER_CLASS = 50;
/** Largest/smallest class size above which a warning: the algorithm has no class weights to compensate. */
export const DEFAULT_MAX_IMBALANCE = 5;

export type FileOutcome =
  | { readonly ok: true; readonly width: number; readonly height: number }
  | { readonly ok: false; readonly code: ImageErrorCode | 'UNREADABLE_FILE'; readonly message: string };

/** What was learnt of one file of the dataset folder. */
export interface InspectedFile {
  /** `/`-separated path from the dataset folder, `<class>/…` */
  readonly file: string;
  readonly className: string;
  readonly bytes: number;
  /** SHA-256 of the file's bytes, hex; absent when it could not be read */
  readonly sha256?: string;
  /** upright size, or the reason it is unusable */
  readonly outcome: FileOutcome;
}

/** A scanned dataset folder (scan.ts) with what was learnt of each file. */
export interface DatasetFacts extends Omit<ScannedDataset, 'files'> {
  readonly files: readonly InspectedFile[];
}

export interface CheckOptions {
  /** edge of the square model input in pixels */
  readonly modelImageSize: number;
  /** default MIN_IMAGES_PER_CLASS */
  readonly minImagesPerClass?: number;
  /** default DEFAULT_MAX_IMBALANCE */
  readonly maxImbalance?: number;
}

export type Severity = 'error' | 'warning';

export interface Problem {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  /** the files concerned, `/`-separated paths from the dataset folder */
  readonly files: readonly string[];
  readonly className?: string;
}

export interface ClassSummary {
  readonly name: string;
  /** files in the class folder */
  readonly files: number;
  /** images that would be uploaded: decodable, first copy of each duplicate */
  readonly images: number;
  readonly bytes: number;
  readonly errors: number;
  readonly warnings: number;
}

export interface CheckReport {
  readonly folder: string;
  readonly classes: readonly ClassSummary[];
  readonly problems: readonly Problem[];
  readonly errors: number;
  readonly warnings: number;
  /** the files a push uploads, in order */
  readonly accepted: readonly string[];
}

export function checkDataset(facts: DatasetFacts, options: CheckOptions): CheckReport {
  const minimum = options.minImagesPerClass ?? MIN_IMAGES_PER_CLASS;
  const maxImbalance = options.maxImbalance ?? DEFAULT_MAX_IMBALANCE;
  const size = options.modelImageSize;
  const problems: Problem[] = [];
  const error = (code: string, message: string, files: readonly string[] = [], className?: string): void => {
    problems.push({ severity: 'error', code, message, files, className });
  };
  const warning = (code: string, message: string, files: readonly string[] = [], className?: string): void => {
    problems.push({ severity: 'warning', code, message, files, className });
  };

  for (const stray of facts.strayFiles) {
    error('STRAY_FILE', `'${stray}' is outside every class folder; move it into one (<class>/${stray}) or remove it`, [stray]);
  }
  if (facts.classes.length < 2) {
    error('TOO_FEW_CLASSES', `found ${facts.classes.length} class folder(s); the algorithm needs at least two (one folder per class: <class>/<image>.jpg)`);
  }
  const byFolded = groupBy(facts.classes, (name) => name.normalize('NFC').toLowerCase());
  for (const names of byFolded.values()) {
    if (names.length > 1) {
      error('CLASS_NAMES_DIFFER_ONLY_IN_CASE', `class folders ${names.map((n) => `'${n}'`).join(', ')} differ only in case or accents' encoding; `
        + 'they would be separate labels: merge them into one folder');
    }
  }

  const usable: InspectedFile[] = [];
  for (const file of facts.files) {
    const { outcome } = file;
    if (!outcome.ok) {
      error(outcome.code, `${file.file}: ${outcome.message}`, [file.file], file.className);
      continue;
    }
    const smallest = Math.min(outcome.width, outcome.height);
    if (smallest * 4 < size) {
      error('IMAGE_FAR_TOO_SMALL', `${file.file} is ${outcome.width}×${outcome.height}, under a quarter of the ${size}×${size} model input: `
        + 'use a larger picture or remove it', [file.file], file.className);
      continue;
    }
    if (smallest < size) {
      warning('IMAGE_SMALLER_THAN_MODEL_INPUT', `${file.file} is ${outcome.width}×${outcome.height}, smaller than the ${size}×${size} model input; `
        + 'the algorithm enlarges it, so it looks blurred to the model', [file.file], file.className);
    }
    usable.push(file);
  }

  const accepted = new Set<string>();
  for (const copies of groupBy(usable, (file) => file.sha256 ?? file.file).values()) {
    const classes = [...new Set(copies.map((copy) => copy.className))];
    if (classes.length > 1) {
      error('DUPLICATE_ACROSS_CLASSES', `the same image is in ${classes.length} classes (${classes.join(', ')}): `
        + `${copies.map((copy) => copy.file).join(', ')}; keep it under one label`, copies.map((copy) => copy.file));
    }
    for (const className of classes) {
      const inClass = copies.filter((copy) => copy.className === className);
      accepted.add(inClass[0].file);
      if (inClass.length > 1) {
        warning('DUPLICATE_IN_CLASS', `${inClass.map((copy) => copy.file).join(', ')} are the same image; only the first is uploaded`,
          inClass.map((copy) => copy.file), className);
      }
    }
  }

  const classes = facts.classes.map((name): ClassSummary => {
    const files = facts.files.filter((file) => file.className === name);
    const images = files.filter((file) => accepted.has(file.file));
    return {
      name,
      files: files.length,
      images: images.length,
      bytes: images.reduce((sum, file) => sum + file.bytes, 0),
      errors: 0,
      warnings: 0,
    };
  });
  for (const summary of classes) {
    if (summary.images < minimum) {
      error('CLASS_BELOW_MINIMUM', `class '${summary.name}' has ${summary.images} usable image(s); at least ${minimum} are needed `
        + `(with fewer, the validation split leaves the class untrained or unmeasured); ${RECOMMENDED_IMAGES_PER_CLASS} or more are recommended`,
      [], summary.name);
    } else if (summary.images < RECOMMENDED_IMAGES_PER_CLASS) {
      warning('CLASS_FEW_IMAGES', `class '${summary.name}' has ${summary.images} images; ${RECOMMENDED_IMAGES_PER_CLASS} or more are recommended`, [], summary.name);
    }
  }
  const sizes = classes.filter((summary) => summary.images > 0);
  if (sizes.length >= 2) {
    const largest = sizes.reduce((a, b) => (b.images > a.images ? b : a));
    const smallest = sizes.reduce((a, b) => (b.images < a.images ? b : a));
    if (largest.images > maxImbalance * smallest.images) {
      warning('CLASS_IMBALANCE', `class '${largest.name}' has ${largest.images} images, ${(largest.images / smallest.images).toFixed(1)}× the `
        + `${smallest.images} of '${smallest.name}' (more than ${maxImbalance}×): the model will favour the larger classes; add images to the small ones`);
    }
  }

  const counted = classes.map((summary) => ({
    ...summary,
    errors: problems.filter((p) => p.severity === 'error' && p.className === summary.name).length,
    warnings: problems.filter((p) => p.severity === 'warning' && p.className === summary.name).length,
  }));
  return {
    folder: facts.folder,
    classes: counted,
    problems,
    errors: problems.filter((p) => p.severity === 'error').length,
    warnings: problems.filter((p) => p.severity === 'warning').length,
    accepted: facts.files.filter((file) => accepted.has(file.file)).map((file) => file.file),
  };
}

/**
 * Problems between a training set and its held-out test set: a test image that is also a training image (the test
 * would measure memory, not generalisation), and a test class the model is never trained on.
 */
export function checkTestSplit(training: DatasetFacts, test: DatasetFacts): Problem[] {
  return [
    ...sharedImages(test, training, { set: 'test', other: 'training' }),
    ...test.classes.filter((name) => !training.classes.includes(name)).map((className): Problem => ({
      severity: 'error', code: 'TEST_CLASS_NOT_IN_TRAINING', className, files: [],
      message: `test class '${className}' has no training folder; the model can never predict it (the names must match exactly)`,
    })),
  ];
}

/**
 * Problems between a training set and its validation set, which the training job scores every epoch on (and keeps the
 * best epoch by): a validation image that is also a training image (the score would measure memory), and a class set
 * other than the training classes. The validation folder is read as its own labelled set, so its labels line up with
 * the training labels only when both have exactly the same class folders [I: labels are indexed by sorted folder name].
 * With a test set too, a test image must not be a validation image either: the epoch was chosen on it.
 */
export function checkValidationSplit(training: DatasetFacts, validation: DatasetFacts, test?: DatasetFacts): Problem[] {
  const missing = training.classes.filter((name) => !validation.classes.includes(name));
  const extra = validation.classes.filter((name) => !training.classes.includes(name));
  return [
    ...sharedImages(validation, training, { set: 'validation', other: 'training' }),
    ...(test ? sharedImages(test, validation, { set: 'test', other: 'validation' }) : []),
    ...extra.map((className): Problem => ({
      severity: 'error', code: 'VALIDATION_CLASS_NOT_IN_TRAINING', className, files: [],
      message: `validation class '${className}' has no training folder; the validation folders must be exactly the training classes (the names must match exactly)`,
    })),
    ...missing.map((className): Problem => ({
      severity: 'error', code: 'VALIDATION_CLASS_MISSING', className, files: [],
      message: `training class '${className}' has no validation folder; the validation folders must be exactly the training classes, `
        + `or the labels of the two sets would not line up: add ${className}/ with a few images to the validation folder`,
    })),
  ];
}

const SHARED_IMAGE_REASONS: Readonly<Record<string, string>> = {
  'test/training': 'a test image must be one the model never saw',
  'validation/training': 'a validation image must be one the model does not train on',
  'test/validation': 'the training job kept the epoch that scored best on the validation images, so a test image must not be one of them',
};

/** An error for each image of `set` whose bytes are also an image of `other`. */
function sharedImages(set: DatasetFacts, other: DatasetFacts, names: { readonly set: 'test' | 'validation'; readonly other: 'training' | 'validation' }): Problem[] {
  const otherByHash = groupBy(other.files.filter((file) => file.sha256 !== undefined), (file) => file.sha256!);
  const problems: Problem[] = [];
  for (const file of set.files) {
    const same = file.sha256 === undefined ? undefined : otherByHash.get(file.sha256);
    if (same === undefined) continue;
    problems.push({
      severity: 'error', code: `${names.set.toUpperCase()}_IMAGE_IN_${names.other.toUpperCase()}`, className: file.className,
      files: [file.file, ...same.map((copy) => copy.file)],
      message: `${names.set} image ${file.file} is also a ${names.other} image (${same.map((copy) => copy.file).join(', ')}); `
        + SHARED_IMAGE_REASONS[`${names.set}/${names.other}`],
    });
  }
  return problems;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}
