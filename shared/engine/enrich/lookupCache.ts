import type { ReferenceTableStore } from '../store/ReferenceTableStore.js';

/** A looked-up row: its value, or null when the table has no live row for the key. */
export type LookedUpRow = Readonly<Record<string, unknown>> | null;

/**
 * Rows of materialized tables, cached per container (one instance per handler, kept across
 * invocations), so a warm function reads each key at most once per `maxStalenessMs`.
 * Misses are cached too: a ride with an unknown zone must not cost a read per record.
 *
 * Hand-written rather than a cache package: what it needs (a staleness bound per read, a
 * batch refresh of only the expired keys through one BatchGetItem, an entry bound) is a
 * few lines over a Map, and the engine bundle stays free of another dependency.
 */
export class LookupCache {
  private readonly tables = new Map<string, Map<string, { row: LookedUpRow; readAtMs: number }>>();

  /**
   * @param maxEntriesPerTable entries kept per table; the least recently read go first.
   * @default 100_000, about 50 MB at 500 bytes a row, within a 512 MB function's memory
   */
  constructor(
    private readonly store: ReferenceTableStore,
    private readonly nowMs: () => number = Date.now,
    private readonly maxEntriesPerTable = 100_000,
  ) {}

  /** The rows of `keys`, reading from the store only the keys not cached within `maxStalenessMs`. */
  async rows(
    table: string,
    keys: Iterable<string>,
    maxStalenessMs: number,
  ): Promise<Map<string, LookedUpRow>> {
    let cached = this.tables.get(table);
    if (!cached) {
      cached = new Map();
      this.tables.set(table, cached);
    }
    const now = this.nowMs();
    const out = new Map<string, LookedUpRow>();
    const toRead: string[] = [];
    for (const key of keys) {
      if (out.has(key)) continue;
      const hit = cached.get(key);
      if (hit && now - hit.readAtMs <= maxStalenessMs) out.set(key, hit.row);
      else {
        out.set(key, null);
        toRead.push(key);
      }
    }
    if (toRead.length > 0) {
      const read = await this.store.getMany(table, toRead);
      for (const key of toRead) {
        const row = read.get(key) ?? null;
        out.set(key, row);
        cached.delete(key); // re-insert: Map order is the eviction order
        cached.set(key, { row, readAtMs: now });
      }
      while (cached.size > this.maxEntriesPerTable) cached.delete(cached.keys().next().value as string);
    }
    return out;
  }
}
