/**
 * What commands print: tables for people (cli-table3, the table renderer most Node.js command lines use: column
 * widths by display width, so accents and wide characters line up, and word wrap), JSON for scripts (`--json`: one
 * document on stdout, nothing else there), and the number formats both share.
 */
import Table from 'cli-table3';
import { CliStream } from './io';

export type Cell = string | number;

export interface TableOptions {
  /** column alignment; default: numbers right, text left */
  readonly align?: ReadonlyArray<'left' | 'right' | 'center'>;
}

/** A table with a header row, as text (ends with a newline). Borders and header colours only on a terminal. */
export function renderTable(stream: CliStream, head: readonly string[], rows: ReadonlyArray<readonly Cell[]>, options: TableOptions = {}): string {
  const colour = stream.isTTY === true;
  const table = new Table({
    head: [...head],
    style: { head: colour ? ['bold'] : [], border: [], compact: true },
    colAligns: head.map((_, column) => options.align?.[column]
      ?? (rows.length > 0 && rows.every((row) => typeof row[column] === 'number') ? 'right' : 'left')),
    colWidths: fitLastColumn(head, rows, stream.columns ?? DEFAULT_WIDTH),
    wordWrap: true,
  });
  for (const row of rows) table.push(row.map((cell) => String(cell)));
  return `${table.toString()}\n`;
}

/** Width tables are fitted to when the stream is not a terminal (a pipe, a file, a CI log). */
const DEFAULT_WIDTH = 120;
/** The narrowest the last column is squeezed to; narrower terminals wrap the table instead. */
const MIN_LAST_COLUMN = 24;

/**
 * Column widths (content plus padding) that keep the table within `width` characters by wrapping the last column,
 * where the long text (a problem's description) goes; null lets cli-table3 size a column to its content.
 */
function fitLastColumn(head: readonly string[], rows: ReadonlyArray<readonly Cell[]>, width: number): Array<number | null> {
  const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => String(row[column] ?? '').length)) + 2);
  const others = widths.slice(0, -1).reduce((sum, w) => sum + w, 0);
  const borders = head.length + 1;
  const last = Math.min(widths[widths.length - 1], Math.max(MIN_LAST_COLUMN, width - others - borders));
  return [...widths.slice(0, -1).map(() => null), last];
}

/** Writes `value` as indented JSON, the whole of stdout for --json. */
export function writeJson(stream: CliStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** 1536 → "1.5 KiB"; bytes below 1 KiB as a whole number. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 75 500 ms → "1m16s"; under a minute "12.3s". */
export function formatDuration(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds - minutes * 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
