import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The entry file of one of this package's Lambda handlers, for NodejsFunction: the TypeScript source in a checkout
 * of this repository (`lambda/<name>.ts`), or the compiled JavaScript next to the compiled library in the published
 * package (`dist/lambda/<name>.js`). `name` is relative to `lambda/`, without extension, e.g. `pipeline/index`.
 */
export function lambdaEntry(name: string): string {
  // This file is lib/private/lambda-entry.ts in the repository, dist/lib/private/lambda-entry.js in the package;
  // either way the handlers are in ../../lambda.
  const base = path.join(__dirname, '..', '..', 'lambda', name);
  for (const extension of ['.ts', '.js']) {
    if (fs.existsSync(base + extension)) return base + extension;
  }
  throw new Error(`Lambda handler ${name} is missing: neither ${base}.ts nor ${base}.js exists (is the package installed completely?)`);
}

/** Node.js version the bundles target; the functions run on the matching Lambda runtime. */
export const BUNDLE_TARGET = 'node24';

/**
 * The bundled code of one of this package's Lambda handlers: esbuild, run in this process through its JavaScript API
 * (no Docker, and none of the `npx` start-up that NodejsFunction pays per function, ~0.6 s each), minified, with a
 * source map, CommonJS, `external` left out (the AWS SDK v3 comes with every Node.js runtime). The asset is hashed
 * from the bundle, so it changes exactly when the code that goes into it changes. The handler is `index.<export>`;
 * set `NODE_OPTIONS=--enable-source-maps` (SOURCE_MAPS_ENVIRONMENT) so stack traces point at the sources.
 */
export function bundledLambdaCode(name: string, external: string[] = ['@aws-sdk/*']): lambda.Code {
  const entry = lambdaEntry(name);
  return lambda.Code.fromAsset(path.dirname(entry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never used: local bundling either succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      local: {
        tryBundle(outputDir: string): boolean {
          let esbuild: typeof import('esbuild');
          try {
            esbuild = require('esbuild');
          } catch {
            throw new Error(`Bundling Lambda handler ${name} needs esbuild: run 'npm install --save-dev esbuild'`);
          }
          esbuild.buildSync({
            entryPoints: [entry],
            outfile: path.join(outputDir, 'index.js'),
            bundle: true,
            platform: 'node',
            target: BUNDLE_TARGET,
            format: 'cjs',
            minify: true,
            sourcemap: true,
            external,
            logLevel: 'warning',
          });
          return true;
        },
      },
    },
  });
}

/** The environment that makes Node.js use the bundles' source maps. */
export const SOURCE_MAPS_ENVIRONMENT: Readonly<Record<string, string>> = { NODE_OPTIONS: '--enable-source-maps' };
