import { fileURLToPath } from 'node:url';
import type { KafkaRecordInput } from '../shared/engine/event/index.js';
import { partitionForKey } from '../shared/kafka/index.js';
import { formatRecord, generateRides } from '../shared/local/datagen/index.js';
import { loadZones } from '../shared/rides/schemas/index.js';

/** The zone lookup bundled in data/. */
export const zones = loadZones(fileURLToPath(new URL('../data/taxi_zone_lookup.csv', import.meta.url)));

/**
 * Realistic rides as Kafka records: datagen's rides (skewed zones, a little disorder, no
 * malformed records), JSON values, keyed by DOLocationID (or `keyField`) and partitioned with
 * Kafka's default partitioner, offsets in order per partition: what an event-source mapping reads.
 */
export function rideRecords(
  count: number,
  options: {
    partitions?: number;
    seed?: number;
    startOffset?: number;
    /** The field whose value is the record key. @default 'DOLocationID', as `produce` keys rides */
    keyField?: 'DOLocationID' | 'PULocationID';
  } = {},
): KafkaRecordInput[] {
  const partitions = options.partitions ?? 3;
  const offsets = new Array<number>(partitions).fill(options.startOffset ?? 0);
  const out: KafkaRecordInput[] = [];
  for (const r of generateRides({
    seed: options.seed ?? 1,
    zones: zones.values(),
    count,
    outOfOrderShare: 0.02,
  })) {
    if (r.kind !== 'ride') continue;
    const key = String(r.ride[options.keyField ?? 'DOLocationID']);
    const partition = partitionForKey(key, partitions);
    out.push({
      topic: 'rides',
      partition,
      offset: offsets[partition]!++,
      timestampMs: Date.parse(`${r.ride.tpep_pickup_datetime.replace(' ', 'T')}Z`),
      key,
      value: formatRecord(r, 'jsonl'),
    });
  }
  return out;
}

/** Median of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Prints rows as an aligned text table. */
export function printTable(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: ReadonlyArray<string | number>) =>
    r.map((c, i) => String(c).padEnd(widths[i]!)).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
