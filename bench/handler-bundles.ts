/**
 * Size of every Lambda handler's bundle, built with the options the package build and synth use
 * (lib/private/handler-bundles.ts): the minified JavaScript (the source map, which embeds the sources, aside) and its
 * gzip size. `npm run bench` prints it first; alone: `node --require ts-node/register/transpile-only bench/handler-bundles.ts`.
 */
import { gzipSync } from 'zlib';
import { buildSync } from 'esbuild';
import { LAMBDA_HANDLERS, LambdaHandlerName, handlerBuildOptions } from '../lib/private/handler-bundles';

export interface BundleSize {
  readonly name: LambdaHandlerName;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export function handlerBundleSizes(): BundleSize[] {
  return (Object.keys(LAMBDA_HANDLERS) as LambdaHandlerName[]).map((name) => {
    const result = buildSync({ ...handlerBuildOptions(name), write: false });
    const code = result.outputFiles.find((file) => file.path.endsWith('.js'))!.contents;
    return { name, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
  });
}

export function printHandlerBundleSizes(): void {
  console.log('Lambda handler bundles (minified JavaScript without its source map; gzip -9):');
  for (const size of handlerBundleSizes()) {
    console.log(`  ${size.name.padEnd(26)} ${(size.bytes / 1024).toFixed(1).padStart(7)} KiB, gzip ${(size.gzipBytes / 1024).toFixed(1).padStart(6)} KiB`);
  }
}

if (require.main === module) printHandlerBundleSizes();
