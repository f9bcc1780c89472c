/**
 * Lists a dataset folder laid out as `<class>/<image>`, as the algorithm reads it (Keras'
 * image_dataset_from_directory: each top-level folder is a class, its files are read recursively). Hidden files and
 * folders (a leading dot, and the desktop's Thumbs.db and desktop.ini) are not part of the dataset.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { CliError } from '../errors';

export interface DatasetFile {
  /** the class folder's name, the label */
  readonly className: string;
  /** path from the dataset folder, `/`-separated, e.g. `roses/garden/1.jpg` */
  readonly relativePath: string;
  readonly absolutePath: string;
  readonly bytes: number;
}

export interface ScannedDataset {
  readonly folder: string;
  /** every class folder, sorted as the algorithm numbers the labels (by code point, as Python's sorted()) */
  readonly classes: readonly string[];
  readonly files: readonly DatasetFile[];
  /** files directly in the dataset folder, outside every class */
  readonly strayFiles: readonly string[];
}

const HIDDEN = /^(\..*|Thumbs\.db|desktop\.ini)$/i;

export async function scanDataset(folder: string): Promise<ScannedDataset> {
  let entries;
  try {
    entries = await fs.readdir(folder, { withFileTypes: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'is not a folder' : 'cannot be read';
    throw new CliError('usage', `The dataset folder '${folder}' ${reason}. Give a folder laid out as <class>/<image>.jpg, one folder per class.`);
  }
  const classes = entries.filter((entry) => entry.isDirectory() && !HIDDEN.test(entry.name)).map((entry) => entry.name).sort(byCodePoint);
  const strayFiles = entries.filter((entry) => !entry.isDirectory() && !HIDDEN.test(entry.name)).map((entry) => entry.name).sort(byCodePoint);
  const files: DatasetFile[] = [];
  for (const className of classes) files.push(...await listFiles(folder, className, className));
  return { folder, classes, files, strayFiles };
}

async function listFiles(root: string, className: string, relative: string): Promise<DatasetFile[]> {
  const entries = (await fs.readdir(path.join(root, relative), { withFileTypes: true })).sort((a, b) => byCodePoint(a.name, b.name));
  const files: DatasetFile[] = [];
  for (const entry of entries) {
    if (HIDDEN.test(entry.name)) continue;
    const relativePath = `${relative}/${entry.name}`;
    const absolutePath = path.join(root, relativePath);
    if (entry.isDirectory()) {
      files.push(...await listFiles(root, className, relativePath));
    } else {
      // A symbolic link counts as what it points at (Keras follows links); a broken one is an unreadable file.
      const bytes = await fs.stat(absolutePath).then((stat) => stat.size, () => -1);
      files.push({ className, relativePath, absolutePath, bytes });
    }
  }
  return files;
}

/** Python's sorted() order (UTF-16 code units equal code points for the BMP; good enough for folder names). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
