import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';

/**
 * Context for apps in template tests: no Lambda bundling (esbuild runs only where a test needs the bundle; the app
 * test and the bundle tests synthesize with it).
 */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/**
 * A stack in an app without aws-cdk-lib's built-in template validation, which costs ~3 s per synth, and without
 * Lambda bundling; the app test runs both on the real app. `region` undefined gives an environment-agnostic stack.
 */
export function testStack(region?: string): Stack {
  const app = new App({ builtinCloudFormationValidation: false, context: NO_BUNDLING });
  return new Stack(app, 'TestStack', region ? { env: { region, account: '123456789012' } } : {});
}

/** The research facts this library is built on (a copy of the project's shared reference file). */
export interface ReferenceFacts {
  readonly models: ReadonlyArray<{ readonly model_id: string; readonly input_image_size: number | null }>;
  readonly dlc_account_by_region: Readonly<Record<string, { readonly account: string }>>;
  readonly jumpstart_content: { readonly regions_in_tf_ic_spec_regional_aliases: readonly string[] };
  readonly hyperparameters: {
    readonly algorithm: ReadonlyArray<{
      readonly name: string;
      readonly type: string;
      readonly default_as_sent_by_sdk: string;
      readonly min?: number;
      readonly max?: number;
      readonly allowed_values?: readonly string[];
    }>;
  };
}

export const REFERENCE: ReferenceFacts = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures', 'jumpstart-tf-ic.json'), 'utf8'),
);
