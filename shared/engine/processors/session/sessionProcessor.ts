import { attributeName } from '../../aggregate/index.js';
import { StoreError } from '../../errors/index.js';
import { DEFAULT_RETENTION_MS } from '../../process/pipelineSpec.js';
import type { Processor } from '../../process/processor.js';
import type { PipelineStores } from '../../store/PipelineStores.js';
import { type KeyContribution, planSessions } from './planSessions.js';
import { type SessionSpec, sessionSchema } from './sessionSpec.js';
import {
  applySessionRecords,
  EMPTY_HOT_SESSIONS,
  evictClosed,
  type HotSessions,
  hotSessionsExpiryMs,
  pendingRecords,
  type Session,
} from './sessionState.js';

/** Conditional writes of one key's hot state lost to other writers before giving up (STORE_CONTENTION). */
export const MAX_SESSION_ATTEMPTS = 25;

/** Keys written at the same time; DynamoDB takes more, dynalite and the Lambda's sockets less. */
const KEY_CONCURRENCY = 8;

/** The state-table key of a pipeline key's hot sessions (sort key 0). */
export function hotSessionsKey(pipeline: string, key: string): string {
  return `${pipeline}#session#${key}`;
}

interface KeyWrites {
  itemWrites: number;
  conflicts: number;
  alreadyApplied: number;
  rowWrites: number;
  reopened: number;
}

/**
 * Session windows: plan the batch (pure: filter, key, time, lateness), then per key a
 * read-modify-write of its hot state under a version condition, the rows derived from the
 * state just written, and last the state with closed sessions moved out. See the README,
 * "Session windows", for why each crash point is repaired by the retry.
 */
export const sessionProcessor: Processor<SessionSpec> = {
  kind: 'session',
  validate(spec) {
    const parsed = sessionSchema.safeParse(spec);
    if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    const attributes = spec.aggregations.map(attributeName);
    const repeated = attributes.filter((a, i) => attributes.indexOf(a) !== i);
    return repeated.length > 0 ? [`aggregation ${repeated[0]} is listed twice`] : [];
  },
  async process({ spec, groups, startStreamTimes, stores, nowMs }) {
    const plan = planSessions(spec, groups, startStreamTimes);
    const totals: KeyWrites = { itemWrites: 0, conflicts: 0, alreadyApplied: 0, rowWrites: 0, reopened: 0 };
    const entries = [...plan.keys];
    let next = 0;
    const worker = async () => {
      while (next < entries.length) {
        const [key, contributions] = entries[next++]!;
        const w = await applyKey(spec, key, contributions, stores, nowMs);
        totals.itemWrites += w.itemWrites;
        totals.conflicts += w.conflicts;
        totals.alreadyApplied += w.alreadyApplied;
        totals.rowWrites += w.rowWrites;
        totals.reopened += w.reopened;
      }
    };
    // allSettled: no write of this batch may still be running when the invocation fails.
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(KEY_CONCURRENCY, entries.length) }, worker),
    );
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return {
      stats: plan.stats,
      deadLetters: plan.deadLetters,
      checkpoints: plan.checkpoints,
      writes: { ...totals },
      items: entries.length,
    };
  },
};

/**
 * One key: (1) read the hot state; (2) take in the records above each partition's mark,
 * first reading back from their rows any closed sessions they may touch, and write the
 * state if the version is still the one read (else start over); (3) write the rows of that
 * state (also when nothing was new: a crash may have come between (2) and (3) last time);
 * (4) move closed sessions out and forget deleted rows, if the version has not moved.
 */
async function applyKey(
  spec: SessionSpec,
  key: string,
  contributions: readonly KeyContribution[],
  stores: PipelineStores,
  nowMs: () => number,
): Promise<KeyWrites> {
  const stateKey = hotSessionsKey(spec.name, key);
  const retentionMs = spec.retentionMs ?? DEFAULT_RETENTION_MS;
  const w: KeyWrites = { itemWrites: 0, conflicts: 0, alreadyApplied: 0, rowWrites: 0, reopened: 0 };
  for (let attempt = 1; attempt <= MAX_SESSION_ATTEMPTS; attempt++) {
    const entry = await stores.state.get<HotSessions>(stateKey, 0);
    const hot = entry?.value ?? EMPTY_HOT_SESSIONS;
    const pending = pendingRecords(hot, contributions);
    let reopened: Session[] = [];
    if (hot.closedUpToMs !== null && pending.length > 0) {
      const earliestMs = Math.min(...pending.map((r) => r.timeMs));
      // Closed sessions end at or before closedUpToMs; one a record touches ends at or after t - gap.
      if (earliestMs - spec.gapMs <= hot.closedUpToMs) {
        const held = new Set([...hot.sessions.map((s) => s.startMs), ...hot.mergedAway]);
        reopened = await stores.sessions.liveRows(spec, key, hot.closedUpToMs, earliestMs - spec.gapMs, held);
      }
    }
    let state = hot;
    let version = entry?.version ?? 0;
    if (pending.length > 0) {
      const result = applySessionRecords(hot, contributions, reopened, spec.gapMs, spec.aggregations);
      const expiresAtMs = hotSessionsExpiryMs(result.next, nowMs(), retentionMs);
      if (!(await stores.state.put(stateKey, 0, result.next, entry?.version, expiresAtMs))) {
        w.conflicts++;
        continue;
      }
      w.itemWrites++;
      state = result.next;
      version++;
      w.reopened += reopened.length;
    }
    w.alreadyApplied += contributions.reduce((n, c) => n + c.records.length, 0) - pending.length;
    w.rowWrites += await stores.sessions.write(spec, key, version, state.sessions, state.mergedAway, nowMs());
    const evicted = evictClosed(state, spec.gapMs, spec.graceMs);
    // Losing this race is harmless: the newer state's writer wrote its rows and evicts in turn.
    if (
      evicted &&
      (await stores.state.put(
        stateKey,
        0,
        evicted,
        version,
        hotSessionsExpiryMs(evicted, nowMs(), retentionMs),
      ))
    )
      w.itemWrites++;
    return w;
  }
  throw new StoreError(
    `gave up on the sessions of ${spec.name} ${key} after ${MAX_SESSION_ATTEMPTS} conflicting attempts`,
    { code: 'STORE_CONTENTION' },
  );
}
