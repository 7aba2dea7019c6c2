import { describe, expect, it } from 'vitest';
import { hotItemWriteUnitsPerSecond, maxRidesPerSecond } from '../../bench/hotKeyModel.js';

const deployed = { partitions: 10, batchSize: 1000, batchingWindowMs: 1000 };
const constantKey = { keyShare: 1, keyedLikeTopic: false, writeUnits: () => 1 };

describe('the hot-item model', () => {
  it('writes a constant-key item once per batching window per partition at low rates', () => {
    // 100 rides/s over 10 partitions: 10 rides per partition per window, one batch each.
    expect(hotItemWriteUnitsPerSecond(constantKey, deployed, 100)).toBeCloseTo(10);
  });

  it('writes it once per record when records are rarer than one per window', () => {
    // 2 rides/s over 10 partitions: 0.2 per partition per second, each its own batch.
    expect(hotItemWriteUnitsPerSecond(constantKey, deployed, 2)).toBeCloseTo(2);
  });

  it('writes it once per full batch at high rates, so the limit is 1,000 batches/s', () => {
    expect(hotItemWriteUnitsPerSecond(constantKey, deployed, 5_000_000)).toBeCloseTo(5000);
    // 1,000 writes/s = 1,000 full batches/s = 1,000,000 rides/s.
    expect(maxRidesPerSecond(constantKey, deployed)).toBeCloseTo(1_000_000, -3);
  });

  it('charges the units of the item the feeding partitions grew', () => {
    const grown = { ...constantKey, writeUnits: (p: number) => (p >= 1000 ? 16 : 1) };
    const wide = { ...deployed, partitions: 1000 };
    // 1,000 partitions each sending a batch per second: 1,000 writes/s of 16 units.
    expect(hotItemWriteUnitsPerSecond(grown, wide, 10_000)).toBeCloseTo(16_000);
    // Below one ride per partition per second every ride is a write of 16 units: 62.5 rides/s.
    expect(maxRidesPerSecond(grown, wide)).toBeCloseTo(62.5, 0);
  });

  it('feeds a key of the topic from one partition only', () => {
    // 5% of rides carry the key; in its own partition (10 partitions) that is half the records.
    const topicKey = { keyShare: 0.05, keyedLikeTopic: true, writeUnits: () => 1 };
    // 100 rides/s: the partition has 10 rides per window, one batch, always with the key.
    expect(hotItemWriteUnitsPerSecond(topicKey, deployed, 100)).toBeCloseTo(1);
    // Only one partition's full batches write it: 1,000 batches/s of that partition.
    expect(maxRidesPerSecond(topicKey, deployed)).toBeCloseTo(10_000_000, -4);
  });

  it('writes a rare key only in the batches that hold it', () => {
    const rare = { keyShare: 0.001, keyedLikeTopic: false, writeUnits: () => 1 };
    // 10 rides/s: one ride per partition per second, one batch each; 1 in 1,000 holds the key.
    expect(hotItemWriteUnitsPerSecond(rare, deployed, 10)).toBeCloseTo(10 * 0.001);
  });
});

describe('a key of the topic hotter than an even partition', () => {
  it('loads its partition with all of its records', () => {
    // 30% of 10,000 rides/s in one partition: 3,000 rides/s, 3 full batches/s, all with the key.
    const hot = { keyShare: 0.3, keyedLikeTopic: true, writeUnits: () => 1 };
    expect(hotItemWriteUnitsPerSecond(hot, deployed, 10_000)).toBeCloseTo(3);
  });
});
