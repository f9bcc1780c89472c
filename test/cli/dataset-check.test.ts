/**
 * The dataset check's rules, on generated datasets: each problem is reported exactly when its condition holds, and
 * the files a push would upload are exactly the usable first copies.
 */
import * as fc from 'fast-check';
import { CheckReport, DatasetFacts, InspectedFile, RECOMMENDED_IMAGES_PER_CLASS, checkDataset, checkTestSplit, checkValidationSplit } from '../../cli/dataset/check';
import { objectKey, objectKeys } from '../../cli/dataset/keys';

const SIZE = 224;

/** A generated dataset: class names (some differing only in case), files with hashes drawn from a small pool so
 * that duplicates within and across classes are frequent, and every outcome (ok of any size, or an image error). */
const datasetFacts: fc.Arbitrary<DatasetFacts> = fc.uniqueArray(fc.constantFrom('roses', 'Roses', 'tulips', 'daisies', 'sun flowers', 'Ünïcode', 'x'),
  { minLength: 0, maxLength: 5 }).chain((classes) => fc.record({
  strayFiles: fc.uniqueArray(fc.constantFrom('notes.txt', 'a.jpg'), { maxLength: 2 }),
  files: fc.array(fc.record({
    className: classes.length > 0 ? fc.constantFrom(...classes) : fc.constant('none'),
    hash: fc.constantFrom('h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8'),
    outcome: fc.oneof(
      { weight: 5, arbitrary: fc.record({ ok: fc.constant(true as const), width: fc.integer({ min: 1, max: 1000 }), height: fc.integer({ min: 1, max: 1000 }) }) },
      { weight: 1, arbitrary: fc.record({ ok: fc.constant(false as const), code: fc.constantFrom<'CORRUPT_IMAGE' | 'UNSUPPORTED_IMAGE_TYPE' | 'EMPTY_IMAGE' | 'UNREADABLE_FILE'>('CORRUPT_IMAGE', 'UNSUPPORTED_IMAGE_TYPE', 'EMPTY_IMAGE', 'UNREADABLE_FILE'), message: fc.constant('bad') }) },
    ),
  }), { maxLength: 30 }).map((files) => (classes.length > 0 ? files : []).map((file, index): InspectedFile => ({
    file: `${file.className}/${String(index).padStart(3, '0')}.jpg`,
    className: file.className,
    bytes: 100 + index,
    sha256: file.outcome.ok || file.outcome.code !== 'UNREADABLE_FILE' ? file.hash : undefined,
    outcome: file.outcome,
  }))),
}).map(({ strayFiles, files }) => ({ folder: '/data', classes: [...classes].sort(), strayFiles, files })));

const options = fc.record({ minImagesPerClass: fc.integer({ min: 1, max: 4 }), maxImbalance: fc.constantFrom(1, 2, 5) });

const codes = (report: CheckReport, code: string) => report.problems.filter((p) => p.code === code);
const usable = (facts: DatasetFacts) => facts.files.filter((f) => f.outcome.ok && Math.min(f.outcome.width, f.outcome.height) * 4 >= SIZE);

