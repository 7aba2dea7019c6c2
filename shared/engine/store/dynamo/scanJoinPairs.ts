import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors/index.js';
import type { JoinPair } from '../../processors/join/joinPairs.js';
import { pairsPkPrefix, unmatchedPkPrefix } from '../../processors/join/joinState.js';
import type { BufferEntry } from '../../processors/join/planJoin.js';

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
  const pairs = await scanSetMembers<JoinPair>(
    doc,
    stateTable,
    pairsPkPrefix(pipeline),
    `the pairs of ${pipeline}`,
  );
  return pairs.sort(byKeyTimeId);
}

/**
 * Every unmatched record of a left or outer join (the records that never paired, stored once
 * the other side's window + grace closed on all its partitions), by key, event time and id:
 * the same Scan as {@link scanJoinPairs} over the unmatched prefix (one key's: `unmatchedBetween`).
 */
export async function scanJoinUnmatched(
  doc: DynamoDBDocumentClient,
  stateTable: string,
  pipeline: string,
): Promise<BufferEntry[]> {
  const entries = await scanSetMembers<BufferEntry>(
    doc,
    stateTable,
    unmatchedPkPrefix(pipeline),
    `the unmatched records of ${pipeline}`,
  );
  return entries.sort(byKeyTimeId);
}

/** The members of every set item whose pk starts with `prefix` (items hold a JSON array). */
async function scanSetMembers<T>(
  doc: DynamoDBDocumentClient,
  stateTable: string,
  prefix: string,
  what: string,
): Promise<T[]> {
  const members: T[] = [];
  let start: Record<string, unknown> | undefined;
  try {
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName: stateTable,
          FilterExpression: 'begins_with(pk, :prefix)',
          ExpressionAttributeValues: { ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) members.push(...(JSON.parse(String(item.value)) as T[]));
      start = page.LastEvaluatedKey;
    } while (start);
  } catch (err) {
    throw new StoreError(`Scan of ${stateTable} for ${what} failed`, { cause: err });
  }
  return members;
}

/** Keys in numeric-aware order (location ids 2 before 10), then time, then identity. */
function byKeyTimeId(
  a: { readonly key: string; readonly timeMs: number; readonly id: string },
  b: { readonly key: string; readonly timeMs: number; readonly id: string },
): number {
  return (
    a.key.localeCompare(b.key, undefined, { numeric: true }) ||
    a.timeMs - b.timeMs ||
    a.id.localeCompare(b.id)
  );
}
