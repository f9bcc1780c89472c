/**
 * Runs the bundled command line (as the package ships it) in a real pseudo-terminal: util-linux `script`, or tmux
 * where `script` is missing. Shared by the terminal tests of the dataset and predict commands.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';

// scripts/ is JavaScript, outside the TypeScript project.
const { cliBuildOptions } = require('../../scripts/cli-bundle') as { cliBuildOptions(outfile: string): Parameters<typeof buildSync>[0] };

export const COLUMNS = 100;
export type Runner = 'script' | 'tmux';
const available = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
export const RUNNER: Runner | undefined = process.env.TERMINAL_TEST_RUNNER === 'tmux' && available('tmux', ['-V']) ? 'tmux'
  : available('script', ['--version']) ? 'script' : available('tmux', ['-V']) ? 'tmux' : undefined;
if (RUNNER === undefined) {
  console.warn('terminal test SKIPPED: neither `script` (util-linux) nor `tmux` is installed; apt-get install -y bsdutils or tmux');
}
export const describeInTerminal = RUNNER ? describe : describe.skip;

/** Bundles the command line into `outfile` (unminified, so a failure's transcript is readable). */
export function buildCliBundle(outfile: string): void {
  buildSync({ ...cliBuildOptions(outfile), minify: false });
}

/**
 * Runs `args` of the bundled command line (`bundle`) in a pseudo-terminal of COLUMNS×40 and resolves with the raw
 * transcript; `root` is a scratch folder (tmux writes its log there).
 */
export function inTerminal(bundle: string, root: string, args: readonly string[]): Promise<{ code: number; transcript: string }> {
  const command = [process.execPath, bundle, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const env = { ...process.env, TERM: 'xterm-256color', NODE_NO_WARNINGS: '1' };
  if (RUNNER === 'script') {
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-q', '-e', '-c', `stty cols ${COLUMNS} rows 40; ${command}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let transcript = '';
      child.stdout.on('data', (chunk: Buffer) => { transcript += chunk.toString('utf8'); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, transcript }));
    });
  }
  // tmux: a detached session of the same size whose raw output is piped to a file, and an exit code written after.
  const socket = `cli-tty-${process.pid}`;
  const log = path.join(root, `tmux-${Date.now()}.log`);
  const done = path.join(root, `tmux-${Date.now()}.code`);
  spawnSync('tmux', ['-L', socket, 'new-session', '-d', '-x', String(COLUMNS), '-y', '40', '-s', 'cli',
    `sleep 0.5; ${command}; echo $? > '${done}'; sleep 60`], { env });
  spawnSync('tmux', ['-L', socket, 'pipe-pane', '-t', 'cli', '-o', `cat >> '${log}'`]);
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (!fs.existsSync(done) || fs.readFileSync(done, 'utf8').trim() === '') return;
      clearInterval(poll);
      spawnSync('tmux', ['-L', socket, 'kill-server']);
      resolve({ code: Number(fs.readFileSync(done, 'utf8')), transcript: fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '' });
    }, 100);
  });
}
