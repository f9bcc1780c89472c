/**
 * The lines of results.jsonl and the rows of results.csv. Pure.
 *
 * The CSV is written by csv-stringify (the `csv` project's stringifier, about 11 KB in the bundle): RFC 4180 quoting
 * of labels and keys that hold commas, quotes or line breaks, and `escape_formulas`, which puts a `'` before a cell
 * that starts with `=`, `+`, `-`, `@`, tab or carriage return, so that a key or label cannot run as a spreadsheet
 * formula. results.jsonl keeps every key and label exactly as it is.
 */
import { stringify } from 'csv-stringify/sync';
import type { BatchResult } from '../shared/batch-contract';

export function jsonLines(results: readonly BatchResult[]): string {
  return results.map((result) => `${JSON.stringify(result)}\n`).join('');
}

/** `key,predicted_label,probability,top_1_label,top_1_probability,…,top_<k>_label,top_<k>_probability` */
export function csvHeader(topK: number): string {
  const top = Array.from({ length: topK }, (_, i) => [`top_${i + 1}_label`, `top_${i + 1}_probability`]).flat();
  return stringify([['key', 'predicted_label', 'probability', ...top]]);
}

/** One row per result; a result with fewer than topK labels (a binary model has two) leaves the rest empty. */
export function csvRows(results: readonly BatchResult[], topK: number): string {
  if (results.length === 0) return '';
  return stringify(results.map((result) => [
    result.key,
    result.predictedLabel,
    String(result.probability),
    ...Array.from({ length: topK }, (_, i) => {
      const prediction = result.top[i];
      return prediction === undefined ? ['', ''] : [prediction.label, String(prediction.probability)];
    }).flat(),
  ]), { escape_formulas: true });
}
