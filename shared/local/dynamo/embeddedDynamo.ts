import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
// dynalite ships no types; its factory returns an http.Server.
// @ts-expect-error no declaration file
import dynalite from 'dynalite';
import { AGGREGATES_TABLE, ALL_TABLES, type TableDesign } from '../../engine/store/tableDesign.js';
import type { TableNames } from '../../engine/store/tableNames.js';
import { enforceDynamoLimits } from './dynamoLimits.js';
import { refuseBrowsers } from './refuseBrowsers.js';

/** A running embedded DynamoDB (dynalite, on LevelDB, in this process). */
export interface EmbeddedDynamo {
  readonly endpoint: string;
  /** The process serving `endpoint`: this one, or a child (startEmbeddedDynamoProcess). */
  readonly pid: number;
  close(): Promise<void>;
}

/**
 * Starts dynalite on a loopback port. With `path` the data lives in that folder (LevelDB)
 * and survives restarts, so `query` works after `replay`; without it, in memory.
 * Amazon's DynamoDB Local is not open source, so dynalite is the embedded default.
 */
export async function startEmbeddedDynamo(
  options: { path?: string; port?: number } = {},
): Promise<EmbeddedDynamo> {
  if (options.path) mkdirSync(options.path, { recursive: true });
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Reject what AWS rejects (expression lengths, operator counts, item and key sizes, batch
  // sizes), which dynalite lets through: a design that only works locally fails here first.
  enforceDynamoLimits(server, {
    partitionKey: AGGREGATES_TABLE.partitionKey.name,
    sortKey: AGGREGATES_TABLE.sortKey.name,
  });
  // Outermost: a web page in the user's browser must not reach the tables (see refuseBrowsers).
  refuseBrowsers(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid: process.pid,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((err?: Error) => (err ? reject(err) : resolve()))),
  };
}

/** How long {@link ensureTables} waits for a table to become ACTIVE. */
const TABLE_ACTIVE_TIMEOUT_S = 60;

/**
 * Creates the project's tables when they do not exist (on-demand billing), then waits until
 * every one is ACTIVE: a new table is CREATING for a while (500 ms on a dynalite started
 * with its defaults, `--createTableMs`; seconds on DynamoDB Local or AWS), and reads and
 * writes fail until it is not. Idempotent. For local and test use: in AWS the CDK app owns
 * the tables.
 */
export async function ensureTables(endpoint: string, names: TableNames, region = 'us-east-1'): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const design of ALL_TABLES) {
      const name = names[design.logicalName];
      if (existing.has(name)) continue;
      try {
        await client.send(new CreateTableCommand(createTableInput(design, name)));
      } catch (err) {
        // Another process (a second CLI command, a parallel test) created it first: fine.
        if (!(err instanceof ResourceInUseException)) throw err;
      }
    }
    // Every table, not only the ones made here: one made by another process may still be CREATING.
    for (const design of ALL_TABLES) {
      await waitUntilTableExists(
        { client, minDelay: 0.1, maxDelay: 1, maxWaitTime: TABLE_ACTIVE_TIMEOUT_S },
        { TableName: names[design.logicalName] },
      );
    }
  } finally {
    client.destroy();
  }
}

function createTableInput(design: TableDesign, name: string) {
  const attrs = new Map<string, 'S' | 'N'>();
  const keys = [
    design.partitionKey,
    design.sortKey,
    ...design.globalIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ];
  for (const k of keys) attrs.set(k.name, k.type);
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: design.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: design.sortKey.name, KeyType: 'RANGE' as const },
    ],
    ...(design.globalIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: design.globalIndexes.map((g) => ({
            IndexName: g.name,
            KeySchema: [
              { AttributeName: g.partitionKey.name, KeyType: 'HASH' as const },
              { AttributeName: g.sortKey.name, KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: g.projection ?? ('ALL' as const) },
          })),
        }
      : {}),
  };
}
