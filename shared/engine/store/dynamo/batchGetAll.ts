import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors/index.js';

/** Keys one BatchGetItem may ask for (DynamoDB's limit). */
const BATCH_GET_MAX_KEYS = 100;

/**
 * Reads items by key, consistently: one BatchGetItem per 100 keys (DynamoDB's limit), in
 * parallel, retrying unprocessed keys with jittered backoff (throttling returns them rather
 * than failing). Items that do not exist are simply not returned.
 * @param what names the read in errors ("the stream-time checkpoints of p")
 */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: ReadonlyArray<Record<string, unknown>>,
  what: string,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  const chunks: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX_KEYS)
    chunks.push(keys.slice(i, i + BATCH_GET_MAX_KEYS));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending = chunk;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > 10) throw new StoreError(`reading ${what}: keys still unprocessed after 10 tries`);
        let out: BatchGetCommandOutput;
        try {
          out = await doc.send(
            new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
          );
        } catch (err) {
          throw new StoreError(`reading ${what} (${chunk.length} keys) failed`, { cause: err });
        }
        items.push(...((out.Responses?.[tableName] ?? []) as Array<Record<string, unknown>>));
        pending = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
        if (pending.length > 0)
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 20 * 2 ** attempt)));
      }
    }),
  );
  return items;
}
