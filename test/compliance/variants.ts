import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { imageClassifierPropsFromContext } from '../../lib/app-context';
import { BatchInstanceType, RetrainingSchedule } from '../../lib';
import { ImageClassifier } from '../../lib/image-classifier';
import { ImageClassifierStack } from '../../lib/image-classifier-stack';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));

/**
 * The stacks the compliance tests check: the app's stack exactly as bin/app.ts builds it from cdk.json, and the same
 * classifier with a customer-managed KMS key, in a VPC with isolated private subnets only, and deployed to a working
 * classifier (dataset seeded from a local folder, first run started at creation).
 */
export const VARIANTS = ['app', 'kms', 'vpc', 'seed'] as const;
/**
 * More settings whose permissions differ, for the access proof (test/access): an inference inbox with the new-data
 * trigger, the validation channel, managed spot training with checkpoints, batch classification on a schedule and on
 * new images on a GPU type (local storage: no volume key) with a customer-managed key.
 */
export const SETTING_VARIANTS = ['inbox', 'validation', 'spot', 'batch'] as const;
export type Variant = typeof VARIANTS[number];
export type SettingVariant = typeof SETTING_VARIANTS[number];

export interface BuiltVariant {
  readonly app: App;
  readonly stack: Stack;
  /** Where `app.synth()` writes the cloud assembly (and the policy validation report). */
  readonly outdir: string;
}

/**
 * Builds `variant` in a new app with cdk.json's context. `bundle: false` skips Lambda bundling (the templates' IAM
 * does not depend on it); the app variant bundles like `cdk synth` does unless told not to.
 */
export function buildVariant(variant: Variant | SettingVariant, options: { readonly bundle?: boolean } = {}): BuiltVariant {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `compliance-${variant}-`));
  const bundle = options.bundle ?? variant === 'app';
  const app = new App({
    outdir,
    // bin/app.ts runs without aws-cdk-lib's CloudFormation schema validation unless CDK_VALIDATION=true (~3 s).
    builtinCloudFormationValidation: false,
    context: { ...CDK_JSON.context, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const classifier = imageClassifierPropsFromContext(app.node);
  if (variant === 'app') {
    const stack = new ImageClassifierStack(app, 'ImageClassifierStack', { classifier });
    return { app, stack, outdir };
  }
  const stack = new Stack(app, `${variant[0].toUpperCase()}${variant.slice(1)}Stack`);
  if (variant === 'inbox') {
    const inbox = new s3.Bucket(stack, 'Inbox', { enforceSSL: true, minimumTLSVersion: 1.2, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    new ImageClassifier(stack, 'Classifier', {
      ...classifier,
      inference: { ...classifier.inference, inbox: { bucket: inbox, prefix: 'inbox/' } },
      retraining: { ...classifier.retraining, retrainOnNewData: true },
    });
  } else if (variant === 'validation') {
    new ImageClassifier(stack, 'Classifier', { ...classifier, training: { ...classifier.training, useValidationChannel: true } });
  } else if (variant === 'batch') {
    new ImageClassifier(stack, 'Classifier', {
      ...classifier,
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      batch: { schedule: RetrainingSchedule.expression('cron(0 2 * * ? *)'), classifyNewImages: true, instanceType: BatchInstanceType.ML_G4DN_XLARGE },
    });
  } else if (variant === 'spot') {
    new ImageClassifier(stack, 'Classifier', { ...classifier, training: { ...classifier.training, spot: true } });
  } else if (variant === 'seed') {
    new ImageClassifier(stack, 'Classifier', { ...classifier, seedDatasetFrom: path.join(__dirname, '..', 'fixtures', 'mini-dataset') });
  } else if (variant === 'kms') {
    new ImageClassifier(stack, 'Classifier', { ...classifier, encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
  } else {
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    // The VPC is the user's, not the library's: a compliant one has flow logs (AwsSolutions-VPC7).
    vpc.addFlowLog('FlowLog');
    new ImageClassifier(stack, 'Classifier', { ...classifier, vpc });
  }
  return { app, stack, outdir };
}

/** The construct path of every resource of `stack`'s template, by logical id. */
export function constructPaths(stack: Stack): Map<string, string> {
  const paths = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    if (CfnResource.isCfnResource(construct) && Stack.of(construct) === stack) {
      paths.set(stack.resolve(construct.logicalId), construct.node.path);
    }
  }
  return paths;
}
