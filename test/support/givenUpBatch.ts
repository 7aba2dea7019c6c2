import { expect } from 'vitest';
import type { DynamoContext } from '../../scripts/lib/dynamoContext.js';
import { buildEvent, decodeEvent, type KafkaRecordInput } from '../../shared/engine/event/index.js';
import { type HandlerSpec, processEvent } from '../../shared/engine/process/index.js';
import { createPipelineStores } from '../../shared/engine/store/dynamo/index.js';
import { buildOnFailureRecord } from '../../shared/local/eventSourceMapping/index.js';
import { InvocationFaults } from './deliveryFaults.js';
import { loadRideRows, rideJson } from './rides.js';

/** The first twelve bundled rides on `rides` partition 0, offsets 0-11, all stamped `nowMs`. */
export function twelveRideRecords(nowMs: number): KafkaRecordInput[] {
  return loadRideRows()
    .slice(0, 12)
    .map((row, offset) => ({
      topic: 'rides',
      partition: 0,
      offset,
      timestampMs: nowMs,
      key: row.DOLocationID ?? null,
      value: rideJson(row),
    }));
}

/**
 * A gap as the mapping leaves one: offsets 0-3 succeed; 4-7 fail after one landed write
 * until the mapping gives up; 8-11 succeed (and record the gap [4, 8)). Returns the
 * on-failure record Lambda writes for 4-7 (with the batch, as S3 gets it).
 */
export async function giveUpOnOffsets4To7(
  handler: HandlerSpec,
  ctx: DynamoContext,
  records: readonly KafkaRecordInput[],
  nowMs: number,
) {
  const options = { nowMs: () => nowMs };
  await processEvent(handler, buildEvent(records.slice(0, 4)), ctx.stores, options);
  const faults = new InvocationFaults(1, true);
  await expect(
    processEvent(
      handler,
      buildEvent(records.slice(4, 8)),
      createPipelineStores(faults.client(ctx.doc), ctx.tables, { nowMs: () => nowMs }),
      options,
    ),
  ).rejects.toThrow();
  await processEvent(handler, buildEvent(records.slice(8)), ctx.stores, options);
  const event = buildEvent(records.slice(4, 8));
  return buildOnFailureRecord({
    records: decodeEvent(event).flat(),
    event,
    payloadSize: JSON.stringify(event).length,
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 3,
    functionArn: `arn:aws:lambda:local:000000000000:function:${handler.name}`,
    requestId: 'r-1',
    nowMs,
    includePayload: true,
  });
}
