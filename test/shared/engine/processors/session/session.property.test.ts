import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerCodec } from '../../../../../shared/engine/decode/index.js';
import { InvalidRecordError } from '../../../../../shared/engine/errors/index.js';
import { buildEvent, type KafkaRecordInput } from '../../../../../shared/engine/event/index.js';
import {
  type HandlerSpec,
  isSession,
  processEvent,
  type SessionSpec,
} from '../../../../../shared/engine/process/index.js';
import {
  createDocumentClient,
  createPipelineStores,
  readDecimal,
  readNumber,
} from '../../../../../shared/engine/store/dynamo/index.js';
import { aggregatePk, type TableNames } from '../../../../../shared/engine/store/index.js';
import { InvocationFaults, Tape } from '../../../../support/deliveryFaults.js';
import { useEmbeddedDynamo } from '../../../../support/embeddedDynamo.js';

/**
 * The exactly-once law for session windows: whatever the delivery does (random batch
 * boundaries, partitions in any order, invocations that crash after any write, landed or
 * not, retries with other boundaries, offset resets, and invocations of different partitions
 * writing the same keys at the same time, merges included), the session rows equal a
 * single pass of a reference written here from the semantics alone, and records in =
 * aggregated + late + rejected.
 */

const MIN = 60_000;
const BASE_MS = Date.UTC(2020, 6, 1, 0, 0, 0);
const NUM_RUNS = Number(process.env.EXACTLY_ONCE_RUNS ?? 1000);
const PARTITIONS = 3;

registerCodec('session-test-json', {
  name: 'session-test-json',
  decode(record) {
    if (record.value === null)
      throw new InvalidRecordError('tombstone', { coordinates: record, code: 'TOMBSTONE' });
    try {
      return JSON.parse(record.value.toString());
    } catch (cause) {
      throw new InvalidRecordError('not JSON', { coordinates: record, cause, code: 'NOT_JSON' });
    }
  },
});

interface GenRecord {
  partition: number;
  loc: number;
  vendor: number;
  /** Seconds after BASE_MS. */
  second: number;
  tipCents: number;
  kind: 'ok' | 'bad-json' | 'tombstone' | 'no-key';
}

const genRecord: fc.Arbitrary<GenRecord> = fc.record({
  partition: fc.integer({ min: 0, max: PARTITIONS - 1 }),
  loc: fc.integer({ min: 1, max: 3 }),
  vendor: fc.integer({ min: 1, max: 2 }),
  // 40 minutes: several gaps, so sessions form, merge, close and records come late.
  second: fc.integer({ min: 0, max: 40 * 60 }),
  tipCents: fc.integer({ min: -500, max: 3000 }),
  kind: fc.constantFrom<GenRecord['kind']>(
    ...Array.from({ length: 12 }, () => 'ok' as const),
    'bad-json',
    'tombstone',
    'no-key',
  ),
});

function specsFor(run: number): HandlerSpec {
  const common = { description: 'property test', topic: 'rides', codec: 'session-test-json' } as const;
  const pipelines: SessionSpec[] = [
    {
      kind: 'session',
      ...common,
      name: `s${run}-loc`,
      key: { field: 'loc' },
      time: { field: 't' },
      gapMs: 2 * MIN,
      graceMs: 1 * MIN,
      aggregations: [
        { op: 'sum', field: 'tip' },
        { op: 'min', field: 'tip' },
        { op: 'max', field: 'tip' },
      ],
    },
    {
      kind: 'session',
      ...common,
      name: `s${run}-pair`,
      key: { fields: ['loc', 'vendor'] },
      time: { field: 't' },
      gapMs: 5 * MIN,
      graceMs: 0,
      aggregations: [],
    },
    {
      kind: 'session',
      ...common,
      name: `s${run}-kafka`,
      key: { kafkaKey: true },
      time: { kafkaTimestamp: true },
      gapMs: 30_000,
      graceMs: 10_000,
      aggregations: [{ op: 'sum', field: 'tip' }],
    },
  ];
  return { name: `s${run}`, description: 'property test', topic: 'rides', pipelines };
}

/** Every key a generated record can give each pipeline of {@link specsFor}. */
function possibleKeysOf(p: SessionSpec): string[] {
  const locs = ['1', '2', '3'];
  if ('fields' in p.key) return locs.flatMap((l) => ['1', '2'].map((v) => `${l}|${v}`));
  if ('kafkaKey' in p.key) return locs.map((l) => `k${l}`);
  return locs;
}