describe('checkDataset', () => {
  test('accepts exactly the usable first copy of each image per class, and counts them per class', () => {
    fc.assert(fc.property(datasetFacts, options, (facts, opts) => {
      const report = checkDataset(facts, { modelImageSize: SIZE, ...opts });
      const expected = usable(facts).filter((file, index, all) =>
        all.findIndex((other) => other.className === file.className && other.sha256 === file.sha256) === index).map((f) => f.file);
      expect(report.accepted).toEqual(expected);
      for (const summary of report.classes) {
        expect(summary.images).toBe(expected.filter((file) => file.startsWith(`${summary.name}/`)).length);
        expect(summary.files).toBe(facts.files.filter((file) => file.className === summary.name).length);
      }
      expect(report.errors).toBe(report.problems.filter((p) => p.severity === 'error').length);
      expect(report.warnings).toBe(report.problems.length - report.errors);
    }));
  });

  test('reports each unusable file with the image module\'s code, and small pictures by how small', () => {
    fc.assert(fc.property(datasetFacts, (facts) => {
      const report = checkDataset(facts, { modelImageSize: SIZE });
      for (const file of facts.files) {
        const about = report.problems.filter((p) => p.files.length === 1 && p.files[0] === file.file).map((p) => p.code);
        const { outcome } = file;
        const expected = !outcome.ok ? [outcome.code]
          : Math.min(outcome.width, outcome.height) * 4 < SIZE ? ['IMAGE_FAR_TOO_SMALL']
            : Math.min(outcome.width, outcome.height) < SIZE ? ['IMAGE_SMALLER_THAN_MODEL_INPUT'] : [];
        expect({ file: file.file, codes: about }).toEqual({ file: file.file, codes: expected });
      }
    }));
  });

  test('an image in two classes is an error naming every copy; twice in one class a warning', () => {
    fc.assert(fc.property(datasetFacts, (facts) => {
      const report = checkDataset(facts, { modelImageSize: SIZE });
      const byHash = new Map<string, InspectedFile[]>();
      for (const file of usable(facts)) byHash.set(file.sha256!, [...(byHash.get(file.sha256!) ?? []), file]);
      const across = [...byHash.values()].filter((copies) => new Set(copies.map((c) => c.className)).size > 1);
      expect(codes(report, 'DUPLICATE_ACROSS_CLASSES').map((p) => [...p.files].sort()).sort())
        .toEqual(across.map((copies) => copies.map((c) => c.file).sort()).sort());
      expect(codes(report, 'DUPLICATE_ACROSS_CLASSES').every((p) => p.severity === 'error')).toBe(true);
      const within = [...byHash.values()].flatMap((copies) => [...new Set(copies.map((c) => c.className))]
        .map((name) => copies.filter((c) => c.className === name)).filter((inClass) => inClass.length > 1));
      expect(codes(report, 'DUPLICATE_IN_CLASS').map((p) => p.files)).toHaveLength(within.length);
      expect(codes(report, 'DUPLICATE_IN_CLASS').every((p) => p.severity === 'warning')).toBe(true);
    }));
  });

  test('class rules: fewer than two classes, classes below the minimum, names equal but for case, imbalance', () => {
    fc.assert(fc.property(datasetFacts, options, (facts, opts) => {
      const report = checkDataset(facts, { modelImageSize: SIZE, ...opts });
      expect(codes(report, 'TOO_FEW_CLASSES')).toHaveLength(facts.classes.length < 2 ? 1 : 0);
      expect(codes(report, 'CLASS_BELOW_MINIMUM').map((p) => p.className))
        .toEqual(report.classes.filter((c) => c.images < opts.minImagesPerClass).map((c) => c.name));
      expect(codes(report, 'CLASS_FEW_IMAGES').map((p) => p.className))
        .toEqual(report.classes.filter((c) => c.images >= opts.minImagesPerClass && c.images < RECOMMENDED_IMAGES_PER_CLASS).map((c) => c.name));
      const folded = facts.classes.filter((name) => facts.classes.some((other) => other !== name && other.toLowerCase() === name.toLowerCase()));
      expect(codes(report, 'CLASS_NAMES_DIFFER_ONLY_IN_CASE').length).toBe(folded.length > 0 ? new Set(folded.map((n) => n.toLowerCase())).size : 0);
      const sizes = report.classes.map((c) => c.images).filter((n) => n > 0);
      const imbalanced = sizes.length >= 2 && Math.max(...sizes) > opts.maxImbalance * Math.min(...sizes);
      expect(codes(report, 'CLASS_IMBALANCE')).toHaveLength(imbalanced ? 1 : 0);
      expect(codes(report, 'STRAY_FILE').map((p) => p.files[0])).toEqual(facts.strayFiles);
    }));
  });

  test('a clean dataset has no error and no warning', () => {
    const files: InspectedFile[] = ['roses', 'tulips'].flatMap((className) => Array.from({ length: RECOMMENDED_IMAGES_PER_CLASS }, (_, i) => ({
      file: `${className}/${i}.jpg`, className, bytes: 1000, sha256: `${className}-${i}`, outcome: { ok: true as const, width: 640, height: 480 },
    })));
    const report = checkDataset({ folder: '/data', classes: ['roses', 'tulips'], strayFiles: [], files }, { modelImageSize: SIZE });
    expect(report.problems).toEqual([]);
    expect(report.accepted).toHaveLength(2 * RECOMMENDED_IMAGES_PER_CLASS);
  });
});

describe('checkTestSplit', () => {
  test('a test image that is also a training image, and a test class without training folder, are errors', () => {
    fc.assert(fc.property(datasetFacts, datasetFacts, (training, test) => {
      const problems = checkTestSplit(training, test);
      const trainingHashes = new Set(training.files.map((f) => f.sha256).filter((h) => h !== undefined));
      expect(problems.filter((p) => p.code === 'TEST_IMAGE_IN_TRAINING').map((p) => p.files[0]))
        .toEqual(test.files.filter((f) => f.sha256 !== undefined && trainingHashes.has(f.sha256)).map((f) => f.file));
      expect(problems.filter((p) => p.code === 'TEST_CLASS_NOT_IN_TRAINING').map((p) => p.className))
        .toEqual(test.classes.filter((name) => !training.classes.includes(name)));
      expect(problems.every((p) => p.severity === 'error')).toBe(true);
    }));
  });
});

