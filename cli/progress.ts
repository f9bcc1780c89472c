/**
 * Progress of a batch of files (uploads, predictions): count, bytes, rate and ETA. On a terminal, a bar drawn in
 * place by cli-progress (the well-kept progress bar of the Node.js ecosystem); elsewhere (a pipe, a CI log) a plain
 * line every 10 % so logs stay readable, and always a last line with the totals.
 */
import { Presets, SingleBar } from 'cli-progress';
import { CliIo } from './io';
import { formatBytes, formatDuration } from './output';

export interface Progress {
  /** one more item done, of `bytes` bytes */
  tick(bytes: number): void;
  /** ends the bar and prints the summary line */
  stop(): void;
}

export interface ProgressOptions {
  /** what is counted, e.g. "uploaded" */
  readonly verb: string;
  readonly total: number;
  readonly totalBytes: number;
}

export function startProgress(io: CliIo, options: ProgressOptions): Progress {
  const stream = io.stderr;
  const started = io.now();
  let done = 0;
  let bytes = 0;
  const rate = (): string => {
    const seconds = Math.max((io.now() - started) / 1000, 0.001);
    return `${formatBytes(bytes / seconds)}/s`;
  };
  const payload = (): Record<string, string> => ({
    bytes: formatBytes(bytes),
    totalBytes: formatBytes(options.totalBytes),
    rate: rate(),
  });
  const summary = (): string => `${options.verb} ${done}/${options.total} files, ${formatBytes(bytes)} in ${formatDuration(io.now() - started)} (${rate()})\n`;

  if (stream.isTTY === true) {
    const bar = new SingleBar({
      stream: stream as unknown as NodeJS.WritableStream,
      format: `${options.verb} {bar} {value}/{total} files | {bytes}/{totalBytes} | {rate} | ETA {eta_formatted}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    }, Presets.shades_classic);
    bar.start(options.total, 0, payload());
    return {
      tick(size) {
        done++;
        bytes += size;
        bar.update(done, payload());
      },
      stop() {
        bar.stop();
        stream.write(summary());
      },
    };
  }
  let nextReport = 0.1;
  return {
    tick(size) {
      done++;
      bytes += size;
      if (options.total > 0 && done / options.total >= nextReport && done < options.total) {
        stream.write(`${options.verb} ${done}/${options.total} files, ${formatBytes(bytes)} (${rate()})\n`);
        while (done / options.total >= nextReport) nextReport += 0.1;
      }
    },
    stop() {
      stream.write(summary());
    },
  };
}
