/** A versioned value of a {@link KeyedStateStore}. */
export interface StateEntry<V> {
  readonly value: V;
  /** Moves by one on every write: the condition of the next write. */
  readonly version: number;
}

/**
 * Per-key state for processors that must remember more than an aggregate (session windows,
 * join buffers): values under (partition key, numeric sort key), written with optimistic
 * concurrency so concurrent invocations of different partitions never lose a write.
 * Implemented by `DynamoKeyedStateStore` on the state table.
 */
export interface KeyedStateStore {
  /** The entry at (key, sortKey), read consistently; undefined when absent. */
  get<V>(key: string, sortKey: number): Promise<StateEntry<V> | undefined>;
  /**
   * Writes a value if the stored version is still `expectedVersion` (undefined: the entry
   * must not exist). Resolves to false when another writer got there first (read again).
   * @param expiresAtMs when the entry may be deleted (TTL), if ever
   */
  put<V>(
    key: string,
    sortKey: number,
    value: V,
    expectedVersion: number | undefined,
    expiresAtMs?: number,
  ): Promise<boolean>;
  /** Entries of a key with sortKey in [fromSortKey, toSortKey], ascending. */
  range<V>(
    key: string,
    fromSortKey: number,
    toSortKey: number,
  ): Promise<Array<StateEntry<V> & { sortKey: number }>>;
  /** Removes an entry if its version is still `expectedVersion`; false when it moved. */
  delete(key: string, sortKey: number, expectedVersion: number): Promise<boolean>;
}
