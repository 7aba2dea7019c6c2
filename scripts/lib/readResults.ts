import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { PipelineSpec } from '../../shared/engine/process/index.js';
import {
  AGGREGATES_TABLE,
  aggregatePk,
  type TableNames,
  windowSortKey,
} from '../../shared/engine/store/index.js';
import { type ResultRow, rowFromItem } from './resultRows.js';

/** What the readers need: a document client and the table names. */
export interface ResultSource {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: TableNames;
}

const BY_WINDOW = AGGREGATES_TABLE.globalIndexes[0]!.name;

async function drain(
  send: (startKey: Record<string, unknown> | undefined) => Promise<{
    Items?: Record<string, unknown>[];
    LastEvaluatedKey?: Record<string, unknown>;
  }>,
  limit = Number.POSITIVE_INFINITY,
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await send(startKey);
    for (const item of page.Items ?? []) rows.push(rowFromItem(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey && rows.length < limit);
  return rows.slice(0, limit);
}

/**
 * One key's rows, optionally only windows starting in [fromMs, toMs): a Query on the item's
 * partition key with a sort-key range (sort keys are ISO-8601 window starts, which sort by time).
 */
export async function queryKeyRows(
  source: ResultSource,
  spec: PipelineSpec,
  key: string,
  range: { fromMs?: number; toMs?: number } = {},
): Promise<ResultRow[]> {
  const values: Record<string, unknown> = { ':pk': aggregatePk(spec.name, key) };
  let condition = 'pk = :pk';
  if (range.fromMs !== undefined && range.toMs !== undefined) {
    condition += ' AND sk BETWEEN :from AND :to';
    values[':from'] = windowSortKey(range.fromMs);
    values[':to'] = windowSortKey(range.toMs);
  } else if (range.fromMs !== undefined) {
    condition += ' AND sk >= :from';
    values[':from'] = windowSortKey(range.fromMs);
  } else if (range.toMs !== undefined) {
    condition += ' AND sk < :to';
    values[':to'] = windowSortKey(range.toMs);
  }
  const rows = await drain((ExclusiveStartKey) =>
    source.doc.send(
      new QueryCommand({
        TableName: source.tables.aggregates,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        ExclusiveStartKey,
      }),
    ),
  );
  // BETWEEN includes its upper bound; the range is half-open like the windows themselves.
  return range.toMs === undefined ? rows : rows.filter((r) => r.windowStartMs !== range.toMs);
}

/**
 * The rows of one window, largest count first, at most `limit`: a Query on the `byWindow`
 * index (partition `<pipeline>#<window start>`, sorted by count), read backwards.
 */
export async function queryWindowRows(
  source: ResultSource,
  spec: PipelineSpec,
  windowStartMs: number,
  limit?: number,
): Promise<ResultRow[]> {
  return drain(
    (ExclusiveStartKey) =>
      source.doc.send(
        new QueryCommand({
          TableName: source.tables.aggregates,
          IndexName: BY_WINDOW,
          KeyConditionExpression: 'gsi1pk = :w',
          ExpressionAttributeValues: { ':w': `${spec.name}#${windowSortKey(windowStartMs)}` },
          ScanIndexForward: false,
          ...(limit === undefined ? {} : { Limit: limit }),
          ExclusiveStartKey,
        }),
      ),
    limit,
  );
}

/**
 * Every row of a pipeline. The table has no index by pipeline alone (every access path the
 * handlers and dashboards need is by key or by window), so this is a Scan of the whole table
 * filtered on `pipeline`: fine locally and for small tables, costly on a big production table.
 */
export async function scanPipelineRows(source: ResultSource, pipeline: string): Promise<ResultRow[]> {
  return drain((ExclusiveStartKey) =>
    source.doc.send(
      new ScanCommand({
        TableName: source.tables.aggregates,
        FilterExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'pipeline' },
        ExpressionAttributeValues: { ':p': pipeline },
        ExclusiveStartKey,
      }),
    ),
  );
}
