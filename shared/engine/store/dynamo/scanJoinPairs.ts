import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors/index.js';
import type { JoinPair } from '../../processors/join/joinPairs.js';
import { pairsPkPrefix } from '../../processors/join/joinState.js';

/**
 * Every pair of a join pipeline, by key and time: a Scan of the state table filtered by the
 * pipeline's pairs prefix, for tools and tests (one key's pairs over a time range are a
 * Query: `pairsBetween`). Pairs items hold JSON text, as `DynamoKeyedStateStore` writes them.
 */
export async function scanJoinPairs(
  doc: DynamoDBDocumentClient,
  stateTable: string,
  pipeline: string,
): Promise<JoinPair[]> {
  const pairs: JoinPair[] = [];
  let start: Record<string, unknown> | undefined;
  try {
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName: stateTable,
          FilterExpression: 'begins_with(pk, :prefix)',
          ExpressionAttributeValues: { ':prefix': pairsPkPrefix(pipeline) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) pairs.push(...(JSON.parse(String(item.value)) as JoinPair[]));
      start = page.LastEvaluatedKey;
    } while (start);
  } catch (err) {
    throw new StoreError(`Scan of ${stateTable} for the pairs of ${pipeline} failed`, { cause: err });
  }
  return pairs.sort(
    (a, b) =>
      a.key.localeCompare(b.key, undefined, { numeric: true }) ||
      a.timeMs - b.timeMs ||
      a.id.localeCompare(b.id),
  );
}
