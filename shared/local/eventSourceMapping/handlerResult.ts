import { type KafkaRecord, partitionId } from '../../engine/event/index.js';

/** What one invocation means for its batch. */
export type InvocationOutcome<R extends KafkaRecord = KafkaRecord> =
  | { readonly kind: 'success' }
  /** The whole batch failed: the handler threw, or its partial response could not be honoured. */
  | { readonly kind: 'failure'; readonly reason: string }
  /**
   * Some partitions failed from an offset on: `succeeded` may be committed, `failed` (each
   * failing partition's records from its lowest reported offset) is retried.
   */
  | { readonly kind: 'partial'; readonly succeeded: readonly R[]; readonly failed: readonly R[] };

/**
 * Reads a handler's return value as Lambda reads a Kafka partial batch response.
 *
 * - Not reporting item failures (the mapping lacks `ReportBatchItemFailures`): any return is
 *   a success.
 * - `null`, `undefined`, no `batchItemFailures`, `null` or an empty list: success.
 * - Any identifier that is malformed (not `{ partition: "topic-partition", offset: integer }`)
 *   or names a record not in the batch: the whole batch failed.
 * - Otherwise, per partition, the lowest reported offset is the checkpoint: records before it
 *   succeeded, it and everything after it in that partition are retried; partitions without
 *   failures succeeded.
 *
 * @param records the batch, in any order
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html (partial batch response for Kafka)
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html (lowest identifier is the checkpoint; the same rule for streams)
 */
export function interpretHandlerResult<R extends KafkaRecord>(
  records: readonly R[],
  result: unknown,
  options: { readonly reportBatchItemFailures: boolean },
): InvocationOutcome<R> {
  if (!options.reportBatchItemFailures || result === null || result === undefined) return { kind: 'success' };
  if (typeof result !== 'object') return { kind: 'success' };
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) {
    return { kind: 'failure', reason: 'batchItemFailures is not an array' };
  }
  if (failures.length === 0) return { kind: 'success' };

  const inBatch = new Set(records.map((r) => `${partitionId(r.topic, r.partition)}@${r.offset}`));
  const lowestFailed = new Map<string, number>();
  for (const [i, f] of failures.entries()) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier as
      | { partition?: unknown; offset?: unknown }
      | null
      | undefined;
    if (id === null || typeof id !== 'object') {
      return { kind: 'failure', reason: `batchItemFailures[${i}].itemIdentifier is not an object` };
    }
    // Strict on purpose: AWS documents a number; a string offset is reported, not guessed at.
    const offset = id.offset;
    if (typeof id.partition !== 'string' || typeof offset !== 'number' || !Number.isInteger(offset)) {
      return {
        kind: 'failure',
        reason: `batchItemFailures[${i}].itemIdentifier must be { partition: "topic-partition", offset: integer }, got ${JSON.stringify(id)}`,
      };
    }
    if (!inBatch.has(`${id.partition}@${offset}`)) {
      return {
        kind: 'failure',
        reason: `batchItemFailures[${i}] names ${id.partition} offset ${offset}, which is not in the batch`,
      };
    }
    const seen = lowestFailed.get(id.partition);
    if (seen === undefined || offset < seen) lowestFailed.set(id.partition, offset);
  }

  const succeeded: R[] = [];
  const failed: R[] = [];
  for (const r of records) {
    const checkpoint = lowestFailed.get(partitionId(r.topic, r.partition));
    (checkpoint !== undefined && r.offset >= checkpoint ? failed : succeeded).push(r);
  }
  return { kind: 'partial', succeeded, failed };
}
