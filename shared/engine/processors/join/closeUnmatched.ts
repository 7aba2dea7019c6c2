import { partitionId } from '../../event/lambdaKafkaEvent.js';
import { DEFAULT_RETENTION_MS } from '../../process/pipelineSpec.js';
import type { KeyedStateStore } from '../../store/KeyedStateStore.js';
import type { PipelineStores } from '../../store/PipelineStores.js';
import { pairOf } from './joinPairs.js';
import {
  DEFAULT_BUFFER_RETENTION_MS,
  type JoinSide,
  type JoinSpec,
  otherSide,
  outerSides,
} from './joinSpec.js';
import {
  addToSet,
  bufferedBetween,
  pairsBetween,
  pendingPk,
  removeFromSet,
  unmatchedPk,
} from './joinState.js';
import type { BufferEntry } from './planJoin.js';

/** What one {@link closeUnmatched} did. */
export interface CloseUnmatchedCounts {
  /** Pending records decided (unmatched or paired) and removed from the pending set. */
  readonly decided: number;
  /** Unmatched rows written (0 for a repeat). */
  readonly unmatchedWrites: number;
  /** Writes to the pending set (removals). */
  readonly pendingWrites: number;
}

/**
 * The earliest event time that may still get a partner from the other side: records before
 * it never will. A partner of a record at `t` is at most `t + windowMs`, and it is accepted
 * only while `t' + windowMs + graceMs >= its partition's stream time`; so once *every*
 * partition of the other topic has a checkpoint with stream time `> t + 2 x windowMs +
 * graceMs`, no partner of `t` can arrive. Checkpoints are written after a batch's buffer
 * writes, so every partner accepted before the checkpoint is in the buffer already, and a
 * redelivery after it finds the same stream time, hence the same lateness.
 * @returns undefined while a partition of the other topic has no checkpoint or no event time
 * @see Kafka Streams `KStreamKStreamJoin`: emits a non-joined record once
 *   `time + after + grace < streamTime`, its stream time the task's over both sides; here
 *   the sides run in separate functions, so the other side's partitions are read instead.
 */
export async function openFromMs(
  spec: JoinSpec,
  side: JoinSide,
  stores: Pick<PipelineStores, 'streamTimes'>,
): Promise<number | undefined> {
  const other = otherSide(side);
  const count = spec.partitions?.[other];
  if (count === undefined) return undefined;
  const ids = Array.from({ length: count }, (_, p) => partitionId(spec[other].topic, p));
  const checkpoints = await stores.streamTimes.latest(spec.name, ids);
  if (checkpoints.size < count) return undefined;
  const minStreamTimeMs = Math.min(...[...checkpoints.values()].map((c) => c.streamTimeMs));
  if (!Number.isFinite(minStreamTimeMs)) return undefined;
  return minStreamTimeMs - 2 * spec.windowMs - spec.graceMs;
}

/**
 * Decides the pending records of a left or outer join's outer side(s) whose partners are all
 * known (see {@link openFromMs}): a record with no pair (the same `pairOf` the pairs use,
 * narrower condition included) gets an unmatched row, put-if-absent by its id, then leaves
 * the pending set. Every step repeats to the same result, so concurrent closers, a crash
 * between the row and the removal, and redeliveries write nothing twice; and since the
 * partners are final, a record never has both an unmatched row and a pair.
 */
export async function closeUnmatched(
  spec: JoinSpec,
  stores: Pick<PipelineStores, 'state' | 'streamTimes'>,
  nowMs: number,
): Promise<CloseUnmatchedCounts> {
  let decided = 0;
  let unmatchedWrites = 0;
  let pendingWrites = 0;
  for (const side of outerSides(spec)) {
    const openFrom = await openFromMs(spec, side, stores);
    if (openFrom === undefined) continue;
    const items = await stores.state.range<BufferEntry[]>(
      pendingPk(spec.name, side),
      Number.MIN_SAFE_INTEGER,
      openFrom - 1,
    );
    for (const item of items) {
      for (const entry of item.value) unmatchedWrites += await decide(spec, stores.state, entry, nowMs);
      const removed = await removeFromSet(
        stores.state,
        pendingPk(spec.name, side),
        item.sortKey,
        item.value.map((e) => e.id),
        nowMs + (spec.bufferRetentionMs ?? DEFAULT_BUFFER_RETENTION_MS),
      );
      pendingWrites += removed.writes;
      decided += item.value.length;
    }
  }
  return { decided, unmatchedWrites, pendingWrites };
}

/** Writes the unmatched row of a record without pairs; 1 when written, 0 when paired or there. */
async function decide(
  spec: JoinSpec,
  state: KeyedStateStore,
  entry: BufferEntry,
  nowMs: number,
): Promise<number> {
  const partners = await bufferedBetween(
    state,
    spec.name,
    otherSide(entry.side),
    entry.key,
    entry.timeMs - spec.windowMs,
    entry.timeMs + spec.windowMs,
  );
  if (partners.some((p) => pairOf(spec, entry, p) !== undefined)) return 0;
  // A partner's buffer entry may have expired (TTL on the wall clock, bufferRetentionMs)
  // while its pair, kept longer, has not: a pair naming the record settles it too. Its time
  // is the later record's, so in [t, t + window].
  const pairs = await pairsBetween(state, spec.name, entry.key, entry.timeMs, entry.timeMs + spec.windowMs);
  if (pairs.some((p) => p.leftId === entry.id || p.rightId === entry.id)) return 0;
  const added = await addToSet(
    state,
    unmatchedPk(spec.name, entry.key),
    entry.timeMs,
    [entry],
    Math.max(entry.timeMs, nowMs) + (spec.retentionMs ?? DEFAULT_RETENTION_MS),
  );
  return added.writes;
}
