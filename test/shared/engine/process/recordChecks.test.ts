import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../../shared/engine/errors/index.js';
import {
  invalidDeadLetter,
  MAX_DEAD_LETTER_VALUE_BYTES,
} from '../../../../shared/engine/process/deadLetter.js';
import {
  decodeGroups,
  MAX_KEY_BYTES,
  planBatch,
  validateHandlerSpec,
  type WindowedAggregateSpec,
} from '../../../../shared/engine/process/index.js';
import { hopping, tumbling } from '../../../../shared/engine/windows/index.js';
import { rideHandler } from '../../../../shared/rides/index.js';
import { kafkaRecord } from '../../../support/records.js';

const spec: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'checks',
  description: 'record checks',
  topic: 'rides',
  codec: 'ride-json',
  key: { field: 'loc' },
  time: { field: 't' },
  window: hopping(600_000, 300_000, 0),
  aggregations: [],
};

function planOf(values: Array<Record<string, unknown>>) {
  const records = values.map((v, offset) => kafkaRecord({ offset, value: JSON.stringify(v) }));
  return planBatch(
    spec,
    decodeGroups([records], (r) => JSON.parse(r.value!.toString())),
    new Map(),
  );
}

describe('records that would poison a batch become dead letters', () => {
  it.each([
    [{ loc: 1, t: 1.7e18 }, 'BAD_TIME'], // epoch nanoseconds
    [{ loc: 1, t: 6e21 }, 'BAD_TIME'], // hopping window arithmetic would not terminate
    [{ loc: 1, t: -1e17 }, 'BAD_TIME'],
    [{ loc: 1, t: -1 }, 'BAD_TIME'], // before the epoch: Kafka Streams starts no window below 0
    [{ loc: { a: 1 }, t: 0 }, 'BAD_KEY'],
    [{ loc: [1, 2], t: 0 }, 'BAD_KEY'],
    [{ loc: 'x'.repeat(MAX_KEY_BYTES + 1), t: 0 }, 'KEY_TOO_LONG'],
  ])('%j is rejected with %s', (value, code) => {
    const plan = planOf([value]);
    expect(plan.updates).toEqual([]);
    expect(plan.deadLetters).toHaveLength(1);
    expect(plan.deadLetters[0]).toMatchObject({ kind: 'invalid', code });
  });

  it('accepts a key of exactly the limit and times at the ends of the range', () => {
    // In time order: the window grace is 0, so anything older than the stream time is late.
    const plan = planOf([
      { loc: 2, t: 0 },
      { loc: 'é'.repeat(MAX_KEY_BYTES / 2), t: 1 },
      { loc: 1, t: Date.UTC(9999, 11, 31) },
    ]);
    expect(plan.deadLetters).toEqual([]);
    expect(plan.stats.aggregated).toBe(3);
  });
});

describe('dead letters stay within a DynamoDB item', () => {
  const err = new InvalidRecordError('test');
  it('keeps binary values as base64 only', () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const d = invalidDeadLetter('p', kafkaRecord({ value: bytes }), err);
    expect(d.value).toBeNull();
    expect(Buffer.from(d.valueBase64!, 'base64')).toEqual(bytes);
  });

  it('cuts a large value without splitting a character, well under 400 KB in all', () => {
    const text = 'é'.repeat(MAX_DEAD_LETTER_VALUE_BYTES); // 2 bytes each: twice the limit
    const d = invalidDeadLetter('p', kafkaRecord({ value: `x${text}` }), err);
    expect(d.truncated).toBe(true);
    expect(d.value).not.toContain('\uFFFD');
    const size = Buffer.byteLength(d.value!) + Buffer.byteLength(d.valueBase64!);
    expect(size).toBeLessThan(250_000);
  });

  it('dead-letters a binary 1 MB value in under 400 KB', () => {
    const bytes = Buffer.alloc(1_000_000, 0xff);
    const d = invalidDeadLetter('p', kafkaRecord({ value: bytes }), err);
    expect(Buffer.byteLength(JSON.stringify(d))).toBeLessThan(400_000);
  });
});

describe('validateHandlerSpec', () => {
  const base = rideHandler('rides-tumbling-by-pickup');
  it('accepts the worked example', () => {
    expect(() => validateHandlerSpec(base)).not.toThrow();
  });
  it('accepts a retention of exactly size + grace', () => {
    const pipeline = { ...base.pipelines[0]!, window: tumbling(300_000, 60_000), retentionMs: 360_000 };
    expect(() => validateHandlerSpec({ ...base, pipelines: [pipeline] })).not.toThrow();
  });
  it.each([
    [
      'a duplicate pipeline name',
      { ...base, pipelines: [base.pipelines[0]!, base.pipelines[0]!] },
      /two pipelines have this name/,
    ],
    [
      'an unknown codec',
      { ...base, pipelines: [{ ...base.pipelines[0]!, codec: 'avro' }] },
      /unknown codec "avro"/,
    ],
    [
      'another topic',
      { ...base, pipelines: [{ ...base.pipelines[0]!, topic: 'other' }] },
      /topic other differs/,
    ],
    [
      'a repeated aggregation',
      {
        ...base,
        pipelines: [
          {
            ...base.pipelines[1]!,
            aggregations: [
              { op: 'sum' as const, field: 'tip_amount' },
              { op: 'sum' as const, field: 'tip_amount' },
            ],
          },
        ],
      },
      /sum_tip_amount is listed twice/,
    ],
    ['a bad name', { ...base, pipelines: [{ ...base.pipelines[0]!, name: 'Not Valid' }] }, /Not Valid: name/],
    [
      'a retention shorter than size + grace',
      {
        ...base,
        pipelines: [{ ...base.pipelines[0]!, window: tumbling(300_000, 3_600_000), retentionMs: 3_000_000 }],
      },
      /retentionMs 3000000 is shorter than the window size plus grace \(sizeMs 300000 \+ graceMs 3600000 = 3900000\)/,
    ],
  ])('rejects %s, naming it', (_, spec, message) => {
    expect(() => validateHandlerSpec(spec)).toThrow(message);
  });
});
