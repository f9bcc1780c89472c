import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BUNDLES_DIRECTORY, LambdaHandlerName, handlerBuildOptions, handlerSource, loadEsbuild } from './handler-bundles';

/**
 * Whether this code runs from its TypeScript sources (a checkout: tests, `cdk synth` through ts-node) rather than
 * compiled (the installed package, whose build put the handler bundles next to it).
 */
const RUNNING_FROM_SOURCE = path.extname(__filename) === '.ts';

/**
 * The code of one of this package's Lambda handlers (listed in LAMBDA_HANDLERS). The handler is `index.<export>`.
 *
 * - Installed package: the bundle the package build made (`dist/bundles/<name>/`), as aws-cdk-lib ships its own
 *   handlers; the consumer needs neither esbuild nor Docker.
 * - Checkout: bundled from the sources at synth by esbuild through its JavaScript API (no Docker, and none of the
 *   `npx` start-up that NodejsFunction pays per function, ~0.6 s each), with the same options as the package build,
 *   so the bytes and the asset hash are the same. The asset is hashed from the bundle, so it changes exactly when
 *   the code that goes into it changes.
 */
export function bundledLambdaCode(name: LambdaHandlerName): lambda.Code {
  return RUNNING_FROM_SOURCE ? bundleFromSource(name) : prebuiltBundle(name);
}

function prebuiltBundle(name: LambdaHandlerName): lambda.Code {
  const directory = path.join(BUNDLES_DIRECTORY, name);
  if (!fs.existsSync(path.join(directory, 'index.js'))) {
    throw new Error(`The bundle of Lambda handler ${name} is missing from ${directory}: the package was built or `
      + 'installed incompletely; reinstall it (a checkout builds it with `npm run build`)');
  }
  return lambda.Code.fromAsset(directory);
}

function bundleFromSource(name: LambdaHandlerName): lambda.Code {
  const entry = handlerSource(name);
  if (!fs.existsSync(entry)) throw new Error(`Lambda handler ${name} is missing: ${entry} does not exist`);
  return lambda.Code.fromAsset(path.dirname(entry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never used: local bundling either succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      local: {
        tryBundle(outputDir: string): boolean {
          const esbuild = loadEsbuild(`Bundling Lambda handler ${name}`);
          // Built for the package's bundle path (source map paths relative to it), written to outputDir.
          const result = esbuild.buildSync({ ...handlerBuildOptions(name), write: false });
          for (const file of result.outputFiles) fs.writeFileSync(path.join(outputDir, path.basename(file.path)), file.contents);
          return true;
        },
      },
    },
  });
}

/** The environment that makes Node.js use the bundles' source maps. */
export const SOURCE_MAPS_ENVIRONMENT: Readonly<Record<string, string>> = { NODE_OPTIONS: '--enable-source-maps' };
