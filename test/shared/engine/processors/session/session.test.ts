import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerSpec, SessionSpec } from '../../../../../shared/engine/process/index.js';
import {
  EMPTY_HOT_SESSIONS,
  evictClosed,
  type HotSessions,
  hotSessionsExpiryMs,
  hotSessionsKey,
  isSessionRecordLate,
  sessionProcessor,
} from '../../../../../shared/engine/processors/index.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../../../shared/local/index.js';
import { PipelineTestDriver, type TestRecord } from '../../../../../shared/testing/index.js';

const S = 1000;
let n = 0;

/** A fresh pipeline per test (names prefix every item, so tests share one driver). */
function sessionSpec(overrides: Partial<SessionSpec> = {}): SessionSpec {
  n++;
  return {
    kind: 'session',
    name: `sessions-${n}`,
    description: 'test sessions',
    topic: 'rides',
    codec: 'json',
    key: { field: 'k' },
    time: { field: 't' },
    gapMs: 5 * S,
    // Long enough that out-of-order records in these tests count; the lateness tests set their own.
    graceMs: 60 * S,
    aggregations: [
      { op: 'sum', field: 'x' },
      { op: 'min', field: 'x' },
      { op: 'max', field: 'x' },
    ],
    ...overrides,
  };
}

function handler(spec: SessionSpec): HandlerSpec {
  return { name: spec.name, description: '', topic: 'rides', pipelines: [spec] };
}

/** A record of key `k` at `tS` seconds, value `x`. */
function at(tS: number, options: { k?: string; x?: number; partition?: number } = {}): TestRecord {
  return {
    value: { k: options.k ?? 'a', t: tS * S, x: options.x ?? 1 },
    partition: options.partition ?? 0,
  };
}

