import { type DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../errors/index.js';
import type { ReferenceTableStore, TableRow, TableRowWrite } from '../ReferenceTableStore.js';
import { batchGetAll } from './batchGetAll.js';
import { conditionalWrite, readNumber } from './dynamoClient.js';

/** Sort key of a row item in the state table (one item per row). */
const ROW_SK = 0;

/** The state-table partition key of a table's row. */
export function tableRowPk(table: string, key: string): string {
  return `${table}#row#${key}`;
}

/**
 * Materialized tables on the state table: one item per (table, key), pk
 * `<table>#row#<key>`, sk 0, holding the value as JSON text (so it reads back exactly), the
 * source coordinates and timestamp of the record that wrote it, and `deleted` for a
 * tombstone (kept until `expiresAt` so an older redelivered value cannot bring the row back).
 *
 * Each write is one PutItem conditioned on the order of {@link ReferenceTableStore.apply}:
 * no read first, so a batch costs one write per distinct key it changes, and a redelivery
 * costs one failed condition per key.
 */
export class DynamoReferenceTableStore implements ReferenceTableStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Parallel PutItems per batch. @default 16, as the aggregates store */
    private readonly concurrency = 16,
  ) {}

  async apply(
    table: string,
    writes: readonly TableRowWrite[],
  ): Promise<{ written: number; alreadyApplied: number }> {
    let written = 0;
    let alreadyApplied = 0;
    let next = 0;
    const worker = async () => {
      while (next < writes.length) {
        const w = writes[next++]!;
        if (await this.put(table, w)) written++;
        else alreadyApplied++;
      }
    };
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(this.concurrency, writes.length) }, worker),
    );
    // allSettled: no write may still be in flight when the batch fails (it would race the retry).
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return { written, alreadyApplied };
  }

  private async put(table: string, w: TableRowWrite): Promise<boolean> {
    return conditionalWrite(
      () =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: tableRowPk(table, w.key),
              sk: ROW_SK,
              table,
              key: w.key,
              p: w.partition,
              o: w.offset,
              ts: w.timestampMs,
              ...(w.value === null
                ? {
                    deleted: true,
                    ...(w.expiresAtMs === undefined ? {} : { expiresAt: Math.floor(w.expiresAtMs / 1000) }),
                  }
                : { value: JSON.stringify(w.value) }),
            },
            // Newer wins: a higher offset in the same partition; across partitions a later
            // timestamp, the higher partition on a tie (any fixed order makes it deterministic).
            ConditionExpression:
              'attribute_not_exists(pk) OR (#p = :p AND #o < :o) OR (#p <> :p AND (#ts < :ts OR (#ts = :ts AND #p < :p)))',
            ExpressionAttributeNames: { '#p': 'p', '#o': 'o', '#ts': 'ts' },
            ExpressionAttributeValues: { ':p': w.partition, ':o': w.offset, ':ts': w.timestampMs },
          }),
        ),
      `PutItem on ${this.tableName} failed for table ${table} key ${w.key}`,
    );
  }

  async getMany(
    table: string,
    keys: readonly string[],
  ): Promise<Map<string, Readonly<Record<string, unknown>>>> {
    const items = await batchGetAll(
      this.doc,
      this.tableName,
      [...new Set(keys)].map((key) => ({ pk: tableRowPk(table, key), sk: ROW_SK })),
      `rows of table ${table}`,
    );
    const rows = new Map<string, Readonly<Record<string, unknown>>>();
    for (const item of items) {
      if (item.deleted === true || item.value === undefined) continue;
      rows.set(String(item.key), JSON.parse(String(item.value)) as Record<string, unknown>);
    }
    return rows;
  }

  async list(table: string): Promise<TableRow[]> {
    const rows: TableRow[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.doc.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: '#t = :t AND attribute_exists(#v)',
            ExpressionAttributeNames: { '#t': 'table', '#v': 'value' },
            ExpressionAttributeValues: { ':t': table },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          if (item.deleted === true) continue;
          rows.push({
            key: String(item.key),
            value: JSON.parse(String(item.value)) as Record<string, unknown>,
            partition: readNumber(item.p)!,
            offset: readNumber(item.o)!,
            timestampMs: readNumber(item.ts)!,
          });
        }
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (err) {
      throw new StoreError(`Scan of ${this.tableName} for table ${table} failed`, { cause: err });
    }
    return rows.sort((a, b) => a.key.localeCompare(b.key, undefined, { numeric: true }));
  }
}
