/**
 * lambda/Dockerfile cannot be built here (no Docker), so its inputs are checked against the package instead: it
 * must install every runtime dependency at the version this package is tested with, the native engine at the
 * pinned version, and build for the same Node.js major version as the zip function.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

const root = path.join(__dirname, '..', '..');
const dockerfile = fs.readFileSync(path.join(root, 'lambda', 'Dockerfile'), 'utf8');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Default values of the Dockerfile's ARGs. */
const args = Object.fromEntries([...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((match) => [match[1], match[2]]));
/** Packages the Dockerfile installs, with the version each resolves to. */
const installed = Object.fromEntries(
  [...dockerfile.matchAll(/"((?:@[\w-]+\/)?[\w.-]+)@\$\{(\w+)\}"/g)].map((match) => [match[1], args[match[2]]]),
);

function testedVersion(name: string): string {
  return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [root] }), 'utf8')).version;
}

test('installs exactly the runtime dependencies (except the AWS SDK, which Lambda provides) at the tested versions', () => {
  const runtimeDependencies = Object.keys(manifest.dependencies).filter((name) => !name.startsWith('@aws-sdk/'));
  expect(runtimeDependencies.length).toBeGreaterThan(0);
  for (const name of runtimeDependencies) {
    expect({ name, version: installed[name] }).toEqual({ name, version: testedVersion(name) });
  }
  expect(Object.keys(installed).sort()).toEqual([...runtimeDependencies, '@tensorflow/tfjs-node', 'esbuild'].sort());
});

test('installs @tensorflow/tfjs-node at the version package.json pins', () => {
  expect(installed['@tensorflow/tfjs-node']).toBe(manifest.optionalDependencies['@tensorflow/tfjs-node']);
});

test('bundles with the esbuild version the zip package is bundled with', () => {
  expect(installed.esbuild).toBe(testedVersion('esbuild'));
});

test('uses the Node.js major version of the zip function', () => {
  expect(`nodejs${args.NODE_MAJOR}.x`).toBe(lambda.Runtime.NODEJS_24_X.name);
});

test('leaves the AWS SDK and the native engine external, as the zip bundle does', () => {
  const esbuild = /esbuild inference\/index\.ts[^\n]*/.exec(dockerfile.replace(/\\\n\s*/g, ' '))?.[0] ?? '';
  expect(esbuild).toContain('--external:@aws-sdk/*');
  expect(esbuild).toContain('--external:@tensorflow/tfjs-node');
  expect(esbuild).toContain('--minify');
  expect(dockerfile).toMatch(/^CMD \["index\.handler"\]$/m);
});
