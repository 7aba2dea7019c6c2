import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../../../shared/local/eventSourceMapping/OffsetTracker.js';
import { kafkaRecord } from '../../../support/records.js';

const rec = (partition: number, offset: number) => kafkaRecord({ partition, offset });

describe('OffsetTracker', () => {
  it('commits one past the highest settled offset when nothing is outstanding', () => {
    // Arrange
    const tracker = new OffsetTracker();
    const batch = [rec(0, 5), rec(1, 2), rec(0, 6)];
    tracker.take(batch);
    // Act
    tracker.settle(batch);
    // Assert
    expect(tracker.commitTargets()).toEqual([
      { topic: 'rides', partition: 0, offset: 7 },
      { topic: 'rides', partition: 1, offset: 3 },
    ]);
  });

  it('commits up to, not including, the lowest unsettled offset of a partition', () => {
    // Arrange: a partial failure from offset 6 of partition 0.
    const tracker = new OffsetTracker();
    tracker.take([rec(0, 5), rec(0, 6), rec(0, 7), rec(1, 2)]);
    // Act
    tracker.settle([rec(0, 5), rec(1, 2)]);
    // Assert
    expect(tracker.commitTargets()).toEqual([
      { topic: 'rides', partition: 0, offset: 6 },
      { topic: 'rides', partition: 1, offset: 3 },
    ]);
  });

  it('does not commit past an earlier record that settles after a later one (an expired record discarded first)', () => {
    const tracker = new OffsetTracker();
    tracker.take([rec(0, 5), rec(0, 6)]);
    tracker.settle([rec(0, 6)]);
    expect(tracker.commitTargets()).toEqual([{ topic: 'rides', partition: 0, offset: 5 }]);
  });

  it('commits nothing for a partition until one of its records settled (a batch that keeps failing)', () => {
    const tracker = new OffsetTracker();
    tracker.take([rec(0, 0), rec(0, 1), rec(1, 4)]);
    tracker.settle([rec(1, 4)]);
    expect(tracker.commitTargets()).toEqual([{ topic: 'rides', partition: 1, offset: 5 }]);
  });

  it('forgets a partition given to another consumer', () => {
    const tracker = new OffsetTracker();
    tracker.take([rec(0, 1), rec(1, 1)]);
    tracker.settle([rec(0, 1), rec(1, 1)]);
    tracker.forget('rides', 1);
    expect(tracker.commitTargets()).toEqual([{ topic: 'rides', partition: 0, offset: 2 }]);
  });

  it('never commits past a record that has not settled, whatever order records settle in', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        (offsets, settledFlags) => {
          // Arrange
          const tracker = new OffsetTracker();
          const records = offsets.map((o) => rec(0, o));
          tracker.take(records);
          const settled = records.filter((_, i) => settledFlags[i]);
          // Act
          tracker.settle(settled);
          // Assert
          const target = tracker.commitTargets()[0]?.offset;
          const unsettled = records.filter((r) => !settled.includes(r)).map((r) => r.offset);
          if (settled.length === 0) expect(target).toBeUndefined();
          else if (unsettled.length > 0) expect(target).toBe(Math.min(...unsettled));
          else expect(target).toBe(Math.max(...offsets) + 1);
        },
      ),
    );
  });
});
