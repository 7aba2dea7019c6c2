import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/**
 * An independent model of what the ride pipelines should produce, written from the
 * semantics with plain arithmetic, sharing no code with the implementation: Kafka's murmur2
 * partitioner (a port of the Java client's `Utils.murmur2`), epoch-aligned windows by floor,
 * and Kafka Streams' lateness rule on per-partition stream time in offset (= file) order.
 */

/** Kafka's `Utils.murmur2` (Java client), ported line by line. */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const length4 = Math.floor(length / 4);
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4]! & 0xff) +
      ((data[i4 + 1]! & 0xff) << 8) +
      ((data[i4 + 2]! & 0xff) << 16) +
      ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  // Java's switch falls through from case 3 to case 1.
  const rest = length % 4;
  if (rest >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's default partition of a keyed record: `toPositive(murmur2(key)) % n`. */
export function expectedPartition(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

/** A CSV row of data/rides.csv, as strings. */
export type CsvRow = Record<string, string>;

/** Reads a CSV file with a header row. */
export function readCsv(path: string): CsvRow[] {
  return parse(readFileSync(path), { columns: true, skip_empty_lines: true }) as CsvRow[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const GRACE = 60 * MIN;

/** Zone-less TLC datetimes are UTC. */
export const utcMs = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);

/** Expected contents of the four ride pipelines' tables. */
export interface ExpectedTables {
  /** "<PU>@<window start>" -> count */
  pickup5m: Map<string, number>;
  /** hour start -> { count, tipCents } */
  tips1h: Map<number, { count: number; tipCents: number }>;
  /** 15-minute window start -> { count, tipCents } (tips-15m) */
  tips15m: Map<number, { count: number; tipCents: number }>;
  /** Window starts of tips-15m that every partition passed (end + grace): its final results. */
  tips15mFinal: Set<number>;
  /** "<vendor>@<window start>" -> count */
  vendorHop: Map<string, number>;
  /** DOLocationID -> count */
  dropoff: Map<string, number>;
  /** late (record, window) pairs per pipeline */
  late: Record<'pickup-5m' | 'tips-1h' | 'tips-15m' | 'vendor-10m-hop-5m' | 'dropoff-count', number>;
}

const bump = <K>(m: Map<K, number>, k: K, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

/**
 * Computes the tables record by record in file order: each record goes to partition
 * murmur2(DOLocationID) % partitions, raises its partition's stream time to its pickup time,
 * and is counted in every window whose end + 60 min grace is still after that stream time.
 */
export function expectedTables(rows: readonly CsvRow[], partitions: number): ExpectedTables {
  const streamTime = new Map<number, number>();
  const out: ExpectedTables = {
    pickup5m: new Map(),
    tips1h: new Map(),
    tips15m: new Map(),
    tips15mFinal: new Set(),
    vendorHop: new Map(),
    dropoff: new Map(),
    late: { 'pickup-5m': 0, 'tips-1h': 0, 'tips-15m': 0, 'vendor-10m-hop-5m': 0, 'dropoff-count': 0 },
  };
  for (const row of rows) {
    const p = expectedPartition(row.DOLocationID!, partitions);
    const t = utcMs(row.tpep_pickup_datetime!);
    const st = Math.max(streamTime.get(p) ?? Number.NEGATIVE_INFINITY, t);
    streamTime.set(p, st);
    const open = (endMs: number) => endMs + GRACE > st;

    const five = t - (t % (5 * MIN));
    if (open(five + 5 * MIN)) bump(out.pickup5m, `${Number(row.PULocationID)}@${five}`);
    else out.late['pickup-5m']++;

    const hour = t - (t % HOUR);
    if (open(hour + HOUR)) {
      const h = out.tips1h.get(hour) ?? { count: 0, tipCents: 0 };
      h.count++;
      h.tipCents += Math.round(Number.parseFloat(row.tip_amount!) * 100);
      out.tips1h.set(hour, h);
    } else out.late['tips-1h']++;

    const quarter = t - (t % (15 * MIN));
    if (open(quarter + 15 * MIN)) {
      const q = out.tips15m.get(quarter) ?? { count: 0, tipCents: 0 };
      q.count++;
      q.tipCents += Math.round(Number.parseFloat(row.tip_amount!) * 100);
      out.tips15m.set(quarter, q);
    } else out.late['tips-15m']++;

    // 10-minute windows every 5 minutes: the one starting at the 5-minute floor and the one before.
    for (const start of [five - 5 * MIN, five]) {
      if (open(start + 10 * MIN)) bump(out.vendorHop, `${Number(row.VendorID)}@${start}`);
      else out.late['vendor-10m-hop-5m']++;
    }

    bump(out.dropoff, String(Number(row.DOLocationID)));
  }
  // Final results: the windows every partition's stream time passed (the low watermark).
  const low = Math.min(
    ...Array.from({ length: partitions }, (_, p) => streamTime.get(p) ?? Number.NEGATIVE_INFINITY),
  );
  for (const start of out.tips15m.keys()) if (start + 15 * MIN + GRACE <= low) out.tips15mFinal.add(start);
  return out;
}

/** Zone names by location id, from taxi_zone_lookup.csv. */
export function zoneNames(path: string): Map<number, { zone: string; borough: string }> {
  return new Map(readCsv(path).map((r) => [Number(r.locationid), { zone: r.zone!, borough: r.borough! }]));
}

/** A session as the independent model computes it. */
export interface ExpectedSession {
  key: string;
  startMs: number;
  endMs: number;
  count: number;
}

/**
 * Sessions computed from the semantics alone: rides go to partition murmur2(DOLocationID)
 * % 3 in file order (as replay sends them), a ride is late when pickup + gap + grace is
 * before its partition's stream time, and the accepted rides of a key, sorted by time,
 * split wherever neighbours are more than the gap apart.
 */
export function expectedSessions(
  csv: readonly CsvRow[],
  keyOf: (r: CsvRow) => string,
  gapMs: number,
): { sessions: ExpectedSession[]; late: number } {
  const streamTime = new Map<number, number>();
  const byKey = new Map<string, number[]>();
  let late = 0;
  for (const r of csv) {
    const p = expectedPartition(r.DOLocationID!, 3);
    const t = utcMs(r.tpep_pickup_datetime!);
    const st = Math.max(streamTime.get(p) ?? Number.NEGATIVE_INFINITY, t);
    streamTime.set(p, st);
    if (t + gapMs + GRACE < st) {
      late++;
      continue;
    }
    const times = byKey.get(keyOf(r)) ?? [];
    times.push(t);
    byKey.set(keyOf(r), times);
  }
  const sessions: ExpectedSession[] = [];
  for (const [key, times] of byKey) {
    times.sort((a, b) => a - b);
    let start = times[0]!;
    let count = 0;
    let prev = start;
    for (const t of times) {
      if (t - prev > gapMs) {
        sessions.push({ key, startMs: start, endMs: prev, count });
        start = t;
        count = 0;
      }
      count++;
      prev = t;
    }
    sessions.push({ key, startMs: start, endMs: prev, count });
  }
  return { sessions, late };
}
