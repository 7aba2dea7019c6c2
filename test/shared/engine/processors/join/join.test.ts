import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerSpec } from '../../../../../shared/engine/process/index.js';
import {
  type BufferEntry,
  bufferPk,
  isJoinRecordLate,
  type JoinSpec,
  joinProcessor,
  joinSideCopy,
  pairOf,
  unmatchedBetween,
} from '../../../../../shared/engine/processors/index.js';
import { PipelineTestDriver } from '../../../../../shared/testing/index.js';

const MIN = 60_000;
const T0 = Date.UTC(2020, 6, 1);

const join: Omit<JoinSpec, 'topic' | 'codec'> = {
  kind: 'join',
  name: 'j',
  description: 'left x right by id, window 10 min, grace 5 min',
  left: { topic: 'L', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
  right: { topic: 'R', codec: 'json', key: { field: 'id' }, time: { field: 't' } },
  windowMs: 10 * MIN,
  graceMs: 5 * MIN,
};
const handlers = (spec = join): HandlerSpec[] => [
  { name: 'left', description: '', topic: 'L', pipelines: [joinSideCopy(spec, 'left')] },
  { name: 'right', description: '', topic: 'R', pipelines: [joinSideCopy(spec, 'right')] },
];
const entry = (side: 'left' | 'right', timeMs: number, key = 'k', id = `${side}${timeMs}`): BufferEntry => ({
  side,
  key,
  timeMs,
  id,
  value: { v: id },
});

describe('join spec', () => {
  it('accepts a side copy of each side', () => {
    expect(joinProcessor.validate(joinSideCopy(join, 'left'))).toEqual([]);
    expect(joinProcessor.validate(joinSideCopy(join, 'right'))).toEqual([]);
  });

  it.each([
    ['a topic of neither side', { ...joinSideCopy(join, 'left'), topic: 'X' }, 'topic'],
    ['a self-join', joinSideCopy({ ...join, right: { ...join.right, topic: 'L' } }, 'left'), 'right.topic'],
    [
      'a pair condition wider than the window',
      joinSideCopy({ ...join, maxTimeDifferenceMs: 11 * MIN }, 'left'),
      'maxTimeDifferenceMs',
    ],
    [
      'a filter',
      { ...joinSideCopy(join, 'left'), filter: [{ field: 'id', op: 'eq' as const, value: 1 }] },
      'filter',
    ],
  ])('rejects %s', (_name, spec, field) => {
    expect(joinProcessor.validate(spec as JoinSpec).join('\n')).toContain(`${field}:`);
  });
});

describe('join lateness (Kafka Streams: joined while t + after + grace >= stream time)', () => {
  it.each([
    // t, stream time, late? (window 10, grace 5)
    [0, 15 * MIN, false],
    [0, 15 * MIN + 1, true],
    [0, 0, false],
    [20 * MIN, 30 * MIN, false],
  ])('a record at %i with stream time %i is late: %s', (t, streamTime, late) => {
    expect(isJoinRecordLate(t, 10 * MIN, 5 * MIN, streamTime)).toBe(late);
  });
});

describe('pairOf', () => {
  const spec = joinSideCopy(join, 'left');
  it.each([
    ['times equal', 0, 0, true],
    ['right exactly a window later', 0, 10 * MIN, true],
    ['right exactly a window earlier', 10 * MIN, 0, true],
    ['one ms more than a window apart', 0, 10 * MIN + 1, false],
  ])('pairs when %s: %s', (_name, tl, tr, pairs) => {
    expect(pairOf(spec, entry('left', tl), entry('right', tr)) !== undefined).toBe(pairs);
  });

  it('is symmetric, keyed by both identities, timed at the later record', () => {
    const a = pairOf(spec, entry('left', 0), entry('right', 3 * MIN));
    expect(a).toEqual(pairOf(spec, entry('right', 3 * MIN), entry('left', 0)));
    expect(a).toMatchObject({ id: 'left0|right180000', key: 'k', timeMs: 3 * MIN });
  });

  it('does not pair two records of one side, or of different keys', () => {
    expect(pairOf(spec, entry('left', 0), entry('left', 0, 'k', 'other'))).toBeUndefined();
    expect(pairOf(spec, entry('left', 0), entry('right', 0, 'other-key'))).toBeUndefined();
  });

  it('keeps only pairs within maxTimeDifferenceMs when the spec narrows the window', () => {
    const narrow = joinSideCopy({ ...join, maxTimeDifferenceMs: 2 * MIN }, 'left');
    expect(pairOf(narrow, entry('left', 0), entry('right', 2 * MIN))).toBeDefined();
    expect(pairOf(narrow, entry('left', 0), entry('right', 2 * MIN + 1))).toBeUndefined();
  });
});

describe('join pipeline on a real (embedded) DynamoDB', () => {
  let driver: PipelineTestDriver;
  let run = 0;
  let spec: Omit<JoinSpec, 'topic' | 'codec'>;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start(handlers());
  });
  afterAll(() => driver.close());
  // A fresh pipeline name per test: one driver, separate buffers.
  const fresh = async () => {
    spec = { ...join, name: `j${++run}` };
    await driver.close().catch(() => undefined);
    driver = await PipelineTestDriver.start(handlers(spec));
  };

  it('pairs a left and a right record with the same key, whichever arrives first', async () => {
    await fresh();
    await driver.pipe([{ topic: 'L', key: '1', value: { id: 1, t: T0 } }]);
    await driver.pipe([{ topic: 'R', key: '1', value: { id: 1, t: T0 + 4 * MIN } }]);
    await driver.pipe([{ topic: 'R', key: '2', value: { id: 2, t: T0 } }]);
    await driver.pipe([{ topic: 'L', key: '2', value: { id: 2, t: T0 + MIN } }]);

    const pairs = await driver.joinPairs(spec.name);
    expect(pairs.map((p) => [p.key, p.id, p.timeMs])).toEqual([
      ['1', 'L/0/0|R/0/0', T0 + 4 * MIN],
      ['2', 'L/0/1|R/0/1', T0 + MIN],
    ]);
    expect(pairs[0]!.value).toEqual({ left: { id: 1, t: T0 }, right: { id: 1, t: T0 + 4 * MIN } });
  });

  it('pairs every partner in the window (a many-to-many join), none outside it', async () => {
    await fresh();
    await driver.pipe([
      { topic: 'L', value: { id: 1, t: T0 } },
      { topic: 'L', value: { id: 1, t: T0 + 5 * MIN } },
      { topic: 'L', value: { id: 9, t: T0 } },
    ]);
    await driver.pipe([
      { topic: 'R', value: { id: 1, t: T0 + 10 * MIN } },
      { topic: 'R', value: { id: 1, t: T0 + 15 * MIN } },
    ]);
    const ids = (await driver.joinPairs(spec.name)).map((p) => p.id);
    // R@10 pairs L@0 and L@5; R@15 only L@5 (exactly a window), not L@0 (15 min).
    expect(ids.sort()).toEqual(['L/0/0|R/0/0', 'L/0/1|R/0/0', 'L/0/1|R/0/1']);
  });

  it('dead-letters a record whose window closed on its partition, and does not pair it', async () => {
    await fresh();
    await driver.pipe([{ topic: 'R', value: { id: 1, t: T0 } }]);
    await driver.pipe([
      { topic: 'L', value: { id: 7, t: T0 + 30 * MIN } },
      { topic: 'L', value: { id: 1, t: T0 + 10 * MIN } }, // 10 + 10 + 5 < 30: late
      { topic: 'L', value: { id: 1, t: T0 + 15 * MIN } }, // 15 + 10 + 5 >= 30: on time, too far from R@0
    ]);
    expect(await driver.joinPairs(spec.name)).toEqual([]);
    const letters = await driver.deadLetters(spec.name);
    expect(letters.map((d) => [d.kind, d.code, d.offset])).toEqual([['late', 'LATE', 1]]);
  });

  it('dead-letters undecodable records and records without a key or time', async () => {
    await fresh();
    await driver.pipe([
      { topic: 'L', value: '{"id":' },
      { topic: 'L', value: { t: T0 } },
      { topic: 'L', value: { id: 1 } },
    ]);
    const codes = (await driver.deadLetters(spec.name)).map((d) => d.code);
    expect(codes).toEqual(['NOT_JSON', 'NO_KEY', 'NO_TIME']);
  });

  it('writes each pair once when batches are redelivered, whole or with other boundaries', async () => {
    await fresh();
    const left = driver.eventOf([
      { topic: 'L', value: { id: 1, t: T0 } },
      { topic: 'L', value: { id: 1, t: T0 + MIN } },
    ]);
    const right = driver.eventOf([{ topic: 'R', value: { id: 1, t: T0 + 2 * MIN } }]);
    await driver.pipeEvent(left);
    await driver.pipeEvent(right);
    await driver.pipeEvent(right);
    await driver.pipeEvent(left);
    expect((await driver.joinPairs(spec.name)).map((p) => p.id)).toEqual(['L/0/0|R/0/0', 'L/0/1|R/0/0']);
  });
});

