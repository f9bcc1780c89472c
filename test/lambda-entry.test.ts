import * as fs from 'fs';
import * as path from 'path';
import { LAMBDA_HANDLERS, LambdaHandlerName, handlerSource } from '../lib/private/handler-bundles';

test('every listed handler has its TypeScript source in the checkout', () => {
  for (const name of Object.keys(LAMBDA_HANDLERS) as LambdaHandlerName[]) {
    expect(handlerSource(name)).toBe(path.join(__dirname, '..', 'lambda', `${name}.ts`));
    expect(fs.existsSync(handlerSource(name))).toBe(true);
  }
});
