import { createReadStream } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Output } from './output.js';

/** Reports records done on stderr: a bar on a terminal, a line every `everyRecords` otherwise. */
export interface Progress {
  update(records: number): void;
  stop(): void;
}

/** Counts newline-terminated lines (fast, streaming): the total for a progress bar. */
export async function countLines(path: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    last = chunk.at(-1) ?? last;
  }
  return last === 10 ? lines : lines + 1;
}

/**
 * A progress reporter. Small inputs (under `minRecords`) report nothing: they finish before a
 * bar would be readable.
 */
export function createProgress(
  output: Output,
  totalRecords: number,
  options: { minRecords?: number; everyRecords?: number } = {},
): Progress {
  if (totalRecords < (options.minRecords ?? 5_000)) return { update() {}, stop() {} };
  if (output.errIsTTY) {
    const bar = new SingleBar({
      format: 'replay [{bar}] {percentage}% | {value}/{total} records | {eta_formatted} left',
      stream: process.stderr,
      hideCursor: true,
    });
    bar.start(totalRecords, 0);
    return { update: (n) => bar.update(Math.min(n, totalRecords)), stop: () => bar.stop() };
  }
  const every = options.everyRecords ?? 10_000;
  let next = every;
  return {
    update(n) {
      if (n < next) return;
      output.err(`... ${n} of about ${totalRecords} records`);
      next = (Math.floor(n / every) + 1) * every;
    },
    stop() {},
  };
}
