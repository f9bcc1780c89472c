/**
 * The modules `npm run mutation` mutates, each with the unit tests that exercise it. scripts/mutation.js runs
 * StrykerJS once per module with only these tests: a static mutant (a module-level constant, which Stryker cannot
 * attribute to single tests) then reruns a few fast test files instead of every unit test, and each module keeps its
 * own incremental file (mutation/incremental/) and timing.
 *
 * The lists hold the tests that own the module's behaviour; suites that synthesize stacks (aws-cdk-lib) are left out
 * because loading aws-cdk-lib costs seconds per mutant and they exercise no branch the listed tests miss.
 */
module.exports = {
  'lambda/shared/prepare-run.ts': ['test/pipeline/pipeline-steps.test.ts', 'test/pipeline/run-input.test.ts'],
  'lambda/pipeline/superseded-versions.ts': ['test/pipeline/pipeline-steps.test.ts'],
  'lambda/pipeline/new-data-trigger.ts': ['test/pipeline/new-data-trigger.test.ts'],
  'lambda/shared/sagemaker-names.ts': ['test/shared/sagemaker-names.test.ts'],
  'lambda/shared/hyperparameter-spec.ts': ['test/algorithm/hyperparameter-spec.test.ts'],
  'lambda/shared/cleanup-contract.ts': ['test/lifecycle/cleanup-properties.test.ts'],
  'lambda/inference/request.ts': ['test/lambda/inference-request.test.ts'],
  'lambda/inference/invoke-endpoint.ts': ['test/lambda/invoke-endpoint.test.ts', 'test/lambda/binary-mode.test.ts'],
  'lambda/inference/s3-source.ts': ['test/lambda/s3-source.test.ts'],
  'lambda/image/image-format.ts': ['test/lambda/image-format.test.ts', 'test/lambda/image-exif.test.ts'],
  'lambda/cleanup/sweep.ts': ['test/lifecycle/cleanup-sweep.test.ts'],
  // The endpoint answer's parser (lambda/shared/classifier-output.ts) is shared by the function, the batch and evaluation functions and the CLI.
  'lambda/pipeline/promotion-gate.ts': ['test/pipeline/pipeline-steps.test.ts', 'test/pipeline/promotion-gate-decisions.test.ts', 'test/pipeline/promotion-gate-test-set.test.ts'],
  'lambda/shared/classifier-output.ts': ['test/lambda/classifier-output.test.ts', 'test/lambda/binary-mode.test.ts', 'test/lambda/invoke-endpoint.test.ts', 'test/lambda/inference-response.test.ts'],
  // The evaluation's plan and the run's figures (steps of the retraining function), and whether another cleanup resource claims an endpoint.
  'lambda/pipeline/evaluation-plan.ts': ['test/pipeline/pipeline-steps.test.ts'],
  'lambda/pipeline/run-metrics.ts': ['test/pipeline/run-metrics.test.ts'],
  'lambda/cleanup/claims.ts': ['test/lifecycle/cleanup-handler.test.ts'],
  'lambda/inference/response.ts': ['test/lambda/inference-response.test.ts', 'test/lambda/inference-errors.test.ts', 'test/lambda/binary-mode.test.ts'],
};
