import { sourceHeader } from './outputRecord.js';

/**
 * Drops the duplicates an at-least-once output can hold: a record whose
 * `(output topic, source header)` was already seen. Records without the header pass (they
 * were not written by a pipeline). Memory grows with the distinct records seen; a consumer
 * that runs for ever should bound it by the redelivery horizon (e.g. keep the last N per
 * source partition), which `maxPerSourcePartition` does.
 */
export class OutputDeduplicator {
  private readonly seen = new Map<string, Set<string>>();
  duplicates = 0;

  /**
   * @param maxPerSourcePartition sources remembered per (output topic, pipeline, source
   * partition); the oldest are forgotten first. A redelivery re-sends at most one batch
   * (at most 10,000 records), so the default keeps every duplicate detectable.
   * @default 100_000
   */
  constructor(private readonly maxPerSourcePartition = 100_000) {}

  /** True when an identical source was seen before on this topic (and counts it). */
  isDuplicate(
    topic: string,
    headers: ReadonlyArray<{ readonly name: string; readonly value: Buffer | string }>,
  ): boolean {
    const source = sourceHeader(headers);
    if (source === undefined) return false;
    const cut = source.lastIndexOf('/');
    const bucket = `${topic}\u0000${source.slice(0, cut)}`;
    let set = this.seen.get(bucket);
    if (!set) {
      set = new Set();
      this.seen.set(bucket, set);
    }
    if (set.has(source)) {
      this.duplicates++;
      return true;
    }
    set.add(source);
    if (set.size > this.maxPerSourcePartition) {
      // Sets iterate in insertion order: the first is the oldest.
      const oldest = set.values().next().value as string;
      set.delete(oldest);
    }
    return false;
  }
}
