/**
 * The command line's single file, dist/cli/index.js: cli/index.ts bundled by esbuild with everything it uses (the
 * AWS SDK clients, commander, cli-progress, cli-table3 and the image code), so that the package keeps no runtime
 * dependency. Used by the package build (scripts/build.js) and by the tests that run the bundle.
 */
const path = require('path');

const ROOT = path.join(__dirname, '..');
const CLI_BUNDLE = path.join(ROOT, 'dist', 'cli', 'index.js');

/** esbuild options of the bundle; `outfile` elsewhere for a test build. */
function cliBuildOptions(outfile = CLI_BUNDLE) {
  return {
    entryPoints: [path.join(ROOT, 'cli', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    // The package supports Node.js 20 and later (package.json engines).
    target: 'node20',
    format: 'cjs',
    minify: true,
    // The native TensorFlow engine is never installed with the package; the JavaScript port does the work
    // (lambda/image/tensor-engine.ts). TensorFlow.js itself is only the reference the port is tested against.
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'],
    banner: { js: '#!/usr/bin/env node' },
    legalComments: 'none',
    logLevel: 'warning',
  };
}

function writeCliBundle() {
  const fs = require('fs');
  require('esbuild').buildSync(cliBuildOptions());
  fs.chmodSync(CLI_BUNDLE, 0o755);
}

module.exports = { CLI_BUNDLE, cliBuildOptions, writeCliBundle };
