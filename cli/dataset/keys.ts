/**
 * Where each local image goes in the bucket. A key depends only on the file's own path, so that a push interrupted
 * and run again, or run after files were added, finds the objects of the earlier push under the same keys:
 *
 *   roses/a.jpg        → <prefix>roses/a.jpg
 *   roses/b.png        → <prefix>roses/b.png.jpg      (the upload is a JPEG; the original name stays readable)
 *   roses/sub/c.JPEG   → <prefix>roses/sub/c.JPEG.jpg
 *
 * Two files can meet on one key only when one is literally named like the other's key (`b.png` and `b.png.jpg`);
 * then the file already named `.jpg` keeps the key and the other gets `~<8 hex digits of its path's SHA-256>` before
 * `.jpg`, again a function of its own path.
 */
import { createHash } from 'crypto';

/** The key of one file, `relativePath` being `/`-separated from the dataset folder (`<class>/…`). */
export function objectKey(prefix: string, relativePath: string): string {
  return `${prefix}${relativePath.endsWith('.jpg') ? relativePath : `${relativePath}.jpg`}`;
}

/** Keys for every file, unique, by the rule above. */
export function objectKeys(prefix: string, relativePaths: readonly string[]): Map<string, string> {
  const keys = new Map<string, string>();
  const claimed = new Map<string, string>();
  // Files already named .jpg first: each claims its own name, which no other .jpg file can share.
  const ordered = [...relativePaths].sort((a, b) => Number(b.endsWith('.jpg')) - Number(a.endsWith('.jpg')));
  for (const file of ordered) {
    let key = objectKey(prefix, file);
    if (claimed.has(key)) key = `${prefix}${file}~${createHash('sha256').update(file).digest('hex').slice(0, 8)}.jpg`;
    claimed.set(key, file);
    keys.set(file, key);
  }
  return keys;
}