describe('checkValidationSplit', () => {
  const hashes = (facts: DatasetFacts) => new Set(facts.files.map((f) => f.sha256).filter((h) => h !== undefined));
  const shared = (set: DatasetFacts, other: DatasetFacts) => set.files.filter((f) => f.sha256 !== undefined && hashes(other).has(f.sha256)).map((f) => f.file);
  const of = (problems: ReturnType<typeof checkValidationSplit>, code: string) => problems.filter((p) => p.code === code);

  test('a validation image that is a training image, a class set other than the training classes, and a test image that is a validation image are errors', () => {
    fc.assert(fc.property(datasetFacts, datasetFacts, fc.option(datasetFacts, { nil: undefined }), (training, validation, test) => {
      const problems = checkValidationSplit(training, validation, test);
      expect(of(problems, 'VALIDATION_IMAGE_IN_TRAINING').map((p) => p.files[0])).toEqual(shared(validation, training));
      expect(of(problems, 'TEST_IMAGE_IN_VALIDATION').map((p) => p.files[0])).toEqual(test ? shared(test, validation) : []);
      expect(of(problems, 'VALIDATION_CLASS_NOT_IN_TRAINING').map((p) => p.className)).toEqual(validation.classes.filter((name) => !training.classes.includes(name)));
      expect(of(problems, 'VALIDATION_CLASS_MISSING').map((p) => p.className)).toEqual(training.classes.filter((name) => !validation.classes.includes(name)));
      expect(problems.every((p) => p.severity === 'error')).toBe(true);
      expect(problems).toHaveLength(of(problems, 'VALIDATION_IMAGE_IN_TRAINING').length + of(problems, 'TEST_IMAGE_IN_VALIDATION').length
        + of(problems, 'VALIDATION_CLASS_NOT_IN_TRAINING').length + of(problems, 'VALIDATION_CLASS_MISSING').length);
    }));
  });

  test('the messages name the files, the class and the fix', () => {
    const facts = (classes: string[], files: Array<[string, string]>): DatasetFacts => ({
      folder: '/data', classes, strayFiles: [],
      files: files.map(([file, sha256], index) => ({ file, className: file.split('/')[0], bytes: 100 + index, sha256, outcome: { ok: true, width: 500, height: 500 } })),
    });
    const training = facts(['roses', 'tulips'], [['roses/a.jpg', 'h1'], ['tulips/b.jpg', 'h2']]);
    const validation = facts(['daisies', 'roses'], [['roses/a-copy.jpg', 'h1'], ['daisies/c.jpg', 'h3']]);
    const test = facts(['daisies'], [['daisies/c.jpg', 'h3']]);
    expect(checkValidationSplit(training, validation, test).map((p) => p.message)).toEqual([
      'validation image roses/a-copy.jpg is also a training image (roses/a.jpg); a validation image must be one the model does not train on',
      'test image daisies/c.jpg is also a validation image (daisies/c.jpg); the training job kept the epoch that scored best on the validation images, so a test image must not be one of them',
      "validation class 'daisies' has no training folder; the validation folders must be exactly the training classes (the names must match exactly)",
      "training class 'tulips' has no validation folder; the validation folders must be exactly the training classes, or the labels of the two sets would not line up: add tulips/ with a few images to the validation folder",
    ]);
  });
});

describe('object keys', () => {
  const relativePath = fc.tuple(fc.constantFrom('roses', 'tulips'), fc.constantFrom('a', 'b', 'a.png', 'b.jpeg'), fc.constantFrom('.jpg', '.png', '.JPG', '.jpeg', ''))
    .map(([className, stem, ext]) => `${className}/${stem}${ext}`);

  test('are unique, under the prefix, end in .jpg, and depend only on the file\'s own path unless two paths meet', () => {
    fc.assert(fc.property(fc.uniqueArray(relativePath, { maxLength: 20 }), fc.constantFrom('', 'dataset/training/'), (files, prefix) => {
      const keys = objectKeys(prefix, files);
      const values = files.map((file) => keys.get(file)!);
      expect(new Set(values).size).toBe(files.length);
      for (const [index, file] of files.entries()) {
        expect(values[index].startsWith(prefix) && values[index].endsWith('.jpg')).toBe(true);
        const meets = files.some((other) => other !== file && objectKey(prefix, other) === objectKey(prefix, file));
        // The file already named .jpg keeps its key; only the converted one moves, and again by its own path alone.
        if (!meets || file.endsWith('.jpg')) expect(values[index]).toBe(objectKey(prefix, file));
        else expect(values[index]).toBe(objectKeys(prefix, [`${file}.jpg`, file]).get(file));
      }
    }));
  });
});
