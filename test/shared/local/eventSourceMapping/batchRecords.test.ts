import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidRecordError } from '../../../../shared/engine/errors/index.js';
import {
  buildEvent,
  decodeEvent,
  eventSizeBytes,
  type LambdaKafkaEvent,
} from '../../../../shared/engine/event/index.js';
import { batchRecords, type ProducerRecord } from '../../../../shared/local/eventSourceMapping/index.js';
import { expectedPartition } from '../../../scripts/support/independent.js';

const ride = (i: number, key: string | null = String(i % 7)): ProducerRecord => ({
  key,
  value: JSON.stringify({ i }),
  timestampMs: 1_593_561_600_000 + i * 1000,
});

/** Every record of a list of events, decoded, in event order then partition and offset order. */
const decoded = (events: readonly LambdaKafkaEvent[]) => events.flatMap((e) => decodeEvent(e).flat());
const indexOf = (value: Buffer | null) => (JSON.parse(String(value)) as { i: number }).i;

describe('batchRecords', () => {
  it('puts keyed records on the partition Kafka murmur2 gives their key', () => {
    const records = Array.from({ length: 200 }, (_, i) => ride(i, `key-${i}`));

    const out = decoded([...batchRecords(records, { topic: 'rides', partitions: 5 })]);

    for (const r of out) expect(r.partition).toBe(expectedPartition(`key-${indexOf(r.value)}`, 5));
  });

  it('spreads key-less records round-robin from partition 0', () => {
    const out = decoded([
      ...batchRecords(
        [0, 1, 2, 3, 4].map((i) => ride(i, null)),
        { topic: 't', partitions: 3 },
      ),
    ]);

    expect(out.map((r) => [indexOf(r.value), r.partition])).toEqual(
      expect.arrayContaining([
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 0],
        [4, 1],
      ]),
    );
  });

  it('numbers each partition from its start offset in source order', () => {
    const records = Array.from({ length: 50 }, (_, i) => ride(i));

    const out = decoded([
      ...batchRecords(records, { topic: 't', partitions: 3, startOffsets: [10, 0, 5], batchSize: 7 }),
    ]);

    for (const p of [0, 1, 2]) {
      const own = out.filter((r) => r.partition === p);
      expect(own.map((r) => r.offset)).toEqual(own.map((_, i) => [10, 0, 5][p]! + i));
      expect(own.map((r) => indexOf(r.value))).toEqual(
        [...own.map((r) => indexOf(r.value))].sort((a, b) => a - b),
      );
    }
  });

  it('cuts batches of batchSize records, the last one partial', () => {
    const events = [
      ...batchRecords(
        Array.from({ length: 250 }, (_, i) => ride(i)),
        { topic: 't', partitions: 3 },
      ),
    ];

    expect(events.map((e) => decodeEvent(e).flat().length)).toEqual([100, 100, 50]);
  });

  it('keeps every event under 6 MB by starting a new one before a record that would exceed it', () => {
    const big = 'x'.repeat(1_000_000); // 1.33 MB once base64-encoded: four fit in 6 MB, five do not
    const records = Array.from({ length: 13 }, (_, i) => ({ ...ride(i), value: big }));

    const events = [...batchRecords(records, { topic: 't', partitions: 2 })];

    expect(events.map((e) => decodeEvent(e).flat().length)).toEqual([4, 4, 4, 1]);
    for (const e of events) expect(eventSizeBytes(e)).toBeLessThanOrEqual(6 * 1024 * 1024);
  });

  it('rejects a record that alone exceeds the cap, naming where it came from', () => {
    const huge = { ...ride(0), value: 'x'.repeat(2000), origin: 'big.jsonl:7' };

    expect(() => [...batchRecords([huge], { topic: 't', maxEventBytes: 1000 })]).toThrow(
      expect.objectContaining({
        name: InvalidRecordError.name,
        code: 'RECORD_TOO_LARGE',
        message: expect.stringMatching(/^big\.jsonl:7: /),
      }),
    );
  });

  it.each([0, 10_001, 1.5])('rejects batch size %s', (batchSize) => {
    expect(() => [...batchRecords([ride(0)], { topic: 't', batchSize })]).toThrow(ConfigError);
  });

  it('makes only events that are full: each is at the size cap or batch size, or is the last', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            key: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
            value: fc.option(fc.string({ maxLength: 300 }), { nil: null }),
          }),
          { maxLength: 60 },
        ),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1500, max: 6000 }),
        (inputs, batchSize, partitions, maxEventBytes) => {
          const records = inputs.map((r, i) => ({ ...r, timestampMs: i }));
          const options = {
            topic: 'rides',
            partitions,
            batchSize,
            maxEventBytes,
            source: 'self-managed' as const,
          };

          const events = [...batchRecords(records, options)];

          // Nothing lost, nothing reordered within a partition.
          const out = decoded(events);
          expect(out).toHaveLength(records.length);
          for (let p = 0; p < partitions; p++) {
            const own = out.filter((r) => r.partition === p);
            expect(own.map((r) => r.offset)).toEqual(own.map((_, i) => i));
          }
          events.forEach((event, i) => {
            const size = eventSizeBytes(event);
            const count = decodeEvent(event).flat().length;
            expect(size).toBeLessThanOrEqual(maxEventBytes);
            expect(count).toBeLessThanOrEqual(batchSize);
            const next = events[i + 1];
            if (next && count < batchSize) {
              // The next event's first record did not fit: the size accounting is exact, not cautious.
              const first = decodeEvent(next)[0]![0]!;
              const merged = buildEvent([...decodeEvent(event).flat(), first], { source: 'self-managed' });
              expect(eventSizeBytes(merged)).toBeGreaterThan(maxEventBytes);
            }
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
