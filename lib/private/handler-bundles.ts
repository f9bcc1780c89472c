import * as fs from 'fs';
import * as path from 'path';
import type { BuildOptions } from 'esbuild';

/**
 * Every Lambda handler of this package, by entry file relative to `lambda/` (without extension), with the modules
 * its bundle leaves to the runtime besides the AWS SDK v3 (which every Node.js runtime provides). Adding a handler
 * takes one line here: the package build pre-bundles each entry into `dist/bundles/<name>/`, and
 * `bundledLambdaCode(name)` accepts only these names.
 */
export const LAMBDA_HANDLERS = {
  // The native engine, present only in the container image (the handler falls back to pure JavaScript without it),
  // and TensorFlow.js on its CPU backend, only the reference the JavaScript port is tested against
  // (lambda/image/tensor-engine.ts).
  'inference/index': { external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'] },
  'pipeline/index': { external: [] },
  'pipeline/new-data-trigger': { external: [] },
  'cleanup/index': { external: [] },
  'algorithm-check/index': { external: [] },
  'evaluation/index': { external: [] },
  'batch/index': { external: [] },
} as const satisfies Record<string, { readonly external: readonly string[] }>;

/** The name of one of this package's Lambda handlers, e.g. `pipeline/index`. */
export type LambdaHandlerName = keyof typeof LAMBDA_HANDLERS;

/** Node.js version the bundles target; the functions run on the matching Lambda runtime. */
export const BUNDLE_TARGET = 'node24';

/** This file is lib/private/ in a checkout and dist/lib/private/ in the package: the package root is above either. */
const PACKAGE_ROOT = [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')]
  .find((dir) => fs.existsSync(path.join(dir, 'package.json'))) ?? path.join(__dirname, '..', '..');

/**
 * Where the package build puts the handler bundles (`dist/bundles/<name>/index.js`). The bundles of a checkout are
 * built for this same path, so both have identical bytes (source map paths included) and the same asset hash.
 */
export const BUNDLES_DIRECTORY = path.join(PACKAGE_ROOT, 'dist', 'bundles');

/**
 * The TypeScript entry file of a handler in a checkout of this repository. The package ships no handler sources
 * (except the inference function's, the container image's build context), so this is only for bundling.
 */
export function handlerSource(name: LambdaHandlerName): string {
  return path.join(PACKAGE_ROOT, 'lambda', `${name}.ts`);
}

/**
 * The esbuild options of one handler's bundle, the one definition used by the package build, by synth in a checkout
 * and by `npm run bench`: bundled, minified, CommonJS for the Lambda Node.js runtime, with a source map that embeds
 * its sources (set `NODE_OPTIONS=--enable-source-maps` so stack traces point at them), the AWS SDK v3 and the
 * handler's own `external` modules left to the runtime.
 */
export function handlerBuildOptions(name: LambdaHandlerName, outfile = path.join(BUNDLES_DIRECTORY, name, 'index.js')): BuildOptions {
  return {
    entryPoints: [handlerSource(name)],
    outfile,
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: true,
    external: ['@aws-sdk/*', ...LAMBDA_HANDLERS[name].external],
    logLevel: 'warning',
  };
}

/** Loads esbuild, with the command that installs it when it is missing. */
export function loadEsbuild(why: string): typeof import('esbuild') {
  try {
    return require('esbuild');
  } catch {
    throw new Error(`${why} needs esbuild: run 'npm install --save-dev esbuild'`);
  }
}

/**
 * Bundles every handler into `dist/bundles/<name>/` (the package build, `npm run build`, after tsc). Removes the
 * bundles of an earlier build first, so a removed handler leaves nothing behind.
 */
export function writeHandlerBundles(): void {
  const esbuild = loadEsbuild('Bundling the Lambda handlers');
  fs.rmSync(BUNDLES_DIRECTORY, { recursive: true, force: true });
  for (const name of Object.keys(LAMBDA_HANDLERS) as LambdaHandlerName[]) {
    esbuild.buildSync(handlerBuildOptions(name));
  }
}
