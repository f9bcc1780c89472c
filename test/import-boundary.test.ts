/**
 * The boundary between the constructs and the Lambda handlers, enforced on every TypeScript file of bin/, lib/ and
 * lambda/ (imports read with the TypeScript compiler's parser, so comments and strings never count):
 *
 * - lambda/image/ is the image code (decode, orient, resize, encode) that the inference handler, the command line and
 *   the bench share: it imports its own folder, lambda/shared/ and npm packages other than aws-cdk-lib and constructs.
 *   Handlers may import it; the constructs never run it.
 * - lambda/shared/ holds what both sides share. Its modules are pure: they import only each other and the Node.js
 *   modules listed in SHARED_NODE_MODULES, and use no Node.js-only global beyond SHARED_NODE_GLOBALS.
 * - a handler (lambda/<name>/) imports its own folder, lambda/shared/, lambda/image/ and npm packages other than aws-cdk-lib and
 *   constructs; never lib/ nor another handler's folder.
 * - lib/ and bin/ import lib/, lambda/shared/ and npm packages; never a handler's own modules.
 * - cli/ (the command line) imports its own folder, lambda/image/, lambda/shared/ and npm packages other than
 *   aws-cdk-lib and constructs; never lib/ nor a handler's folder. Nothing outside cli/ imports it.
 *
 * And, from esbuild's own account of each pre-bundled handler (lib/private/handler-bundles.ts) and of the command
 * line's bundle (scripts/cli-bundle.js), no bundle holds or requires aws-cdk-lib, constructs, or anything from lib/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import * as ts from 'typescript';
import { handlerBuildOptions, LAMBDA_HANDLERS, LambdaHandlerName } from '../lib/private/handler-bundles';

const ROOT = path.join(__dirname, '..');
const SHARED = 'lambda/shared';
/** Code several handlers (and the command line) use, which the constructs never run. */
const IMAGE = 'lambda/image';
/** The command line. */
const CLI = 'cli';
/** Node.js modules the shared modules may import: deterministic computation only. */
const SHARED_NODE_MODULES: readonly string[] = ['crypto'];
/** Node.js-only globals a shared module may use, by file, with the reason. */
const SHARED_NODE_GLOBALS: Readonly<Record<string, readonly string[]>> = {
  // The logger's default sink writes whole lines to stdout: the Lambda runtime's console.log would prefix each JSON
  // line with its own fields. Only handlers create loggers; the constructs never run this code.
  'lambda/shared/log.ts': ['process'],
};
const NODE_GLOBALS = ['process', 'Buffer', '__dirname', '__filename', 'require', 'module', 'global', 'exports'];
const CDK_PACKAGES = ['aws-cdk-lib', 'constructs'];
const NODE_BUILTINS = new Set(require('module').builtinModules as string[]);

/** Where a file sits with respect to the boundary. */
type Area = { readonly kind: 'lib' } | { readonly kind: 'shared' } | { readonly kind: 'image' } | { readonly kind: 'cli' }
  | { readonly kind: 'handler'; readonly name: string } | { readonly kind: 'other' };

function areaOf(file: string): Area {
  if (file.startsWith('lib/') || file.startsWith('bin/')) return { kind: 'lib' };
  if (file.startsWith(`${SHARED}/`)) return { kind: 'shared' };
  if (file.startsWith(`${IMAGE}/`)) return { kind: 'image' };
  if (file.startsWith(`${CLI}/`)) return { kind: 'cli' };
  const handler = /^lambda\/([^/]+)\//.exec(file);
  return handler ? { kind: 'handler', name: handler[1] } : { kind: 'other' };
}

/** The module specifiers `text` imports, exports from, requires or imports dynamically or in a type. */
function importsOf(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)
      && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword
      || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const [argument] = node.arguments;
      // A computed specifier cannot be checked here; the bundle check below still sees what it loads.
      if (argument && ts.isStringLiteralLike(argument)) found.push(argument.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Node.js-only globals `text` refers to (identifiers that are neither property names nor declared names). */
function nodeGlobalsOf(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && NODE_GLOBALS.includes(node.text)) {
      const parent = node.parent;
      const isPropertyName = (ts.isPropertyAccessExpression(parent) && parent.name === node)
        || ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent)) && parent.name === node);
      const isDeclaration = (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent)) && parent.name === node;
      if (!isPropertyName && !isDeclaration) found.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found];
}

