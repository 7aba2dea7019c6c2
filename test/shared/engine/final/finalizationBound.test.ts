import { describe, expect, it } from 'vitest';
import { finalizationBound } from '../../../../shared/engine/final/index.js';
import type { Checkpoint } from '../../../../shared/engine/store/index.js';

const IDS = ['rides-0', 'rides-1', 'rides-2'];
const NOW = 1_000_000;
const cp = (streamTimeMs: number, updatedAtMs?: number, gaps: Checkpoint['gaps'] = []): Checkpoint => ({
  offset: 0,
  streamTimeMs,
  ...(updatedAtMs === undefined ? {} : { updatedAtMs }),
  gaps,
});
/** A range of rides-1 the mapping gave up on, decided from stream time 40 when recovered. */
const gapFrom40 = {
  partitionId: 'rides-1',
  startOffset: 10,
  endOffset: 20,
  streamTimeMs: 40,
  detectedAtMs: 0,
};

describe('the close time up to which windows are final', () => {
  describe.each([
    {
      case: 'the lowest stream time over the declared partitions (Flink: minimum over inputs)',
      idleAfterMs: undefined,
      checkpoints: { 'rides-0': cp(500), 'rides-1': cp(300), 'rides-2': cp(900) },
      expected: 300,
    },
    {
      case: 'nothing while a declared partition has no checkpoint, without idleness (Kafka Streams waits)',
      idleAfterMs: undefined,
      checkpoints: { 'rides-0': cp(500), 'rides-1': cp(300) },
      expected: Number.NEGATIVE_INFINITY,
    },
    {
      case: 'an idle partition no longer holds back windows whose close time is idleAfterMs old',
      idleAfterMs: 1_000,
      checkpoints: {
        'rides-0': cp(NOW, NOW),
        'rides-1': cp(NOW, NOW),
        'rides-2': cp(5, NOW - 1_000),
      },
      expected: NOW - 1_000,
    },
    {
      case: 'an idle partition still counts with its stream time when that is higher',
      idleAfterMs: 1_000,
      checkpoints: {
        'rides-0': cp(NOW + 50, NOW),
        'rides-1': cp(NOW + 50, NOW),
        'rides-2': cp(NOW + 10, NOW - 5_000),
      },
      expected: NOW + 10,
    },
    {
      case: 'a partition active within idleAfterMs holds windows back, however far behind',
      idleAfterMs: 1_000,
      checkpoints: {
        'rides-0': cp(NOW, NOW),
        'rides-1': cp(7, NOW - 999),
        'rides-2': cp(NOW, NOW),
      },
      expected: 7,
    },
    {
      case: 'a partition that never delivered is idle only idleAfterMs after the first pass',
      idleAfterMs: 1_000,
      checkpoints: { 'rides-0': cp(NOW, NOW), 'rides-1': cp(NOW, NOW) },
      startedAtMs: NOW - 10,
      expected: Number.NEGATIVE_INFINITY,
    },
    {
      case: 'and is let go once that long has passed',
      idleAfterMs: 1_000,
      checkpoints: { 'rides-0': cp(NOW, NOW), 'rides-1': cp(NOW, NOW) },
      startedAtMs: NOW - 1_000,
      expected: NOW - 1_000,
    },
    {
      case: 'an open gap holds windows back at the stream time before it (its records may still change them)',
      idleAfterMs: undefined,
      checkpoints: { 'rides-0': cp(500), 'rides-1': cp(300, undefined, [gapFrom40]), 'rides-2': cp(900) },
      expected: 40,
    },
    {
      case: 'a partition with an open gap is never idle: the gap is known to hold records',
      idleAfterMs: 1_000,
      checkpoints: {
        'rides-0': cp(NOW, NOW),
        'rides-1': cp(NOW, NOW - 5_000, [gapFrom40]),
        'rides-2': cp(NOW, NOW),
      },
      expected: 40,
    },
    {
      case: 'a closed gap no longer holds anything back',
      idleAfterMs: undefined,
      checkpoints: {
        'rides-0': cp(500),
        'rides-1': cp(300, undefined, [{ ...gapFrom40, closedAtMs: 1, closedReason: 'recovered' as const }]),
        'rides-2': cp(900),
      },
      expected: 300,
    },
  ])('$case', ({ idleAfterMs, checkpoints, startedAtMs, expected }) => {
    it(`is ${expected}`, () => {
      const bound = finalizationBound(
        idleAfterMs === undefined ? {} : { idleAfterMs },
        IDS,
        new Map(Object.entries(checkpoints)),
        startedAtMs ?? NOW,
        NOW,
      );
      expect(bound).toBe(expected);
    });
  });
});
