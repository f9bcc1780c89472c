// The package's `bin`: bundled into dist/cli/index.js (scripts/build.js), which adds the `#!/usr/bin/env node` line.
import { defaultIo } from './io';
import { main } from './main';

// Ctrl-C: show the cursor again (a progress bar hides it while drawing) and end with the shell's code for SIGINT.
// An interrupted push loses nothing: run again, it uploads only what is missing.
process.once('SIGINT', () => {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\n');
  process.stderr.write('Interrupted.\n');
  process.exit(130);
});

void main(process.argv.slice(2), defaultIo()).then((code) => {
  process.exitCode = code;
});
