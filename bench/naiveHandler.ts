import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { codecByName } from '../shared/engine/decode/index.js';
import { decodeEvent, type LambdaKafkaEvent } from '../shared/engine/event/index.js';
import { eventTimeOf, keyOf, type WindowedAggregateSpec } from '../shared/engine/process/index.js';
import { windowsFor } from '../shared/engine/windows/index.js';

/**
 * What public MSK -> Lambda -> DynamoDB samples do, for comparison only: one UpdateItem
 * `ADD count :1` per record and window, no pre-aggregation, no idempotence (a redelivery
 * counts twice). Never use this.
 */
export async function naiveApply(
  doc: DynamoDBDocumentClient,
  table: string,
  spec: WindowedAggregateSpec,
  event: LambdaKafkaEvent,
): Promise<void> {
  const codec = codecByName(spec.codec);
  for (const group of decodeEvent(event)) {
    for (const record of group) {
      const value = codec.decode(record) as Record<string, unknown>;
      const d = { record, value };
      const key = keyOf(spec, d);
      for (const w of windowsFor(spec.window, eventTimeOf(spec, d))) {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: `${spec.name}#${key}`, sk: new Date(w.startMs).toISOString() },
            UpdateExpression: 'ADD #c :one',
            ExpressionAttributeNames: { '#c': 'count' },
            ExpressionAttributeValues: { ':one': 1 },
          }),
        );
      }
    }
  }
}
