import type { FinalWindowStore } from '../store/FinalWindowStore.js';

/**
 * How long ago (wall clock) the oldest window of a pipeline that is still open should have
 * closed: `now - closeAtMs` of the first open window whose close time (end + grace) is at or
 * before now, 0 when there is none. The sweeper publishes it after its pass, per pipeline:
 * a window is expected to stay open past its close time until every partition passed it, at
 * most `idleAfterMs` when partitions go quiet, so a value well beyond that means windows
 * are stuck (the sweeper fails, a partition keeps delivering old records, or a pipeline
 * without `idleAfterMs` waits on a partition that receives nothing). One index query of at
 * most one key: the `openWindows` index is sorted by close time.
 */
export async function oldestOverdueMs(
  store: Pick<FinalWindowStore, 'openWindows'>,
  pipeline: string,
  nowMs: number,
): Promise<number> {
  const [oldest] = await store.openWindows(pipeline, nowMs, 1);
  return oldest ? Math.max(0, nowMs - oldest.closeAtMs) : 0;
}
