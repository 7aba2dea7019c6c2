import { type AggregateState, type AggregationSpec, cloneState, combine } from '../../aggregate/index.js';
import type { KeyContribution } from './planSessions.js';

/** One session of a key: [startMs, endMs], both inclusive, and its aggregate. */
export interface Session {
  readonly startMs: number;
  readonly endMs: number;
  readonly count: number;
  /** Aggregation attributes in 10^-scale units (see AggregateState). */
  readonly values: Readonly<Record<string, number>>;
}

/** How far a partition's records have been applied to a key. */
export interface PartitionMark {
  /** Every record of the partition at or below this offset is in the sessions. */
  readonly offset: number;
  /** The partition's stream time when it last wrote the key. */
  readonly streamTimeMs: number;
}

/**
 * The "hot" state of one (pipeline, key): the sessions still held, the starts of sessions
 * merged away whose rows must still be deleted, and per-partition high-water offsets.
 * Stored as one versioned item, so a merge (several sessions replaced by one) is one
 * conditional write.
 */
export interface HotSessions {
  /** Sorted by start; any two are more than the gap apart. */
  readonly sessions: readonly Session[];
  /** Row starts to delete (merged into another session), kept until their rows are gone. */
  readonly mergedAway: readonly number[];
  readonly marks: Readonly<Record<string, PartitionMark>>;
  /** The latest end of any session moved out of this item (then only in its row); null if none. */
  readonly closedUpToMs: number | null;
}

/** The state of a key that has none yet. */
export const EMPTY_HOT_SESSIONS: HotSessions = {
  sessions: [],
  mergedAway: [],
  marks: {},
  closedUpToMs: null,
};

/** What applying a key's contributions did. */
export interface SessionApply {
  readonly next: HotSessions;
  /** Records taken in now. */
  readonly applied: number;
  /** Records an earlier delivery had taken in (at or below their partition's mark). */
  readonly alreadyApplied: number;
}

/** The records of contributions not yet in `hot` (above their partition's mark). */
export function pendingRecords(hot: HotSessions, contributions: readonly KeyContribution[]) {
  return contributions.flatMap((c) => {
    const mark = hot.marks[c.partitionId]?.offset ?? -1;
    return c.records.filter((r) => r.offset > mark);
  });
}

/**
 * Applies a key's contributions to its hot state (pure). Records at or below their
 * partition's mark are skipped (an earlier delivery took them in); the rest become
 * sessions [t, t] and every pair of sessions at most `gapMs` apart is merged, aggregates
 * combined, as Kafka Streams merges the sessions a record bridges. `reopened` are
 * sessions that had left the item (read back from their rows) because a new record may
 * touch them. A stored session whose start is no longer a start after the merge goes to
 * `mergedAway`, so its row is deleted.
 */
export function applySessionRecords(
  hot: HotSessions,
  contributions: readonly KeyContribution[],
  reopened: readonly Session[],
  gapMs: number,
  aggs: readonly AggregationSpec[],
): SessionApply {
  const marks: Record<string, PartitionMark> = { ...hot.marks };
  const all: Session[] = [...hot.sessions, ...reopened];
  const storedStarts = new Set(all.map((s) => s.startMs));
  let applied = 0;
  let alreadyApplied = 0;
  for (const c of contributions) {
    const mark = marks[c.partitionId];
    let offset = mark?.offset ?? -1;
    for (const r of c.records) {
      if (r.offset <= offset) {
        alreadyApplied++;
        continue;
      }
      applied++;
      offset = r.offset;
      all.push({ startMs: r.timeMs, endMs: r.timeMs, count: r.state.count, values: r.state.values });
    }
    marks[c.partitionId] = {
      offset,
      streamTimeMs: Math.max(mark?.streamTimeMs ?? Number.NEGATIVE_INFINITY, c.streamTimeMs),
    };
  }
  const sessions = mergeWithinGap(all, gapMs, aggs);
  const starts = new Set(sessions.map((s) => s.startMs));
  const mergedAway = new Set(hot.mergedAway);
  for (const s of storedStarts) if (!starts.has(s)) mergedAway.add(s);
  // A start can come back only inside the session that swallowed it, which keeps it gone.
  for (const s of starts) mergedAway.delete(s);
  return {
    next: {
      sessions,
      mergedAway: [...mergedAway].sort((a, b) => a - b),
      marks,
      closedUpToMs: hot.closedUpToMs,
    },
    applied,
    alreadyApplied,
  };
}

