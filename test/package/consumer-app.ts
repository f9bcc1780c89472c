/**
 * A consumer's CDK app, outside this checkout: `npm pack` of the package (which runs `prepare`, the build), the
 * tarball installed into a new folder next to aws-cdk-lib and constructs only, and a CommonJS app synthesized there
 * with plain `node`. The install is `npm ci --offline`: every package comes from the npm cache that `npm ci` of this
 * repository filled, at the versions its package-lock.json pins (a fresh CI machine has nothing else).
 */
import { execFile, execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** What `npm pack --json` reports about the tarball. */
export interface PackReport {
  readonly filename: string;
  /** tarball bytes */
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: ReadonlyArray<{ readonly path: string; readonly size: number }>;
}

export interface ConsumerApp {
  readonly directory: string;
  readonly tarball: string;
  readonly pack: PackReport;
  /** The installed package's folder. */
  readonly packageDirectory: string;
  /** The cloud assembly the app synthesized. */
  readonly assembly: string;
  /** Seconds per step. */
  readonly seconds: Readonly<Record<'pack' | 'install' | 'synth', number>>;
}

/** Settings that `npm test` passes down to its scripts and that this npm keeps: where the cache and registry are. */
const KEPT_NPM_SETTINGS = /^npm_config_(cache|registry|userconfig|globalconfig)$/i;

/** npm without the rest of those settings (the package and prefix of the checkout, the running script). */
function npm(args: string[], cwd: string): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || KEPT_NPM_SETTINGS.test(key)));
  return execFileSync(NPM, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

function timed<T>(seconds: Record<string, number>, step: string, run: () => T): T {
  const started = process.hrtime.bigint();
  try {
    return run();
  } finally {
    seconds[step] = Number(process.hrtime.bigint() - started) / 1e9;
  }
}

/**
 * The consumer's package-lock.json: aws-cdk-lib and constructs with everything they need, copied from this
 * repository's lock (so `npm ci --offline` finds each in the cache by its integrity), and the tarball.
 */
function consumerLock(tarballSpec: string, tarball: string,
  manifest: { name: string; version: string; license: string; peerDependencies: object; bin?: Record<string, string> }) {
  const repoLock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, any> };
  const packages: Record<string, any> = {};
  /** Node's lookup from `from`: its own node_modules, then each enclosing one. */
  const locate = (from: string, name: string): string => {
    for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
      const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (repoLock.packages[key]) return key;
      if (!dir) throw new Error(`package-lock.json has no ${name} for ${from}`);
    }
  };
  const add = (key: string): void => {
    if (packages[key]) return;
    const { dev, devOptional, peer, ...entry } = repoLock.packages[key];
    packages[key] = entry;
    for (const name of Object.keys(entry.dependencies ?? {})) add(locate(key, name));
  };
  add('node_modules/aws-cdk-lib');
  add('node_modules/constructs');
  for (const key of Object.keys(repoLock.packages)) if (key.startsWith('node_modules/aws-cdk-lib/node_modules/')) add(key);
  const dependencies = {
    'aws-cdk-lib': packages['node_modules/aws-cdk-lib'].version,
    'constructs': packages['node_modules/constructs'].version,
    [manifest.name]: tarballSpec,
  };
  packages[`node_modules/${manifest.name}`] = {
    version: manifest.version,
    resolved: tarballSpec,
    integrity: `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`,
    license: manifest.license,
    peerDependencies: manifest.peerDependencies,
    // npm ci links node_modules/.bin/<command> from the lock's entry, as a registry install would.
    ...(manifest.bin ? { bin: manifest.bin } : {}),
  };
  const root = { name: 'consumer-app', version: '1.0.0', dependencies };
  return { manifest: { ...root, private: true }, lock: { ...root, lockfileVersion: 3, requires: true, packages: { '': root, ...packages } } };
}

/**
 * A CommonJS CDK app using the package: every handler of the package appears (inbox, new-data trigger, cleanup), and
 * an inference function packaged as a container image (its Docker build context is in the package).
 */
const APP = `const { App, Stack } = require('aws-cdk-lib');
const kms = require('aws-cdk-lib/aws-kms');
const s3 = require('aws-cdk-lib/aws-s3');
const { ImageClassifier, InferenceFunction, InferencePackaging } = require('cdk-sagemaker-image-classifier');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Consumer');
const inbox = new s3.Bucket(stack, 'Inbox', { enforceSSL: true });
new ImageClassifier(stack, 'Classifier', {
  encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
  retraining: { retrainOnNewData: true },
  inference: { inbox: { bucket: inbox, prefix: 'inbox/' } },
});
new InferenceFunction(stack, 'ContainerInference', {
  endpointName: 'consumer-endpoint', imageSize: 224, packaging: InferencePackaging.containerImage(),
});
app.synth();
`;

/**
 * Packs the package, installs it into a new app folder under the system's temporary folder and synthesizes.
 * `whileSynthesizing` runs meanwhile, in this process (synth runs in its own): the two take turns on no core.
 */
export async function buildConsumerApp<T>(whileSynthesizing: (app: ConsumerApp) => T): Promise<{ app: ConsumerApp; result: T }> {
  const seconds: Record<string, number> = {};
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-app-'));
  const packed = path.join(directory, 'packed');
  fs.mkdirSync(packed);
  const report = timed(seconds, 'pack', () => npm(['pack', '--json', '--pack-destination', packed], ROOT));
  const pack = (JSON.parse(report.slice(report.indexOf('['))) as PackReport[])[0];
  const tarball = path.join(packed, pack.filename);

  const app = path.join(directory, 'app');
  fs.mkdirSync(app);
  const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  const install = consumerLock(`file:../packed/${pack.filename}`, tarball, manifest);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(install.manifest, null, 2));
  fs.writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(install.lock, null, 2));
  fs.writeFileSync(path.join(app, 'app.js'), APP);
  timed(seconds, 'install', () => npm(['ci', '--offline', '--no-audit', '--no-fund'], app));

  const assembly = path.join(app, 'cdk.out');
  const started = process.hrtime.bigint();
  const synth = new Promise<void>((resolve, reject) => {
    execFile(process.execPath, ['app.js', assembly], { cwd: app, env: { PATH: process.env.PATH, HOME: process.env.HOME } }, (error, _stdout, stderr) => {
      seconds.synth = Number(process.hrtime.bigint() - started) / 1e9;
      if (error) reject(new Error(`the consumer app failed to synthesize: ${stderr || error.message}`));
      else resolve();
    });
  });
  const consumer: ConsumerApp = {
    directory: app, tarball, pack, assembly, packageDirectory: path.join(app, 'node_modules', manifest.name),
    seconds: seconds as ConsumerApp['seconds'],
  };
  const result = whileSynthesizing(consumer);
  await synth;
  return { app: consumer, result };
}
