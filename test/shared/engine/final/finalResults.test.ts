import { afterEach, describe, expect, it } from 'vitest';
import { OutputDeduplicator } from '../../../../shared/engine/output/index.js';
import type { HandlerSpec, WindowedAggregateSpec } from '../../../../shared/engine/process/index.js';
import { tumbling } from '../../../../shared/engine/windows/index.js';
import { PipelineTestDriver, type SentRecord } from '../../../../shared/testing/index.js';

/**
 * Final results over several partitions, one of which goes idle: every window reaches the
 * final topic once (after dropping identifiable duplicates), with the value an independent
 * model gives, and never before every partition has passed it (or was let go as idle).
 */

const MIN = 60_000;
const BASE_MS = Date.UTC(2020, 6, 1, 0, 0, 0);
const SIZE_MS = 5 * MIN;
const GRACE_MS = MIN;
const IDLE_AFTER_MS = 10 * MIN;
const PARTITIONS = 3;

const pipeline: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'tips-final',
  description: 'final results test',
  topic: 'rides',
  codec: 'json',
  key: { field: 'loc' },
  time: { field: 't' },
  window: tumbling(SIZE_MS, GRACE_MS),
  aggregations: [{ op: 'sum', field: 'tip' }],
  final: { partitions: PARTITIONS, idleAfterMs: IDLE_AFTER_MS },
};
const handler: HandlerSpec = {
  name: 'final-test',
  description: 'test',
  topic: 'rides',
  pipelines: [pipeline],
};

interface Ride {
  partition: number;
  loc: number;
  /** Minutes (may be fractional) after BASE_MS. */
  at: number;
  tipCents: number;
}

/** One step of the script: records delivered as one batch at wall-clock `nowMs`, or a sweep. */
type Step = { rides: Ride[]; nowMs: number; failSendAfterWrite?: boolean } | { sweep: true; nowMs: number };

const r = (partition: number, loc: number, at: number, tipCents = 100): Ride => ({
  partition,
  loc,
  at,
  tipCents,
});
const wall = (minutes: number) => BASE_MS + minutes * MIN;

// Wall clock tracks event time (a live topic), partition 2 stops after 6.5 minutes.
const SCRIPT: Step[] = [
  { rides: [r(0, 1, 1, 150), r(0, 1, 2, 200), r(1, 1, 3, 25), r(2, 2, 4, 300)], nowMs: wall(4.5) },
  // p0 and p1 pass [0,5) + grace; p2 (at 4) holds it open.
  { rides: [r(0, 1, 7, 10), r(1, 2, 8, 20)], nowMs: wall(8.5) },
  // p2 passes 6: [0,5) closes for both keys. The send lands but the invocation fails
  // (a crash between send and mark): the redelivery sends it again.
  { rides: [r(2, 2, 6.5, 5)], nowMs: wall(9), failSendAfterWrite: true },
  { rides: [r(0, 1, 9, 1), r(1, 1, 12, 2), r(0, 2, 13, 3)], nowMs: wall(13) },
  { rides: [r(0, 1, 16, 4), r(1, 2, 17, 5)], nowMs: wall(17) },
  // p2 has delivered nothing since wall(9): idle from wall(19); [5,10) closes (p0, p1 passed 11).
  { rides: [r(0, 1, 21, 6), r(1, 1, 22, 7)], nowMs: wall(22) },
  // Everything is quiet; the sweeper closes what is 10 minutes past its close time.
  { sweep: true, nowMs: wall(30) },
  { sweep: true, nowMs: wall(60) },
  // p2 wakes up with a record for [5,10), final since step 6: a WINDOW_FINAL dead letter.
  { rides: [r(2, 2, 7, 999)], nowMs: wall(61) },
  { sweep: true, nowMs: wall(61) },
];

/** An independent model of the rules (written from the README, not from the engine's code). */
class Model {
  readonly streamTime = new Map<number, number>();
  readonly lastDelivery = new Map<number, number>();
  readonly sums = new Map<string, { count: number; cents: number }>();
  readonly emitted = new Set<string>();
  readonly refused: Ride[] = [];
  readonly late: Ride[] = [];
  startedAtMs: number | undefined;

