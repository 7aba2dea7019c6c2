import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConsumedRecordDeduplicator,
  formatDedupeCounts,
} from '../../../scripts/lib/ConsumedRecordDeduplicator.js';
import { SOURCE_HEADER, sourceOf } from '../../../shared/engine/output/index.js';

const TOPIC = 'rides_high_amount';
/** A record a route pipeline wrote from rides offset `offset` of partition `partition`. */
const routed = (offset: number, partition = 0, topic = TOPIC) => ({
  topic,
  headers: {
    'content-type': 'application/json',
    [SOURCE_HEADER]: sourceOf('rides-route-by-amount', { topic: 'rides', partition, offset }),
  },
});

/** The records `keep` lets through, in order. */
function printed(records: ReturnType<typeof routed>[], dedupe = new ConsumedRecordDeduplicator()) {
  return records.filter((r) => dedupe.keep(r));
}

describe('ConsumedRecordDeduplicator (consume --dedupe)', () => {
  it('prints the first record of each source and drops the copies a redelivered batch wrote', () => {
    const dedupe = new ConsumedRecordDeduplicator();
    const batch = [routed(10), routed(11), routed(12)];
    // Lambda retried the batch after the sink had written 10 and 11: they come again.
    const topic = [...batch, routed(10), routed(11), routed(13)];

    const kept = printed(topic, dedupe);

    expect(kept).toEqual([routed(10), routed(11), routed(12), routed(13)]);
    expect(dedupe.counts).toEqual({ duplicates: 2, withoutSourceHeader: 0 });
  });

  it('passes records without a kls-source header and counts them, even when they are equal', () => {
    const dedupe = new ConsumedRecordDeduplicator();
    const plain = { topic: TOPIC, headers: { 'content-type': 'application/json' } };

    const kept = [plain, routed(1), plain, { topic: TOPIC, headers: {} }].filter((r) => dedupe.keep(r));

    expect(kept).toHaveLength(4);
    expect(dedupe.counts).toEqual({ duplicates: 0, withoutSourceHeader: 3 });
  });

  it('tells sources apart by partition and by pipeline, not by offset alone', () => {
    const dedupe = new ConsumedRecordDeduplicator();
    const otherPipeline = {
      topic: TOPIC,
      headers: {
        [SOURCE_HEADER]: sourceOf('rides-enrich-zones', { topic: 'rides', partition: 0, offset: 5 }),
      },
    };

    const kept = [routed(5, 0), routed(5, 1), otherPipeline].filter((r) => dedupe.keep(r));

    expect(kept).toHaveLength(3);
    expect(dedupe.counts.duplicates).toBe(0);
  });

  it('reads the last kls-source of a record whose header repeats, as the engine does', () => {
    const dedupe = new ConsumedRecordDeduplicator();
    const repeated = {
      topic: TOPIC,
      headers: {
        [SOURCE_HEADER]: [
          'stale/rides/0/1',
          sourceOf('rides-route-by-amount', { topic: 'rides', partition: 0, offset: 7 }),
        ],
      },
    };

    expect(dedupe.keep(routed(7))).toBe(true);
    expect(dedupe.keep(repeated)).toBe(false);
  });

  it('prints each source once, in first-seen order, whatever the redeliveries (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ partition: fc.integer({ min: 0, max: 2 }), offset: fc.integer({ min: 0, max: 30 }) }),
          {
            maxLength: 200,
          },
        ),
        (sources) => {
          const dedupe = new ConsumedRecordDeduplicator();
          const records = sources.map((s) => routed(s.offset, s.partition));

          const kept = printed(records, dedupe);

          const distinct = [...new Map(records.map((r) => [r.headers[SOURCE_HEADER], r])).values()];
          expect(kept).toEqual(distinct);
          expect(dedupe.counts.duplicates).toBe(records.length - distinct.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('summarizes both counts in one line', () => {
    expect(formatDedupeCounts({ duplicates: 2, withoutSourceHeader: 1 })).toBe(
      '--dedupe: dropped 2 duplicate record(s) (a kls-source header seen before: a redelivered batch); ' +
        '1 record(s) had no kls-source header (no source header) and were printed',
    );
  });
});
