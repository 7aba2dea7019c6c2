import { type DynamoDBDocumentClient, NumberValue, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AggregationSpec,
  attributeName,
  DEFAULT_SCALE,
  decimalToScaled,
  scaledToDecimal,
} from '../../aggregate/index.js';
import { StoreError } from '../../errors/index.js';
import { DEFAULT_RETENTION_MS } from '../../process/pipelineSpec.js';
import type { Session } from '../../processors/session/sessionState.js';
import type { SessionRowStore, SessionRowsSpec } from '../SessionRowStore.js';
import { aggregatePk, windowSortKey } from '../tableDesign.js';
import { conditionalWrite, readDecimal, readNumber } from './dynamoClient.js';

/**
 * The `byWindow` index partition of a session pipeline's rows is `<pipeline>#sessions`:
 * its rows sorted by count, so "top N sessions by count" is one Query.
 */
export const SESSION_INDEX_SUFFIX = '#sessions';

/**
 * Session rows on the aggregates table, beside windowed aggregates and read the same way:
 * pk = "<pipeline>#<key>", sk = session start as ISO-8601 (query by key and time range),
 * `windowStart`/`windowEnd` = the session's first and last record times (both inclusive),
 * `durationMs`, `count` and `sum_*`/`min_*`/`max_*`, `v` = the hot-state version the row
 * was derived from. A deleted (merged-away) session keeps its item as a marker
 * (`merged = true`, no count, out of the index) until TTL, so an older writer cannot
 * bring it back.
 */
export class DynamoSessionRowStore implements SessionRowStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async write(
    spec: SessionRowsSpec,
    key: string,
    version: number,
    sessions: readonly Session[],
    deletedStarts: readonly number[],
    nowMs: number,
  ): Promise<number> {
    const retentionMs = spec.retentionMs ?? DEFAULT_RETENTION_MS;
    const pk = aggregatePk(spec.name, key);
    const items: Record<string, unknown>[] = [
      ...sessions.map((s) => {
        const item: Record<string, unknown> = {
          pk,
          sk: windowSortKey(s.startMs),
          pipeline: spec.name,
          key,
          gsi1pk: `${spec.name}${SESSION_INDEX_SUFFIX}`,
          windowStart: s.startMs,
          windowEnd: s.endMs,
          durationMs: s.endMs - s.startMs,
          count: s.count,
          v: version,
          expiresAt: Math.floor((Math.max(s.endMs, nowMs) + retentionMs) / 1000),
        };
        for (const agg of spec.aggregations) {
          if (agg.op === 'count') continue;
          const scaled = s.values[attributeName(agg)];
          if (scaled !== undefined) {
            item[attributeName(agg)] = NumberValue.from(scaledToDecimal(scaled, agg.scale ?? DEFAULT_SCALE));
          }
        }
        return item;
      }),
      ...deletedStarts.map((startMs) => ({
        pk,
        sk: windowSortKey(startMs),
        pipeline: spec.name,
        key,
        windowStart: startMs,
        merged: true,
        v: version,
        expiresAt: Math.floor((nowMs + retentionMs) / 1000),
      })),
    ];
    const landed = await Promise.all(items.map((item) => this.putIfNotNewer(item, version)));
    return landed.filter(Boolean).length;
  }

  private async putIfNotNewer(item: Record<string, unknown>, version: number): Promise<boolean> {
    return conditionalWrite(
      () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk) OR #v <= :v',
            ExpressionAttributeNames: { '#v': 'v' },
            ExpressionAttributeValues: { ':v': version },
          }),
        ),
      `PutItem on ${this.tableName} failed for ${String(item.pk)} ${String(item.sk)}`,
    );
  }

  async liveRows(
    spec: SessionRowsSpec,
    key: string,
    maxStartMs: number,
    minEndMs: number,
    skipStarts: ReadonlySet<number>,
  ): Promise<Session[]> {
    const out: Session[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk <= :to',
            ExpressionAttributeValues: {
              ':pk': aggregatePk(spec.name, key),
              ':to': windowSortKey(maxStartMs),
            },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: 25,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          if (item.merged === true) continue;
          const session = sessionFromItem(item, spec.aggregations);
          if (skipStarts.has(session.startMs)) continue;
          if (session.endMs < minEndMs) return out;
          out.push(session);
        }
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (err) {
      throw new StoreError(`Query on ${this.tableName} failed for ${spec.name} ${key}`, { cause: err });
    }
    return out;
  }
}

/** A live session row (numbers wrapped, see createDocumentClient) as a Session. */
export function sessionFromItem(
  item: Record<string, unknown>,
  aggregations: readonly AggregationSpec[],
): Session {
  const values: Record<string, number> = {};
  for (const agg of aggregations) {
    if (agg.op === 'count') continue;
    const text = readDecimal(item[attributeName(agg)]);
    if (text !== undefined) values[attributeName(agg)] = decimalToScaled(text, agg.scale ?? DEFAULT_SCALE);
  }
  return {
    startMs: readNumber(item.windowStart)!,
    endMs: readNumber(item.windowEnd)!,
    count: readNumber(item.count) ?? 0,
    values,
  };
}
