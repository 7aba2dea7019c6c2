import { describe, expect, it } from 'vitest';
import { type FeedUpdate, SnapshotFeed } from '../../../scripts/serve/SnapshotFeed.js';

/** A feed over a store whose contents the test sets; refreshes are driven by hand. */
function feedOver(state: { value: unknown; fail?: string }) {
  return new SnapshotFeed({
    read: async () => {
      if (state.fail) throw new Error(state.fail);
      return state.value;
    },
    refreshMs: 60_000,
    nowMs: () => 0,
  });
}

describe('SnapshotFeed', () => {
  it('hands a new subscriber the latest snapshot at once', async () => {
    const feed = feedOver({ value: { rides: 1 } });
    await feed.start();
    const seen: FeedUpdate[] = [];

    feed.subscribe((u) => seen.push(u));

    expect(seen).toEqual([{ type: 'snapshot', json: '{"rides":1}', readAtMs: 0 }]);
    await feed.stop();
  });

  it('tells subscribers only when the contents changed, not on every read', async () => {
    const state = { value: { rides: 1 } as unknown };
    const feed = feedOver(state);
    await feed.start();
    const seen: string[] = [];
    feed.subscribe((u) => seen.push(u.type === 'snapshot' ? u.json : u.message));

    await feed.refresh();
    state.value = { rides: 2 };
    await feed.refresh();
    await feed.refresh();

    expect(seen).toEqual(['{"rides":1}', '{"rides":2}']);
    await feed.stop();
  });

  it('says why the store cannot be read, then recovers when it can', async () => {
    const state: { value: unknown; fail?: string } = { value: { rides: 1 } };
    const feed = feedOver(state);
    await feed.start();
    const seen: string[] = [];
    feed.subscribe((u) => seen.push(u.type === 'snapshot' ? u.json : `unavailable: ${u.message}`));

    state.fail = 'connect ECONNREFUSED';
    await feed.refresh();
    delete state.fail;
    await feed.refresh();

    expect(seen).toEqual(['{"rides":1}', 'unavailable: connect ECONNREFUSED', '{"rides":1}']);
    await feed.stop();
  });

  it('reads the store again by itself every refreshMs', async () => {
    let reads = 0;
    const feed = new SnapshotFeed({ read: async () => ++reads, refreshMs: 20 });
    await feed.start();

    await expect.poll(() => reads, { timeout: 2_000 }).toBeGreaterThanOrEqual(3);
    await feed.stop();
    const after = reads;
    await new Promise((r) => setTimeout(r, 80));
    expect(reads).toBe(after);
  });
});
