import { StoreError } from '../errors/index.js';
import type { KeyedStateStore } from '../store/KeyedStateStore.js';
import type { LookedUpRow } from './lookupCache.js';

/** Rows an enrich step used, by table and key. */
export type PinnedRows = Record<string, Record<string, LookedUpRow>>;

/** The rows a range of a partition's records was enriched with. */
export interface PinSegment {
  readonly from: number;
  readonly to: number;
  readonly rows: PinnedRows;
}

/** One state item of a segment: `chunks` says how many make the whole. */
interface StoredChunk extends PinSegment {
  readonly chunks: number;
}

/** Chunks per segment in the sort key: `from * CHUNKS + chunk`. */
const CHUNKS = 1024;
/** Bytes of rows per state item, under DynamoDB's 400 KB item limit with room for the rest. */
const MAX_CHUNK_BYTES = 300_000;
/** Pins matter only until the batch's checkpoint passes them; TTL clears any left behind. */
const PIN_TTL_MS = 7 * 24 * 3600 * 1000;

function pinKey(pipeline: string, partitionId: string): string {
  return `${pipeline}#pins#${partitionId}`;
}

/**
 * Makes enrichment deterministic under redelivery. An aggregation keyed by an enriched field
 * (rides per pickup borough) is exactly-once only if a redelivered record goes to the same
 * item as the first time; if the table changed between a failed attempt (partly applied)
 * and its retry, a fresh lookup could send it elsewhere and count it twice. So before a
 * batch writes anything, the rows its records were enriched with are written here, per
 * source partition and offset range; a redelivery enriches the records of those ranges
 * with the pinned rows, and only records past them with fresh lookups. Segments behind
 * the batch's first record (so behind its checkpoint) are deleted.
 *
 * Stored on the state table as chunks of at most 300 KB under
 * `<pipeline>#pins#<topic>-<partition>`, sort key `from * 1024 + chunk`, with a TTL.
 * Kafka Streams gets the same effect from transactions (an aborted attempt's writes vanish);
 * here the first attempt's writes stay, so its inputs must stay too.
 */
export class LookupPins {
  constructor(
    private readonly state: KeyedStateStore,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The segments of a partition that may still be redelivered (offset >= `firstOffset`). */
  async read(
    pipeline: string,
    partitionId: string,
    firstOffset: number,
  ): Promise<{ segments: PinSegment[]; stale: Array<{ sortKey: number; version: number }> }> {
    const entries = await this.state.range<StoredChunk>(
      pinKey(pipeline, partitionId),
      0,
      Number.MAX_SAFE_INTEGER,
    );
    const bySegment = new Map<number, Array<(typeof entries)[number]>>();
    for (const e of entries) {
      const list = bySegment.get(e.value.from) ?? [];
      list.push(e);
      bySegment.set(e.value.from, list);
    }
    const segments: PinSegment[] = [];
    const stale: Array<{ sortKey: number; version: number }> = [];
    for (const [from, chunks] of bySegment) {
      const first = chunks[0]!.value;
      // Behind the batch: its records are checkpointed. Incomplete: the attempt that pinned
      // it failed while pinning, so before any effect; it is pinned afresh.
      if (first.to < firstOffset || chunks.length !== first.chunks) {
        for (const c of chunks) stale.push({ sortKey: c.sortKey, version: c.version });
        continue;
      }
      const rows: PinnedRows = {};
      for (const c of chunks)
        for (const [table, byKey] of Object.entries(c.value.rows)) Object.assign((rows[table] ??= {}), byKey);
      segments.push({ from, to: first.to, rows });
    }
    return { segments: segments.sort((a, b) => a.from - b.from), stale };
  }

  /** Drops stale segments, then pins a new one (before any effect of its records is written). */
  async write(
    pipeline: string,
    partitionId: string,
    segment: PinSegment,
    stale: ReadonlyArray<{ sortKey: number; version: number }>,
  ): Promise<void> {
    if (segment.from > Number.MAX_SAFE_INTEGER / CHUNKS) {
      throw new StoreError(`offset ${segment.from} of ${partitionId} is beyond what lookup pins can key`);
    }
    const key = pinKey(pipeline, partitionId);
    const chunks = chunkRows(segment.rows);
    if (chunks.length > CHUNKS) {
      throw new StoreError(
        `${pipeline} ${partitionId}: the rows of one batch need more than ${CHUNKS} pin items`,
      );
    }
    const expiresAtMs = this.nowMs() + PIN_TTL_MS;
    await Promise.all(stale.map((s) => this.state.delete(key, s.sortKey, s.version)));
    await Promise.all(
      chunks.map(async (rows, i) => {
        const sortKey = segment.from * CHUNKS + i;
        // A segment is pinned once: a retry of the same records reads it and pins nothing
        // new for them. An entry already there means a concurrent invocation of the same
        // partition, which Lambda never runs: fail the batch rather than guess.
        const chunk: StoredChunk = { from: segment.from, to: segment.to, chunks: chunks.length, rows };
        const ok = await this.state.put(key, sortKey, chunk, undefined, expiresAtMs);
        if (!ok)
          throw new StoreError(
            `${pipeline} ${partitionId}: lookup pin at offset ${segment.from} already exists`,
          );
      }),
    );
  }
}

/** Splits rows into chunks of at most {@link MAX_CHUNK_BYTES} of JSON; at least one chunk. */
function chunkRows(rows: PinnedRows): PinnedRows[] {
  const chunks: PinnedRows[] = [];
  let current: PinnedRows = {};
  let bytes = 0;
  for (const [table, byKey] of Object.entries(rows)) {
    for (const [key, row] of Object.entries(byKey)) {
      const size = Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(row)) + 8;
      if (bytes + size > MAX_CHUNK_BYTES && bytes > 0) {
        chunks.push(current);
        current = {};
        bytes = 0;
      }
      (current[table] ??= {})[key] = row;
      bytes += size;
    }
  }
  chunks.push(current);
  return chunks;
}
