/** The jest configuration of `npm run mutation`: the project's, limited to the unit tests of the mutated modules
 * (the synth, nag and state-machine suites exercise none of their branches and would slow every mutant down). */
const base = require('../jest.config.js');

module.exports = {
  ...base,
  rootDir: '..',
  testMatch: [
    '<rootDir>/test/pipeline/pipeline-steps.test.ts',
    '<rootDir>/test/pipeline/new-data-trigger.test.ts',
    '<rootDir>/test/shared/sagemaker-names.test.ts',
    '<rootDir>/test/algorithm/hyperparameters.test.ts',
    '<rootDir>/test/fuzz/values.test.ts',
    '<rootDir>/test/lifecycle/cleanup-contract.test.ts',
    '<rootDir>/test/lifecycle/cleanup-handler.test.ts',
    '<rootDir>/test/lambda/inference-request.test.ts',
    '<rootDir>/test/lambda/inference-response.test.ts',
    '<rootDir>/test/lambda/invoke-endpoint.test.ts',
    '<rootDir>/test/lambda/s3-source.test.ts',
    '<rootDir>/test/lambda/binary-mode.test.ts',
    '<rootDir>/test/lambda/image-exif.test.ts',
  ],
};
