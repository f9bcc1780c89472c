import { ConfigurationError, DEFAULT_INBOX_CONCURRENCY, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_IMAGE_PIXELS, loadConfig } from '../../lambda/shared/inference-environment';

const minimal = { ENDPOINT_NAME: 'flowers-endpoint', IMAGE_SIZE: '224' };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('loadConfig', () => {
  test('applies the defaults to a minimal environment', () => {
    expect(loadConfig(minimal)).toEqual({
      endpointName: 'flowers-endpoint',
      imageSize: 224,
      readableBuckets: [],
      maxImageBytes: DEFAULT_MAX_IMAGE_BYTES,
      maxImagePixels: DEFAULT_MAX_IMAGE_PIXELS,
      defaultTopK: 5,
      binaryMode: false,
      inbox: undefined,
    });
  });

  test('reads every optional variable', () => {
    const config = loadConfig({
      ...minimal,
      READABLE_BUCKETS: ' photos ,dataset.example ,',
      MAX_IMAGE_BYTES: '1000',
      MAX_IMAGE_PIXELS: '2000',
      DEFAULT_TOP_K: '3',
      INBOX_BUCKET: 'inbox-bucket',
      INBOX_PREFIX: 'inbox/',
      INBOX_CONCURRENCY: '4',
    });
    expect(config).toMatchObject({
      readableBuckets: ['photos', 'dataset.example'],
      maxImageBytes: 1000,
      maxImagePixels: 2000,
      defaultTopK: 3,
      inbox: { bucket: 'inbox-bucket', prefix: 'inbox/', concurrency: 4 },
    });
    expect(loadConfig({ ...minimal, INBOX_BUCKET: 'inbox-bucket', INBOX_PREFIX: 'in/' }).inbox?.concurrency).toBe(DEFAULT_INBOX_CONCURRENCY);
  });

  test.each([
    ['true', true], ['TRUE', true], [' True ', true], ['false', false], ['False', false], ['', false],
  ])('reads BINARY_MODE %j as %s', (value, expected) => {
    expect(loadConfig({ ...minimal, BINARY_MODE: value }).binaryMode).toBe(expected);
  });

  test.each(['yes', '1', 'on', 'truee'])('rejects BINARY_MODE %j, naming the accepted values', (value) => {
    expect(problemsOf({ ...minimal, BINARY_MODE: value })).toEqual([`BINARY_MODE must be true or false, got ${JSON.stringify(value)}`]);
  });

  test('rejects an empty environment, naming both required variables', () => {
    expect(problemsOf({})).toEqual(['ENDPOINT_NAME is required', 'IMAGE_SIZE is required']);
  });

  test('collects every problem into one error', () => {
    const problems = problemsOf({
      ENDPOINT_NAME: 'bad_name!',
      IMAGE_SIZE: '2048',
      DEFAULT_TOP_K: '0',
      MAX_IMAGE_BYTES: '12MB',
      READABLE_BUCKETS: 'Upper_Case',
      INBOX_BUCKET: 'inbox-bucket',
    });
    expect(problems).toEqual([
      'ENDPOINT_NAME must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$, got "bad_name!"',
      'IMAGE_SIZE must be an integer in [32, 1024], got "2048"',
      'MAX_IMAGE_BYTES must be an integer in [1, 9007199254740991], got "12MB"',
      'DEFAULT_TOP_K must be an integer in [1, 1000], got "0"',
      'READABLE_BUCKETS holds an invalid bucket name "Upper_Case"',
      'INBOX_PREFIX is required when INBOX_BUCKET is set',
    ]);
  });

  test.each([['31'], ['1025'], ['224.5'], ['-224'], ['0x100']])('rejects IMAGE_SIZE %s', (value) => {
    expect(problemsOf({ ...minimal, IMAGE_SIZE: value })).toEqual([`IMAGE_SIZE must be an integer in [32, 1024], got "${value}"`]);
  });

  test('rejects an inbox prefix without a bucket', () => {
    expect(problemsOf({ ...minimal, INBOX_PREFIX: 'inbox/' })).toEqual(['INBOX_PREFIX is set but INBOX_BUCKET is not']);
  });
});
