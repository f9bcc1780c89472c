import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));

/** What one checked synth reports. */
export interface CheckedSynth {
  /** cdk-nag AwsSolutions findings nothing acknowledges, as `<construct path>  <rule>`. */
  readonly nagFindings: string[];
  /** aws-cdk-lib's builtin CloudFormation template validation findings. */
  readonly templateFindings: string[];
  /** Every stack's template, by stack name. */
  readonly templates: Record<string, { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }>;
}

/**
 * An app as `cdk synth` builds it with cdk.json's context (no Lambda bundling: templates do not depend on it), with
 * aws-cdk-lib's builtin CloudFormation validation on (every default rule) and cdk-nag's AwsSolutions pack as a policy
 * validation plugin, as an app adds it.
 */
export function checkedApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'composition-'));
  const app = new App({
    outdir,
    builtinCloudFormationValidation: true,
    context: { ...CDK_JSON.context, '@aws-cdk/core:validateAgainstDefaultRules': true, 'aws:cdk:bundling-stacks': [] },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/** Synthesizes `app` (made by `checkedApp`) and collects what both validations report; the outdir is removed. */
export function synthChecked(app: App): CheckedSynth {
  let synthError: unknown;
  let assembly;
  try {
    assembly = app.synth();
  } catch (error) {
    synthError = error; // "Validation failed" when a plugin reports findings; the report lists them
  }
  const outdir = app.outdir;
  try {
    const reportFile = path.join(outdir, 'validation-report.json');
    if (!fs.existsSync(reportFile)) {
      if (synthError) throw synthError;
      throw new Error('synth wrote no validation report: the validations did not run');
    }
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    const findings = (match: (name: string) => boolean): string[] => report.pluginReports
      .filter((entry: { pluginName: string }) => match(entry.pluginName))
      .flatMap((entry: { violations: Array<{ ruleName: string; violatingConstructs?: Array<{ constructPath?: string }>; violatingResources?: Array<{ locations?: string[] }> }> }) =>
        entry.violations.flatMap((violation) => (violation.violatingConstructs ?? [{ constructPath: '' }])
          .map((construct) => `${construct.constructPath ?? ''}  ${violation.ruleName}`)));
    const nagName = new AwsSolutionsChecks().name;
    const templates: CheckedSynth['templates'] = {};
    for (const stack of app.node.findAll().filter(Stack.isStack)) {
      const file = path.join(outdir, stack.templateFile);
      if (fs.existsSync(file)) templates[stack.stackName] = JSON.parse(fs.readFileSync(file, 'utf8'));
    }
    if (synthError && !report.pluginReports.some((entry: { conclusion: string }) => entry.conclusion === 'failure')) throw synthError;
    void assembly;
    return { nagFindings: findings((name) => name === nagName), templateFindings: findings((name) => name !== nagName), templates };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
