// @ts-check
/**
 * `npm run mutation` (scripts/mutation.js): StrykerJS mutates the pure modules and runs, for each mutant, only the
 * unit tests that cover it (coverageAnalysis perTest). Incremental: mutation/incremental.json is committed, so a rerun
 * tests only the mutants of changed code or whose tests changed. Not part of `npm test`.
 *
 * Mutants that cannot change behaviour are excluded by a `// Stryker disable next-line <mutator>: <reason>` comment on
 * the line itself, so the reason sits beside the code it is about.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
module.exports = {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'mutation/jest.config.js', enableFindRelatedTests: false },
  checkers: ['typescript'],
  tsconfigFile: 'mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'mutation/incremental.json',
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['cdk.out', 'dist', 'coverage', 'reports', '.jest-cache', '.readme-examples', 'bench'],
  mutate: (process.env.MUTATE ? process.env.MUTATE.split(',') : [
    'lambda/shared/prepare-run.ts',
    'lambda/pipeline/promotion-gate.ts',
    'lambda/pipeline/superseded-versions.ts',
    'lambda/pipeline/new-data-trigger.ts',
    'lambda/shared/sagemaker-names.ts',
    'lambda/shared/hyperparameter-spec.ts',
    'lambda/shared/cleanup-contract.ts',
    'lambda/inference/request.ts',
    'lambda/inference/response.ts',
    'lambda/inference/invoke-endpoint.ts',
    'lambda/inference/s3-source.ts',
    'lambda/image/image-format.ts',
    'lambda/cleanup/sweep.ts',
  ]),
};
