import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../shared/engine/errors/index.js';
import { hasFinalResults, withSourcePartitions } from '../../../../shared/engine/final/finalResultsSpec.js';
import { rideHandler } from '../../../../shared/rides/index.js';

describe('final results count the partitions the deployment gives the topic', () => {
  const handler = rideHandler('rides-tips-final');
  const finalPartitions = (env: Record<string, string>) =>
    withSourcePartitions(handler, env).pipelines.map((p) =>
      p.kind === 'windowed-aggregate' ? p.final?.partitions : undefined,
    );

  it('uses SOURCE_TOPIC_PARTITIONS over the count the spec was written for', () => {
    expect(finalPartitions({})).toEqual([3]);
    expect(finalPartitions({ SOURCE_TOPIC_PARTITIONS: '6' })).toEqual([6]);
  });

  it('refuses a count that is not a positive whole number at cold start', () => {
    for (const raw of ['0', '-2', '2.5', 'six']) {
      expect(() => withSourcePartitions(handler, { SOURCE_TOPIC_PARTITIONS: raw })).toThrow(ConfigError);
    }
  });

  it('leaves handlers without final results alone', () => {
    const plain = rideHandler('rides-tumbling-by-pickup');
    expect(hasFinalResults(plain)).toBe(false);
    expect(hasFinalResults(handler)).toBe(true);
    expect(withSourcePartitions(plain, { SOURCE_TOPIC_PARTITIONS: '6' })).toEqual(plain);
  });
});
