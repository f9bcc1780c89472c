/**
 * lambda/Dockerfile cannot be built here (no Docker), so its inputs are checked against the package instead: it
 * must install every package the inference handler's bundle needs (inlined when it is built, or left external and
 * required at run time; the AWS SDK comes with the runtime), at the version this package is tested with, the native
 * engine at the matching tfjs version, and build for the same Node.js major version as the zip function.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { LAMBDA_HANDLERS, handlerBuildOptions } from '../../lib/private/handler-bundles';

const root = path.join(__dirname, '..', '..');
const dockerfile = fs.readFileSync(path.join(root, 'lambda', 'Dockerfile'), 'utf8');

/** Default values of the Dockerfile's ARGs. */
const args = Object.fromEntries([...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((match) => [match[1], match[2]]));
/** Packages the Dockerfile installs, with the version each resolves to. */
const installed = Object.fromEntries(
  [...dockerfile.matchAll(/"((?:@[\w-]+\/)?[\w.-]+)@\$\{(\w+)\}"/g)].map((match) => [match[1], args[match[2]]]),
);

function testedVersion(name: string): string {
  return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [root] }), 'utf8')).version;
}

/** The npm packages the inference handler's own modules import and its bundle inlines (their dependencies come
 * with them), from esbuild's own account of the bundle's inputs. */
function bundledPackages(): string[] {
  const { metafile } = buildSync({ ...handlerBuildOptions('inference/index'), write: false, metafile: true, logLevel: 'silent' });
  const packageOf = (file: string) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
  const names = Object.entries(metafile!.inputs)
    .filter(([file]) => packageOf(file) === undefined)
    .flatMap(([, input]) => input.imports.map((imported) => packageOf(imported.path)))
    .filter((name): name is string => name !== undefined);
  return [...new Set(names)].sort();
}

test('installs exactly the packages the inference bundle inlines or requires at run time, at the tested versions', () => {
  const external = LAMBDA_HANDLERS['inference/index'].external.filter((name) => name !== '@tensorflow/tfjs-node');
  const needed = [...new Set([...bundledPackages(), ...external])];
  expect(needed).toContain('@tensorflow/tfjs-core');
  for (const name of needed) {
    expect({ name, version: installed[name] }).toEqual({ name, version: testedVersion(name) });
  }
  expect(Object.keys(installed).sort()).toEqual([...needed, '@tensorflow/tfjs-node', 'esbuild'].sort());
});

test('installs @tensorflow/tfjs-node at the version of the tfjs packages it stands in for', () => {
  expect(installed['@tensorflow/tfjs-node']).toBe(testedVersion('@tensorflow/tfjs-core'));
});

test('bundles with the esbuild version the zip package is bundled with', () => {
  expect(installed.esbuild).toBe(testedVersion('esbuild'));
});

test('uses the Node.js major version of the zip function', () => {
  expect(`nodejs${args.NODE_MAJOR}.x`).toBe(lambda.Runtime.NODEJS_24_X.name);
});

test('leaves the AWS SDK and the native engine external, as the zip bundle does', () => {
  const esbuild = /esbuild inference\/index\.ts[^\n]*/.exec(dockerfile.replace(/\\\n\s*/g, ' '))?.[0] ?? '';
  for (const external of handlerBuildOptions('inference/index').external!) expect(esbuild).toContain(`--external:${external}`);
  expect(LAMBDA_HANDLERS['inference/index'].external).toContain('@tensorflow/tfjs-node');
  expect(esbuild).toContain('--minify');
  expect(dockerfile).toMatch(/^CMD \["index\.handler"\]$/m);
});
