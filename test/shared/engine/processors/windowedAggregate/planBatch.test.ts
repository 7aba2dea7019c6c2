import { describe, expect, it } from 'vitest';
import type { DecodedRecord, PipelineSpec } from '../../../../../shared/engine/process/index.js';
import {
  decodeGroups,
  planBatch,
  remainingContribution,
} from '../../../../../shared/engine/process/index.js';
import { hopping, tumbling } from '../../../../../shared/engine/windows/index.js';
import { kafkaRecord } from '../../../../support/records.js';

const MIN = 60_000;
const spec: PipelineSpec = {
  kind: 'windowed-aggregate',
  name: 'test',
  description: 'test',
  topic: 'rides',
  codec: 'none',
  key: { field: 'loc' },
  time: { field: 't' },
  window: tumbling(5 * MIN, 10 * MIN),
  aggregations: [
    { op: 'sum', field: 'tip' },
    { op: 'max', field: 'tip' },
  ],
};

/** Records of one partition, offsets in order, values as given. */
function partition(
  p: number,
  values: Array<Record<string, unknown> | string>,
  firstOffset = 0,
): DecodedRecord[] {
  const records = values.map((v, i) =>
    kafkaRecord({
      partition: p,
      offset: firstOffset + i,
      value: typeof v === 'string' ? v : JSON.stringify(v),
    }),
  );
  return decodeGroups([records], (r) => JSON.parse(r.value!.toString()))[0]!;
}

describe('planBatch', () => {
  it('pre-aggregates a batch into one update per distinct (key, window)', () => {
    const plan = planBatch(
      spec,
      [
        partition(0, [
          { loc: 1, t: 0, tip: 1.5 },
          { loc: 1, t: MIN, tip: 2.25 },
          { loc: 2, t: MIN, tip: 1 },
        ]),
        partition(1, [{ loc: 1, t: 2 * MIN, tip: 0.25 }]),
      ],
      new Map(),
    );
    expect(plan.updates).toHaveLength(2);
    const loc1 = plan.updates.find((u) => u.key === '1')!;
    expect([...loc1.partitions.keys()]).toEqual(['rides-0', 'rides-1']);
    expect(loc1.partitions.get('rides-0')!.total).toEqual({
      count: 2,
      values: { sum_tip: 375, max_tip: 225 },
    });
    expect(loc1.partitions.get('rides-0')!.offsets).toEqual([0, 1]);
    expect(plan.stats).toMatchObject({ records: 4, aggregated: 4, late: 0, invalid: 0 });
  });

  it('marks a record late when its window end + grace <= stream time of its partition', () => {
    const plan = planBatch(
      spec,
      [
        partition(0, [
          { loc: 1, t: 20 * MIN, tip: 0 }, // stream time 20 min
          { loc: 1, t: 4 * MIN, tip: 0 }, // window [0,5) + 10 = 15 <= 20: late
          { loc: 1, t: 11 * MIN, tip: 0 }, // window [10,15) + 10 = 25 > 20: on time
        ]),
        partition(1, [{ loc: 1, t: 0, tip: 0 }]), // another partition's stream time is its own
      ],
      new Map(),
    );
    expect(plan.stats).toMatchObject({ aggregated: 3, late: 1, lateWindows: 1 });
    expect(plan.deadLetters).toHaveLength(1);
    expect(plan.deadLetters[0]).toMatchObject({
      kind: 'late',
      partition: 0,
      offset: 1,
      code: 'LATE',
      windowStartMs: 0,
    });
  });

  it('starts from the stream time stored for the partition', () => {
    const plan = planBatch(
      spec,
      [partition(0, [{ loc: 1, t: 0, tip: 0 }], 10)],
      new Map([['rides-0', 15 * MIN]]),
    );
    expect(plan.stats.late).toBe(1);
    expect(plan.checkpoints).toEqual([{ partitionId: 'rides-0', offset: 10, streamTimeMs: 15 * MIN }]);
  });

  it('drops only the closed windows of a hopping record', () => {
    const hop = { ...spec, window: hopping(10 * MIN, 5 * MIN, 0) };
    const plan = planBatch(
      hop,
      [
        partition(0, [
          { loc: 1, t: 10 * MIN, tip: 0 },
          { loc: 1, t: 7 * MIN, tip: 0 },
        ]),
      ],
      new Map(),
    );
    // t=7 min is in [0,10) (closed at stream time 10) and [5,15) (open).
    expect(plan.stats).toMatchObject({ aggregated: 2, late: 0, lateWindows: 1 });
    expect(plan.deadLetters.map((d) => d.windowStartMs)).toEqual([0]);
  });

  it('dead-letters invalid JSON, a tombstone and a missing number without failing the batch', () => {
    const records = [
      kafkaRecord({ offset: 0, value: '{"loc":' }),
      kafkaRecord({ offset: 1, value: null }),
      kafkaRecord({ offset: 2, value: JSON.stringify({ loc: 1, t: 0 }) }),
      kafkaRecord({ offset: 3, value: JSON.stringify({ loc: 1, t: 0, tip: 1 }) }),
    ];
    const decoded = decodeGroups([records], (r) => {
      if (r.value === null) throw new Error('tombstone');
      return JSON.parse(r.value.toString());
    });
    const plan = planBatch(spec, decoded, new Map());
    expect(plan.stats).toMatchObject({ invalid: 3, aggregated: 1 });
    expect(plan.deadLetters.map((d) => [d.offset, d.kind])).toEqual([
      [0, 'invalid'],
      [1, 'invalid'],
      [2, 'invalid'],
    ]);
    expect(plan.deadLetters[2]).toMatchObject({ field: 'tip', code: 'NOT_A_NUMBER' });
  });

  it('skips records the filter rejects without dead-lettering them', () => {
    const filtered = { ...spec, filter: [{ field: 'tip', op: 'gte' as const, value: 1 }] };
    const plan = planBatch(
      filtered,
      [
        partition(0, [
          { loc: 1, t: 0, tip: 0.5 },
          { loc: 1, t: 0, tip: 2 },
        ]),
      ],
      new Map(),
    );
    expect(plan.stats).toMatchObject({ filtered: 1, aggregated: 1 });
    expect(plan.deadLetters).toEqual([]);
  });
});

describe('remainingContribution', () => {
  it('drops the offsets an item already applied and reports the new marks', () => {
    const plan = planBatch(
      spec,
      [
        partition(0, [
          { loc: 1, t: 0, tip: 1 },
          { loc: 1, t: 0, tip: 2 },
          { loc: 1, t: 0, tip: 4 },
        ]),
      ],
      new Map(),
    );
    const rest = remainingContribution(plan.updates[0]!, new Map([['rides-0', 0]]), spec.aggregations);
    expect(rest).toEqual({
      state: { count: 2, values: { sum_tip: 600, max_tip: 400 } },
      highWaterMarks: new Map([['rides-0', 2]]),
    });
    expect(remainingContribution(plan.updates[0]!, new Map([['rides-0', 2]]), spec.aggregations)).toBeNull();
  });
});
