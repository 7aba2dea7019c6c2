import { describe, expect, it } from 'vitest';
import { decodeGroups, skipApplied } from '../../../../shared/engine/process/index.js';
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
      new Map([['rides-0', { offset: 6, streamTimeMs: 1234 }]]),
    );
    expect(out.groups[0]!.map((d) => d.record.offset)).toEqual([7, 8]);
    expect(out.startStreamTimes.get('rides-0')).toBe(1234);
    expect(out.skipped).toBe(2);
  });

  it('drops a fully applied partition and keeps the others', () => {
    const out = skipApplied(
      [group(0, [0, 1]), group(1, [3, 4])],
      new Map([
        ['rides-0', { offset: 9, streamTimeMs: 1 }],
        ['rides-1', { offset: 2, streamTimeMs: 2 }],
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
});