  static id(loc: number, startMs: number) {
    return `${loc}|${startMs}`;
  }

  deliver(rides: Ride[], nowMs: number) {
    for (const ride of rides) {
      const t = BASE_MS + ride.at * MIN;
      const st = Math.max(this.streamTime.get(ride.partition) ?? -Infinity, t);
      this.streamTime.set(ride.partition, st);
      const start = Math.floor(t / SIZE_MS) * SIZE_MS;
      const id = Model.id(ride.loc, start);
      if (start + SIZE_MS + GRACE_MS <= st) this.late.push(ride);
      else if (this.emitted.has(id)) this.refused.push(ride);
      else {
        const s = this.sums.get(id) ?? { count: 0, cents: 0 };
        this.sums.set(id, { count: s.count + 1, cents: s.cents + ride.tipCents });
      }
      this.lastDelivery.set(ride.partition, nowMs);
    }
  }

  /** Could a window closing at `closeAtMs` still change at wall-clock `nowMs`? */
  canChange(closeAtMs: number, nowMs: number): boolean {
    this.startedAtMs ??= nowMs;
    for (let p = 0; p < PARTITIONS; p++) {
      const passed = (this.streamTime.get(p) ?? -Infinity) >= closeAtMs;
      const idle = (this.lastDelivery.get(p) ?? this.startedAtMs) <= nowMs - IDLE_AFTER_MS;
      if (!passed && !(idle && closeAtMs <= nowMs - IDLE_AFTER_MS)) return true;
    }
    return false;
  }
}

