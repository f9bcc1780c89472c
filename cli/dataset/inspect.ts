/**
 * Reads each file of a scanned dataset once: its SHA-256 (for duplicates and for the push's "already uploaded"
 * test) and a full decode with the inference function's own decoder (lambda/image/), which finds truncated and
 * corrupt files with the function's error codes.
 */
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import { ImageError } from '../../lambda/image/image-error';
import { uprightSize, verifyImage } from '../../lambda/image/normalise';
import { DatasetFacts, InspectedFile } from './check';
import { ScannedDataset, DatasetFile } from './scan';

export async function inspectDataset(scanned: ScannedDataset, onFile?: (file: DatasetFile) => void): Promise<DatasetFacts> {
  const files: InspectedFile[] = [];
  for (const file of scanned.files) {
    files.push(await inspectFile(file));
    onFile?.(file);
  }
  return { folder: scanned.folder, classes: scanned.classes, strayFiles: scanned.strayFiles, files };
}

export async function inspectFile(file: DatasetFile): Promise<InspectedFile> {
  const base = { file: file.relativePath, className: file.className, bytes: Math.max(0, file.bytes) };
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file.absolutePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    return { ...base, outcome: { ok: false, code: 'UNREADABLE_FILE', message: `The file cannot be read (${code}).` } };
  }
  const sha256 = sha256Hex(bytes);
  try {
    const header = verifyImage(bytes);
    return { ...base, sha256, outcome: { ok: true, ...uprightSize(header.width, header.height, header.orientation) } };
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    return { ...base, sha256, outcome: { ok: false, code: error.code, message: error.message } };
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
