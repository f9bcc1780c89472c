import * as fs from 'fs';
import * as path from 'path';
import { App, IPolicyValidationPlugin, Stack, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { buildVariant, Variant, VARIANTS } from './variants';

/** One cdk-nag finding: the CloudFormation resource's construct path and the rule id (with its finding part). */
interface Finding {
  readonly path: string;
  readonly rule: string;
}

/** One `Validations.of(construct).acknowledge({ id, reason })`. */
interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
  readonly construct: IConstruct;
}

interface NagRun {
  readonly stack: Stack;
  readonly outdir: string;
  /** What cdk-nag reported: the findings nothing acknowledges. */
  readonly findings: Finding[];
  /** Every finding the pack raises when acknowledgements are ignored. */
  readonly everyFinding: Finding[];
  readonly acknowledgements: Acknowledgement[];
}

/**
 * Findings the library cannot remove from its own files in this change, with what removes them. Each must still
 * occur (a test below fails once it is fixed, so the entry is deleted with the fix), and nothing else may.
 */
const PENDING: ReadonlyArray<{ readonly variant: Variant; readonly path: RegExp; readonly rule: string; readonly fix: string }> = [];

/** Reasons shorter than this do not say why the thing cannot be narrower. */
const MIN_REASON_LENGTH = 40;

/** Synthesizes `variant` with the AwsSolutions pack as a policy validation plugin, as an app would add it. */
function runNag(variant: Variant): NagRun {
  const { app, stack, outdir } = buildVariant(variant);
  const pack = new AwsSolutionsChecks(app);
  let packRan = false;
  // The pack itself, noting that synth called it: a clean synth writes no report entry for it.
  const plugin: IPolicyValidationPlugin = {
    name: pack.name,
    version: pack.version,
    ruleIds: pack.ruleIds,
    validate: (context) => {
      packRan = true;
      return pack.validate(context);
    },
  };
  Validations.of(app).addPlugins(plugin);
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    synthError = error; // "Validation failed" when there are findings; the report lists them
  }
  if (!packRan) throw synthError ?? new Error('synth did not run the AwsSolutions pack');
  const reportFile = path.join(outdir, 'validation-report.json');
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : { pluginReports: [] };
  const nag = report.pluginReports.find((entry: { pluginName: string }) => entry.pluginName === pack.name);
  if (synthError !== undefined && nag?.conclusion !== 'failure') throw synthError;
  const findings: Finding[] = (nag?.violations ?? []).flatMap((violation: { ruleName: string; violatingConstructs: Array<{ constructPath: string }> }) =>
    violation.violatingConstructs.map((construct) => ({ path: construct.constructPath, rule: violation.ruleName })));
  return { stack, outdir, findings, everyFinding: findingsIgnoringAcknowledgements(app), acknowledgements: acknowledgementsIn(app) };
}

/**
 * Runs the pack again over the synthesized tree with acknowledgements ignored. cdk-nag 3.0.2 checks them in its
 * private `isAcknowledged`; should a later version rename it, nothing is ignored, no acknowledgement matches a
 * finding, and the "matches a finding" test fails rather than passing vacuously.
 */
function findingsIgnoringAcknowledgements(app: App): Finding[] {
  const pack = new AwsSolutionsChecks();
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return pack.validateScope(app).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({ path: resource.constructPath ?? String(resource.resourceLogicalId), rule: violation.ruleName })));
}

/** The acknowledgements of AwsSolutions rules (aws-cdk-lib acknowledges some of its own CloudFormation-Validate rules). */
function acknowledgementsIn(app: App): Acknowledgement[] {
  return app.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
    // aws-cdk-lib stores ids without a plugin prefix under `Annotation::`; cdk-nag strips it too.
    .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason, construct }))
    .filter((ack) => ack.id.startsWith('AwsSolutions')));
}

const describeFinding = (finding: Finding): string => `${finding.path}  ${finding.rule}`;

describe.each(VARIANTS)('AwsSolutions checks on the %s variant', (variant) => {
  let run: NagRun;
  beforeAll(() => {
    run = runNag(variant);
  });
  afterAll(() => fs.rmSync(run.outdir, { recursive: true, force: true }));

  test('leaves no finding unacknowledged', () => {
    const pending = PENDING.filter((entry) => entry.variant === variant);
    const unexpected = run.findings.filter((finding) => !pending.some((entry) => entry.rule === finding.rule && entry.path.test(finding.path)));
    expect(unexpected.map(describeFinding)).toEqual([]);
  });

  for (const entry of PENDING.filter((pending) => pending.variant === variant)) {
    test(`pending ${entry.rule} on ${entry.path.source} still occurs (once fixed, delete its PENDING entry)`, () => {
      const occurrences = run.findings.filter((finding) => finding.rule === entry.rule && entry.path.test(finding.path)).length;
      expect({ rule: entry.rule, fix: entry.fix, occurrences }).toEqual({ rule: entry.rule, fix: entry.fix, occurrences: 1 });
    });
  }

  test('the pack found something to check: its acknowledged findings are many', () => {
    expect(run.everyFinding.length).toBeGreaterThan(20);
    expect(run.acknowledgements.length).toBeGreaterThan(20);
  });

  test(`every acknowledgement has a reason of at least ${MIN_REASON_LENGTH} characters`, () => {
    const short = run.acknowledgements.filter((ack) => ack.reason.trim().length < MIN_REASON_LENGTH);
    expect(short.map((ack) => `${ack.path}  ${ack.id}: "${ack.reason}"`)).toEqual([]);
  });

  test('every acknowledgement names one rule or one finding, on a construct inside the classifier, never a stack or app', () => {
    // aws-cdk-lib keeps BucketDeployment's handler function at stack level, shared by every deployment: a function,
    // not the stack, and the only place its runtime finding can be acknowledged.
    const sharedHandler = new RegExp(`^${run.stack.node.path}/Custom::CDKBucketDeployment[0-9A-F]{32}\\d+MiB$`);
    // The algorithm check's function and provider are one per stack, shared by every classifier in it.
    // So are the endpoint cleanup's handler and provider framework.
    const shared = ['ImageClassifierAlgorithmCheckProvider', 'ImageClassifierEndpointCleanupProvider'].map((id) => `${run.stack.node.path}/${id}/`);
    const misplaced = run.acknowledgements.filter((ack) => Stack.isStack(ack.construct) || Stage.isStage(ack.construct)
      || !(ack.path.startsWith(`${run.stack.node.path}/Classifier/`) || sharedHandler.test(ack.path) || shared.some((prefix) => ack.path.startsWith(prefix)))
      || !/^AwsSolutions-[A-Z]+\d+(\[[^\]]+\])?$/.test(ack.id)
      || (ack.id.startsWith('AwsSolutions-IAM') && !ack.id.includes('[')));
    expect(misplaced.map((ack) => `${ack.path}  ${ack.id}`)).toEqual([]);
  });

  test('every acknowledgement matches a finding at or below its construct: none is speculative or stale', () => {
    const unmatched = run.acknowledgements.filter((ack) => !run.everyFinding.some((finding) =>
      finding.rule === ack.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`))));
    expect(unmatched.map((ack) => `${ack.path}  ${ack.id}`)).toEqual([]);
  });
});
