import { describe, expect, it } from 'vitest';
import {
  formatProgress,
  isCaughtUp,
  partitionLags,
} from '../../../../shared/local/eventSourceMapping/lag.js';

describe('partitionLags', () => {
  it('is the high watermark minus the committed offset, per partition, sorted', () => {
    // Arrange
    const topic = [
      { partition: 1, high: '40', low: '0' },
      { partition: 0, high: '100', low: '0' },
    ];
    // Act
    const lags = partitionLags(
      topic,
      new Map([
        [0, 90],
        [1, 40],
      ]),
    );
    // Assert
    expect(lags).toEqual([
      { partition: 0, highWatermark: 100, committed: 90, lag: 10 },
      { partition: 1, highWatermark: 40, committed: 40, lag: 0 },
    ]);
  });

  it('counts a never-committed partition from its low watermark', () => {
    expect(partitionLags([{ partition: 0, high: '50', low: '20' }], new Map([[0, -1]]))[0]?.lag).toBe(30);
  });

  it('treats an empty, never-committed partition as caught up', () => {
    expect(isCaughtUp(partitionLags([{ partition: 0, high: 0, low: 0 }], new Map()))).toBe(true);
  });

  it('is not caught up while any partition lags', () => {
    const lags = partitionLags(
      [
        { partition: 0, high: 5, low: 0 },
        { partition: 1, high: 5, low: 0 },
      ],
      new Map([
        [0, 5],
        [1, 4],
      ]),
    );
    expect(isCaughtUp(lags)).toBe(false);
  });
});

describe('formatProgress', () => {
  it('names the function, the rate and the lag per partition with the total', () => {
    const line = formatProgress(
      'f',
      { recordsDelivered: 1200, invocations: 12, failedInvocations: 1, recordsDiscarded: 0 },
      240,
      [
        { partition: 0, highWatermark: 10, committed: 5, lag: 5 },
        { partition: 1, highWatermark: 3, committed: 3, lag: 0 },
      ],
    );
    expect(line).toBe(
      '[esm f] 1200 records, 240.0 rec/s, 12 invocations (1 failed), 0 discarded, lag 0:5 1:0 (5)',
    );
  });
});
