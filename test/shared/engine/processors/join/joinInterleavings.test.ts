import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent } from '../../../../../shared/engine/event/index.js';
import { type HandlerSpec, processEvent } from '../../../../../shared/engine/process/index.js';
import { type JoinSpec, joinSideCopy } from '../../../../../shared/engine/processors/index.js';
import type { KeyedStateStore, PipelineStores } from '../../../../../shared/engine/store/index.js';
import { PipelineTestDriver } from '../../../../../shared/testing/index.js';

/**
 * The concurrent-sides case, step by step: a left and a right record of one key arrive in
 * two invocations running at the same time. Each invocation (1) writes its record to its
 * side's buffer, then (2) reads the other side's buffer. Whatever the interleaving of those
 * four steps, the pair must be stored exactly once. Each order is forced by pausing an
 * invocation between its write and its read.
 */

const MIN = 60_000;
const T0 = Date.UTC(2020, 6, 1);

/** A promise and its resolve, to hold an invocation at a point and let it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/**
 * The state store of one invocation, paused just before its read of the other side's buffer
 * (the join's only range read): `atRead` resolves when it gets there, `release` lets it read.
 */
function pausedBeforeRead(state: KeyedStateStore) {
  const arrived = gate();
  const released = gate();
  const store: KeyedStateStore = {
    get: (k, s) => state.get(k, s),
    put: (k, s, v, e, x) => state.put(k, s, v, e, x),
    delete: (k, s, e) => state.delete(k, s, e),
    range: async (k, from, to) => {
      arrived.open();
      await released.opened;
      return state.range(k, from, to);
    },
  };
  return { store, atRead: arrived.opened, release: released.open };
}

type Step = 'L' | 'R';
/** The order in which the two invocations do their reads (both have written before either reads), or run whole. */
const SCHEDULES: ReadonlyArray<{ name: string; run: 'sequential' | 'interleaved'; first: Step }> = [
  { name: 'left whole, then right whole', run: 'sequential', first: 'L' },
  { name: 'right whole, then left whole', run: 'sequential', first: 'R' },
  { name: 'both write, then left reads, then right reads', run: 'interleaved', first: 'L' },
  { name: 'both write, then right reads, then left reads', run: 'interleaved', first: 'R' },
];

describe('a pair of records in concurrent invocations is stored exactly once, in every interleaving', () => {
  let driver: PipelineTestDriver;
  let n = 0;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start([
      { name: 'placeholder', description: '', topic: 'L', pipelines: [] },
    ]);
  });
  afterAll(() => driver.close());

  it.each(SCHEDULES)('$name', async ({ run, first }) => {
    const join: Omit<JoinSpec, 'topic' | 'codec'> = {
      kind: 'join',
      name: `interleave-${++n}`,
      description: '',
      left: { topic: 'L', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
      right: { topic: 'R', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
      windowMs: 10 * MIN,
      graceMs: 0,
    };
    const handler: Record<Step, HandlerSpec> = {
      L: { name: 'l', description: '', topic: 'L', pipelines: [joinSideCopy(join, 'left')] },
      R: { name: 'r', description: '', topic: 'R', pipelines: [joinSideCopy(join, 'right')] },
    };
    const event = {
      L: buildEvent([
        {
          topic: 'L',
          partition: 0,
          offset: 0,
          timestampMs: T0,
          key: '1',
          value: JSON.stringify({ id: 1, t: T0 }),
        },
      ]),
      R: buildEvent([
        {
          topic: 'R',
          partition: 0,
          offset: 0,
          timestampMs: T0,
          key: '1',
          value: JSON.stringify({ id: 1, t: T0 + MIN }),
        },
      ]),
    };
    const paused = { L: pausedBeforeRead(driver.stores.state), R: pausedBeforeRead(driver.stores.state) };
    const invoke = (s: Step) => {
      const stores: PipelineStores = { ...driver.stores, state: paused[s].store };
      return processEvent(handler[s], event[s], stores);
    };
    const second: Step = first === 'L' ? 'R' : 'L';

    if (run === 'sequential') {
      paused[first].release();
      paused[second].release();
      await invoke(first);
      await invoke(second);
    } else {
      const done = { L: invoke('L'), R: invoke('R') };
      // Both have written their buffer entries and wait to read.
      await Promise.all([paused.L.atRead, paused.R.atRead]);
      paused[first].release();
      await done[first];
      paused[second].release();
      await done[second];
    }

    const pairs = await driver.joinPairs(join.name);
    expect(pairs.map((p) => p.id)).toEqual(['L/0/0|R/0/0']);
  });

  it('both invocations find the pair when both wrote before either read (the put-if-absent makes it one)', async () => {
    // The interleaved schedules above end with one pair; this checks they exercised the case
    // where both readers see the other, so the deduplication is what kept it to one.
    const seen: string[] = [];
    const join: Omit<JoinSpec, 'topic' | 'codec'> = {
      kind: 'join',
      name: `interleave-${++n}`,
      description: '',
      left: { topic: 'L', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
      right: { topic: 'R', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
      windowMs: 10 * MIN,
      graceMs: 0,
    };
    const paused = { L: pausedBeforeRead(driver.stores.state), R: pausedBeforeRead(driver.stores.state) };
    const counting = (s: Step): KeyedStateStore => ({
      ...paused[s].store,
      range: async (k, from, to) => {
        const out = await paused[s].store.range(k, from, to);
        if (out.length > 0) seen.push(s);
        return out;
      },
    });
    const invoke = (s: Step, side: 'left' | 'right', t: number) =>
      processEvent(
        { name: s, description: '', topic: s, pipelines: [joinSideCopy(join, side)] },
        buildEvent([
          {
            topic: s,
            partition: 0,
            offset: 0,
            timestampMs: t,
            key: '1',
            value: JSON.stringify({ id: 1, t }),
          },
        ]),
        { ...driver.stores, state: counting(s) },
      );
    const done = [invoke('L', 'left', T0), invoke('R', 'right', T0)];
    await Promise.all([paused.L.atRead, paused.R.atRead]);
    paused.L.release();
    paused.R.release();
    const [left, right] = await Promise.all(done);

    expect(seen.sort()).toEqual(['L', 'R']);
    expect((await driver.joinPairs(join.name)).length).toBe(1);
    // One of the two found the pair already there.
    expect(left![0]!.writes.alreadyApplied + right![0]!.writes.alreadyApplied).toBe(1);
  });
});
