import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEvent, type KafkaRecordInput } from '../../../../shared/engine/event/index.js';
import { type OutputRecord, type RecordSink, sourceHeader } from '../../../../shared/engine/output/index.js';
import { type HandlerSpec, processEvent } from '../../../../shared/engine/process/index.js';
import {
  batchGetAll,
  createDocumentClient,
  createPipelineStores,
  readNumber,
  tableRowPk,
} from '../../../../shared/engine/store/dynamo/index.js';
import type { TableNames } from '../../../../shared/engine/store/index.js';
import { tumbling } from '../../../../shared/engine/windows/index.js';
import { InvocationFaults, Tape } from '../../../support/deliveryFaults.js';
import { useEmbeddedDynamo } from '../../../support/embeddedDynamo.js';

/**
 * The exactly-once law for the pipelines that read tables and write topics. Two topics are
 * delivered at once, as two event-source mappings would: changes to a compacted `zones`
 * topic (a table pipeline) and rides that a route pipeline enriches with their zone and
 * sends to a topic, and that an aggregation counts per enriched borough. Deliveries re-batch,
 * crash after any number of writes or sends (the crashing one lands or not), reset offsets
 * and run partitions concurrently, while the zones change between a crashed attempt and its
 * retry. Whatever happens:
 * - the table ends as the latest change per key (tombstones delete);
 * - every ride reaches its topic at least once, every copy identical (same source, same
 *   value), and nothing else does;
 * - every ride is counted exactly once in its window, under a borough or, when its zone was
 *   missing, as a dead letter: records in = counted + rejected, per window.
 * The reference is computed here from the generated records alone.
 */

const MIN = 60_000;
const BASE_MS = Date.UTC(2020, 6, 1);
const NUM_RUNS = Number(process.env.EXACTLY_ONCE_RUNS ?? 1000);
const BOROUGHS = ['A', 'B', 'C'] as const;

interface ZoneChange {
  loc: number;
  borough: (typeof BOROUGHS)[number] | null; // null: a tombstone
}
interface Ride {
  partition: number;
  loc: number;
  minute: number;
  amount: number;
  bad: boolean;
}

const genZone = fc.record({
  loc: fc.integer({ min: 1, max: 4 }),
  borough: fc.constantFrom<ZoneChange['borough']>('A', 'B', 'C', 'A', 'B', 'C', null),
});
const genRide = fc.record({
  partition: fc.integer({ min: 0, max: 2 }),
  loc: fc.integer({ min: 1, max: 5 }), // 5 never has a zone
  minute: fc.integer({ min: 0, max: 29 }),
  amount: fc.integer({ min: 0, max: 80 }),
  bad: fc.constantFrom(false, false, false, false, false, false, false, true),
});

function handlersFor(run: number): { table: HandlerSpec; rides: HandlerSpec } {
  const lookup = { table: `r${run}-zones`, keyField: 'loc', as: 'zone', maxStalenessMs: 0 };
  return {
    table: {
      name: 'zones',
      description: '',
      topic: 'zones',
      pipelines: [{ kind: 'table', name: `r${run}-zones`, description: '', topic: 'zones', codec: 'json' }],
    },
    rides: {
      name: 'rides',
      description: '',
      topic: 'rides',
      pipelines: [
        {
          kind: 'route',
          name: `r${run}-route`,
          description: '',
          topic: 'rides',
          codec: 'json',
          enrich: [lookup],
          routes: [{ to: 'high', when: [{ field: 'amount', op: 'gte', value: 40 }] }, { to: 'low' }],
        },
        {
          kind: 'windowed-aggregate',
          name: `r${run}-borough`,
          description: '',
          topic: 'rides',
          codec: 'json',
          enrich: [lookup],
          key: { field: 'zone.b' },
          time: { field: 't' },
          // Grace longer than the data: lateness is the other property test's subject.
          window: tumbling(5 * MIN, 24 * 60 * MIN),
          aggregations: [],
        },
      ],
    },
  };
}

/** Zone changes keyed by loc: a key stays in one partition (loc % 2), as a producer's partitioner keeps it. */
function zoneRecords(changes: ZoneChange[]): KafkaRecordInput[][] {
  const parts: KafkaRecordInput[][] = [[], []];
  changes.forEach((c, i) => {
    const part = parts[c.loc % 2]!;
    part.push({
      topic: 'zones',
      partition: c.loc % 2,
      offset: part.length,
      timestampMs: BASE_MS + i,
      key: String(c.loc),
      value: c.borough === null ? null : JSON.stringify({ b: c.borough }),
    });
  });
  return parts;
}

