// @ts-check
/**
 * `npm run mutation` (scripts/mutation.js) runs StrykerJS once per module of mutation/modules.js, with
 * MUTATION_MODULE naming it: the module is mutated and, for each mutant, only the unit tests of that module that
 * cover it are run (coverageAnalysis perTest). Incremental: each module's results are committed in
 * mutation/incremental/<module>.json, so a rerun tests only the mutants of changed code or whose tests changed.
 * Not part of `npm test`.
 *
 * Mutants that cannot change behaviour are excluded by a `// Stryker disable next-line <mutator>: <reason>` comment on
 * the line itself, so the reason sits beside the code it is about.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const modules = require('./mutation/modules.js');

const module_ = process.env.MUTATION_MODULE;
const id = module_ ? module_.replace(/\.ts$/, '').replace(/[/\\]/g, '-') : 'all';

module.exports = {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'mutation/jest.config.js', enableFindRelatedTests: false },
  // Mutants that do not compile are discarded before any test runs; only the mutated module (and what it imports) is
  // type-checked: scripts/mutation.js writes mutation/tsconfig.module.json for it.
  checkers: ['typescript'],
  tsconfigFile: module_ ? 'mutation/tsconfig.module.json' : 'mutation/tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `mutation/incremental/${id}.json`,
  // 2 on an idle 2-core machine; MUTATION_CONCURRENCY=1 when it is shared.
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  clearTextReporter: { allowColor: false, logTests: false },
  jsonReporter: { fileName: `reports/mutation/${id}.json` },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['cdk.out', 'dist', 'coverage', 'reports', '.jest-cache', '.readme-examples', 'bench'],
  mutate: module_ ? [module_] : Object.keys(modules),
};
