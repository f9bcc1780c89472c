/**
 * The batch function's actions (index.ts wires the real S3 client): `prepare` checks the run and writes the
 * transform manifest; `consolidate` turns the transform's answers into results.jsonl, results.csv and summary.json.
 * The events and results are in lambda/shared/batch-contract.ts; errors carry the names of BatchErrorName.
 */
import { BatchErrorName, BatchEvent, ConsolidatedBatch, PreparedBatch } from '../shared/batch-contract';
import type { ObjectStore } from '../shared/object-store';
import { BatchError } from './batch-error';
import { consolidateBatch } from './consolidate';
import { prepareBatch } from './prepare';

export function createBatchHandler(store: () => ObjectStore): (event: BatchEvent) => Promise<PreparedBatch | ConsolidatedBatch> {
  return async (event) => {
    const action = typeof event === 'object' && event !== null ? (event as { action?: unknown }).action : undefined;
    switch (action) {
      case 'prepare':
        return prepareBatch(event as Extract<BatchEvent, { action: 'prepare' }>, store());
      case 'consolidate':
        return consolidateBatch(event as Extract<BatchEvent, { action: 'consolidate' }>, store());
      default:
        throw new BatchError(BatchErrorName.INVALID_BATCH_INPUT, `unknown batch action ${JSON.stringify(action)}: use "prepare" or "consolidate"`);
    }
  };
}
