/**
 * Runs `task` on every item with at most `limit` running at once, and returns the results in the items' order.
 * Written here rather than taken from p-limit, whose current versions are ES modules only (jest here runs CommonJS):
 * a fixed set of workers pulling from one shared index is all this needs. The first failure stops the workers from
 * taking new items and is thrown once the running ones have settled.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { readonly error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
