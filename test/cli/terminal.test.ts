/**
 * The command line in a real pseudo-terminal: the bundled file (as the package ships it) run under util-linux
 * `script` (or tmux where `script` is missing), against the loopback emulators. The transcript shows the progress
 * bar drawn in place, frame after frame, and the tables, as a user sees them.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { BUCKET, useCliEmulators } from './cli-harness';
import { orientationFixture } from '../lambda/image-fixtures';

// scripts/ is JavaScript, outside the TypeScript project.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cliBuildOptions } = require('../../scripts/cli-bundle') as { cliBuildOptions(outfile: string): Parameters<typeof buildSync>[0] };

const COLUMNS = 100;
type Runner = 'script' | 'tmux';
const available = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const RUNNER: Runner | undefined = process.env.TERMINAL_TEST_RUNNER === 'tmux' && available('tmux', ['-V']) ? 'tmux'
  : available('script', ['--version']) ? 'script' : available('tmux', ['-V']) ? 'tmux' : undefined;
if (RUNNER === undefined) {
  console.warn('terminal test SKIPPED: neither `script` (util-linux) nor `tmux` is installed; apt-get install -y bsdutils or tmux');
}
const describeInTerminal = RUNNER ? describe : describe.skip;

const bed = useCliEmulators();
let root: string;
let bundle: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-tty-'));
  bundle = path.join(root, 'cli.js');
  buildSync({ ...cliBuildOptions(bundle), minify: false });
  const photo = orientationFixture('Landscape_1.jpg');
  // Ten distinct small photos per class (a different byte at the end of the JPEG's comment keeps them distinct).
  for (const className of ['roses', 'tulips']) {
    fs.mkdirSync(path.join(root, 'data', className), { recursive: true });
    for (let i = 0; i < 5; i++) {
      const bytes = Buffer.concat([photo.subarray(0, 2), Buffer.from([0xff, 0xfe, 0x00, 0x04, className.charCodeAt(0), i]), photo.subarray(2)]);
      fs.writeFileSync(path.join(root, 'data', className, `${i}.jpg`), bytes);
    }
  }
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs `args` of the bundled command line in a pseudo-terminal of COLUMNS×40; resolves with the raw transcript. */
function inTerminal(args: readonly string[]): Promise<{ code: number; transcript: string }> {
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

describeInTerminal(`in a pseudo-terminal (${RUNNER})`, () => {
  test('dataset push draws its progress bar in place, frame after frame, then the summary table', async () => {
    bed.s3.putDelayMs = 120;
    const { code, transcript } = await inTerminal(['dataset', 'push', path.join(root, 'data'), '--concurrency', '2']);
    expect({ code, transcript: code === 0 ? '' : transcript }).toEqual({ code: 0, transcript: '' });
    expect(bed.s3.keys(BUCKET)).toHaveLength(10);

    // Frames of the bar: count, bytes, rate and ETA, redrawn on the same line (carriage return or cursor moves).
    const frames = [...transcript.matchAll(/uploaded ([█░]{24}) (\d+)\/10 files \| ([\d.]+ \w+)\/([\d.]+ \w+) \| ([\d.]+ \w+\/s) \| ETA (\S+)/g)];
    const counts = frames.map((frame) => Number(frame[2]));
    expect(new Set(counts).size).toBeGreaterThanOrEqual(3);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(transcript).toMatch(/\x1b\[\?25l/); // cursor hidden while drawing …
    expect(transcript).toMatch(/\x1b\[\?25h/); // … and shown again
    expect(transcript).toMatch(/(\r|\x1b\[\d*G)[^\n]*uploaded [█░]{24}/);
    expect(transcript).toMatch(/uploaded 10\/10 files, [\d.]+ \w+ in [\d.]+s/);
    // The summary table, drawn with box characters.
    expect(transcript).toMatch(/┌─+┬/);
    expect(transcript).toMatch(/│ training │ s3:\/\/classifier-dataset\/dataset\/training\/ │\s+10 │\s+0 │/);
  });

  test('dataset check prints its tables fitted to the terminal\'s width', async () => {
    const { code, transcript } = await inTerminal(['dataset', 'check', path.join(root, 'data')]);
    expect(code).toBe(0);
    // The check's own bar (on stderr) comes first; the tables follow, drawn with box characters.
    expect(transcript).toMatch(/checked [█░]{24} \d+\/10 files/);
    const lines = transcript.replace(/\x1b\[[\d;?]*[A-Za-z]/g, '').split(/\r?\n/);
    const table = lines.filter((line) => /^[┌│├└]/.test(line));
    expect(table.some((line) => /^│ roses\s+│\s+5 │\s+5 │/.test(line))).toBe(true);
    expect(table.some((line) => line.includes('CLASS_FEW_IMAGES'))).toBe(true);
    expect(Math.max(...table.map((line) => [...line].length))).toBeLessThanOrEqual(COLUMNS);
  });
});
