/** One change to a materialized table: a new latest value, or a delete (a tombstone). */
export interface TableRowWrite {
  readonly key: string;
  /** `null` deletes the row (a tombstone). */
  readonly value: Readonly<Record<string, unknown>> | null;
  /** Source coordinates: the order that decides which write is newer. */
  readonly partition: number;
  readonly offset: number;
  readonly timestampMs: number;
  /** When a delete marker may go (TTL); rows themselves never expire. */
  readonly expiresAtMs?: number;
}

/** A live row of a materialized table, with the coordinates of the record that wrote it. */
export interface TableRow {
  readonly key: string;
  readonly value: Readonly<Record<string, unknown>>;
  readonly partition: number;
  readonly offset: number;
  readonly timestampMs: number;
}

/**
 * The rows `table` pipelines materialize (latest value per key) and enrich steps read.
 * Implemented by `DynamoReferenceTableStore` on the state table.
 */
export interface ReferenceTableStore {
  /**
   * Writes each change unless the stored row is newer: within a partition a higher offset
   * wins, across partitions a later timestamp. Idempotent: a redelivered change finds its
   * own (or a newer) row and writes nothing.
   */
  apply(
    table: string,
    writes: readonly TableRowWrite[],
  ): Promise<{ written: number; alreadyApplied: number }>;
  /** The live values of these keys; absent and deleted keys are left out. */
  getMany(table: string, keys: readonly string[]): Promise<Map<string, Readonly<Record<string, unknown>>>>;
  /** Every live row of a table, by key (tools and tests; a Scan, not for hot paths). */
  list(table: string): Promise<TableRow[]>;
}
