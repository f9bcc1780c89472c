#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { imageClassifierPropsFromContext, SettingsError } from '../lib/app-context';
import { ImageClassifierStack } from '../lib/image-classifier-stack';
import { APP_STACK_NAME } from '../lambda/shared/stack-outputs';

// One environment-agnostic stack: it synthesizes with no AWS account, and CloudFormation resolves the region's
// algorithm images at deploy time. Settings come from the `imageClassifier:*` keys in cdk.json (see README).
// aws-cdk-lib's built-in CloudFormation template validation takes ~3 s of WebAssembly start-up per synth. The test
// suite runs it on this same stack with every finding fatal (test/app.test.ts), so the app skips it to keep
// `cdk synth` fast. Set CDK_VALIDATION=true to run it here too.
const app = new App({ autoSynth: false, builtinCloudFormationValidation: process.env.CDK_VALIDATION === 'true' });
try {
  new ImageClassifierStack(app, APP_STACK_NAME, {
    classifier: imageClassifierPropsFromContext(app.node),
  });
  app.synth();
} catch (error) {
  // Every setting is checked before anything is built: a user's mistakes are listed, one line each, without a
  // stack trace. Anything else is a fault of the library and keeps its trace.
  if (!(error instanceof SettingsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
