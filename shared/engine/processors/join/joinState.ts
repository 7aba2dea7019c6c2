import type { KeyedStateStore } from '../../store/KeyedStateStore.js';
import type { JoinPair } from './joinPairs.js';
import type { JoinSide } from './joinSpec.js';
import type { BufferEntry } from './planJoin.js';

/**
 * Where a join keeps its state, on the state table through {@link KeyedStateStore}:
 * - buffer: pk = `<pipeline>#join-<side>#<key>`, sk = event time; the item holds every
 *   record of that side, key and time (usually one), so a time range of partners is one Query;
 * - pairs:  pk = `<pipeline>#join-pairs#<key>`, sk = pair time; the item holds the pairs of
 *   that key and time, so a key's pairs over a time range are one Query too.
 * Both are sets keyed by identity, grown by conditional read-modify-write: adding what is
 * there already writes nothing, which makes every write idempotent under redelivery.
 */
export function bufferPk(pipeline: string, side: JoinSide, key: string): string {
  return `${pipeline}#join-${side}#${key}`;
}

/** @see bufferPk */
export function pairsPk(pipeline: string, key: string): string {
  return `${pipeline}#join-pairs#${key}`;
}

/**
 * Records of an outer side waiting to be found unmatched: pk = `<pipeline>#join-pending-<side>`,
 * sk = event time, so the records whose window closed are one Query (`sk < bound`). Removed
 * once decided; the decision is repeatable, so a crash between deciding and removing is safe.
 */
export function pendingPk(pipeline: string, side: JoinSide): string {
  return `${pipeline}#join-pending-${side}`;
}

/** Records that never paired (left and outer joins): pk = `<pipeline>#join-unmatched#<key>`, sk = event time. */
export function unmatchedPk(pipeline: string, key: string): string {
  return `${pipeline}#join-unmatched#${key}`;
}

/** The prefix of every pairs item of a pipeline (tools scan for it). */
export function pairsPkPrefix(pipeline: string): string {
  return `${pipeline}#join-pairs#`;
}

/** The prefix of every unmatched item of a pipeline (`query` scans for it). @see unmatchedPk */
export function unmatchedPkPrefix(pipeline: string): string {
  return `${pipeline}#join-unmatched#`;
}

/** What adding to a set item did. */
export interface SetAddCounts {
  /** 1 when the item was written, 0 when everything was there already. */
  readonly writes: number;
  /** Conditional writes that lost to a concurrent writer and were redone. */
  readonly conflicts: number;
  /** Members that were there already (a redelivery's, or a concurrent finder's). */
  readonly alreadyThere: number;
}

/**
 * Adds members to the set stored at (pk, sk): read consistently, write the union (ordered by
 * id) if the version did not move, else read again. Linearizable per item, as DynamoDB's conditional
 * writes are; a member already there is not written again.
 */
export async function addToSet<T extends { readonly id: string }>(
  store: KeyedStateStore,
  pk: string,
  sk: number,
  members: readonly T[],
  expiresAtMs: number,
): Promise<SetAddCounts> {
  let conflicts = 0;
  for (;;) {
    const current = await store.get<T[]>(pk, sk);
    const have = new Set((current?.value ?? []).map((m) => m.id));
    const missing = members.filter((m) => !have.has(m.id));
    if (missing.length === 0) return { writes: 0, conflicts, alreadyThere: members.length };
    // Members sorted by identity, not by arrival: which invocation found a pair first must
    // not show in the table, so a run with both sides concurrent (the broker) leaves the
    // items a replay leaves.
    const next = [...(current?.value ?? []), ...missing].sort((a, b) =>
      a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    if (await store.put(pk, sk, next, current?.version, expiresAtMs)) {
      return { writes: 1, conflicts, alreadyThere: members.length - missing.length };
    }
    conflicts++;
  }
}

/** Buffered records of one side and key with times in [fromMs, toMs], read consistently. */
export async function bufferedBetween(
  store: KeyedStateStore,
  pipeline: string,
  side: JoinSide,
  key: string,
  fromMs: number,
  toMs: number,
): Promise<BufferEntry[]> {
  const items = await store.range<BufferEntry[]>(bufferPk(pipeline, side, key), fromMs, toMs);
  return items.flatMap((i) => i.value);
}

/** The pairs of one key with times in [fromMs, toMs], by time. */
export async function pairsBetween(
  store: KeyedStateStore,
  pipeline: string,
  key: string,
  fromMs: number,
  toMs: number,
): Promise<JoinPair[]> {
  const items = await store.range<JoinPair[]>(pairsPk(pipeline, key), fromMs, toMs);
  return items.flatMap((i) => i.value);
}

/**
 * Removes members (by id) from the set at (pk, sk), deleting the item when it empties:
 * conditional on the version read, as {@link addToSet}; removing what is gone writes nothing.
 */
export async function removeFromSet(
  store: KeyedStateStore,
  pk: string,
  sk: number,
  ids: readonly string[],
  expiresAtMs: number,
): Promise<SetAddCounts> {
  const drop = new Set(ids);
  let conflicts = 0;
  for (;;) {
    const current = await store.get<{ readonly id: string }[]>(pk, sk);
    if (!current) return { writes: 0, conflicts, alreadyThere: 0 };
    const kept = current.value.filter((m) => !drop.has(m.id));
    if (kept.length === current.value.length) return { writes: 0, conflicts, alreadyThere: 0 };
    const done =
      kept.length === 0
        ? await store.delete(pk, sk, current.version)
        : await store.put(pk, sk, kept, current.version, expiresAtMs);
    if (done) return { writes: 1, conflicts, alreadyThere: 0 };
    conflicts++;
  }
}

/** The unmatched records of one key with times in [fromMs, toMs], by time. */
export async function unmatchedBetween(
  store: KeyedStateStore,
  pipeline: string,
  key: string,
  fromMs: number,
  toMs: number,
): Promise<BufferEntry[]> {
  const items = await store.range<BufferEntry[]>(unmatchedPk(pipeline, key), fromMs, toMs);
  return items.flatMap((i) => i.value);
}
