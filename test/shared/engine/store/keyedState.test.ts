import { beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, DynamoKeyedStateStore } from '../../../../shared/engine/store/dynamo/index.js';
import type { TableNames } from '../../../../shared/engine/store/index.js';
import { useEmbeddedDynamo } from '../../../support/embeddedDynamo.js';

describe('DynamoKeyedStateStore (versioned state for session and join processors)', () => {
  let store: DynamoKeyedStateStore;
  const tables: TableNames = { aggregates: 'k-agg', deadLetters: 'k-dl', state: 'k-state' };
  const dynamo = useEmbeddedDynamo(tables);
  beforeAll(() => {
    store = new DynamoKeyedStateStore(createDocumentClient({ endpoint: dynamo.endpoint }), tables.state);
  });

  it('creates an entry only when it does not exist, then moves its version on each write', async () => {
    expect(await store.put('p#session#a', 10, { count: 1 }, undefined)).toBe(true);
    expect(await store.put('p#session#a', 10, { count: 9 }, undefined)).toBe(false);
    expect(await store.get('p#session#a', 10)).toEqual({ value: { count: 1 }, version: 1 });

    expect(await store.put('p#session#a', 10, { count: 2 }, 1)).toBe(true);
    expect(await store.get('p#session#a', 10)).toEqual({ value: { count: 2 }, version: 2 });
  });

  it('refuses a write based on a stale version (another invocation wrote in between)', async () => {
    await store.put('p#session#b', 1, { count: 1 }, undefined);
    await store.put('p#session#b', 1, { count: 2 }, 1);
    expect(await store.put('p#session#b', 1, { count: 99 }, 1)).toBe(false);
    expect((await store.get('p#session#b', 1))?.value).toEqual({ count: 2 });
  });

  it('lists a key range in sort-key order and deletes only at the expected version', async () => {
    for (const sk of [30, 10, 20]) await store.put('p#buffer#k', sk, { sk }, undefined, Date.UTC(2030, 0, 1));
    const range = await store.range<{ sk: number }>('p#buffer#k', 10, 20);
    expect(range.map((e) => [e.sortKey, e.value.sk, e.version])).toEqual([
      [10, 10, 1],
      [20, 20, 1],
    ]);

    expect(await store.delete('p#buffer#k', 10, 7)).toBe(false);
    expect(await store.delete('p#buffer#k', 10, 1)).toBe(true);
    expect(await store.get('p#buffer#k', 10)).toBeUndefined();
  });
});
