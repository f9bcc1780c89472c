import * as fs from 'fs';
import * as path from 'path';

/**
 * The entry file of one of this package's Lambda handlers, for NodejsFunction: the TypeScript source in a checkout
 * of this repository (`lambda/<name>.ts`), or the compiled JavaScript next to the compiled library in the published
 * package (`dist/lambda/<name>.js`). `name` is relative to `lambda/`, without extension, e.g. `pipeline/index`.
 */
export function lambdaEntry(name: string): string {
  // This file is lib/private/lambda-entry.ts in the repository, dist/lib/private/lambda-entry.js in the package;
  // either way the handlers are in ../../lambda.
  const base = path.join(__dirname, '..', '..', 'lambda', name);
  for (const extension of ['.ts', '.js']) {
    if (fs.existsSync(base + extension)) return base + extension;
  }
  throw new Error(`Lambda handler ${name} is missing: neither ${base}.ts nor ${base}.js exists (is the package installed completely?)`);
}
