/**
 * The DynamoDB table design, in one place: the embedded store creates tables from it and
 * the CDK app provisions the same keys and indexes.
 *
 * Aggregates (one item per pipeline, key and window):
 *   pk = "<pipeline>#<key>", sk = window start as ISO-8601 UTC ("all-time" when unwindowed).
 *   - one key's windows over a time range: Query pk = :pk AND sk BETWEEN :fromIso AND :toIso
 *   - top N keys of a window: Query GSI `byWindow` (gsi1pk = "<pipeline>#<sk>", sorted by
 *     `count`) with ScanIndexForward = false and Limit = N
 *   - a window's totals: sum that same GSI query, or declare a pipeline with a constant key
 *   - retention: `expiresAt` (epoch seconds) = window end + the pipeline's retention
 *   - windows of final-results pipelines not yet final: Query the sparse GSI `openWindows`
 *     (openPipeline = "<pipeline>", closeAtMs <= :bound), keys only; an item leaves it when
 *     it is marked final (see engine/final)
 * Dead letters: pk = pipeline, sk = "<topic>-<partition>#<offset, 20 digits>#<kind>#<window start>".
 * State (stream-time checkpoints): pk = "<pipeline>#streamtime#<topic>-<partition>", sk = 0 (one item,
 * moved forward only, no TTL); other sort keys are free for future state (sessions, join buffers).
 */
export interface TableDesign {
  readonly logicalName: 'aggregates' | 'deadLetters' | 'state';
  /** Environment variable holding the physical table name in Lambda. */
  readonly envVar: string;
  /** Default physical name for local runs. */
  readonly localName: string;
  readonly partitionKey: { name: string; type: 'S' | 'N' };
  readonly sortKey: { name: string; type: 'S' | 'N' };
  readonly globalIndexes: ReadonlyArray<{
    name: string;
    partitionKey: { name: string; type: 'S' | 'N' };
    sortKey: { name: string; type: 'S' | 'N' };
    /**
     * What the index holds besides the keys. `KEYS_ONLY` for sparse work lists whose readers
     * fetch the item anyway: an index write happens only when its key attributes change, not
     * on every update of a projected attribute.
     * @default 'ALL'
     */
    projection?: 'ALL' | 'KEYS_ONLY';
  }>;
  /** Attribute DynamoDB's TTL reads. */
  readonly ttlAttribute: string;
}

/**
 * The sparse GSI of windows a final-results pipeline has not finalized yet: only items
 * carrying `openPipeline` are in it (items of pipelines without `final` never are).
 */
export const OPEN_WINDOWS_INDEX = 'openWindows';

export const AGGREGATES_TABLE: TableDesign = {
  logicalName: 'aggregates',
  envVar: 'AGGREGATES_TABLE',
  localName: 'aggregates',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalIndexes: [
    { name: 'byWindow', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'count', type: 'N' } },
    {
      name: OPEN_WINDOWS_INDEX,
      partitionKey: { name: 'openPipeline', type: 'S' },
      sortKey: { name: 'closeAtMs', type: 'N' },
      projection: 'KEYS_ONLY',
    },
  ],
  ttlAttribute: 'expiresAt',
};

export const DEAD_LETTER_TABLE: TableDesign = {
  logicalName: 'deadLetters',
  envVar: 'DEAD_LETTER_TABLE',
  localName: 'dead-letters',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalIndexes: [],
  ttlAttribute: 'expiresAt',
};

export const STATE_TABLE: TableDesign = {
  logicalName: 'state',
  envVar: 'STATE_TABLE',
  localName: 'state',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'N' },
  globalIndexes: [],
  ttlAttribute: 'expiresAt',
};

export const ALL_TABLES: readonly TableDesign[] = [AGGREGATES_TABLE, DEAD_LETTER_TABLE, STATE_TABLE];

/** The sort key of a window: ISO-8601 start (sorts by time), or "all-time". */
export function windowSortKey(startMs: number): string {
  return startMs === Number.NEGATIVE_INFINITY ? 'all-time' : new Date(startMs).toISOString();
}

/** The partition key of one pipeline's key. */
export function aggregatePk(pipeline: string, key: string): string {
  return `${pipeline}#${key}`;
}

/** The attribute holding the highest offset of `partitionId` already applied to an item. */
export function highWaterAttribute(partitionId: string): string {
  return `hw:${partitionId}`;
}
