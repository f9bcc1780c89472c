import { assertReadable, isReadable, parseS3Uri } from '../../lambda/inference/s3-source';

describe('parseS3Uri', () => {
  test.each([
    ['s3://photos/a.jpg', { bucket: 'photos', key: 'a.jpg' }],
    ['s3://my.bucket-1/deep/path/with space+plus.png', { bucket: 'my.bucket-1', key: 'deep/path/with space+plus.png' }],
    ['S3://photos/a%20b.jpg', { bucket: 'photos', key: 'a%20b.jpg' }],
    ['s3://photos//leading-slash-key', { bucket: 'photos', key: '/leading-slash-key' }],
  ])('reads %s', (uri, location) => {
    expect(parseS3Uri(uri)).toEqual(location);
  });

  test.each([
    ['a bucket without key', 's3://photos', /must look like/],
    ['an empty key', 's3://photos/', /must name an object key/],
    ['no bucket', 's3:///a.jpg', /invalid bucket ""/],
    ['an upper-case bucket', 's3://Photos/a.jpg', /invalid bucket "Photos"/],
    ['a two-letter bucket', 's3://ab/a.jpg', /invalid bucket/],
    ['a bucket with ..', 's3://a..b/a.jpg', /invalid bucket/],
    ['an https URL', 'https://photos.s3.amazonaws.com/a.jpg', /must look like/],
    ['a local path', '/tmp/a.jpg', /must look like/],
    ['an empty string', '', /must look like/],
    ['a key over 1024 bytes', `s3://photos/${'é'.repeat(513)}`, /longer than 1024 bytes/],
  ])('rejects %s with 400 INVALID_S3_URI', (_name, uri, message) => {
    expect(() => parseS3Uri(uri)).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_S3_URI', message: expect.stringMatching(message) }));
  });

  test.each([[undefined], [null], [42], [{ bucket: 'photos' }]])('rejects %p as s3Uri', (value) => {
    expect(() => parseS3Uri(value)).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_S3_URI' }));
  });
});

describe('isReadable', () => {
  const config = { readableBuckets: ['photos', 'dataset'], inbox: { bucket: 'uploads', prefix: 'inbox/', concurrency: 2 } };

  test.each([
    [{ bucket: 'photos', key: 'any/key.jpg' }, true],
    [{ bucket: 'dataset', key: 'x.png' }, true],
    [{ bucket: 'uploads', key: 'inbox/a.jpg' }, true],
    [{ bucket: 'uploads', key: 'elsewhere/a.jpg' }, false],
    [{ bucket: 'photos-2', key: 'a.jpg' }, false],
    [{ bucket: 'someone-elses-bucket', key: 'a.jpg' }, false],
  ])('%p → %p', (location, readable) => {
    expect(isReadable(location, config)).toBe(readable);
  });

  test('with no buckets and no inbox nothing is readable; the refusal is 403 BUCKET_NOT_ALLOWED', () => {
    expect(() => assertReadable({ bucket: 'photos', key: 'a.jpg' }, { readableBuckets: [] })).toThrow(
      expect.objectContaining({ status: 403, code: 'BUCKET_NOT_ALLOWED', message: 'this function may not read "s3://photos/a.jpg"' }),
    );
  });
});
