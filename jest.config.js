/** Jest runs the TypeScript sources through ts-jest without type-checking (isolatedModules in tsconfig.json);
 * `npm test` type-checks the whole tree once with `tsc --noEmit` before jest starts. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/setup.ts'],
  testTimeout: 60000,
};
