/**
 * The package as a consumer gets it (issue 8, "Package"): packed, installed offline into a plain CommonJS CDK app
 * with aws-cdk-lib and constructs only, and synthesized there without esbuild, TypeScript or Docker.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { buildSync } from 'esbuild';
import * as ts from 'typescript';
import { ConsumerApp, ROOT, buildConsumerApp } from './consumer-app';
import { LAMBDA_HANDLERS, LambdaHandlerName, handlerBuildOptions } from '../../lib/private/handler-bundles';

const HANDLERS = Object.keys(LAMBDA_HANDLERS) as LambdaHandlerName[];
const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let consumer: ConsumerApp;
let typeProblems: string[];
beforeAll(async () => {
  ({ app: consumer, result: typeProblems } = await buildConsumerApp(typeCheckConsumer));
  const { pack, seconds } = consumer;
  console.log(`package: ${pack.filename} ${pack.size} bytes, ${pack.unpackedSize} bytes unpacked, ${pack.entryCount} files; `
    + `pack (with the build) ${seconds.pack.toFixed(1)} s, offline install ${seconds.install.toFixed(1)} s, synth ${seconds.synth.toFixed(1)} s`);
}, 300_000);
afterAll(() => {
  if (consumer) fs.rmSync(path.dirname(consumer.directory), { recursive: true, force: true });
});

interface LambdaFunction {
  readonly id: string;
  readonly Handler: string;
  readonly Runtime: string;
  readonly PackageType?: string;
  readonly Code: { readonly ZipFile?: string; readonly S3Key?: string; readonly ImageUri?: unknown };
  readonly Environment?: { readonly Variables?: Record<string, unknown> };
}

function lambdaFunctions(): LambdaFunction[] {
  const template = JSON.parse(fs.readFileSync(path.join(consumer.assembly, 'Consumer.template.json'), 'utf8'));
  return Object.entries(template.Resources as Record<string, { Type: string; Properties: any }>)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([id, resource]) => ({ id, ...resource.Properties }));
}

function assetDirectory(fn: LambdaFunction): string {
  const key = fn.Code.S3Key;
  if (typeof key !== 'string' || !key.endsWith('.zip')) throw new Error(`${fn.id} has neither inline code nor a zip asset`);
  return path.join(consumer.assembly, `asset.${key.slice(0, -'.zip'.length)}`);
}

test('the consumer app can reach neither esbuild, TypeScript nor tsx', () => {
  for (const name of ['esbuild', 'typescript', 'tsx']) {
    expect(() => createRequire(path.join(consumer.directory, 'app.js')).resolve(name)).toThrow(/Cannot find module/);
  }
});

test('every Lambda function of the assembly has code that exports its handler', () => {
  const functions = lambdaFunctions();
  expect(functions.length).toBeGreaterThanOrEqual(HANDLERS.length);
  const nodeModules: Array<{ id: string; file: string; exported: string; env: Record<string, string> }> = [];
  for (const fn of functions) {
    if (fn.PackageType === 'Image') continue; // the container image, built at deploy: see its own test
    const [file, exported] = fn.Handler.split('.');
    if (fn.Code.ZipFile !== undefined) {
      expect({ id: fn.id, defines: fn.Code.ZipFile.includes(fn.Runtime.startsWith('python') ? `def ${exported}(` : exported) }).toEqual({ id: fn.id, defines: true });
      continue;
    }
    const directory = assetDirectory(fn);
    if (fn.Runtime.startsWith('python')) {
      expect({ id: fn.id, defines: fs.readFileSync(path.join(directory, `${file}.py`), 'utf8').includes(`def ${exported}(`) }).toEqual({ id: fn.id, defines: true });
      continue;
    }
    expect(fn.Runtime).toMatch(/^nodejs/);
    expect({ id: fn.id, bytes: fs.statSync(path.join(directory, `${file}.js`)).size > 0 }).toEqual({ id: fn.id, bytes: true });
    // Deploy-time values (references to other resources) are not known here; the handlers only check they are set.
    const env = Object.fromEntries(Object.entries(fn.Environment?.Variables ?? {})
      .map(([key, value]) => [key, typeof value === 'string' ? value : 'resolved-at-deploy']));
    nodeModules.push({ id: fn.id, file: path.join(directory, `${file}.js`), exported, env });
  }
  // Loaded the way the Lambda runtime does, in a new Node.js; the AWS SDK, which the runtime provides, from the checkout.
  const loader = `const results = {};
for (const { id, file, exported, env } of JSON.parse(process.argv[1])) {
  Object.assign(process.env, env);
  try { results[id] = typeof require(file)[exported]; } catch (error) { results[id] = String(error.message).split('\\n')[0]; }
}
process.stdout.write(JSON.stringify(results));`;
  const output = execFileSync(process.execPath, ['-e', loader, JSON.stringify(nodeModules)], {
    env: { PATH: process.env.PATH, NODE_PATH: path.join(ROOT, 'node_modules'), AWS_REGION: 'us-east-1', NODE_NO_WARNINGS: '1' },
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(JSON.parse(output)).toEqual(Object.fromEntries(nodeModules.map(({ id }) => [id, 'function'])));
});

test('every handler of the package is in the assembly, byte for byte the bundle the checkout builds from source', () => {
  const bundles = new Set(lambdaFunctions().filter((fn) => fn.Code.S3Key !== undefined && fn.Handler?.startsWith('index.'))
    .map((fn) => fs.readFileSync(path.join(assetDirectory(fn), 'index.js'), 'utf8')));
  for (const name of HANDLERS) {
    const shipped = fs.readFileSync(path.join(consumer.packageDirectory, 'dist', 'bundles', name, 'index.js'), 'utf8');
    const fromSource = buildSync({ ...handlerBuildOptions(name), write: false }).outputFiles.find((file) => file.path.endsWith('index.js'))!.text;
    expect({ name, sameAsSource: shipped === fromSource, inAssembly: bundles.has(shipped) }).toEqual({ name, sameAsSource: true, inAssembly: true });
  }
});

test('the installed tree is aws-cdk-lib, constructs and the package: no test-only library, no native download', () => {
  const tree = JSON.parse(execFileSync('npm', ['ls', '--omit=dev', '--all', '--json'], { cwd: consumer.directory, encoding: 'utf8' }));
  const names = new Set<string>();
  const walk = (node: { dependencies?: Record<string, any> }): void => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      names.add(name);
      walk(child);
    }
  };
  walk(tree);
  expect(Object.keys(tree.dependencies).sort()).toEqual(['aws-cdk-lib', 'cdk-sagemaker-image-classifier', 'constructs']);
  // Its only dependencies are the peers the app installed itself.
  expect(Object.keys(tree.dependencies['cdk-sagemaker-image-classifier'].dependencies ?? {}).sort()).toEqual(Object.keys(MANIFEST.peerDependencies).sort());
  const testOnly = Object.keys(MANIFEST.devDependencies).filter((name) => !(name in MANIFEST.peerDependencies));
  expect(testOnly).toContain('jest');
  expect([...names].filter((name) => testOnly.includes(name) || name.startsWith('@tensorflow/'))).toEqual([]);
});

test('the container image\'s build context in the assembly is the package\'s lambda/ folder', () => {
  const assets = JSON.parse(fs.readFileSync(path.join(consumer.assembly, 'Consumer.assets.json'), 'utf8'));
  const images = Object.values(assets.dockerImages ?? {}) as Array<{ source: { directory: string; dockerFile?: string } }>;
  expect(images).toHaveLength(1);
  const context = path.join(consumer.assembly, images[0].source.directory);
  expect(fs.readFileSync(path.join(context, images[0].source.dockerFile ?? 'Dockerfile'), 'utf8'))
    .toBe(fs.readFileSync(path.join(ROOT, 'lambda', 'Dockerfile'), 'utf8'));
  expect(fs.readFileSync(path.join(context, 'inference', 'index.ts'), 'utf8'))
    .toBe(fs.readFileSync(path.join(ROOT, 'lambda', 'inference', 'index.ts'), 'utf8'));
});

test('the package ships what synth and the container image need, and no tests', () => {
  const files = consumer.pack.files.map((file) => file.path);
  expect(files).toEqual(expect.arrayContaining([
    'LICENSE', 'README.md', 'package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/cli/index.js', 'lambda/Dockerfile', 'lambda/inference/index.ts',
    ...HANDLERS.map((name) => `dist/bundles/${name}/index.js`),
  ]));
  expect(files.filter((file) => /(^|\/)(test|bench|bin)\/|\.test\.|(^|\/)tsconfig/.test(file))).toEqual([]);
  // The container image's build context (lambda/) holds every module the inference handler imports.
  const context = path.join(consumer.packageDirectory, 'lambda');
  for (const file of fs.readdirSync(path.join(context, 'inference')).filter((name) => name.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(context, 'inference', file), 'utf8');
    for (const [, specifier] of source.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.resolve(context, 'inference', `${specifier}.ts`);
      expect({ file, specifier, inContext: target.startsWith(context + path.sep) && fs.existsSync(target) }).toEqual({ file, specifier, inContext: true });
    }
  }
});

test('every source map in the package points at shipped files or embeds its sources', () => {
  const maps = consumer.pack.files.map((file) => file.path).filter((file) => file.endsWith('.map'));
  expect(maps).toEqual(expect.arrayContaining(HANDLERS.map((name) => `dist/bundles/${name}/index.js.map`)));
  for (const map of maps) {
    const { sources, sourcesContent } = JSON.parse(fs.readFileSync(path.join(consumer.packageDirectory, map), 'utf8'));
    (sources as string[]).forEach((source, index) => {
      const shipped = fs.existsSync(path.resolve(consumer.packageDirectory, path.dirname(map), source));
      const embedded = typeof sourcesContent?.[index] === 'string';
      expect({ map, source, found: shipped || embedded }).toEqual({ map, source, found: true });
    });
  }
});

test('the package\'s bin is the bundled command line: it runs from the installed tarball with no dependency of its own', () => {
  expect(MANIFEST.bin).toEqual({ 'cdk-sagemaker-image-classifier': 'dist/cli/index.js' });
  const bin = path.join(consumer.directory, 'node_modules', '.bin', 'cdk-sagemaker-image-classifier');
  expect(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  // Run as a user runs it (the shebang, not `node <file>`), with PATH reaching node but not this checkout's modules.
  const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, NODE_NO_WARNINGS: '1' };
  const help = execFileSync(bin, ['--help'], { cwd: consumer.directory, env, encoding: 'utf8' });
  expect(help).toMatch(/^Usage: cdk-sagemaker-image-classifier \[options\] \[command\]/);
  expect(help).toContain('dataset');
  // The image code is in the bundle: a check of the committed mini dataset decodes its photos (and finds them too small).
  const check = spawnSync(bin, ['dataset', 'check', path.join(ROOT, 'test', 'fixtures', 'mini-dataset'), '--json'], { cwd: consumer.directory, env, encoding: 'utf8' });
  expect(check.status).toBe(1);
  expect(JSON.parse(check.stdout).classes.map((c: { name: string }) => c.name)).toEqual(['roses', 'tulips']);
  expect(JSON.parse(check.stdout).problems.map((p: { code: string }) => p.code)).toContain('IMAGE_FAR_TOO_SMALL');
});

/** Problems a strict TypeScript consumer of the installed package sees in its code or in the package's declarations. */
function typeCheckConsumer(app: ConsumerApp): string[] {
  const entry = path.join(app.directory, 'consumer.ts');
  fs.writeFileSync(entry, [
    "import { App, Stack } from 'aws-cdk-lib';",
    "import * as classifier from 'cdk-sagemaker-image-classifier';",
    "const stack = new Stack(new App(), 'Typed');",
    "const c = new classifier.ImageClassifier(stack, 'Classifier', { model: classifier.JumpStartModel.MOBILENET_V2_100_224 });",
    'export const url: string | undefined = c.inference.functionUrl?.url;',
    '',
  ].join('\n'));
  const program = ts.createProgram([entry], {
    strict: true, noEmit: true, skipLibCheck: false, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')],
  });
  const ours = program.getSourceFiles().filter((file) => file.fileName === entry.split(path.sep).join('/')
    || file.fileName.includes('/node_modules/cdk-sagemaker-image-classifier/'));
  if (!ours.some((file) => file.fileName.endsWith('/dist/lib/index.d.ts'))) return ['the program did not load dist/lib/index.d.ts'];
  return ours.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)])
    .map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

test('the declarations hide internals and type-check for a TypeScript consumer', () => {
  const declarations = consumer.pack.files.map((file) => file.path).filter((file) => file.endsWith('.d.ts'));
  expect(declarations).toContain('dist/lib/index.d.ts');
  for (const file of declarations) {
    const text = fs.readFileSync(path.join(consumer.packageDirectory, file), 'utf8');
    expect({ file, internal: /@internal|^\s*(?:(?:public|protected|private|readonly|static|abstract|get)\s+)*_\w+\s*[(:?<]/m.test(text) }).toEqual({ file, internal: false });
  }
  expect(typeProblems).toEqual([]);
});
