import { describe, expect, it } from 'vitest';
import { planTopicChange, type TopicState } from '../../../shared/admin/planTopicChange.js';
import type { TopicDeclaration } from '../../../shared/admin/topicDeclaration.js';

const declared = (overrides: Partial<TopicDeclaration> = {}): TopicDeclaration => ({
  topicName: 'rides',
  partitions: 6,
  replicationFactor: -1,
  configs: { 'retention.ms': '604800000' },
  removalPolicy: 'retain',
  cluster: { bootstrapServers: ['b:9092'], auth: 'none' },
  ...overrides,
});
const existing = (overrides: Partial<TopicState> = {}): TopicState => ({
  partitions: 6,
  replicationFactor: 3,
  overrides: { 'retention.ms': '604800000' },
  ...overrides,
});

describe('planTopicChange', () => {
  it('creates an absent topic as declared', () => {
    expect(planTopicChange(undefined, declared({ replicationFactor: 3 }), {})).toEqual({
      create: { partitions: 6, replicationFactor: 3, configs: { 'retention.ms': '604800000' } },
    });
  });

  it('does nothing when the topic already matches', () => {
    expect(planTopicChange(existing(), declared(), { 'retention.ms': '604800000' })).toEqual({});
  });

  it('raises partitions to the declared total', () => {
    expect(planTopicChange(existing({ partitions: 3 }), declared(), {})).toEqual({ partitionsTo: 6 });
  });

  it('refuses fewer partitions than exist, saying what to declare', () => {
    expect(() => planTopicChange(existing({ partitions: 12 }), declared(), {})).toThrow(/declare 12 or more/);
  });

  it.each([
    [-1, 3, true],
    [3, 3, true],
    [2, 3, false],
  ])('with replication factor %i declared and %i existing, accepts: %s', (want, have, ok) => {
    const plan = () =>
      planTopicChange(existing({ replicationFactor: have }), declared({ replicationFactor: want }), {});

    if (ok) expect(plan).not.toThrow();
    else expect(plan).toThrow(/replication factor 3 and 2 is declared/);
  });

  it('sets new overrides and keeps overrides nobody here declared', () => {
    const plan = planTopicChange(
      existing({ overrides: { 'retention.ms': '1', 'max.message.bytes': '2000000' } }),
      declared({ configs: { 'retention.ms': '2', 'cleanup.policy': 'compact' } }),
      { 'retention.ms': '1' },
    );

    expect(plan.overrides).toEqual({
      'retention.ms': '2',
      'max.message.bytes': '2000000',
      'cleanup.policy': 'compact',
    });
  });

  it('drops an override this resource declared before and no longer does', () => {
    const plan = planTopicChange(
      existing({ overrides: { 'retention.ms': '604800000', 'cleanup.policy': 'compact' } }),
      declared(),
      { 'retention.ms': '604800000', 'cleanup.policy': 'compact' },
    );

    expect(plan.overrides).toEqual({ 'retention.ms': '604800000' });
  });
});