describe('session windows (Kafka Streams SessionWindows.ofInactivityGapAndGrace)', () => {
  let dynamo: EmbeddedDynamo;
  const drivers: PipelineTestDriver[] = [];
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
  });
  afterAll(async () => {
    for (const d of drivers) await d.close();
    await dynamo.close();
  });

  /** A driver for `spec` with its own tables on the file's embedded DynamoDB. */
  async function driverFor(spec: SessionSpec): Promise<PipelineTestDriver> {
    const d = await PipelineTestDriver.start(handler(spec), {
      endpoint: dynamo.endpoint,
      tablePrefix: spec.name,
    });
    drivers.push(d);
    return d;
  }

  const sessionsOf = async (
    d: PipelineTestDriver,
    spec: SessionSpec,
  ): Promise<Array<{ key: string; startS: number; endS: number; count: number; [agg: string]: unknown }>> =>
    (await d.sessions(spec.name)).map((r) => ({
      key: r.key,
      startS: r.windowStartMs! / S,
      endS: r.windowEndMs! / S,
      count: r.count,
      ...r.aggregates,
    }));

  describe.each([
    {
      name: 'records closer than the gap form one session [first, last]',
      batches: [[at(10), at(12), at(14)]],
      sessions: [{ startS: 10, endS: 14, count: 3 }],
    },
    {
      name: 'a record farther than the gap starts a new session',
      batches: [[at(10), at(16)]],
      sessions: [
        { startS: 10, endS: 10, count: 1 },
        { startS: 16, endS: 16, count: 1 },
      ],
    },
    {
      name: 'records exactly the gap apart are one session (session ends are inclusive)',
      batches: [[at(10), at(15)]],
      sessions: [{ startS: 10, endS: 15, count: 2 }],
    },
    {
      name: 'sessions at 10 and 12 and 20 with gap 5 merge into one when 16 arrives',
      batches: [[at(10), at(12), at(20)], [at(16)]],
      sessions: [{ startS: 10, endS: 20, count: 4 }],
    },
    {
      name: 'an out-of-order record that bridges two sessions merges them',
      batches: [[at(30), at(20)], [at(25)]],
      sessions: [{ startS: 20, endS: 30, count: 3 }],
    },
    {
      name: 'an earlier record extends a session backwards',
      batches: [[at(20)], [at(16)]],
      sessions: [{ startS: 16, endS: 20, count: 2 }],
    },
  ])('$name', ({ batches, sessions }) => {
    it('gives those sessions, whatever the batch boundaries', async () => {
      const spec = sessionSpec();
      const d = await driverFor(spec);
      for (const b of batches) await d.pipe(b);
      expect((await sessionsOf(d, spec)).map(({ startS, endS, count }) => ({ startS, endS, count }))).toEqual(
        sessions,
      );
    });
  });

  it('combines sum, min and max of the sessions a record merges', async () => {
    const spec = sessionSpec();
    const d = await driverFor(spec);
    await d.pipe([at(10, { x: 3 }), at(20, { x: -2 })]);
    await d.pipe([at(15, { x: 10 })]);
    expect(await sessionsOf(d, spec)).toEqual([
      { key: 'a', startS: 10, endS: 20, count: 3, sum_x: '11', min_x: '-2', max_x: '10' },
    ]);
  });

  it('deletes the row of a session merged away (it stays only as a count-less marker)', async () => {
    const spec = sessionSpec();
    const d = await driverFor(spec);
    await d.pipe([at(20), at(10)]);
    await d.pipe([at(15)]);
    const rows = await d.rows(spec.name);
    expect(rows.map((r) => [r.windowStartMs! / S, r.count])).toEqual([
      [10, 3],
      [20, 0],
    ]);
    expect((await d.sessions(spec.name)).length).toBe(1);
  });

  it('keeps keys apart, and a composite key joins its fields with |', async () => {
    const spec = sessionSpec({ key: { fields: ['k', 'j'] }, aggregations: [] });
    const d = await driverFor(spec);
    await d.pipe([
      { value: { k: 'a', j: 1, t: 10 * S } },
      { value: { k: 'a', j: 2, t: 11 * S } },
      { value: { k: 'a', j: 1, t: 12 * S } },
    ]);
    expect((await sessionsOf(d, spec)).map((s) => [s.key, s.count])).toEqual([
      ['a|1', 2],
      ['a|2', 1],
    ]);
  });

  describe('lateness: late when time + gap + grace < stream time of the partition', () => {
    it.each([
      { timeS: 100, streamS: 107, late: false, why: 'at exactly time + gap + grace: still open' },
      { timeS: 100, streamS: 108, late: true, why: 'one past: closed' },
      { timeS: 100, streamS: 100, late: false, why: 'the record at stream time' },
    ])(
      't=$timeS s, stream time $streamS s (gap 5 s, grace 2 s): late=$late ($why)',
      ({ timeS, streamS, late }) => {
        expect(isSessionRecordLate(timeS * S, 5 * S, 2 * S, streamS * S)).toBe(late);
      },
    );

    it('dead-letters a late record as LATE and counts it; records in = aggregated + late + rejected', async () => {
      const spec = sessionSpec({ graceMs: 2 * S });
      const d = await driverFor(spec);
      const [outcome] = await d.pipe([at(100), at(200), at(192), at(193), { value: 'not json' }]);
      expect(outcome!.stats).toMatchObject({ records: 5, aggregated: 3, late: 1, invalid: 1 });
      const deadLetters = await d.deadLetters(spec.name);
      expect(deadLetters.map((x) => [x.kind, x.code, x.offset])).toEqual([
        ['late', 'LATE', 2],
        ['invalid', 'NOT_JSON', 4],
      ]);
      const sessions = await sessionsOf(d, spec);
      expect(sessions.reduce((k, s) => k + s.count, 0) + deadLetters.length).toBe(5);
    });

    it('judges each partition by its own stream time', async () => {
      const spec = sessionSpec();
      const d = await driverFor(spec);
      await d.pipe([at(1000, { partition: 0 }), at(10, { partition: 1 })]);
      expect((await sessionsOf(d, spec)).map((s) => s.startS)).toEqual([10, 1000]);
      expect(await d.deadLetters(spec.name)).toEqual([]);
    });
  });

  describe('exactly once', () => {
    it('changes nothing when a batch is delivered again, or again with other boundaries', async () => {
      const spec = sessionSpec();
      const d = await driverFor(spec);
      const records = [at(10), at(20), at(15), at(40, { k: 'b' })];
      const event = d.eventOf(records);
      await d.pipeEvent(event);
      const once = await sessionsOf(d, spec);
      await d.pipeEvent(event);
      await d.pipeEvent(
        d.eventOf([
          { ...records[1]!, offset: 1 },
          { ...records[2]!, offset: 2 },
        ]),
      );
      expect(await sessionsOf(d, spec)).toEqual(once);
    });

    it('re-derives the rows when an earlier delivery stopped after writing the state', async () => {
      const spec = sessionSpec();
      const d = await driverFor(spec);
      await d.pipe([at(10)]);
      // As if an invocation wrote the state with the records at offsets 1 and 2, then crashed.
      const entry = await d.stores.state.get<HotSessions>(hotSessionsKey(spec.name, 'a'), 0);
      const crashed: HotSessions = {
        ...entry!.value,
        sessions: [
          { startMs: 10 * S, endMs: 20 * S, count: 3, values: { sum_x: 300, min_x: 100, max_x: 100 } },
        ],
        marks: { 'rides-0': { offset: 2, streamTimeMs: 20 * S } },
      };
      await d.stores.state.put(hotSessionsKey(spec.name, 'a'), 0, crashed, entry!.version);
      expect((await sessionsOf(d, spec)).map((s) => s.count)).toEqual([1]);

      const [outcome] = await d.pipeEvent(
        d.eventOf([
          { ...at(15), offset: 1 },
          { ...at(20), offset: 2 },
        ]),
      );

      expect(outcome!.writes.alreadyApplied).toBe(2);
      expect((await sessionsOf(d, spec)).map((s) => [s.startS, s.endS, s.count])).toEqual([[10, 20, 3]]);
    });
  });

  describe('bounded state: closed sessions leave the hot item', () => {
    it('moves a session out once no partition that wrote the key can touch it, keeping its row', async () => {
      const spec = sessionSpec({ graceMs: 2 * S });
      const d = await driverFor(spec);
      await d.pipe([at(10), at(100)]);
      const hot = (await d.stores.state.get<HotSessions>(hotSessionsKey(spec.name, 'a'), 0))!.value;
      // 10 + 2 gaps + grace = 22 < 100: closed; 100 is open.
      expect(hot.sessions.map((s) => s.startMs / S)).toEqual([100]);
      expect(hot.closedUpToMs).toBe(10 * S);
      expect((await sessionsOf(d, spec)).map((s) => s.startS)).toEqual([10, 100]);
    });

    it('reads a closed session back from its row when a partition that never wrote the key touches it', async () => {
      const spec = sessionSpec({ graceMs: 2 * S });
      const d = await driverFor(spec);
      await d.pipe([at(10, { partition: 0 }), at(100, { partition: 0 })]);
      const [outcome] = await d.pipe([at(14, { partition: 1, x: 5 })]);
      expect(outcome!.writes.reopened).toBe(1);
      expect((await sessionsOf(d, spec)).map((s) => [s.startS, s.endS, s.count, s.sum_x])).toEqual([
        [10, 14, 2, '6'],
        [100, 100, 1, '1'],
      ]);
    });

    it('gives the hot item a TTL of two retention periods after its latest activity, outliving every row', async () => {
      // Arrange: a replay of old records (2020) at a 2026 wall clock, retention 1 day.
      const DAY_MS = 86_400_000;
      const spec = sessionSpec({ graceMs: 2 * S, retentionMs: DAY_MS });
      const nowMs = Date.UTC(2026, 11, 2);
      const d = await PipelineTestDriver.start(handler(spec), {
        endpoint: dynamo.endpoint,
        tablePrefix: spec.name,
        nowMs: () => nowMs,
      });
      drivers.push(d);

      // Act: a session that stays open, then one closed and moved out of the hot item.
      await d.pipe([at(10), at(100)]);

      // Assert
      const { Item: hot } = await d.doc.send(
        new GetCommand({ TableName: d.tables.state, Key: { pk: hotSessionsKey(spec.name, 'a'), sk: 0 } }),
      );
      const { Items: rows = [] } = await d.doc.send(
        new QueryCommand({
          TableName: d.tables.aggregates,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `${spec.name}#a` },
        }),
      );
      expect(Number(hot?.expiresAt)).toBe(Math.floor((nowMs + 2 * DAY_MS) / 1000));
      expect(rows.map((r) => Number(r.expiresAt))).toEqual([
        Math.floor((nowMs + DAY_MS) / 1000),
        Math.floor((nowMs + DAY_MS) / 1000),
      ]);
    });

    it('dates the hot item’s TTL from the latest session end when that is later than the wall clock', () => {
      const hot: HotSessions = {
        ...EMPTY_HOT_SESSIONS,
        sessions: [{ startMs: 0, endMs: 5_000, count: 1, values: {} }],
        closedUpToMs: 9_000,
      };
      expect(hotSessionsExpiryMs(hot, 1_000, 100)).toBe(9_200);
      expect(hotSessionsExpiryMs({ ...hot, closedUpToMs: null }, 1_000, 100)).toBe(5_200);
      expect(hotSessionsExpiryMs(EMPTY_HOT_SESSIONS, 1_000, 100)).toBe(1_200);
    });

    it('evicts by the lowest stream time of the partitions that wrote the key', () => {
      const hot: HotSessions = {
        ...EMPTY_HOT_SESSIONS,
        sessions: [
          { startMs: 0, endMs: 10, count: 1, values: {} },
          { startMs: 50, endMs: 60, count: 1, values: {} },
        ],
        marks: { 'r-0': { offset: 1, streamTimeMs: 100 }, 'r-1': { offset: 1, streamTimeMs: 40 } },
      };
      // gap 5, grace 2: 10 + 12 = 22 < 40 closes; 60 + 12 = 72 >= 40 stays.
      expect(evictClosed(hot, 5, 2)?.sessions.map((s) => s.startMs)).toEqual([50]);
    });
  });

  describe('validation', () => {
    it('names the field of a wrong spec', () => {
      expect(sessionProcessor.validate({ ...sessionSpec(), gapMs: 0 })).toEqual([
        'gapMs: Too small: expected number to be >0',
      ]);
    });
  });
});
