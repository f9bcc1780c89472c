import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';

/** Image file endings the algorithm reads. */
const IMAGE_FILE = /\.(jpe?g|png)$/i;
/** Files an image folder may hold besides images; everything else is an error. */
const IGNORED_FILE = /^(\.DS_Store|Thumbs\.db|desktop\.ini|\..*)$/;

/**
 * Checks that `folder` holds at least two class folders, each with at least one .jpg/.jpeg/.png image and nothing
 * else but hidden files, and returns the classes in label order. Every problem is reported at once.
 */
export function inspectImageFolder(folder: string, name: string): Array<{ name: string; images: number }> {
  if (Token.isUnresolved(folder)) throw new Error(`${name} must be a literal path, got a token`);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    throw new Error(`${name} '${folder}' is not a readable folder; give a folder laid out as <class>/<image>.jpg`);
  }
  const problems: string[] = [];
  const classes: Array<{ name: string; images: number }> = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (IGNORED_FILE.test(entry.name)) continue;
    if (!entry.isDirectory()) {
      problems.push(`'${entry.name}' is a file at the top level; images go in one folder per class, like roses/${entry.name}`);
      continue;
    }
    const files = fs.readdirSync(path.join(folder, entry.name), { withFileTypes: true }).filter((f) => !IGNORED_FILE.test(f.name));
    const others = files.filter((f) => !f.isFile() || !IMAGE_FILE.test(f.name)).map((f) => f.name);
    if (others.length > 0) {
      problems.push(`class '${entry.name}' holds ${others.length} entries that are not .jpg, .jpeg or .png images (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''})`);
    }
    const images = files.length - others.length;
    if (images === 0) problems.push(`class '${entry.name}' has no images`);
    classes.push({ name: entry.name, images });
  }
  if (classes.length < 2) problems.push(`found ${classes.length} class folder(s); the algorithm needs at least two`);
  if (problems.length > 0) throw new Error(problems.map((problem) => `${name} '${folder}': ${problem}`).join('\n  '));
  return classes;
}