/** Sessions sorted by start, every run closer than the gap folded into one. */
function mergeWithinGap(sessions: Session[], gapMs: number, aggs: readonly AggregationSpec[]): Session[] {
  const sorted = [...sessions].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const out: Session[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    // Inclusive, as Kafka Streams finds sessions with end >= t - gap and start <= t + gap.
    if (last && s.startMs - last.endMs <= gapMs) {
      const state = combine(cloneState(last as AggregateState), s as AggregateState, aggs);
      out[out.length - 1] = {
        startMs: last.startMs,
        endMs: Math.max(last.endMs, s.endMs),
        count: state.count,
        values: state.values,
      };
    } else {
      out.push(s);
    }
  }
  return out;
}

/**
 * The lowest stream time of the partitions that have written the key: no record of those
 * partitions earlier than this minus gap minus grace can still count.
 */
function lowestStreamTime(hot: HotSessions): number {
  const times = Object.values(hot.marks).map((m) => m.streamTimeMs);
  return times.length === 0 ? Number.NEGATIVE_INFINITY : Math.min(...times);
}

/**
 * The state with the sessions no known partition can still touch moved out (their rows
 * already hold them) and `mergedAway` emptied (their rows already deleted): call only after
 * the rows of exactly this state are written. A session is moved out when its end + 2 gaps
 * + grace is below the lowest stream time of the partitions that wrote the key: a record
 * those partitions still accept is at or after stream time - gap - grace, and a record that
 * touches the session is at most a gap after its end. A partition that has not written the
 * key yet may still touch it: the shell then reads it back from its row (see
 * `closedUpToMs`), so this rule bounds the state without deciding any result.
 * Returns undefined when nothing would change.
 */
export function evictClosed(hot: HotSessions, gapMs: number, graceMs: number): HotSessions | undefined {
  const lowest = lowestStreamTime(hot);
  const closed = hot.sessions.filter((s) => s.endMs + 2 * gapMs + graceMs < lowest);
  if (closed.length === 0 && hot.mergedAway.length === 0) return undefined;
  const kept = hot.sessions.filter((s) => !closed.includes(s));
  const closedUpToMs = Math.max(hot.closedUpToMs ?? Number.NEGATIVE_INFINITY, ...closed.map((s) => s.endMs));
  return {
    sessions: kept,
    mergedAway: [],
    marks: hot.marks,
    closedUpToMs: Number.isFinite(closedUpToMs) ? closedUpToMs : hot.closedUpToMs,
  };
}

/**
 * When a key's hot item may expire (DynamoDB TTL), so keys never written again do not keep
 * their marks for ever: its latest activity (the write time, the latest session end, the
 * latest end moved out) plus two retention periods. Its rows expire one retention period
 * after their own end or last write (DynamoSessionRowStore), so the hot item outlives every
 * row written with it, by a whole retention period: a row rewritten on a later redelivery
 * (which does not rewrite the hot item) still expires first unless that redelivery comes
 * more than a retention period after the records were first applied, and such a record is
 * late by its partition's stream time unless that partition delivered nothing newer for as
 * long. Once both are gone, a record of the key starts from nothing, as a windowed
 * aggregate does after its item expired.
 */
export function hotSessionsExpiryMs(hot: HotSessions, nowMs: number, retentionMs: number): number {
  const latestMs = Math.max(
    nowMs,
    hot.closedUpToMs ?? Number.NEGATIVE_INFINITY,
    ...hot.sessions.map((s) => s.endMs),
  );
  return latestMs + 2 * retentionMs;
}