function rideRecords(rides: Ride[]): KafkaRecordInput[][] {
  const parts: KafkaRecordInput[][] = [[], [], []];
  for (const r of rides) {
    const part = parts[r.partition]!;
    const t = BASE_MS + r.minute * MIN;
    part.push({
      topic: 'rides',
      partition: r.partition,
      offset: part.length,
      timestampMs: t,
      key: String(r.loc),
      value: r.bad ? '{"loc":' : JSON.stringify({ loc: r.loc, t, amount: r.amount }),
    });
  }
  return parts;
}

/** A sink that fails with its invocation: a send is an effect that may crash, after some of its records went out. */
class FaultySink implements RecordSink {
  constructor(
    private readonly topicLog: OutputRecord[],
    private readonly faults: InvocationFaults,
    private readonly keepOnCrash: number,
  ) {}
  async send(records: readonly OutputRecord[]): Promise<void> {
    let sent = false;
    try {
      await this.faults.effect(true, async () => {
        this.topicLog.push(...records);
        sent = true;
      });
    } catch (err) {
      if (!sent) this.topicLog.push(...records.slice(0, this.keepOnCrash));
      throw err;
    }
  }
}

describe('exactly-once effect of tables, enrichment and routing under at-least-once, re-batching delivery', () => {
  const tables: TableNames = { aggregates: 'q-aggregates', deadLetters: 'q-dead-letters', state: 'q-state' };
  let run = 0;

  const dynamo = useEmbeddedDynamo(tables);

  it(`tables, topics and counts equal a reference computed from the records (${NUM_RUNS} runs)`, async () => {
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    const seen = { crashes: 0, resets: 0, concurrentSteps: 0, zoneChangesMidRetry: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(genZone, { minLength: 0, maxLength: 10 }),
        fc.array(genRide, { minLength: 1, maxLength: 16 }),
        fc.array(fc.nat({ max: 1_000_000 }), { minLength: 64, maxLength: 64 }),
        async (changes, rides, choices) => {
          run++;
          const { table, rides: ridesHandler } = handlersFor(run);
          const topics = { zones: zoneRecords(changes), rides: rideRecords(rides) };
          const handlerOf = { zones: table, rides: ridesHandler };
          const tape = new Tape(choices);
          const cursor = { zones: [0, 0], rides: [0, 0, 0] };
          const committed = { zones: [[0], [0]], rides: [[0], [0], [0]] };
          const sent: OutputRecord[] = [];
          const pendingOf = (t: 'zones' | 'rides') =>
            cursor[t].map((_c, p) => p).filter((p) => cursor[t][p]! < topics[t][p]!.length);
          let crashedRides = false;
          const rowOffsets = new Map<string, number>();
          for (let step = 0; pendingOf('zones').length + pendingOf('rides').length > 0; step++) {
            if (step > 400) throw new Error('delivery simulation did not finish');
            // Each mapping may deliver now; the two run at the same time. A rides delivery may
            // also split its partitions over two concurrent invocations.
            const invocations: Array<{ topic: 'zones' | 'rides'; partitions: number[] }> = [];
            for (const topic of ['zones', 'rides'] as const) {
              const pending = pendingOf(topic);
              if (pending.length === 0 || tape.next(3) === 0) continue;
              const chosen = pending.filter(() => tape.next(3) !== 0);
              if (chosen.length === 0) chosen.push(pending[tape.next(pending.length)]!);
              const split =
                chosen.length > 1 && tape.next(2) === 0 ? 1 + tape.next(chosen.length - 1) : chosen.length;
              for (const ps of [chosen.slice(0, split), chosen.slice(split)])
                if (ps.length > 0) invocations.push({ topic, partitions: ps });
            }
            if (invocations.length === 0) {
              const topic = pendingOf('rides').length > 0 ? 'rides' : 'zones';
              invocations.push({ topic, partitions: [pendingOf(topic)[0]!] });
            }
            if (invocations.length > 1) seen.concurrentSteps++;
            if (crashedRides && invocations.some((i) => i.topic === 'zones')) seen.zoneChangesMidRetry++;
            await Promise.all(
              invocations.map(async ({ topic, partitions }) => {
                const parts = topics[topic];
                const takes = new Map(
                  partitions.map((p) => [
                    p,
                    1 + tape.next(Math.min(6, parts[p]!.length - cursor[topic][p]!)),
                  ]),
                );
                const batch = partitions.flatMap((p) =>
                  parts[p]!.slice(cursor[topic][p], cursor[topic][p]! + takes.get(p)!),
                );
                const faults = new InvocationFaults(
                  tape.next(3) === 0 ? tape.next(12) : Number.POSITIVE_INFINITY,
                  tape.next(2) === 0,
                );
                const stores = createPipelineStores(faults.client(doc), tables);
                try {
                  await processEvent(handlerOf[topic], buildEvent(batch), stores, {
                    sink: new FaultySink(sent, faults, tape.next(3)),
                  });
                  for (const p of partitions) {
                    cursor[topic][p] = cursor[topic][p]! + takes.get(p)!;
                    committed[topic][p]!.push(cursor[topic][p]!);
                  }
                  if (topic === 'rides') crashedRides = false;
                } catch (err) {
                  if (!faults.dead) throw err;
                  seen.crashes++;
                  if (topic === 'rides') crashedRides = true;
                }
              }),
            );
            // A row never goes back to an older change, not even for a moment (readers see it).
            const items = await batchGetAll(
              doc,
              tables.state,
              [1, 2, 3, 4].map((loc) => ({ pk: tableRowPk(`r${run}-zones`, String(loc)), sk: 0 })),
              'rows',
            );
            for (const item of items) {
              const key = String(item.key);
              const offset = readNumber(item.o)!;
              expect(offset, `offset of row ${key}`).toBeGreaterThanOrEqual(rowOffsets.get(key) ?? -1);
              rowOffsets.set(key, offset);
            }
            if (tape.next(8) === 0) {
              const topic = tape.next(2) === 0 ? 'zones' : 'rides';
              const p = tape.next(cursor[topic].length);
              const history = committed[topic][p]!;
              cursor[topic][p] = history[tape.next(history.length)]!;
              seen.resets++;
            }
          }

          // The table: the latest change per key.
          const latest = new Map<string, string | null>();
          for (const c of changes) latest.set(String(c.loc), c.borough);
          const expectedRows = Object.fromEntries(
            [...latest].filter(([, b]) => b !== null).map(([k, b]) => [k, { b }]),
          );
          const rows = await stores(doc).tables.list(`r${run}-zones`);
          expect(Object.fromEntries(rows.map((r) => [r.key, r.value]))).toEqual(expectedRows);

          // The topics: every good ride at least once, copies identical, on the topic its amount says.
          const historyOf = (loc: number) =>
            new Set<string | null>([null, ...changes.filter((c) => c.loc === loc).map((c) => c.borough)]);
          const copies = new Map<string, Set<string>>();
          for (const r of sent) {
            const source = sourceHeader(r.headers)!;
            const id = `${r.topic}|${r.key}|${r.value!.toString()}`;
            copies.set(source, (copies.get(source) ?? new Set()).add(id));
          }
          const expectedSources = new Set<string>();
          for (const part of topics.rides) {
            for (const k of part) {
              if (k.value === '{"loc":') continue;
              expectedSources.add(`r${run}-route/rides/${k.partition}/${k.offset}`);
            }
          }
          expect(new Set(copies.keys())).toEqual(expectedSources);
          for (const [source, ids] of copies) {
            expect(ids.size, `copies of ${source}`).toBe(1);
            const [topic, , value] = [...ids][0]!.split('|');
            const v = JSON.parse(value!) as { loc: number; amount: number; zone: { b: string } | null };
            expect(topic).toBe(v.amount >= 40 ? 'high' : 'low');
            expect(historyOf(v.loc).has(v.zone?.b ?? null), `zone of ${source}`).toBe(true);
          }

          // The counts: per window, counted under a borough + dead-lettered for want of a zone
          // = good rides; bad rides are dead letters of both pipelines.
          const perWindow = new Map<number, number>();
          for (const r of rides) {
            if (r.bad) continue;
            const w = BASE_MS + Math.floor(r.minute / 5) * 5 * MIN;
            perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
          }
          const counted = new Map<number, number>();
          for (const borough of BOROUGHS) {
            const items = await doc.send(
              new QueryCommand({
                TableName: tables.aggregates,
                KeyConditionExpression: 'pk = :pk',
                ExpressionAttributeValues: { ':pk': `r${run}-borough#${borough}` },
                ConsistentRead: true,
              }),
            );
            for (const item of items.Items ?? []) {
              const w = readNumber(item.windowStart)!;
              counted.set(w, (counted.get(w) ?? 0) + readNumber(item.count)!);
            }
          }
          const letters = await stores(doc).deadLetters.list(`r${run}-borough`);
          for (const d of letters.filter((x) => x.code === 'NO_KEY')) {
            const w = d.timestampMs - ((d.timestampMs - BASE_MS) % (5 * MIN));
            counted.set(w, (counted.get(w) ?? 0) + 1);
          }
          expect(counted).toEqual(perWindow);
          const bad = rides.filter((r) => r.bad).length;
          expect(letters.filter((d) => d.code === 'NOT_JSON')).toHaveLength(bad);
          expect((await stores(doc).deadLetters.list(`r${run}-route`)).length).toBe(bad);
        },
      ),
      { numRuns: NUM_RUNS },
    );
    // The simulation must have exercised what it claims to.
    expect(seen.crashes).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.resets).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.concurrentSteps).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.zoneChangesMidRetry).toBeGreaterThan(NUM_RUNS / 20);
    doc.destroy();
  }, 1_800_000);

  function stores(doc: ReturnType<typeof createDocumentClient>) {
    return createPipelineStores(doc, tables);
  }
});
