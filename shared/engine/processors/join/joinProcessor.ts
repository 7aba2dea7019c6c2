import { DEFAULT_RETENTION_MS } from '../../process/pipelineSpec.js';
import type { Processor } from '../../process/processor.js';
import type { KeyedStateStore } from '../../store/KeyedStateStore.js';
import { closeUnmatched } from './closeUnmatched.js';
import { type JoinPair, pairOf } from './joinPairs.js';
import { DEFAULT_BUFFER_RETENTION_MS, type JoinSpec, joinSchema, otherSide, outerSides } from './joinSpec.js';
import { addToSet, bufferedBetween, bufferPk, pairsPk, pendingPk } from './joinState.js';
import { type BufferEntry, planJoin } from './planJoin.js';

/** Keys matched at once; a key's records go in order, by one worker. */
const KEY_CONCURRENCY = 16;

interface Counts {
  [detail: string]: number;
  itemWrites: number;
  conflicts: number;
  alreadyApplied: number;
  bufferWrites: number;
  pairWrites: number;
  reads: number;
}

/**
 * The join of one record, in the order that makes concurrent sides safe:
 * 1. add the record to its side's buffer (durable before anything else);
 * 2. read the other side's buffer for the key over [t - window, t + window], consistently;
 * 3. add every pair found to the pairs, put-if-absent by the pair's identity.
 * Two partners A and B processed concurrently by different invocations: if A's read (2)
 * came before B's write (1), then A's write came before B's read, so B finds A. With
 * linearizable writes and consistent reads at least one of them finds the other, so each
 * pair is written at least once, and its identity makes it exactly once. A crash anywhere
 * leaves a prefix of these steps, which the redelivery repeats (each step idempotent).
 */
async function joinEntry(
  spec: JoinSpec,
  state: KeyedStateStore,
  entry: BufferEntry,
  nowMs: number,
  counts: Counts,
): Promise<void> {
  const buffered = await addToSet(
    state,
    bufferPk(spec.name, entry.side, entry.key),
    entry.timeMs,
    [entry],
    nowMs + (spec.bufferRetentionMs ?? DEFAULT_BUFFER_RETENTION_MS),
  );
  counts.bufferWrites += buffered.writes;
  counts.conflicts += buffered.conflicts;
  if (outerSides(spec).includes(entry.side)) {
    // Left/outer: the record waits to be decided unmatched or not once its window closed
    // (closeUnmatched); before the checkpoint, so a closer that sees the checkpoint sees it.
    const pending = await addToSet(
      state,
      pendingPk(spec.name, entry.side),
      entry.timeMs,
      [entry],
      nowMs + (spec.bufferRetentionMs ?? DEFAULT_BUFFER_RETENTION_MS),
    );
    counts.bufferWrites += pending.writes;
    counts.conflicts += pending.conflicts;
  }
  counts.reads++;
  const partners = await bufferedBetween(
    state,
    spec.name,
    otherSide(entry.side),
    entry.key,
    entry.timeMs - spec.windowMs,
    entry.timeMs + spec.windowMs,
  );
  const byTime = new Map<number, JoinPair[]>();
  for (const partner of partners) {
    const pair = pairOf(spec, entry, partner);
    if (!pair) continue;
    const list = byTime.get(pair.timeMs) ?? [];
    list.push(pair);
    byTime.set(pair.timeMs, list);
  }
  for (const [timeMs, pairs] of byTime) {
    const added = await addToSet(
      state,
      pairsPk(spec.name, entry.key),
      timeMs,
      pairs,
      // As the aggregates: from the later of pair time and now, so replayed history does not expire at once.
      Math.max(timeMs, nowMs) + (spec.retentionMs ?? DEFAULT_RETENTION_MS),
    );
    counts.pairWrites += added.writes;
    counts.conflicts += added.conflicts;
    counts.alreadyApplied += added.alreadyThere;
  }
  if (buffered.writes === 0 && byTime.size === 0) counts.alreadyApplied += buffered.alreadyThere;
}

/**
 * The `join` kind: plan (pure: keys, times, lateness, dead letters), then buffer and match
 * each record against the other side's buffer, writing pairs idempotently (see joinEntry).
 */
export const joinProcessor: Processor<JoinSpec> = {
  kind: 'join',
  validate(spec) {
    const parsed = joinSchema.safeParse(spec);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  },
  async process({ spec, groups, startStreamTimes, stores, nowMs }) {
    const plan = planJoin(spec, groups, startStreamTimes);
    const byKey = new Map<string, BufferEntry[]>();
    for (const e of plan.entries) {
      const list = byKey.get(e.key) ?? [];
      list.push(e);
      byKey.set(e.key, list);
    }
    const counts: Counts = {
      itemWrites: 0,
      conflicts: 0,
      alreadyApplied: 0,
      bufferWrites: 0,
      pairWrites: 0,
      reads: 0,
    };
    const keys = [...byKey.values()];
    let next = 0;
    const now = nowMs();
    // Hand-written pool, as the aggregate store's: a library would add a dependency to every bundle for six lines.
    const worker = async () => {
      while (next < keys.length) {
        for (const entry of keys[next++]!) await joinEntry(spec, stores.state, entry, now, counts);
      }
    };
    await Promise.all(Array.from({ length: Math.min(KEY_CONCURRENCY, keys.length) }, worker));
    counts.itemWrites = counts.bufferWrites + counts.pairWrites;
    return {
      stats: plan.stats,
      deadLetters: plan.deadLetters,
      checkpoints: plan.checkpoints,
      writes: counts,
      items: plan.entries.length,
    };
  },
  /**
   * Left and outer joins: after this batch's checkpoints, decide the pending records no
   * partner can reach any more. Any batch of either side may close them (a side's own
   * batches close its records once the other side's checkpoints allow), and a redelivery
   * runs it again, so an idle side's records close on the other side's next batch.
   */
  async afterCheckpoints({ spec, stores, nowMs }): Promise<Readonly<Record<string, number>>> {
    if (outerSides(spec).length === 0) return {};
    const closed = await closeUnmatched(spec, stores, nowMs());
    return { unmatchedDecided: closed.decided, unmatchedWrites: closed.unmatchedWrites };
  },
};
