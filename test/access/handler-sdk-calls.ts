/**
 * The AWS SDK operations a Lambda handler of this package can call: its module and every module it imports
 * (relative imports, followed), scanned for the commands it constructs (`new GetObjectCommand(`) and the paginators
 * it runs (`paginateListModels(`), each paired with the `@aws-sdk/client-*` package it was imported from.
 * The TypeScript compiler API would be exact for aliased imports; this package imports commands by name, and the
 * scan refuses a module that renames one, so a regular expression over the sources is enough.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface SdkCall {
  /** `s3`, `sagemaker`, `sagemaker-runtime`, `sfn`, `application-auto-scaling` (the client package's suffix) */
  readonly client: string;
  /** The operation, e.g. `GetObject` */
  readonly operation: string;
  /** The module that calls it, relative to the repository. */
  readonly module: string;
}

const LAMBDA_ROOT = path.join(__dirname, '..', '..', 'lambda');

/** Every SDK operation the handler whose entry is `lambda/<entry>.ts` may call. */
export function sdkCallsOf(entry: string): SdkCall[] {
  const calls = new Map<string, SdkCall>();
  const visited = new Set<string>();
  const visit = (file: string) => {
    if (visited.has(file)) return;
    visited.add(file);
    const source = fs.readFileSync(file, 'utf8');
    const module = path.relative(path.join(LAMBDA_ROOT, '..'), file);
    const imported = new Map<string, string>();
    for (const match of source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
      const [, names, from] = match;
      if (from.startsWith('.')) {
        visit(resolveModule(path.dirname(file), from));
        continue;
      }
      const client = from.match(/^@aws-sdk\/client-(.+)$/)?.[1];
      if (!client) continue;
      for (const name of names.split(',').map((n) => n.trim()).filter(Boolean)) {
        if (/\sas\s/.test(name)) throw new Error(`${module} renames an SDK import (${name}); the access proof's scan needs the SDK's names`);
        imported.set(name.replace(/^type\s+/, ''), client);
      }
    }
    for (const [name, client] of imported) {
      const command = name.match(/^(\w+)Command$/)?.[1];
      const paginator = name.match(/^paginate(\w+)$/)?.[1];
      const used = command ? new RegExp(`new\\s+${name}\\s*\\(`).test(source) : paginator ? new RegExp(`\\b${name}\\s*\\(`).test(source) : false;
      const operation = command ?? paginator;
      if (operation && used) calls.set(`${client}:${operation}:${module}`, { client, operation, module });
    }
  };
  visit(path.join(LAMBDA_ROOT, `${entry}.ts`));
  return [...calls.values()];
}

function resolveModule(directory: string, specifier: string): string {
  const base = path.join(directory, specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot resolve import '${specifier}' from ${directory}`);
}
