/**
 * Bounded concurrency for the functions' S3 and endpoint calls. Written here rather than taken from p-limit: the
 * shared modules import no package, p-limit's current releases are ESM-only, and the whole need is one pool of workers.
 */

/** Runs fn over items with at most `limit` calls in flight; results keep the order of the items. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
