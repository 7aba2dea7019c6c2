import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { KafkaRecord } from '../../engine/event/index.js';

/** kafkajs's batch-level timestamp type (not in its typings): 1 is LOG_APPEND_TIME. */
const LOG_APPEND_TIME = 1;

/**
 * Converts a message as kafkajs delivers it into our decoded {@link KafkaRecord}, which
 * `buildEvent` then encodes exactly as Lambda does.
 *
 * Headers: kafkajs folds repeated header names into an array; they come back as one entry per
 * value, in the order kafkajs keeps them (the relative order of different names is lost when
 * a name repeats non-adjacently, which Lambda would keep).
 */
export function fromKafkajsMessage(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  const batchContext = (message as { batchContext?: { timestampType?: number } }).batchContext;
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestampMs: Number(message.timestamp),
    timestampType: batchContext?.timestampType === LOG_APPEND_TIME ? 'LOG_APPEND_TIME' : 'CREATE_TIME',
    key: message.key ?? null,
    value: message.value ?? null,
    headers: headerList(message.headers),
  };
}

function headerList(headers: IHeaders | undefined): { name: string; value: Buffer }[] {
  const out: { name: string; value: Buffer }[] = [];
  for (const [name, raw] of Object.entries(headers ?? {})) {
    if (raw === undefined) continue;
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      out.push({ name, value: Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8') });
    }
  }
  return out;
}
