import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent } from '../../../../../shared/engine/event/index.js';
import { processEvent } from '../../../../../shared/engine/process/index.js';
import { type JoinSpec, joinSideCopy } from '../../../../../shared/engine/processors/index.js';
import type { KeyedStateStore } from '../../../../../shared/engine/store/index.js';
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

/**
 * Runs two invocations one state-store call at a time, in the order a schedule says: each
 * call of invocation `s` waits for an `s` in the schedule; once the schedule is used up (or
 * names an invocation that has finished) the rest run freely. Every interleaving of the
 * first calls of both (buffer read, buffer write, read of the other side, pair write) is
 * some schedule, whatever order the processor makes its calls in.
 */
class Scheduler {
  private readonly waiting = new Map<Step, () => void>();
  private readonly done = new Set<Step>();
  constructor(private readonly schedule: Step[]) {}

  gated(s: Step, state: KeyedStateStore): KeyedStateStore {
    const turn = () => new Promise<void>((resolve) => this.wait(s, resolve));
    return {
      get: async (k, sk) => {
        await turn();
        return state.get(k, sk);
      },
      put: async (k, sk, v, e, x) => {
        await turn();
        return state.put(k, sk, v, e, x);
      },
      delete: async (k, sk, e) => {
        await turn();
        return state.delete(k, sk, e);
      },
      range: async (k, from, to) => {
        await turn();
        return state.range(k, from, to);
      },
    };
  }

  finish(s: Step): void {
    this.done.add(s);
    this.dispatch();
  }

  private wait(s: Step, resolve: () => void): void {
    this.waiting.set(s, resolve);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.schedule.length > 0 && this.done.has(this.schedule[0]!)) this.schedule.shift();
    if (this.schedule.length === 0) {
      for (const [s, resolve] of this.waiting) {
        this.waiting.delete(s);
        resolve();
      }
      return;
    }
    const next = this.schedule[0]!;
    const resolve = this.waiting.get(next);
    if (!resolve) return; // `next` is between calls: it comes back here with its next one
    this.schedule.shift();
    this.waiting.delete(next);
    resolve();
  }
}

/** Every sequence of L and R of length `n`: 2^n schedules. */
function allSchedules(n: number): Step[][] {
  if (n === 0) return [[]];
  return allSchedules(n - 1).flatMap((rest) => [
    ['L' as Step, ...rest],
    ['R' as Step, ...rest],
  ]);
}

describe('a pair of records in concurrent invocations is stored exactly once, in every interleaving', () => {
  let driver: PipelineTestDriver;
  let n = 0;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start([
      { name: 'placeholder', description: '', topic: 'L', pipelines: [] },
    ]);
  });
  afterAll(() => driver.close());

  const joinNamed = (name: string): Omit<JoinSpec, 'topic' | 'codec'> => ({
    kind: 'join',
    name,
    description: '',
    left: { topic: 'L', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
    right: { topic: 'R', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
    windowMs: 10 * MIN,
    graceMs: 0,
  });
  const eventOf = (s: Step, t: number) =>
    buildEvent([
      { topic: s, partition: 0, offset: 0, timestampMs: t, key: '1', value: JSON.stringify({ id: 1, t }) },
    ]);

  /**
   * Runs a left and a right record of one key in two invocations, their store calls in the
   * order `schedule` gives, and returns the ids of the pairs stored. `around` wraps each
   * invocation's (gated) store: the negative control below uses it to break the processor.
   */
  const runSchedule = async (
    schedule: readonly Step[],
    around: (store: KeyedStateStore) => KeyedStateStore = (store) => store,
  ): Promise<string[]> => {
    const join = joinNamed(`schedule-${++n}`);
    const scheduler = new Scheduler([...schedule]);
    const invoke = async (s: Step) => {
      const side = s === 'L' ? 'left' : 'right';
      try {
        return await processEvent(
          { name: s, description: '', topic: s, pipelines: [joinSideCopy(join, side)] },
          eventOf(s, s === 'L' ? T0 : T0 + MIN),
          { ...driver.stores, state: around(scheduler.gated(s, driver.stores.state)) },
        );
      } finally {
        scheduler.finish(s);
      }
    };
    await Promise.all([invoke('L'), invoke('R')]);
    return (await driver.joinPairs(join.name)).map((p) => p.id);
  };

  // Both sequential orders (LLLLLL..., RRRRRR...) and every interleaving of the first six
  // store calls: both written before either reads, one reading between the other's write
  // and read, and so on.
  it.each(allSchedules(6).map((s) => [s.join('')]))('schedule %s', async (schedule) => {
    expect(await runSchedule([...schedule] as Step[])).toEqual(['L/0/0|R/0/0']);
  });

  it('detects a processor that reads the other side before its own buffer write lands (negative control)', async () => {
    // Arrange: the broken order. The wrapper acknowledges the buffer write at once but makes
    // it only after the read of the other side, as its own store call (so another invocation
    // may run in between): read-then-write, which can lose the pair when both read first.
    const readBeforeWrite = (store: KeyedStateStore): KeyedStateStore => {
      const held: (() => Promise<boolean>)[] = [];
      return {
        get: (k, sk) => store.get(k, sk),
        delete: (k, sk, e) => store.delete(k, sk, e),
        put: async (k, sk, v, e, x) => {
          if (!/#join-(left|right)#/.test(k)) return store.put(k, sk, v, e, x);
          held.push(() => store.put(k, sk, v, e, x));
          return true;
        },
        range: async <V>(k: string, from: number, to: number) => {
          const found = await store.range<V>(k, from, to);
          for (const write of held.splice(0)) await write();
          return found;
        },
      };
    };

    // Act: the same 64 schedules as above.
    const outcomes = new Map<string, number>();
    for (const schedule of allSchedules(6)) {
      const pairs = await runSchedule(schedule, readBeforeWrite);
      outcomes.set(schedule.join(''), pairs.length);
    }

    // Assert: the schedules catch it: some lose the pair (the "never zero" half fails) ...
    const lost = [...outcomes].filter(([, pairs]) => pairs === 0).map(([schedule]) => schedule);
    expect(lost.length).toBeGreaterThan(0);
    // ... e.g. both invocations buffer-get, both read, then both write:
    expect(lost).toContain('LRLRLR');
    // ... while the sequential orders still pair, so only the interleavings tell it apart.
    expect(outcomes.get('LLLLLL')).toBe(1);
    expect(outcomes.get('RRRRRR')).toBe(1);
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
      range: async <V>(k: string, from: number, to: number) => {
        const out = await paused[s].store.range<V>(k, from, to);
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