/** All items of one partition key, page by page (consistent reads). */
async function queryAll(
  doc: ReturnType<typeof createDocumentClient>,
  table: string,
  pk: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

function toKafka(records: GenRecord[]): KafkaRecordInput[][] {
  const parts: KafkaRecordInput[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const r of records) {
    const part = parts[r.partition]!;
    const t = BASE_MS + r.second * 1000;
    const value =
      r.kind === 'bad-json'
        ? '{"loc":'
        : r.kind === 'tombstone'
          ? null
          : JSON.stringify({ loc: r.loc, vendor: r.vendor, t, tip: r.tipCents / 100 });
    part.push({
      topic: 'rides',
      partition: r.partition,
      offset: part.length,
      timestampMs: t,
      key: r.kind === 'no-key' ? null : `k${r.loc}`,
      value,
    });
  }
  return parts;
}

interface RefSession {
  count: number;
  sum?: string;
  min?: string;
  max?: string;
}

/**
 * The reference, from the semantics only: per partition, stream time is the largest time
 * seen so far and a record is late when time + gap + grace < stream time; the accepted
 * records of a key, sorted by time, split wherever two neighbours are more than the gap
 * apart; each run is one session [first, last].
 */
function reference(spec: HandlerSpec, parts: KafkaRecordInput[][]) {
  const sessions = new Map<string, RefSession>();
  const deadLetters = new Set<string>();
  for (const p of spec.pipelines.filter(isSession)) {
    const accepted = new Map<string, Array<{ t: number; cents: number }>>();
    for (const part of parts) {
      let streamTime = Number.NEGATIVE_INFINITY;
      for (const r of part) {
        const dl = (kind: string) => deadLetters.add(`${p.name}|${r.partition}|${r.offset}|${kind}`);
        if (r.value === null || r.value === '{"loc":') {
          dl('invalid');
          continue;
        }
        const v = JSON.parse(r.value as string) as { loc: number; vendor: number; t: number; tip: number };
        let key: string;
        let t: number;
        if ('kafkaKey' in p.key) {
          if (r.key == null) {
            dl('invalid');
            continue;
          }
          key = String(r.key);
          t = r.timestampMs;
        } else {
          key = 'fields' in p.key ? `${v.loc}|${v.vendor}` : String(v.loc);
          t = v.t;
        }
        streamTime = Math.max(streamTime, t);
        if (t + p.gapMs + p.graceMs < streamTime) {
          dl('late');
          continue;
        }
        const list = accepted.get(key) ?? [];
        list.push({ t, cents: Math.round(v.tip * 100) });
        accepted.set(key, list);
      }
    }
    for (const [key, list] of accepted) {
      list.sort((a, b) => a.t - b.t);
      let run: Array<{ t: number; cents: number }> = [];
      const flush = () => {
        const first = run[0]!.t;
        const last = run[run.length - 1]!.t;
        const cents = run.map((x) => x.cents);
        const s: RefSession = { count: run.length };
        if (p.aggregations.some((a) => a.op === 'sum'))
          s.sum = String(cents.reduce((a, b) => a + b, 0) / 100);
        if (p.aggregations.some((a) => a.op === 'min')) s.min = String(Math.min(...cents) / 100);
        if (p.aggregations.some((a) => a.op === 'max')) s.max = String(Math.max(...cents) / 100);
        sessions.set(`${p.name}|${key}|${first}|${last}`, s);
      };
      for (const x of list) {
        if (run.length > 0 && x.t - run[run.length - 1]!.t > p.gapMs) {
          flush();
          run = [];
        }
        run.push(x);
      }
      flush();
    }
  }
  return { sessions, deadLetters };
}

describe('session windows: exactly-once effect under at-least-once, re-batching delivery', () => {
  const tables: TableNames = { aggregates: 's-aggregates', deadLetters: 's-dead-letters', state: 's-state' };
  const dynamo = useEmbeddedDynamo(tables);
  let run = 0;

  it(`session rows equal a single-pass reference (${NUM_RUNS} runs)`, async () => {
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    const seen = { crashes: 0, resets: 0, concurrentSteps: 0, merges: 0, reopened: 0, late: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(genRecord, { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat({ max: 1_000_000 }), { minLength: 64, maxLength: 64 }),
        async (records, choices) => {
          run++;
          const spec = specsFor(run);
          const parts = toKafka(records);
          const tape = new Tape(choices);
          const cursor = parts.map(() => 0);
          const committed: number[][] = parts.map(() => [0]);
          const all = parts.map((_, p) => p);
          for (let step = 0; cursor.some((c, p) => c < parts[p]!.length); step++) {
            if (step > 400) throw new Error('delivery simulation did not finish');
            const pending = all.filter((p) => cursor[p]! < parts[p]!.length);
            const chosen = pending.filter(() => tape.next(3) !== 0);
            if (chosen.length === 0) chosen.push(pending[tape.next(pending.length)]!);
            if (tape.next(2) === 0) chosen.reverse();
            const split =
              chosen.length > 1 && tape.next(2) === 0 ? 1 + tape.next(chosen.length - 1) : chosen.length;
            const invocations = [chosen.slice(0, split), chosen.slice(split)].filter((ps) => ps.length > 0);
            if (invocations.length > 1) seen.concurrentSteps++;
            await Promise.all(
              invocations.map(async (partitions) => {
                const takes = new Map(
                  partitions.map((p) => [p, 1 + tape.next(Math.min(8, parts[p]!.length - cursor[p]!))]),
                );
                const batch = partitions.flatMap((p) =>
                  parts[p]!.slice(cursor[p], cursor[p]! + takes.get(p)!),
                );
                const crashAfter = tape.next(3) === 0 ? tape.next(20) : Number.POSITIVE_INFINITY;
                const landsOnCrash = tape.next(2) === 0;
                const readHoldMs = invocations.length > 1 ? 1 + tape.next(8) : 0;
                const faults = new InvocationFaults(crashAfter, landsOnCrash);
                const crashing = faults.client(doc, async (command) => {
                  if (readHoldMs > 0 && command === 'GetCommand') {
                    await new Promise((r) => setTimeout(r, readHoldMs));
                  }
                });
                try {
                  const outcomes = await processEvent(
                    spec,
                    buildEvent(batch),
                    createPipelineStores(crashing, tables),
                  );
                  for (const o of outcomes) seen.reopened += o.writes.reopened ?? 0;
                  for (const p of partitions) {
                    cursor[p] = cursor[p]! + takes.get(p)!;
                    committed[p]!.push(cursor[p]!);
                  }
                } catch (err) {
                  if (!faults.dead) throw err;
                  seen.crashes++;
                }
              }),
            );
            if (tape.next(8) === 0) {
              const p = tape.next(PARTITIONS);
              const history = committed[p]!;
              cursor[p] = history[tape.next(history.length)]!;
              seen.resets++;
            }
          }

          const expected = reference(spec, parts);
          const actual = new Map<string, RefSession>();
          const actualDeadLetters = new Set<string>();
          for (const p of spec.pipelines.filter(isSession)) {
            // Read by key (Query), never by a filtered Scan: the table is shared by every run, and
            // a Scan filters only the first 1 MB page, which dropped rows once the table outgrew it.
            const rows: Record<string, unknown>[] = [];
            for (const key of possibleKeysOf(p)) {
              rows.push(...(await queryAll(doc, tables.aggregates, aggregatePk(p.name, key))));
            }
            for (const item of rows) {
              if (item.merged === true) {
                seen.merges++;
                continue;
              }
              const s: RefSession = { count: readNumber(item.count)! };
              if (item.sum_tip !== undefined) s.sum = readDecimal(item.sum_tip)!;
              if (item.min_tip !== undefined) s.min = readDecimal(item.min_tip)!;
              if (item.max_tip !== undefined) s.max = readDecimal(item.max_tip)!;
              actual.set(
                `${p.name}|${item.key}|${readNumber(item.windowStart)}|${readNumber(item.windowEnd)}`,
                s,
              );
            }
            for (const d of await queryAll(doc, tables.deadLetters, p.name)) {
              actualDeadLetters.add(`${p.name}|${readNumber(d.partition)}|${readNumber(d.offset)}|${d.kind}`);
              if (d.kind === 'late') seen.late++;
            }
          }
          expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected.sessions));
          expect([...actualDeadLetters].sort()).toEqual([...expected.deadLetters].sort());

          // Records in = aggregated + late + rejected, per pipeline.
          for (const p of spec.pipelines.filter(isSession)) {
            const aggregated = [...actual]
              .filter(([id]) => id.startsWith(`${p.name}|`))
              .reduce((n, [, s]) => n + s.count, 0);
            const deadLettered = [...actualDeadLetters].filter((d) => d.startsWith(`${p.name}|`)).length;
            expect(aggregated + deadLettered).toBe(records.length);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
    // The simulation must have exercised what it claims to.
    expect(seen.crashes).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.resets).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.concurrentSteps).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.merges).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.late).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.reopened).toBeGreaterThan(0);
    doc.destroy();
  }, 1_800_000);
});
