import type { KafkaRecord } from '../../engine/event/index.js';

/** A partition's offset to commit: the next record the group should read. */
export interface CommitTarget {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * Which offsets are safe to commit. A record is *taken* when it joins a batch and *settled*
 * when the function processed it or it went to the on-failure destination. Per partition the
 * commit target is the lowest offset still taken but unsettled, or else one past the highest
 * settled offset, and none until a record of the partition settled: never past a record that may still need delivering, whatever order the
 * pieces of a bisected, partially failed or age-filtered batch settle in.
 */
export class OffsetTracker {
  private readonly unsettled = new Map<string, { topic: string; partition: number; offsets: Set<number> }>();
  private readonly settledNext = new Map<string, CommitTarget>();

  /** Marks records as part of a batch that has not settled yet. */
  take(records: readonly KafkaRecord[]): void {
    for (const r of records) {
      const k = keyOf(r.topic, r.partition);
      let entry = this.unsettled.get(k);
      if (!entry)
        this.unsettled.set(k, (entry = { topic: r.topic, partition: r.partition, offsets: new Set() }));
      entry.offsets.add(r.offset);
    }
  }

  /** Marks records as done (processed or discarded). */
  settle(records: readonly KafkaRecord[]): void {
    for (const r of records) {
      const k = keyOf(r.topic, r.partition);
      const entry = this.unsettled.get(k);
      entry?.offsets.delete(r.offset);
      if (entry && entry.offsets.size === 0) this.unsettled.delete(k);
      const seen = this.settledNext.get(k);
      if (!seen || r.offset + 1 > seen.offset) {
        this.settledNext.set(k, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
      }
    }
  }

  /** Forgets a partition entirely, e.g. when a rebalance gives it to another consumer. */
  forget(topic: string, partition: number): void {
    const k = keyOf(topic, partition);
    this.unsettled.delete(k);
    this.settledNext.delete(k);
  }

  /** Per partition, the offset it is safe to commit now. */
  commitTargets(): CommitTarget[] {
    const out: CommitTarget[] = [];
    const keys = new Set([...this.unsettled.keys(), ...this.settledNext.keys()]);
    for (const k of keys) {
      const pending = this.unsettled.get(k);
      if (pending && pending.offsets.size > 0) {
        // Nothing of this partition settled yet: the group's position is already at or before
        // its first taken record, and Lambda commits nothing for a batch that keeps failing.
        if (!this.settledNext.has(k)) continue;
        let lowest = Number.POSITIVE_INFINITY;
        for (const o of pending.offsets) if (o < lowest) lowest = o;
        out.push({ topic: pending.topic, partition: pending.partition, offset: lowest });
      } else {
        const done = this.settledNext.get(k);
        if (done) out.push(done);
      }
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }
}
