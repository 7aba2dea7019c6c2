import { InvalidEventError } from '../errors/index.js';
import type { KafkaRecord } from './kafkaRecord.js';
import type { LambdaKafkaEvent, LambdaKafkaRecord } from './lambdaKafkaEvent.js';

/**
 * Decodes a Lambda Kafka event into records grouped by partition, each group sorted by
 * offset, the groups sorted by partition id.
 *
 * Why sort: Lambda keeps order within a partition but the order of partitions in `records`
 * is arbitrary; sorting makes everything downstream independent of it.
 * Throws {@link InvalidEventError} when the envelope itself is malformed (a bug upstream,
 * not a bad record): a bad key or value is left to the codec so it becomes a dead letter.
 */
export function decodeEvent(event: LambdaKafkaEvent): KafkaRecord[][] {
  if (
    event === null ||
    typeof event !== 'object' ||
    typeof event.records !== 'object' ||
    event.records === null
  ) {
    throw new InvalidEventError('not a Kafka event: "records" must be an object keyed by "topic-partition"');
  }
  if (event.eventSource !== 'aws:kafka' && event.eventSource !== 'SelfManagedKafka') {
    throw new InvalidEventError(
      `not a Kafka event: eventSource is ${JSON.stringify(event.eventSource)}, expected "aws:kafka" or "SelfManagedKafka"`,
    );
  }
  const ids = Object.keys(event.records).sort();
  const groups: KafkaRecord[][] = [];
  for (const id of ids) {
    const raw = event.records[id];
    if (!Array.isArray(raw)) throw new InvalidEventError(`records["${id}"] is not an array`);
    const group = raw.map((r, i) => decodeRecord(r, `${id}[${i}]`));
    group.sort((a, b) => a.offset - b.offset);
    if (group.length > 0) groups.push(group);
  }
  return groups;
}

function decodeRecord(r: LambdaKafkaRecord, where: string): KafkaRecord {
  if (typeof r.topic !== 'string' || !Number.isInteger(r.partition) || !Number.isInteger(r.offset)) {
    throw new InvalidEventError(`record ${where} lacks topic, partition or offset`);
  }
  if (typeof r.timestamp !== 'number') {
    throw new InvalidEventError(`record ${where} (offset ${r.offset}) has no numeric timestamp`);
  }
  const headers: { name: string; value: Buffer }[] = [];
  for (const h of r.headers ?? []) {
    for (const [name, bytes] of Object.entries(h)) headers.push({ name, value: Buffer.from(bytes) });
  }
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestampMs: r.timestamp,
    timestampType: r.timestampType,
    key: r.key == null ? null : Buffer.from(r.key, 'base64'),
    value: r.value == null ? null : Buffer.from(r.value, 'base64'),
    headers,
  };
}
