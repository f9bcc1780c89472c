/** Jest runs the TypeScript sources through ts-jest without type-checking (isolatedModules in tsconfig.json);
 * `npm test` type-checks the whole tree once with `tsc --noEmit` before jest starts. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/setup.ts'],
  testTimeout: 60000,
  // Jest's default is one worker fewer than the cores: a single worker on the 2-core CI machine. The suites are
  // CPU-bound and independent (each synthesizes its own stacks, each emulator listens on its own port), so use both.
  maxWorkers: 2,
};
