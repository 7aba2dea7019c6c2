import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery, type UnmatchedJson } from '../../scripts/commands/query.js';
import { runJoinReplay } from '../../scripts/commands/replay.js';
import { type DynamoContext, openDynamo } from '../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { defineCatalog } from '../../shared/engine/catalog.js';
import type { HandlerSpec } from '../../shared/engine/process/index.js';
import { type JoinPair, type JoinSpec, joinSideCopy } from '../../shared/engine/processors/index.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const MIN = 60_000;
const T0 = Date.UTC(2020, 6, 1);

/** Orders left-joined with payments by order id: window 10 min, grace 5 min, one partition each. */
const ordersPayments: Omit<JoinSpec, 'topic' | 'codec'> = {
  kind: 'join',
  name: 'orders-payments',
  description: 'orders left join payments by id, window 10 min, grace 5 min',
  type: 'left',
  partitions: { left: 1, right: 1 },
  left: { topic: 'orders', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
  right: { topic: 'payments', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
  windowMs: 10 * MIN,
  graceMs: 5 * MIN,
  select: [
    { side: 'left', field: 'item' },
    { side: 'right', field: 'paid' },
  ],
};
const handlers = (spec: Omit<JoinSpec, 'topic' | 'codec'>): HandlerSpec[] => [
  { name: `${spec.name}-orders`, description: '', topic: 'orders', pipelines: [joinSideCopy(spec, 'left')] },
  {
    name: `${spec.name}-payments`,
    description: '',
    topic: 'payments',
    pipelines: [joinSideCopy(spec, 'right')],
  },
];

// A window closes for an order at t once payments pass t + 2 x 10 + 5 min (its latest
// partner, at t + 10, is late from then on).
const ORDERS = [
  { id: 1, t: T0, item: 'tea' }, // paid 4 min later: a pair
  { id: 2, t: T0, item: 'cake' }, // never paid, closed by the payment at T0 + 40: unmatched
  { id: 3, t: T0 + 30 * MIN, item: 'soup' }, // never paid, still open (needs payments past T0 + 55)
];
const PAYMENTS = [
  { id: 1, t: T0 + 4 * MIN, paid: 4.5 },
  // A payment without order: never unmatched in a left join; in an outer join closed by the
  // order at T0 + 30 (past T0 + 2 + 25).
  { id: 9, t: T0 + 2 * MIN, paid: 1 },
  { id: 7, t: T0 + 40 * MIN, paid: 2 }, // moves the payments' stream time past T0 + 25
];

const PAIR: JoinPair = {
  id: 'orders/0/0|payments/0/0',
  key: '1',
  timeMs: T0 + 4 * MIN,
  leftId: 'orders/0/0',
  rightId: 'payments/0/0',
  leftTimeMs: T0,
  rightTimeMs: T0 + 4 * MIN,
  value: { item: 'tea', paid: 4.5 },
};
const UNMATCHED: UnmatchedJson = {
  kind: 'unmatched',
  side: 'left',
  key: '2',
  timeMs: T0,
  id: 'orders/0/1',
  value: { id: 2, t: T0, item: 'cake' },
};

/**
 * Replays ORDERS and PAYMENTS through `replay` of both files (one partition per topic, as the
 * spec declares: `partitions` is not checked against the topics) into a fresh in-memory
 * store, and queries the join there.
 */
function replayedJoin(spec: Omit<JoinSpec, 'topic' | 'codec'>) {
  let dir: string;
  let ctx: DynamoContext;
  const catalog = defineCatalog({ handlers: handlers(spec) });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'left-join-query-'));
    const jsonl = (rows: readonly object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
    writeFileSync(join(dir, 'orders.jsonl'), jsonl(ORDERS));
    writeFileSync(join(dir, 'payments.jsonl'), jsonl(PAYMENTS));
    ctx = await openDynamo({ inMemory: true, forceEmbedded: true });
    await runJoinReplay(
      {
        files: [join(dir, 'orders.jsonl'), join(dir, 'payments.jsonl')],
        partitions: 1,
        catalog,
        context: ctx,
      },
      captureOutput(),
    );
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return async (flags: Record<string, unknown> = {}): Promise<string[]> => {
    const output = captureOutput();
    await runQuery({ pipeline: spec.name, catalog, context: ctx, ...flags }, output);
    return output.stdout;
  };
}

describe('query of a left join shows the unmatched records beside the pairs', () => {
  const query = replayedJoin(ordersPayments);

  it('--json: the pairs as before (no kind), then each unmatched record once, tagged kind "unmatched"', async () => {
    const lines = (await query({ json: true })).map((l) => JSON.parse(l) as JoinPair | UnmatchedJson);

    expect(lines).toEqual([PAIR, UNMATCHED]);
    expect('kind' in lines[0]!).toBe(false);
  });

  it('--json --key: one key reads its pair or its unmatched record, not the others', async () => {
    const ofKey = async (key: string) =>
      (await query({ json: true, key })).map((l) => JSON.parse(l) as unknown);

    expect(await ofKey('1')).toEqual([PAIR]);
    expect(await ofKey('2')).toEqual([UNMATCHED]);
    expect(await ofKey('3')).toEqual([]); // still open: neither paired nor unmatched yet
  });

  it('--key with --from/--to bounds an unmatched record by its event time, --to exclusive', async () => {
    const between = async (fromMs: number, toMs: number) =>
      (await query({ json: true, key: '2', fromMs, toMs })).map((l) => JSON.parse(l) as unknown);

    expect(await between(T0, T0 + 1)).toEqual([UNMATCHED]);
    expect(await between(T0 - MIN, T0)).toEqual([]);
    expect(await between(T0 + 1, T0 + MIN)).toEqual([]);
  });

  it('text: the pairs table, then the unmatched table with the side each record came from', async () => {
    expect(await query()).toEqual([
      'orders-payments: orders left join payments by id, window 10 min, grace 5 min',
      'key  time (UTC)           item  paid  left        right',
      '---  -------------------  ----  ----  ----------  ------------',
      '1    2020-07-01 00:04:00  tea   4.5   orders/0/0  payments/0/0',
      '1 pair(s)',
      'unmatched (no partner once the window + grace closed on every partition of the other side):',
      'key  time (UTC)           side  id  t              item  record',
      '---  -------------------  ----  --  -------------  ----  ----------',
      `2    2020-07-01 00:00:00  left  2   ${T0}  cake  orders/0/1`,
      '1 unmatched',
    ]);
  });
});

describe('query of an outer join shows the unmatched records of both sides', () => {
  const query = replayedJoin({ ...ordersPayments, name: 'orders-payments-outer', type: 'outer' });

  it('--json: the pairs, then the unmatched order and the unmatched payment, by key', async () => {
    const lines = (await query({ json: true })).map((l) => JSON.parse(l) as unknown);

    expect(lines).toEqual([
      PAIR,
      UNMATCHED,
      {
        kind: 'unmatched',
        side: 'right',
        key: '9',
        timeMs: T0 + 2 * MIN,
        id: 'payments/0/1',
        value: { id: 9, t: T0 + 2 * MIN, paid: 1 },
      },
    ]);
  });
});