describe('left and outer joins: a record that never pairs is stored once no partner can come', () => {
  let driver: PipelineTestDriver;
  let run = 0;
  let spec: Omit<JoinSpec, 'topic' | 'codec'>;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start(handlers());
  });
  afterAll(() => driver.close());
  const fresh = async (type: 'left' | 'outer') => {
    spec = { ...join, name: `outer${++run}`, type, partitions: { left: 1, right: 1 } };
    await driver.close().catch(() => undefined);
    driver = await PipelineTestDriver.start(handlers(spec));
  };
  const unmatched = async () =>
    (
      await Promise.all(
        ['1', '2', '3'].map((k) =>
          unmatchedBetween(driver.stores.state, spec.name, k, 0, Number.MAX_SAFE_INTEGER),
        ),
      )
    )
      .flat()
      .map((e) => e.id);
  // Window 10 min, grace 5 min: a partner of t is at most t + 10 and accepted while its
  // time + 15 >= stream time, so none can come once the other side passes t + 2 x 10 + 5.
  const CLOSES_AFTER_MS = 25 * MIN;

  it('refuses a left or outer join without the partition count of each side', () => {
    const noPartitions = joinSideCopy({ ...join, type: 'left' }, 'left');
    expect(joinProcessor.validate(noPartitions).join('\n')).toContain('partitions:');
  });

  it('left: stores an unpaired left record only once the right side passed t + 2 windows + grace', async () => {
    await fresh('left');
    await driver.pipe([{ topic: 'L', value: { id: 1, t: T0 } }]);
    await driver.pipe([{ topic: 'R', value: { id: 9, t: T0 + CLOSES_AFTER_MS } }]);
    expect(await unmatched()).toEqual([]); // a right record at T0 + 10 would still be on time

    await driver.pipe([{ topic: 'R', value: { id: 9, t: T0 + CLOSES_AFTER_MS + 1 } }]);

    expect(await unmatched()).toEqual(['L/0/0']);
    expect(await driver.joinPairs(spec.name)).toEqual([]);
  });

  it('left: never stores a left record that paired, nor an unpaired right record', async () => {
    await fresh('left');
    await driver.pipe([{ topic: 'L', value: { id: 1, t: T0 } }]);
    await driver.pipe([
      { topic: 'R', value: { id: 1, t: T0 + 5 * MIN } },
      { topic: 'R', value: { id: 2, t: T0 + 6 * MIN } },
    ]);
    await driver.pipe([{ topic: 'L', value: { id: 3, t: T0 + 60 * MIN } }]);
    await driver.pipe([{ topic: 'R', value: { id: 3, t: T0 + 60 * MIN } }]);

    expect((await driver.joinPairs(spec.name)).map((p) => p.id)).toEqual(['L/0/0|R/0/0', 'L/0/1|R/0/2']);
    expect(await unmatched()).toEqual([]);
  });

  it('left: does not take a paired record for unmatched when its partner left the buffer (TTL) before the close', async () => {
    await fresh('left');
    await driver.pipe([{ topic: 'L', value: { id: 1, t: T0 } }]);
    await driver.pipe([{ topic: 'R', value: { id: 1, t: T0 + 5 * MIN } }]);
    // The partner's buffer item expires (wall-clock TTL); the pair, kept longer, stays.
    const partnerItem = bufferPk(spec.name, 'right', '1');
    const stored = await driver.stores.state.get(partnerItem, T0 + 5 * MIN);
    expect(await driver.stores.state.delete(partnerItem, T0 + 5 * MIN, stored!.version)).toBe(true);

    await driver.pipe([{ topic: 'R', value: { id: 9, t: T0 + 60 * MIN } }]);

    expect((await driver.joinPairs(spec.name)).map((p) => p.id)).toEqual(['L/0/0|R/0/0']);
    expect(await unmatched()).toEqual([]);
  });

  it('outer: stores the unpaired records of both sides, each once under redelivery', async () => {
    await fresh('outer');
    const left = driver.eventOf([{ topic: 'L', value: { id: 1, t: T0 } }]);
    const right = driver.eventOf([{ topic: 'R', value: { id: 2, t: T0 } }]);
    await driver.pipeEvent(left);
    await driver.pipeEvent(right);
    const later = [
      driver.eventOf([{ topic: 'L', value: { id: 3, t: T0 + 30 * MIN } }]),
      driver.eventOf([{ topic: 'R', value: { id: 3, t: T0 + 30 * MIN } }]),
    ];
    for (const event of later) await driver.pipeEvent(event);
    for (const event of [left, right, ...later]) await driver.pipeEvent(event);

    expect((await unmatched()).sort()).toEqual(['L/0/0', 'R/0/0']);
    expect((await driver.joinPairs(spec.name)).map((p) => p.id)).toEqual(['L/0/1|R/0/1']);
  });
});
