/**
 * `npm run build`, also run by `prepare` (so by `npm pack`, `npm publish`, a git install and `npm ci` here):
 * compiles lib/ into dist/ (with the handler modules lib/ imports), then pre-bundles every Lambda handler into
 * dist/bundles/<name>/ with the esbuild options synth uses in a checkout (lib/private/handler-bundles.ts).
 * Then bundles the command line into dist/cli/index.js (scripts/cli-bundle.js).
 * A consumer of the package then synthesizes with neither TypeScript nor esbuild.
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
require(path.join(root, 'dist', 'lib', 'private', 'handler-bundles')).writeHandlerBundles();
require(path.join(root, 'scripts', 'cli-bundle')).writeCliBundle();
