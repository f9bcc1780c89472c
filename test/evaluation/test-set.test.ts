/**
 * Choosing the fixed test set (lambda/evaluation/test-set.ts), as pure functions over generated listings: the hold-out
 * is stable as data grows, takes about the configured share, and never mixes the two sets; the version follows the
 * test images and nothing else.
 */
import * as fc from 'fast-check';
import { compareCodePoints } from '../../lambda/shared/s3-folder';
import { chooseTestSet, holdOutPosition, isHeldOut, ListedImage, testSetVersion } from '../../lambda/evaluation/test-set';

const className = fc.constantFrom('cat', 'dog', 'eel', 'fox', 'rosé', 'Z', '🌹');
const fileName = fc.string({ minLength: 1, maxLength: 10 }).filter((name) => !name.includes('/')).map((name) => `${name}.jpg`);
const image = fc.record({ label: className, name: fileName, eTag: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }).map((h) => `"${h}"`) })
  .map(({ label, name, eTag }): ListedImage => ({ relativeKey: `${label}/${name}`, eTag }));
/** A listing of distinct keys, at least one. */
const listing = (maxLength: number) => fc.uniqueArray(image, { minLength: 1, maxLength, selector: (entry) => entry.relativeKey });

/** Every class keeps a training image when each class has one image that is never held out at this fraction. */
function withAnchors(images: ListedImage[], fraction: number): ListedImage[] {
  const labels = [...new Set(images.map((entry) => entry.relativeKey.split('/')[0]))];
  const anchors = labels.map((label) => {
    let i = 0;
    while (isHeldOut(`${label}/anchor-${i}.jpg`, fraction)) i += 1;
    return { relativeKey: `${label}/anchor-${i}.jpg`, eTag: '"anchor"' };
  });
  return [...images.filter((entry) => !anchors.some((anchor) => anchor.relativeKey === entry.relativeKey)), ...anchors];
}

describe('the hold-out', () => {
  test('adding images never moves an existing image between the sets', () => {
    fc.assert(fc.property(listing(40), listing(40), fc.double({ min: 0.01, max: 0.9, noNaN: true }), (before, added, fraction) => {
      const first = chooseTestSet('d/', withAnchors(before, fraction), [], fraction);
      const grown = [...before, ...added.filter((entry) => !before.some((old) => old.relativeKey === entry.relativeKey))];
      const second = chooseTestSet('d/', withAnchors(grown, fraction), [], fraction);
      for (const { relativeKey } of withAnchors(before, fraction)) {
        expect(second.testKeys.includes(relativeKey)).toBe(first.testKeys.includes(relativeKey));
      }
    }), { numRuns: 200 });
  });

  test('the test and training keys split the images: disjoint, complete, each sorted', () => {
    fc.assert(fc.property(listing(60), fc.double({ min: 0.01, max: 0.9, noNaN: true }), (images, fraction) => {
      const all = withAnchors(images, fraction);
      const plan = chooseTestSet('d/', all, [], fraction);
      const test = new Set(plan.testKeys);
      expect(plan.trainingKeys!.filter((key) => test.has(key))).toEqual([]);
      expect([...plan.testKeys, ...plan.trainingKeys!].sort()).toEqual(all.map((entry) => entry.relativeKey).sort());
      expect(plan.source).toBe('hold-out');
      for (const keys of [plan.testKeys, plan.trainingKeys!]) expect([...keys].sort(compareCodePoints)).toEqual(keys);
    }), { numRuns: 200 });
  });

  test('takes about the configured share of a large dataset (20,000 keys, within 1 percentage point)', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `class-${i % 7}/IMG_${i}.jpg`);
    for (const fraction of [0.05, 0.1, 0.2, 0.5]) {
      const share = keys.filter((key) => isHeldOut(key, fraction)).length / keys.length;
      expect(Math.abs(share - fraction)).toBeLessThan(0.01);
    }
  });

  test('positions lie in [0, 1) and a larger fraction holds out a superset', () => {
    fc.assert(fc.property(fc.string(), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (key, a, b) => {
      const position = holdOutPosition(key);
      expect(position >= 0 && position < 1).toBe(true);
      if (isHeldOut(key, Math.min(a, b))) expect(isHeldOut(key, Math.max(a, b))).toBe(true);
    }));
  });
});

describe('the version', () => {
  test('does not depend on the listing order, and changes when a test key or its ETag changes', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.record({ key: fc.string(), eTag: fc.string() }), { minLength: 1, maxLength: 20, selector: (entry) => entry.key }),
      fc.nat(), (images, pick) => {
        const version = testSetVersion(images);
        expect(testSetVersion([...images].reverse())).toBe(version);
        const i = pick % images.length;
        expect(testSetVersion(images.map((entry, j) => (j === i ? { ...entry, eTag: `${entry.eTag}x` } : entry)))).not.toBe(version);
        expect(testSetVersion(images.filter((_, j) => j !== i))).not.toBe(version);
      }));
  });

  test('a hold-out\'s version ignores the training images; a test folder\'s ignores training entirely', () => {
    fc.assert(fc.property(listing(30), fc.string({ minLength: 1 }), (images, otherETag) => {
      const all = withAnchors(images, 0.3);
      const plan = chooseTestSet('d/', all, [], 0.3);
      const retagged = all.map((entry) => (plan.testKeys.includes(entry.relativeKey) ? entry : { ...entry, eTag: otherETag }));
      expect(chooseTestSet('d/', retagged, [], 0.3).version).toBe(plan.version);
      const tests = [{ relativeKey: 'cat/t.jpg', eTag: '"1"' }];
      const training = withAnchors([{ relativeKey: 'cat/a.jpg', eTag: '"2"' }], 0.3);
      expect(chooseTestSet('d/', training, tests, 0.3).version).toBe(chooseTestSet('d/', [...training, ...all], tests, 0.3).version);
    }), { numRuns: 100 });
  });
});

describe('classes', () => {
  test('are the training class folders in code point order (Python\'s sorted), with the ones lacking test images named', () => {
    const training: ListedImage[] = ['🌹/a.jpg', 'rosé/a.jpg', 'rose/a.jpg', 'Zebra/a.png', 'ﬀ/a.jpg'].map((relativeKey) => ({ relativeKey, eTag: '"e"' }));
    const plan = chooseTestSet('d/', training, [{ relativeKey: 'rose/t.jpg', eTag: '"t"' }], 0.1);
    // U+FB00 (ﬀ) sorts before U+1F339 (🌹) by code point, after it by UTF-16 code unit
    expect(plan.classes).toEqual(['Zebra', 'rose', 'rosé', 'ﬀ', '🌹']);
    expect(plan.classesWithoutTestImages).toEqual(['Zebra', 'rosé', 'ﬀ', '🌹']);
  });
});
