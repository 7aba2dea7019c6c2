import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildEvent,
  eventSizeBytes,
  type KafkaRecord,
  partitionId,
  toLambdaRecord,
} from '../../../../shared/engine/event/index.js';
import { EventSizer, envelopeBytes } from '../../../../shared/local/eventSourceMapping/EventSizer.js';

const recordArb: fc.Arbitrary<KafkaRecord> = fc.record({
  topic: fc.constantFrom('rides', 'zones', 'über-topic'),
  partition: fc.integer({ min: 0, max: 3 }),
  offset: fc.integer({ min: 0, max: 1_000_000 }),
  timestampMs: fc.integer({ min: 0, max: 2_000_000_000_000 }),
  timestampType: fc.constantFrom('CREATE_TIME' as const, 'LOG_APPEND_TIME' as const),
  key: fc.option(
    fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
    { nil: null },
  ),
  value: fc.option(
    fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => Buffer.from(s)),
    { nil: null },
  ),
  headers: fc.array(
    fc.record({
      name: fc.string({ maxLength: 8 }),
      value: fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
    }),
    { maxLength: 3 },
  ),
});

const bytesOf = (r: KafkaRecord) => Buffer.byteLength(JSON.stringify(toLambdaRecord(r)), 'utf8');

describe('EventSizer', () => {
  it.each([
    ['msk', { source: 'msk' as const, bootstrapServers: 'b1:9092,b2:9092' }],
    ['self-managed', { source: 'self-managed' as const, bootstrapServers: '127.0.0.1:9092' }],
  ])('tracks exactly the size eventSizeBytes gives for a %s event, record by record', (_name, options) => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 25 }), (records) => {
        // Arrange
        const sizer = new EventSizer(envelopeBytes(options));
        // Act / Assert: after every record the running size equals a full re-serialisation.
        for (const [i, r] of records.entries()) {
          const predicted = sizer.sizeWith(partitionId(r.topic, r.partition), bytesOf(r));
          const added = sizer.add(partitionId(r.topic, r.partition), bytesOf(r));
          const actual = eventSizeBytes(buildEvent(records.slice(0, i + 1), options));
          expect(added).toBe(actual);
          expect(predicted).toBe(actual);
        }
        expect(sizer.count).toBe(records.length);
      }),
    );
  });

  it('starts again from the envelope after clear', () => {
    // Arrange
    const options = { source: 'msk' as const };
    const sizer = new EventSizer(envelopeBytes(options));
    sizer.add('rides-0', 100);
    // Act
    sizer.clear();
    // Assert
    expect(sizer.sizeBytes).toBe(eventSizeBytes(buildEvent([], options)));
    expect(sizer.count).toBe(0);
  });
});
