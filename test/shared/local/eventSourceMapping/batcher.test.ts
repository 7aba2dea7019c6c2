import { describe, expect, it } from 'vitest';
import { buildEvent, eventSizeBytes } from '../../../../shared/engine/event/index.js';
import {
  type BatchLimits,
  batchReadiness,
  cutBatch,
  toPendingRecord,
} from '../../../../shared/local/eventSourceMapping/batcher.js';
import { envelopeBytes } from '../../../../shared/local/eventSourceMapping/EventSizer.js';
import { kafkaRecord } from '../../../support/records.js';

const options = { source: 'msk' as const, bootstrapServers: '127.0.0.1:9092' };
const limits = (over: Partial<BatchLimits> = {}): BatchLimits => ({
  batchSize: 100,
  maximumBatchingWindowMs: 500,
  maxPayloadBytes: 6 * 1024 * 1024,
  envelopeBytes: envelopeBytes(options),
  ...over,
});
/** Records interleaved over partitions 0..2, offsets ascending per partition. */
const interleaved = (n: number, valueBytes = 10) =>
  Array.from({ length: n }, (_, i) =>
    toPendingRecord(
      kafkaRecord({ partition: i % 3, offset: Math.floor(i / 3), value: 'x'.repeat(valueBytes) }),
      1_000 + i,
    ),
  );

describe('cutBatch', () => {
  it('takes at most batchSize records from the head', () => {
    // Arrange
    const pending = interleaved(250);
    // Act
    const cut = cutBatch(pending, limits({ batchSize: 100 }));
    // Assert
    expect(cut).toMatchObject({ count: 100, oversized: false });
  });

  it('takes everything when fewer than batchSize records wait', () => {
    expect(cutBatch(interleaved(7), limits()).count).toBe(7);
  });

  it('stops before the record that would take the event over the payload cap, and the size it reports is exact', () => {
    // Arrange: ~1 KB records, a 10 KB cap.
    const pending = interleaved(50, 1_000);
    const cap = 10_000;
    // Act
    const cut = cutBatch(pending, limits({ maxPayloadBytes: cap }));
    // Assert
    const taken = buildEvent(
      pending.slice(0, cut.count).map((p) => p.record),
      options,
    );
    const oneMore = buildEvent(
      pending.slice(0, cut.count + 1).map((p) => p.record),
      options,
    );
    expect(eventSizeBytes(taken)).toBe(cut.sizeBytes);
    expect(eventSizeBytes(taken)).toBeLessThanOrEqual(cap);
    expect(eventSizeBytes(oneMore)).toBeGreaterThan(cap);
  });

  it('flags a first record that alone exceeds the cap as oversized, alone', () => {
    // Arrange
    const pending = [toPendingRecord(kafkaRecord({ value: 'x'.repeat(5_000) }), 0), ...interleaved(3)];
    // Act
    const cut = cutBatch(pending, limits({ maxPayloadBytes: 2_000 }));
    // Assert
    expect(cut).toMatchObject({ count: 1, oversized: true });
  });

  it('returns an empty cut for an empty queue', () => {
    expect(cutBatch([], limits())).toMatchObject({ count: 0, oversized: false });
  });
});

describe('batchReadiness', () => {
  const at = (count: number, sizeBytes: number, oldestArrivalMs: number | undefined) => ({
    count,
    sizeBytes,
    oldestArrivalMs,
  });

  it.each([
    ['nothing pending', at(0, 0, undefined), 10_000, { ready: false, waitMs: Infinity }],
    ['a full batch', at(100, 1_000, 9_999), 10_000, { ready: true, reason: 'batch-size' }],
    ['more than a payload', at(5, 7 * 1024 * 1024, 9_999), 10_000, { ready: true, reason: 'payload' }],
    ['the window has passed', at(5, 1_000, 9_500), 10_000, { ready: true, reason: 'window' }],
    ['the window is still open', at(5, 1_000, 9_800), 10_000, { ready: false, waitMs: 300 }],
  ])('%s', (_name, pending, nowMs, expected) => {
    expect(batchReadiness(pending, nowMs, limits())).toEqual(expected);
  });

  it('with a zero window, any pending record is ready at once', () => {
    expect(batchReadiness(at(1, 10, 10_000), 10_000, limits({ maximumBatchingWindowMs: 0 }))).toEqual({
      ready: true,
      reason: 'window',
    });
  });
});