describe('final results over several partitions, one going idle', () => {
  let driver: PipelineTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('emits every window once, with the model value, never before it is final', async () => {
    let nowMs = SCRIPT[0]!.nowMs;
    driver = await PipelineTestDriver.start(handler, { nowMs: () => nowMs });
    const model = new Model();
    const topic = 'tips-final-final';
    const emissions: Array<{ record: SentRecord; step: number }> = [];
    for (const [i, step] of SCRIPT.entries()) {
      nowMs = step.nowMs;
      const before = driver.outputs(topic).length;
      if ('sweep' in step) {
        model.startedAtMs ??= nowMs;
        await driver.sweep();
      } else {
        const records = step.rides.map((ride) => ({
          partition: ride.partition,
          value: { loc: ride.loc, t: BASE_MS + ride.at * MIN, tip: ride.tipCents / 100 },
        }));
        model.startedAtMs ??= nowMs;
        const event = driver.eventOf(records);
        if (step.failSendAfterWrite) {
          driver.sink.failNext(Number.MAX_SAFE_INTEGER);
          await expect(driver.pipeEvent(event)).rejects.toThrow(/broker unavailable/);
          // Sent but not marked: the windows are still open in the table.
          expect((await driver.rows(pipeline.name)).filter((row) => row.finalAtMs !== undefined)).toEqual([]);
        }
        await driver.pipeEvent(event);
        model.deliver(step.rides, nowMs);
      }
      const fresh = driver.outputs(topic).slice(before);
      for (const record of fresh) {
        const v = record.value as { key: string; windowStartMs: number; windowEndMs: number };
        // Never before it is final: no partition could still change it when it was sent.
        expect(model.canChange(v.windowEndMs + GRACE_MS, nowMs), `${record.key} sent at step ${i}`).toBe(
          false,
        );
        model.emitted.add(Model.id(Number(v.key), v.windowStartMs));
        emissions.push({ record, step: i });
      }
    }

    // Copies are identifiable: same key, source header and value.
    const dedupe = new OutputDeduplicator();
    const unique = emissions.filter(
      (e) =>
        !dedupe.isDuplicate(
          topic,
          Object.entries(e.record.headers).map(([name, value]) => ({ name, value })),
        ),
    );
    expect(dedupe.duplicates).toBe(2); // the two windows of the failed send
    expect(new Set(emissions.map((e) => JSON.stringify(e.record))).size).toBe(unique.length);

    const expected = Object.fromEntries(
      [...model.sums].map(([id, s]) => [id, { count: s.count, sum_tip: String(s.cents / 100) }]),
    );
    const sent = Object.fromEntries(
      unique.map(({ record }) => {
        const v = record.value as { key: string; windowStartMs: number; count: number; sum_tip: string };
        return [Model.id(Number(v.key), v.windowStartMs), { count: v.count, sum_tip: v.sum_tip }];
      }),
    );
    expect(sent).toEqual(expected);
    expect(unique.map((e) => e.record.key)).toContain('1@2020-07-01T00:00:00.000Z');

    // Every item is marked final, with the value that was sent.
    const rows = await driver.rows(pipeline.name);
    expect(rows.every((row) => row.finalAtMs !== undefined)).toBe(true);
    expect(
      Object.fromEntries(
        rows.map((row) => [
          Model.id(Number(row.key), row.windowStartMs!),
          { count: row.count, sum_tip: row.aggregates.sum_tip },
        ]),
      ),
    ).toEqual(expected);

    // The record for a window already final is a dead letter of its own code, not a change.
    expect(model.refused).toHaveLength(1);
    const deadLetters = await driver.deadLetters(pipeline.name);
    expect(deadLetters.map((d) => [d.partition, d.code, d.windowStartMs])).toEqual([
      [2, 'WINDOW_FINAL', BASE_MS + 5 * MIN],
    ]);
    expect(model.late).toEqual([]);
  });

  it('holds every window while a declared partition never delivers, without idleAfterMs', async () => {
    const waiting: HandlerSpec = {
      ...handler,
      pipelines: [{ ...pipeline, final: { partitions: PARTITIONS } }],
    };
    driver = await PipelineTestDriver.start(waiting, { nowMs: () => wall(10_000) });
    await driver.pipe([
      { partition: 0, value: { loc: 1, t: wall(1), tip: 1 } },
      { partition: 1, value: { loc: 1, t: wall(2), tip: 1 } },
      { partition: 0, value: { loc: 1, t: wall(60), tip: 1 } },
      { partition: 1, value: { loc: 1, t: wall(60), tip: 1 } },
    ]);
    await driver.sweep();
    expect(driver.outputs('tips-final-final')).toEqual([]);
    // Partition 2's first record moves the low watermark past [0,5): now it is final.
    await driver.pipe([{ partition: 2, value: { loc: 3, t: wall(30), tip: 1 } }]);
    expect(driver.outputs('tips-final-final').map((o) => o.key)).toEqual(['1@2020-07-01T00:00:00.000Z']);
  });

  it('loses no window when the send fails before anything lands: marks only after a send', async () => {
    const waiting: HandlerSpec = { ...handler, pipelines: [{ ...pipeline, final: { partitions: 2 } }] };
    driver = await PipelineTestDriver.start(waiting, { nowMs: () => wall(100) });
    await driver.pipe([
      { partition: 0, value: { loc: 1, t: wall(1), tip: 1 } },
      { partition: 1, value: { loc: 1, t: wall(2), tip: 2 } },
      { partition: 0, value: { loc: 1, t: wall(30), tip: 1 } },
    ]);
    const closing = driver.eventOf([{ partition: 1, value: { loc: 1, t: wall(30), tip: 1 } }]);
    driver.sink.failNext(0);
    await expect(driver.pipeEvent(closing)).rejects.toThrow(/broker unavailable/);
    expect(driver.outputs('tips-final-final')).toEqual([]);
    await driver.pipeEvent(closing); // Lambda's retry
    const sent = driver.outputs('tips-final-final');
    expect(sent.map((o) => [o.key, (o.value as { count: number }).count])).toEqual([
      ['1@2020-07-01T00:00:00.000Z', 2],
    ]);
    const [row] = (await driver.rows(pipeline.name)).filter((r) => r.windowStartMs === BASE_MS);
    expect(row?.finalAtMs).toBeDefined();
  });
});
