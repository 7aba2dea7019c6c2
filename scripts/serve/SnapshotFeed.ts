/**
 * The page's live source: reads the store every `refreshMs` and tells subscribers when what
 * it holds changed. One reader for every open tab (polling from each tab would multiply the
 * Scans), and subscribers hear only of changes, so an idle store costs the page nothing.
 */

/** What subscribers get: the snapshot as JSON text, or why the store could not be read. */
export type FeedUpdate =
  | { readonly type: 'snapshot'; readonly json: string; readonly readAtMs: number }
  | { readonly type: 'unavailable'; readonly message: string; readonly readAtMs: number };

/** Options of {@link SnapshotFeed}. */
export interface SnapshotFeedOptions {
  /** Reads the store and builds the page's data. */
  readonly read: () => Promise<unknown>;
  /** Time between reads. @default 1000: the page follows a replay within about a second */
  readonly refreshMs?: number;
  /** @default Date.now */
  readonly nowMs?: () => number;
}

/** Polls the store on a timer; {@link subscribe} hands out the latest state and every change. */
export class SnapshotFeed {
  private latest: FeedUpdate | undefined;
  private readonly listeners = new Set<(u: FeedUpdate) => void>();
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private stopped = false;
  private readonly refreshMs: number;
  private readonly nowMs: () => number;

  constructor(private readonly options: SnapshotFeedOptions) {
    this.refreshMs = options.refreshMs ?? 1000;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Reads once (so the first page load has data) and starts the timer. */
  async start(): Promise<void> {
    await this.refresh();
    this.schedule();
  }

  /** The latest state, undefined before the first read. */
  current(): FeedUpdate | undefined {
    return this.latest;
  }

  /** Calls `listener` with the latest state now and with every change; returns the unsubscribe. */
  subscribe(listener: (u: FeedUpdate) => void): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    return () => this.listeners.delete(listener);
  }

  /** Reads the store now; notifies when the content (not only the read time) changed. */
  async refresh(): Promise<void> {
    // A read slower than the timer must not overlap the next one.
    this.reading ??= this.readOnce().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** Stops the timer and waits for a read in flight, so the store can be closed after. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.reading;
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.refreshMs);
    this.timer.unref();
  }

  private async readOnce(): Promise<void> {
    let next: FeedUpdate;
    try {
      next = { type: 'snapshot', json: JSON.stringify(await this.options.read()), readAtMs: this.nowMs() };
    } catch (err) {
      next = { type: 'unavailable', message: (err as Error).message, readAtMs: this.nowMs() };
    }
    const prev = this.latest;
    const same =
      prev !== undefined &&
      prev.type === next.type &&
      (next.type === 'snapshot'
        ? prev.type === 'snapshot' && prev.json === next.json
        : prev.type === 'unavailable' && prev.message === next.message);
    if (same) return;
    this.latest = next;
    for (const l of this.listeners) l(next);
  }
}
