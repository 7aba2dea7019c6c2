import { SingleBar } from 'cli-progress';

/** Progress of a produce run: records and bytes acknowledged so far. */
export interface ThroughputProgress {
  /** Called after each acknowledged batch with the running totals. */
  update(records: number, bytes: number): void;
  stop(): void;
}

/** Options of {@link createThroughputProgress}. */
export interface ThroughputProgressOptions {
  /** Shown before the bar, e.g. the topic. */
  readonly label: string;
  /** Records expected; omit for an endless run (no bar, no ETA). */
  readonly totalRecords?: number;
  /** False for `--quiet` or when stderr is not a terminal: then nothing is drawn. */
  readonly enabled: boolean;
  /** @default process.stderr */
  readonly stream?: NodeJS.WritableStream;
}

/** A reporter that draws nothing. */
export const NO_PROGRESS: ThroughputProgress = { update() {}, stop() {} };

/**
 * A cli-progress bar on stderr with the running rate in records/s and MB/s (10^6 bytes), so
 * a long produce shows both how far it got and how fast the broker takes it.
 */
export function createThroughputProgress(options: ThroughputProgressOptions): ThroughputProgress {
  if (!options.enabled) return NO_PROGRESS;
  const endless = options.totalRecords === undefined;
  const bar = new SingleBar({
    format: endless
      ? `${options.label} | {value} records | {rate} rec/s | {mbps} MB/s | {duration_formatted}`
      : `${options.label} [{bar}] {percentage}% | {value}/{total} | {rate} rec/s | {mbps} MB/s | ETA {eta_formatted}`,
    stream: options.stream ?? process.stderr,
    hideCursor: true,
    etaBuffer: 50,
  });
  const startedMs = performance.now();
  bar.start(options.totalRecords ?? 0, 0, { rate: '0', mbps: '0.00' });
  return {
    update(records, bytes) {
      const seconds = Math.max((performance.now() - startedMs) / 1000, 1e-3);
      bar.update(records, {
        rate: Math.round(records / seconds).toString(),
        mbps: (bytes / 1e6 / seconds).toFixed(2),
      });
    },
    stop: () => bar.stop(),
  };
}
