import type { KafkaRecord } from '../../shared/engine/event/index.js';

/** A decoded Kafka record with sensible defaults, for tests of the pure core. */
export function kafkaRecord(
  overrides: Partial<Omit<KafkaRecord, 'value'>> & { value?: Buffer | string | null } = {},
): KafkaRecord {
  const value = overrides.value === undefined ? '{}' : overrides.value;
  return {
    topic: 'rides',
    partition: 0,
    offset: 0,
    timestampMs: 0,
    timestampType: 'CREATE_TIME',
    key: null,
    headers: [],
    ...overrides,
    value: typeof value === 'string' ? Buffer.from(value) : value,
  };
}
