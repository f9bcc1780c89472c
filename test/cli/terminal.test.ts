/**
 * The command line in a real pseudo-terminal: the bundled file (as the package ships it) run under util-linux
 * `script` (or tmux where `script` is missing), against the loopback emulators. The transcript shows the progress
 * bar drawn in place, frame after frame, and the tables, as a user sees them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUCKET, useCliEmulators } from './cli-harness';
import { buildCliBundle, COLUMNS, describeInTerminal, inTerminal as inTerminalOf, RUNNER } from './terminal-harness';
import { orientationFixture } from '../lambda/image-fixtures';

const bed = useCliEmulators();
const inTerminal = (args: readonly string[]) => inTerminalOf(bundle, root, args);
let root: string;
let bundle: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-tty-'));
  bundle = path.join(root, 'cli.js');
  buildCliBundle(bundle);
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
