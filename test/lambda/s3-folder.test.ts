/**
 * Folder URIs, manifests and the code point order (lambda/shared/s3-folder.ts).
 */
import * as fc from 'fast-check';
import {
  compareCodePoints, isImageKey, isWithin, parseS3Folder, parseS3Object, parseTransformManifest, transformManifest,
} from '../../lambda/shared/s3-folder';

describe('parseS3Folder', () => {
  test.each([
    ['s3://bucket/folder/', { bucket: 'bucket', prefix: 'folder/' }],
    ['s3://bucket/folder', { bucket: 'bucket', prefix: 'folder/' }],
    ['s3://bucket/a/b c/', { bucket: 'bucket', prefix: 'a/b c/' }],
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { bucket: 'bucket', prefix: '' }],
  ])('reads %s', (uri, folder) => {
    expect(parseS3Folder(uri, 'input')).toEqual(folder);
  });

  test.each([
    ['s3:/bucket/x', 'input must be an S3 URI like "s3://bucket/folder/", got "s3:/bucket/x"'],
    ['/tmp/images', 'input must be an S3 URI like'],
    ['s3://Bucket_Name/x', 'input names the bucket "Bucket_Name", which is not a valid S3 bucket name'],
    ['s3://bucket//x', 'must not contain an empty folder name'],
    [42, 'input must be a string like "s3://bucket/folder/", got 42'],
    [undefined, 'got nothing'],
  ])('names the problem with %s', (uri, message) => {
    expect(parseS3Folder(uri, 'input')).toEqual(expect.stringContaining(message));
  });
});

test('parseS3Object refuses a folder', () => {
  expect(parseS3Object('s3://b-1/k/', 'manifestUri')).toBe('manifestUri must name an object (s3://bucket/key), got the folder "s3://b-1/k/"');
  expect(parseS3Object('s3://b-1/k', 'manifestUri')).toEqual({ bucket: 'b-1', key: 'k' });
});

test('isWithin compares whole folder names', () => {
  expect(isWithin({ bucket: 'b', prefix: 'in/x/' }, { bucket: 'b', prefix: 'in/' })).toBe(true);
  expect(isWithin({ bucket: 'b', prefix: 'inbox/' }, { bucket: 'b', prefix: 'in/' })).toBe(false);
  expect(isWithin({ bucket: 'c', prefix: 'in/' }, { bucket: 'b', prefix: 'in/' })).toBe(false);
  expect(isWithin({ bucket: 'b', prefix: 'any/' }, { bucket: 'b', prefix: '' })).toBe(true);
});

test('isImageKey takes .jpg, .jpeg and .png in any case, and nothing else', () => {
  for (const key of ['a.jpg', 'a.JPG', 'b/c.jpeg', 'd.JpEg', 'e.png', 'f.PNG']) expect(isImageKey(key)).toBe(true);
  for (const key of ['a.gif', 'a.jpg.txt', 'jpg', 'a.webp', 'folder/', 'a.jpgx', 'a.pn']) expect(isImageKey(key)).toBe(false);
});

test('a manifest reads back as written, and damage is named', () => {
  fc.assert(fc.property(fc.array(fc.string({ minLength: 1 }), { maxLength: 20 }), (keys) => {
    const text = JSON.stringify(transformManifest({ bucket: 'b-1', prefix: 'p/' }, keys));
    expect(parseTransformManifest(text, 'm')).toEqual({ folder: { bucket: 'b-1', prefix: 'p/' }, relativeKeys: keys });
  }));
  expect(() => parseTransformManifest('{}', 's3://b/m')).toThrow('the manifest s3://b/m must be a JSON array starting with {"prefix": "s3://bucket/folder/"}');
  expect(() => parseTransformManifest('[{"prefix": "s3://b-1/p/"}, 3]', 'm')).toThrow('entry 1 of the manifest m is not a relative key');
  expect(() => parseTransformManifest('nope', 'm')).toThrow('the manifest m is not JSON');
});

test('compareCodePoints orders as the sequences of code points do (Python\'s string order)', () => {
  const codePoints = (s: string) => [...s].map((c) => c.codePointAt(0)!);
  const lexicographic = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return Math.sign(a[i] - b[i]);
    return Math.sign(a.length - b.length);
  };
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
    expect(Math.sign(compareCodePoints(a, b))).toBe(lexicographic(codePoints(a), codePoints(b)));
  }), { numRuns: 1000 });
  expect(['🌹', 'ﬀ', 'a'].sort(compareCodePoints)).toEqual(['a', 'ﬀ', '🌹']);
});
