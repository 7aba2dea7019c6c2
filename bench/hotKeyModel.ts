/**
 * How hot the hottest item of a pipeline runs, as a function of the topic's rate: a model of
 * the event-source mapping's batching (pure, tested in `test/bench/hotKeyModel.test.ts`).
 *
 * An item is written once per invocation whose batch holds one of its records (the store
 * pre-aggregates a batch), so what heats an item is invocations, not records: a partition's
 * poller sends a batch when it holds `batchSize` records or when the batching window ends,
 * so a partition with records sends at least one batch per window however few it has
 * (at most one per record). An item fed by every partition (a constant key, or a key other
 * than the topic's) is written by every partition's invocations, and it also grows by one
 * partition mark per feeding partition, so each write costs more units.
 */

/**
 * The mapping and topic, as deployed. The model assumes the worst case for an item: every
 * batch holds one partition's records (Lambda runs up to one concurrent invocation per
 * partition); a poller that mixes partitions in one batch writes the item less often.
 */
export interface Deployment {
  readonly partitions: number;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
}

/** The pipeline's hottest item. */
export interface HotItem {
  /** Share of all records that carry the hottest key (1 for a constant key). */
  readonly keyShare: number;
  /** Whether the pipeline's key is the topic's key, so one partition holds all of its records. */
  readonly keyedLikeTopic: boolean;
  /** Write units of one write of the item when `feedingPartitions` partitions fed it (measured). */
  readonly writeUnits: (feedingPartitions: number) => number;
}

/** DynamoDB's throughput for one item (one partition key value): 1,000 write units per second. */
export const ITEM_WRITE_UNITS_PER_SECOND = 1000;

/** Write units per second the hottest item receives at `ridesPerSecond` over the topic. */
export function hotItemWriteUnitsPerSecond(item: HotItem, d: Deployment, ridesPerSecond: number): number {
  const feeding = item.keyedLikeTopic ? 1 : d.partitions;
  // Records per second of one feeding partition, and the hottest key's share of them. Keyed
  // like the topic, the key's partition carries at least all of the key's records.
  const evenRate = ridesPerSecond / d.partitions;
  const partitionRate = item.keyedLikeTopic ? Math.max(evenRate, item.keyShare * ridesPerSecond) : evenRate;
  const shareInPartition = item.keyedLikeTopic
    ? (item.keyShare * ridesPerSecond) / partitionRate
    : item.keyShare;
  const windowS = d.batchingWindowMs / 1000;
  // A batch per `batchSize` records, at least one per window, at most one per record.
  const batchesPerSecond = Math.min(partitionRate, Math.max(partitionRate / d.batchSize, 1 / windowS));
  const recordsPerBatch = partitionRate / batchesPerSecond;
  const batchHasKey = 1 - (1 - shareInPartition) ** recordsPerBatch;
  return feeding * batchesPerSecond * batchHasKey * item.writeUnits(feeding);
}

/**
 * The highest topic rate (rides/s) at which the hottest item stays within DynamoDB's
 * per-item throughput, by bisection (the load is monotone in the rate); Infinity when even
 * 10^9 rides/s fits.
 */
export function maxRidesPerSecond(item: HotItem, d: Deployment): number {
  const fits = (rate: number) => hotItemWriteUnitsPerSecond(item, d, rate) <= ITEM_WRITE_UNITS_PER_SECOND;
  let hi = 1e9;
  if (fits(hi)) return Number.POSITIVE_INFINITY;
  let lo = 0;
  while (hi - lo > Math.max(1, lo * 1e-4)) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
