import { describe, expect, it } from 'vitest';
import { finalizationBound } from '../../../../shared/engine/final/index.js';
import type { Checkpoint } from '../../../../shared/engine/store/index.js';

const IDS = ['rides-0', 'rides-1', 'rides-2'];
const NOW = 1_000_000;
const cp = (streamTimeMs: number, updatedAtMs?: number): Checkpoint => ({
  offset: 0,
  streamTimeMs,
  ...(updatedAtMs === undefined ? {} : { updatedAtMs }),
});

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
