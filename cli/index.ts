// The package's `bin`: bundled into dist/cli/index.js (scripts/build.js), which adds the `#!/usr/bin/env node` line.
import { defaultIo } from './io';
import { main } from './main';

void main(process.argv.slice(2), defaultIo()).then((code) => {
  process.exitCode = code;
});
