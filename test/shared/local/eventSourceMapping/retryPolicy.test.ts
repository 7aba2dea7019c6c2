import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  bisect,
  decideAfterFailure,
  splitExpired,
} from '../../../../shared/local/eventSourceMapping/retryPolicy.js';
import { kafkaRecord } from '../../../support/records.js';

const backoff = { initialMs: 100, maxMs: 1_000 };

describe('backoffMs', () => {
  it.each([
    [0, 100],
    [1, 200],
    [2, 400],
    [3, 800],
    [4, 1_000],
    [20, 1_000],
  ])('retry %i waits %i ms', (retry, expected) => {
    expect(backoffMs(retry, backoff)).toBe(expected);
  });
});

describe('decideAfterFailure', () => {
  const settings = (maximumRetryAttempts: number, bisectBatchOnFunctionError = false) => ({
    maximumRetryAttempts,
    bisectBatchOnFunctionError,
    backoff,
  });

  it('retries with backoff while retries remain', () => {
    expect(decideAfterFailure([1, 2], 1, settings(3))).toEqual({ action: 'retry', delayMs: 200 });
  });

  it('gives up once maximumRetryAttempts retries were made', () => {
    expect(decideAfterFailure([1, 2], 3, settings(3))).toEqual({
      action: 'discard',
      condition: 'RetryAttemptsExhausted',
    });
  });

  it('gives up at once with zero retries', () => {
    expect(decideAfterFailure([1], 0, settings(0)).action).toBe('discard');
  });

  it('never gives up with -1 (infinite)', () => {
    expect(decideAfterFailure([1], 1_000_000, settings(-1)).action).toBe('retry');
  });

  it('bisects before using retries when bisecting is on', () => {
    expect(decideAfterFailure([1, 2, 3], 0, settings(0, true))).toEqual({
      action: 'bisect',
      halves: [[1, 2], [3]],
    });
  });

  it('retries a single record instead of bisecting it', () => {
    expect(decideAfterFailure([1], 0, settings(2, true)).action).toBe('retry');
  });
});

describe('bisect', () => {
  it('keeps every record once, and each partition in offset order when the halves run in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 60 }), (partitions) => {
        // Arrange: arrival order, offsets ascending per partition.
        const next = [0, 0, 0, 0];
        const records = partitions.map((p) => ({ partition: p, offset: next[p]!++ }));
        // Act
        const [first, second] = bisect(records);
        // Assert
        expect([...first, ...second]).toEqual(records);
        expect(first.length).toBeGreaterThan(0);
        expect(second.length).toBeGreaterThan(0);
        for (const p of [0, 1, 2, 3]) {
          const offsets = [...first, ...second].filter((r) => r.partition === p).map((r) => r.offset);
          expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
        }
      }),
    );
  });
});

describe('splitExpired', () => {
  const nowMs = 1_000_000;
  const at = (ageS: number) => ({ record: kafkaRecord({ timestampMs: nowMs - ageS * 1000 }) });

  it('keeps everything with -1', () => {
    const records = [at(10_000), at(1)];
    expect(splitExpired(records, nowMs, -1)).toEqual({ live: records, expired: [] });
  });

  it('separates records older than the maximum age from the rest, keeping the order of each', () => {
    // Arrange
    const records = [at(61), at(59), at(60), at(600)];
    // Act
    const { live, expired } = splitExpired(records, nowMs, 60);
    // Assert
    expect(live).toEqual([records[1], records[2]]);
    expect(expired).toEqual([records[0], records[3]]);
  });
});
