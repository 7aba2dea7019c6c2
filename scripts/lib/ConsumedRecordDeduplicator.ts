import { OutputDeduplicator, SOURCE_HEADER, sourceHeader } from '../../shared/engine/output/index.js';

/** A record as `consume` prints it: only what deduplication reads. */
export interface DedupeInput {
  readonly topic: string;
  /** Header values as text; a header that repeats is a list, in record order. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

/** What `consume --dedupe` did, for its summary line and `ConsumeResult`. */
export interface DedupeCounts {
  /** Records dropped: their {@link SOURCE_HEADER} was seen before on this topic. */
  readonly duplicates: number;
  /** Records without a {@link SOURCE_HEADER} (not written by a pipeline), passed through. */
  readonly withoutSourceHeader: number;
}

/**
 * `consume --dedupe`: the engine's {@link OutputDeduplicator} over consumed records.
 *
 * A route or enrich pipeline writes at least once: when Lambda redelivers a batch, the
 * records it already wrote are written again, with the same `kls-source`
 * (`<pipeline>/<topic>/<partition>/<offset>`) and the same key and value. Keeping the first
 * of each source and dropping the rest shows the topic as an exactly-once consumer would see
 * it. Records without the header pass (counted), since nothing says they are copies.
 */
export class ConsumedRecordDeduplicator {
  private readonly seen: OutputDeduplicator;
  private withoutSource = 0;

  /** @param maxPerSourcePartition see {@link OutputDeduplicator}; @default its default (100,000) */
  constructor(maxPerSourcePartition?: number) {
    this.seen = new OutputDeduplicator(maxPerSourcePartition);
  }

  /** True to print the record: the first with its source, or one without a source header. */
  keep(record: DedupeInput): boolean {
    const headers = Object.entries(record.headers).flatMap(([name, value]) =>
      (typeof value === 'string' ? [value] : value).map((v) => ({ name, value: v })),
    );
    if (sourceHeader(headers) === undefined) {
      this.withoutSource++;
      return true;
    }
    return !this.seen.isDuplicate(record.topic, headers);
  }

  /** Counts so far. */
  get counts(): DedupeCounts {
    return { duplicates: this.seen.duplicates, withoutSourceHeader: this.withoutSource };
  }
}

/** The line `consume --dedupe` ends with on stderr. */
export function formatDedupeCounts(counts: DedupeCounts): string {
  return (
    `--dedupe: dropped ${counts.duplicates} duplicate record(s) (a ${SOURCE_HEADER} header seen before: a redelivered batch); ` +
    `${counts.withoutSourceHeader} record(s) had no ${SOURCE_HEADER} header (no source header) and were printed`
  );
}