function packageName(specifier: string): string {
  const bare = specifier.replace(/^node:/, '');
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every boundary violation of `file` (relative to the repository root, `/`-separated) with source `text`. */
function boundaryViolations(file: string, text: string): string[] {
  const area = areaOf(file);
  const problems: string[] = [];
  for (const specifier of importsOf(file, text)) {
    const at = `${file} imports '${specifier}'`;
    if (specifier.startsWith('.')) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const targetArea = areaOf(`${target}/`);
      if (area.kind === 'shared' && targetArea.kind !== 'shared') {
        problems.push(`${at} (${target}): a module of ${SHARED}/ may import only other modules of ${SHARED}/`);
      } else if (area.kind === 'handler' && targetArea.kind === 'lib') {
        problems.push(`${at} (${target}): a handler never imports lib/; move what both need to ${SHARED}/`);
      } else if (area.kind === 'handler' && targetArea.kind === 'handler' && targetArea.name !== area.name) {
        problems.push(`${at} (${target}): a handler imports only its own folder and ${SHARED}/; move what both need to ${SHARED}/`);
      } else if (area.kind === 'image' && (targetArea.kind === 'lib' || targetArea.kind === 'handler')) {
        problems.push(`${at} (${target}): a module of ${IMAGE}/ imports only its own folder and ${SHARED}/`);
      } else if (area.kind === 'lib' && targetArea.kind === 'image') {
        problems.push(`${at} (${target}): constructs never run the image code of ${IMAGE}/`);
      } else if (area.kind === 'cli' && (targetArea.kind === 'lib' || targetArea.kind === 'handler')) {
        problems.push(`${at} (${target}): the command line imports only ${CLI}/, ${IMAGE}/, ${SHARED}/ and npm packages; move what it needs to ${SHARED}/`);
      } else if (area.kind !== 'cli' && area.kind !== 'other' && targetArea.kind === 'cli') {
        problems.push(`${at} (${target}): nothing outside ${CLI}/ imports the command line`);
      } else if (area.kind === 'lib' && targetArea.kind === 'handler') {
        problems.push(`${at} (${target}): constructs never import a handler's modules; move what both need to ${SHARED}/`);
      }
      continue;
    }
    const name = packageName(specifier);
    if (area.kind === 'shared' && !SHARED_NODE_MODULES.includes(name)) {
      problems.push(`${at}: a module of ${SHARED}/ imports no package (no aws-cdk-lib, no AWS SDK), only the Node.js modules ${SHARED_NODE_MODULES.join(', ')}`);
    } else if ((area.kind === 'handler' || area.kind === 'image') && CDK_PACKAGES.includes(name)) {
      problems.push(`${at}: a handler never imports ${name}, which would end up in its bundle`);
    } else if (area.kind === 'cli' && CDK_PACKAGES.includes(name)) {
      problems.push(`${at}: the command line never imports ${name}, which would end up in its bundle (the package has no runtime dependency)`);
    }
  }
  if (area.kind === 'shared') {
    const allowed = SHARED_NODE_GLOBALS[file] ?? [];
    for (const name of nodeGlobalsOf(file, text).filter((global) => !allowed.includes(global))) {
      problems.push(`${file} uses the Node.js global '${name}': a module of ${SHARED}/ stays pure (pass what it needs in, or list it in SHARED_NODE_GLOBALS with the reason)`);
    }
  }
  return problems;
}

