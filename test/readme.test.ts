import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { CONTEXT_KEYS, CONTEXT_PREFIX } from '../lib/app-context';

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const PACKAGE = 'cdk-sagemaker-image-classifier';

/** The README's TypeScript examples, with the package import pointed at this checkout's lib/. */
function examples(): string[] {
  return [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
}

describe('README', () => {
  // Inside the checkout, so that the examples resolve aws-cdk-lib from its node_modules (git ignores the folder).
  fs.mkdirSync(path.join(ROOT, '.readme-examples'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, '.readme-examples', 'run-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = examples().map((code, index) => {
    const file = path.join(dir, `example-${index + 1}.ts`);
    fs.writeFileSync(file, code.split(`'${PACKAGE}'`).join(`'${path.join(ROOT, 'lib')}'`));
    return file;
  });

  test('has TypeScript examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  test('every TypeScript example type-checks against the library', () => {
    const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const options = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
    const program = ts.createProgram(files, { ...options, noEmit: true, noUnusedLocals: false, isolatedModules: false, types: ['node'] });
    const diagnostics = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.includes(path.resolve(d.file.fileName)))
      .map((d) => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(diagnostics).toEqual([]);
  });

  test('every TypeScript example runs: its constructs accept the props it shows', () => {
    for (const file of files) {
      const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
      const jsFile = file.replace(/\.ts$/, '.js');
      fs.writeFileSync(jsFile, js.outputText);
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        expect(() => require(jsFile)).not.toThrow();
      } finally {
        log.mockRestore();
      }
    }
  });

  test('documents every cdk.json context key the app reads', () => {
    for (const key of Object.keys(CONTEXT_KEYS)) {
      expect(README).toContain(`\`${CONTEXT_PREFIX}${key}\``);
    }
  });

  test('shows the two quick-start commands', () => {
    expect(README).toContain('npm ci && npx cdk synth');
    expect(README).toContain('npm ci && npm test');
  });
});
