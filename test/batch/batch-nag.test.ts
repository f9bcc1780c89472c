import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BatchClassification, BatchModel, RetrainingSchedule } from '../../lib';

/**
 * cdk-nag's AwsSolutions pack on a user's stack holding BatchClassification alone, with every option that adds
 * resources (its own bucket, a key, a schedule, the new-images trigger): nothing left unacknowledged. (Inside
 * ImageClassifier it is checked with every compliance variant, test/compliance/.)
 */
test('BatchClassification alone, with its own bucket, a key, a schedule and the new-images trigger, is cdk-nag clean', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-nag-'));
  try {
    const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'UserStack');
    const role = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    new BatchClassification(stack, 'Batch', {
      model: BatchModel.fromModelName('my-flowers-model', role),
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      schedule: RetrainingSchedule.expression('rate(1 day)'),
      classifyNewImages: true,
      quietPeriod: Duration.minutes(15),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let failure: unknown;
    try {
      app.synth();
    } catch (error) {
      failure = error;
    }
    const reportFile = path.join(outdir, 'validation-report.json');
    const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : { pluginReports: [] };
    const findings = report.pluginReports.flatMap((plugin: any) => plugin.violations.flatMap((violation: any) =>
      violation.violatingConstructs.map((construct: any) => `${construct.constructPath}  ${violation.ruleName}`)));
    expect(findings).toEqual([]);
    expect(failure).toBeUndefined();
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