function typeScriptFiles(directory: string): string[] {
  return fs.readdirSync(path.join(ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${directory}/${entry.name}`;
    if (entry.isDirectory()) return typeScriptFiles(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

describe('the import boundary', () => {
  const files = ['bin', 'lib', 'lambda', 'cli'].flatMap(typeScriptFiles);

  test('holds for every TypeScript file of bin/, lib/, lambda/ and cli/', () => {
    expect(files.filter((file) => areaOf(file).kind === 'cli').length).toBeGreaterThan(0);
    expect(files.filter((file) => file.startsWith(`${SHARED}/`)).length).toBeGreaterThan(0);
    expect(files.filter((file) => areaOf(file).kind === 'handler').length).toBeGreaterThan(0);
    const violations = files.flatMap((file) => boundaryViolations(file, fs.readFileSync(path.join(ROOT, file), 'utf8')));
    expect(violations).toEqual([]);
  });

  test('every folder under lambda/ is a handler of LAMBDA_HANDLERS, the shared folder or the image folder', () => {
    const folders = fs.readdirSync(path.join(ROOT, 'lambda'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    const handlerFolders = new Set(Object.keys(LAMBDA_HANDLERS).map((name) => name.split('/')[0]));
    const libraries = [SHARED, IMAGE].map((folder) => path.posix.basename(folder));
    expect(folders.filter((folder) => !libraries.includes(folder) && !handlerFolders.has(folder))).toEqual([]);
  });

  test.each<[string, string, string, string]>([
    ['a handler importing lib/', 'lambda/pipeline/x.ts', "import { a } from '../../lib/algorithm/jumpstart-model';", "a handler never imports lib/"],
    ['a handler importing another handler', 'lambda/cleanup/x.ts', "import type { Logger } from '../inference/handler';", 'a handler imports only its own folder'],
    ['a handler requiring aws-cdk-lib', 'lambda/cleanup/x.ts', "const cdk = require('aws-cdk-lib');", 'a handler never imports aws-cdk-lib'],
    ['a handler importing constructs in a type', 'lambda/cleanup/x.ts', "let c: import('constructs').Construct;", 'a handler never imports constructs'],
    ['a construct importing a handler module', 'lib/serving/x.ts', "export { sweep } from '../../lambda/cleanup/sweep';", "constructs never import a handler's modules"],
    ['the app importing a handler module', 'bin/x.ts', "import '../lambda/inference/handler';", "constructs never import a handler's modules"],
    ['a shared module importing a handler', 'lambda/shared/x.ts', "import { a } from '../pipeline/prepare-run';", 'may import only other modules of lambda/shared/'],
    ['a shared module importing lib/', 'lambda/shared/x.ts', "import x = require('../../lib/private/nag');", 'may import only other modules of lambda/shared/'],
    ['a shared module importing the AWS SDK', 'lambda/shared/x.ts', "import { S3Client } from '@aws-sdk/client-s3';", 'imports no package'],
    ['a shared module importing aws-cdk-lib lazily', 'lambda/shared/x.ts', "const m = () => import('aws-cdk-lib');", 'imports no package'],
    ['a shared module reading the environment', 'lambda/shared/x.ts', 'export const region = process.env.AWS_REGION;', "uses the Node.js global 'process'"],
    ['a construct importing the image code', 'lib/inference/x.ts', "import { preprocessImage } from '../../lambda/image/preprocess';", 'constructs never run the image code'],
    ['the image code importing a handler', 'lambda/image/x.ts', "import { InferenceError } from '../inference/inference-error';", 'imports only its own folder'],
    ['the image code importing aws-cdk-lib', 'lambda/image/x.ts', "import { Stack } from 'aws-cdk-lib';", 'never imports aws-cdk-lib'],
    ['the command line importing lib/', 'cli/x.ts', "import { MODEL_CATALOG } from '../lib/private/model-catalog';", 'the command line imports only'],
    ['the command line importing a handler', 'cli/commands/x.ts', "import { parseRequest } from '../../lambda/inference/request';", 'the command line imports only'],
    ['the command line importing aws-cdk-lib', 'cli/x.ts', "import { Stack } from 'aws-cdk-lib';", 'the command line never imports aws-cdk-lib'],
    ['a construct importing the command line', 'lib/x.ts', "import { main } from '../cli/main';", 'nothing outside cli/ imports the command line'],
    ['a handler importing the command line', 'lambda/cleanup/x.ts', "import { CliError } from '../../cli/errors';", 'nothing outside cli/ imports the command line'],
  ])('names the offending import: %s', (_case, file, text, expected) => {
    const violations = boundaryViolations(file, text);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain(file);
    expect(violations[0]).toContain(expected);
  });

  test.each<[string, string, string]>([
    ['a handler importing shared', 'lambda/cleanup/x.ts', "import { createLogger } from '../shared/log';"],
    ['a handler importing its own modules and the AWS SDK', 'lambda/cleanup/x.ts', "import { sweep } from './sweep';\nimport { SageMakerClient } from '@aws-sdk/client-sagemaker';"],
    ['a handler importing the image code', 'lambda/inference/x.ts', "import { preprocessImage } from '../image/preprocess';"],
    ['the command line importing its folder, the image code, shared and the AWS SDK', 'cli/commands/x.ts',
      "import { CliError } from '../errors';\nimport { normaliseImage } from '../../lambda/image/normalise';\nimport { STACK_OUTPUTS } from '../../lambda/shared/stack-outputs';\nimport { S3Client } from '@aws-sdk/client-s3';"],
    ['a construct importing shared', 'lib/serving/x.ts', "import { runId } from '../../lambda/shared/sagemaker-names';"],
    ['a shared module importing crypto and shared', 'lambda/shared/x.ts', "import { createHash } from 'node:crypto';\nimport { a } from './log';\nconst o = { process: 1 }; o.process;"],
    ['an import path in a comment or a string', 'lambda/cleanup/x.ts', "// import '../../lib/x';\nconst s = \"from '../../lib/x'\";"],
  ])('lets through what the boundary allows: %s', (_case, file, text) => {
    expect(boundaryViolations(file, text)).toEqual([]);
  });
});

describe('the handler bundles', () => {
  test.each(Object.keys(LAMBDA_HANDLERS) as LambdaHandlerName[])('%s holds and requires no aws-cdk-lib, constructs or lib/ module', (name) => {
    const { metafile } = buildSync({ ...handlerBuildOptions(name), write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(metafile!.inputs);
    expect(inputs.some((input) => input.startsWith(`lambda/${name.split('/')[0]}/`))).toBe(true);
    const cdk = new RegExp(`(^|/)node_modules/(${CDK_PACKAGES.join('|')})/`);
    expect(inputs.filter((input) => cdk.test(input) || input.startsWith('lib/'))).toEqual([]);
    const required = Object.values(metafile!.outputs).flatMap((output) => output.imports.map((imported) => imported.path));
    expect(required.filter((specifier) => CDK_PACKAGES.includes(packageName(specifier)))).toEqual([]);
  });
});

describe('the command line bundle', () => {
  test('holds and requires no aws-cdk-lib, constructs or lib/ module, and holds the parser, the bar and the SDK clients', () => {
    // scripts/ is JavaScript, outside the TypeScript project.
    const { cliBuildOptions } = require('../scripts/cli-bundle') as { cliBuildOptions(outfile: string): Parameters<typeof buildSync>[0] };
    const { metafile } = buildSync({ ...cliBuildOptions(path.join(ROOT, 'cdk.out', 'cli-boundary.js')), write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(metafile!.inputs);
    const cdk = new RegExp(`(^|/)node_modules/(${CDK_PACKAGES.join('|')})/`);
    expect(inputs.filter((input) => cdk.test(input) || input.startsWith('lib/') || /^lambda\/(?!image\/|shared\/)/.test(input))).toEqual([]);
    for (const bundled of ['commander', 'cli-progress', 'cli-table3', '@aws-sdk/client-s3', '@aws-sdk/client-cloudformation']) {
      expect({ bundled, present: inputs.some((input) => input.startsWith(`node_modules/${bundled}/`)) }).toEqual({ bundled, present: true });
    }
    const required = Object.values(metafile!.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((imported) => imported.path));
    expect(required.filter((specifier) => !specifier.startsWith('node:') && !NODE_BUILTINS.has(packageName(specifier)) && !specifier.startsWith('@tensorflow/'))).toEqual([]);
  });
});
