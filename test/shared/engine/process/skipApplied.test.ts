import { describe, expect, it } from 'vitest';
import { decodeGroups, skipApplied } from '../../../../shared/engine/process/index.js';
import { gapDetectionFromEnv } from '../../../../shared/engine/store/gap.js';
import { kafkaRecord } from '../../../support/records.js';

const group = (partition: number, offsets: number[]) =>
  decodeGroups([offsets.map((offset) => kafkaRecord({ partition, offset }))], () => ({}))[0]!;

describe('skipApplied', () => {
  it('keeps partitions without a checkpoint whole, with no start stream time', () => {
    const out = skipApplied([group(0, [0, 1])], new Map());
    expect(out.groups[0]!.map((d) => d.record.offset)).toEqual([0, 1]);
    expect(out.startStreamTimes.size).toBe(0);
    expect(out.skipped).toBe(0);
  });

  it('drops records up to the newest checkpoint and starts from its stream time', () => {
    const out = skipApplied(
      [group(0, [5, 6, 7, 8])],
      new Map([['rides-0', { offset: 6, streamTimeMs: 1234, gaps: [] }]]),
    );
    expect(out.groups[0]!.map((d) => d.record.offset)).toEqual([7, 8]);
    expect(out.startStreamTimes.get('rides-0')).toBe(1234);
    expect(out.skipped).toBe(2);
  });

  it('drops a fully applied partition and keeps the others', () => {
    const out = skipApplied(
      [group(0, [0, 1]), group(1, [3, 4])],
      new Map([
        ['rides-0', { offset: 9, streamTimeMs: 1, gaps: [] }],
        ['rides-1', { offset: 2, streamTimeMs: 2, gaps: [] }],
      ]),
    );
    expect(out.groups.map((g) => g.map((d) => [d.record.partition, d.record.offset]))).toEqual([
      [
        [1, 3],
        [1, 4],
      ],
    ]);
    expect(out.skipped).toBe(2);
  });

  describe('gaps switched off (OFFSET_GAPS=off: the mapping filters or validates records)', () => {
    it('takes a jump in offsets for records that never came, not a gap', () => {
      const out = skipApplied(
        [group(0, [10, 11])],
        new Map([['rides-0', { offset: 6, streamTimeMs: 1234, gaps: [] }]]),
        99,
        false,
      );
      expect(out.newGaps).toEqual([]);
      expect(out.openGaps.size).toBe(0);
      expect(out.groups[0]!.map((d) => d.record.offset)).toEqual([10, 11]);
    });

    it('still skips what the checkpoint says is applied', () => {
      const out = skipApplied(
        [group(0, [5, 6, 7])],
        new Map([['rides-0', { offset: 6, streamTimeMs: 1234, gaps: [] }]]),
        99,
        false,
      );
      expect(out.groups[0]!.map((d) => d.record.offset)).toEqual([7]);
    });

    it('reads the switch from the environment and refuses anything but detect or off', () => {
      expect(gapDetectionFromEnv({})).toBe(true);
      expect(gapDetectionFromEnv({ OFFSET_GAPS: 'detect' })).toBe(true);
      expect(gapDetectionFromEnv({ OFFSET_GAPS: 'off' })).toBe(false);
      expect(() => gapDetectionFromEnv({ OFFSET_GAPS: 'no' })).toThrow(
        /OFFSET_GAPS must be "detect" or "off", not "no"/,
      );
    });
  });

  describe('gaps (ranges the mapping gave up on)', () => {
    const gap = {
      partitionId: 'rides-0',
      startOffset: 7,
      endOffset: 10,
      streamTimeMs: 1234,
      detectedAtMs: 1,
    };

    it('a batch starting past the offset after the checkpoint reveals the range in between, with the checkpoint stream time', () => {
      const out = skipApplied(
        [group(0, [10, 11])],
        new Map([['rides-0', { offset: 6, streamTimeMs: 1234, gaps: [] }]]),
        99,
      );
      expect(out.newGaps).toEqual([{ ...gap, detectedAtMs: 99 }]);
      expect(out.openGaps.get('rides-0')).toEqual([{ ...gap, detectedAtMs: 99 }]);
      expect(out.groups[0]!.map((d) => d.record.offset)).toEqual([10, 11]);
      expect(out.startStreamTimes.get('rides-0')).toBe(1234);
    });

    it('a batch starting right after the checkpoint, or at or before it (a redelivery), reveals nothing', () => {
      for (const first of [7, 6, 3]) {
        const out = skipApplied(
          [group(0, [first, 12])],
          new Map([['rides-0', { offset: 6, streamTimeMs: 0, gaps: [] }]]),
        );
        expect(out.newGaps).toEqual([]);
      }
    });

    it('a partition without a checkpoint reveals nothing (the starting position may lie anywhere)', () => {
      expect(skipApplied([group(0, [500])], new Map()).newGaps).toEqual([]);
    });

    it('a second give-up before any batch succeeded starts where the recorded gap ends', () => {
      const out = skipApplied(
        [group(0, [15])],
        new Map([['rides-0', { offset: 6, streamTimeMs: 1234, gaps: [gap] }]]),
        5,
      );
      expect(out.newGaps).toEqual([
        { partitionId: 'rides-0', startOffset: 10, endOffset: 15, streamTimeMs: 1234, detectedAtMs: 5 },
      ]);
      expect(out.openGaps.get('rides-0')!.map((g) => g.startOffset)).toEqual([7, 10]);
    });

    it('a recorded gap is revealed once: the retry of the batch after it finds it already there', () => {
      const out = skipApplied(
        [group(0, [10, 11])],
        new Map([['rides-0', { offset: 6, streamTimeMs: 1234, gaps: [gap] }]]),
      );
      expect(out.newGaps).toEqual([]);
      expect(out.openGaps.get('rides-0')).toEqual([gap]);
    });

    it('a redelivery into a recorded gap (an offset reset) leaves its records to recovery', () => {
      const out = skipApplied(
        [group(0, [5, 6, 7, 8, 9, 10, 11])],
        new Map([['rides-0', { offset: 6, streamTimeMs: 1234, gaps: [gap] }]]),
      );
      expect(out.groups[0]!.map((d) => d.record.offset)).toEqual([10, 11]);
      expect(out.skipped).toBe(5);
    });

    it('a closed gap is no longer open but still keeps redelivered records out and is not revealed again', () => {
      const closed = { ...gap, closedAtMs: 50, closedReason: 'recovered' as const };
      const out = skipApplied(
        [group(0, [8, 9, 10])],
        new Map([['rides-0', { offset: 6, streamTimeMs: 1234, gaps: [closed] }]]),
      );
      expect(out.openGaps.size).toBe(0);
      expect(out.groups[0]!.map((d) => d.record.offset)).toEqual([10]);
    });

    it('non-contiguous offsets (a compacted topic) make a jump a suspected gap, which recovery from Kafka can close as holding no records', () => {
      // Offsets 7 to 9 were compacted away: the jump looks like a give-up until Kafka says otherwise.
      const out = skipApplied(
        [group(0, [10])],
        new Map([['rides-0', { offset: 6, streamTimeMs: 1234, gaps: [] }]]),
        1,
      );
      expect(out.newGaps).toHaveLength(1);
    });
  });
});
