/**
 * `predict` on a folder in a real pseudo-terminal (the bundled command line, as the package ships it): the progress
 * bar redrawn in place as the photos come back from the function, then a table per photo.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { useLoopWorld } from './loop-world';
import { buildCliBundle, COLUMNS, describeInTerminal, inTerminal, RUNNER } from './terminal-harness';

const world = useLoopWorld({ withPipeline: false });
const SOURCE = '/work/shared/test-images/exif-orientation';
let root: string;
let bundle: string;
/** Six of the real photos (enough for several frames of the bar, few enough to stay quick). */
let photos: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'predict-tty-'));
  bundle = path.join(root, 'cli.js');
  buildCliBundle(bundle);
  photos = path.join(root, 'photos');
  fs.mkdirSync(photos);
  for (const name of ['Landscape_1.jpg', 'Landscape_6.jpg', 'Landscape_8.jpg', 'Portrait_2.jpg', 'Portrait_5.jpg', 'Portrait_7.jpg']) {
    fs.copyFileSync(path.join(SOURCE, name), path.join(photos, name));
  }
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describeInTerminal(`predict in a pseudo-terminal (${RUNNER})`, () => {
  test('a folder: the bar counts the photos classified, in place, then one table per photo', async () => {
    const names = fs.readdirSync(photos);
    const { code, transcript } = await inTerminal(bundle, root, ['--stack', 'ImageClassifierStack', 'predict', photos, '--concurrency', '1', '--top-k', '2']);
    expect({ code, transcript: code === 0 ? '' : transcript }).toEqual({ code: 0, transcript: '' });
    expect(world.runtime.invocations).toHaveLength(names.length);

    const frames = [...transcript.matchAll(/classified ([█░]{24}) (\d+)\/(\d+) files/g)];
    const counts = frames.map((frame) => Number(frame[2]));
    expect(new Set(counts).size).toBeGreaterThanOrEqual(3);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(frames.every((frame) => Number(frame[3]) === names.length)).toBe(true);
    expect(transcript).toMatch(/(\r|\x1b\[\d*G)[^\n]*classified [█░]{24}/);
    expect(transcript).toMatch(new RegExp(`classified ${names.length}/${names.length} files`));
    const lines = transcript.replace(/\x1b\[[\d;?]*[A-Za-z]/g, '').split(/\r?\n/);
    // Each photo's path (relative to the working folder) and its label, above its table.
    for (const name of names) expect(lines.filter((line) => new RegExp(`^\\S*/${name.replace('.', '\\.')}: [a-z]+$`).test(line))).toHaveLength(1);
    const rows = lines.filter((line) => /^│ +[12] │ \w+ +│ +0\.\d{4} │$/.test(line));
    expect(rows).toHaveLength(2 * names.length);
    expect(Math.max(...lines.filter((line) => /^[┌│├└]/.test(line)).map((line) => [...line].length))).toBeLessThanOrEqual(COLUMNS);
  });
});
