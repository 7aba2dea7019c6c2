import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HANDLER_TABLE_ACTIONS } from '../../infra/constructs/PipelineTables.js';
import { REPO_ROOT } from '../../infra/lib/paths.js';
import { ALL_TABLES } from '../../shared/engine/store/index.js';
import { resourcesOf, synth } from './support/synth.js';

describe('tables', () => {
  const { template } = synth({});
  const tables = resourcesOf(template, 'AWS::DynamoDB::Table');

  it.each(ALL_TABLES.map((d) => [d.logicalName, d] as const))(
    '%s has the keys, indexes and TTL of the table design',
    (name, design) => {
      const found = tables.find(([id]) => id.toLowerCase().startsWith(`tables${name.toLowerCase()}`));
      expect(found, name).toBeDefined();
      const properties = (found as (typeof tables)[number])[1].Properties;

      expect(properties.KeySchema).toEqual([
        { AttributeName: design.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: design.sortKey.name, KeyType: 'RANGE' },
      ]);
      expect(properties.TimeToLiveSpecification).toEqual({
        AttributeName: design.ttlAttribute,
        Enabled: true,
      });
      const indexes =
        (properties.GlobalSecondaryIndexes as Array<{ IndexName: string; KeySchema: unknown }> | undefined) ??
        [];
      expect(indexes.map((i) => [i.IndexName, i.KeySchema])).toEqual(
        design.globalIndexes.map((g) => [
          g.name,
          [
            { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: g.sortKey.name, KeyType: 'RANGE' },
          ],
        ]),
      );
    },
  );

  it('are on-demand, with point-in-time recovery, KMS encryption and deletion protection, and retained', () => {
    expect(tables).toHaveLength(3);
    for (const [, t] of tables) {
      expect(t.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // SSEEnabled without a key: KMS with the AWS managed key (aws/dynamodb).
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(t.DeletionPolicy).toBe('Retain');
    }
  });

  it('can be made disposable for test deployments', () => {
    const { template: disposable } = synth({ tableRemovalPolicy: 'destroy', deletionProtection: 'false' });

    for (const [, t] of resourcesOf(disposable, 'AWS::DynamoDB::Table')) {
      expect(t.DeletionPolicy).toBe('Delete');
      expect(t.Properties.DeletionProtectionEnabled).toBe(false);
    }
  });
});

describe('table permissions of the handlers', () => {
  /** SDK command -> IAM action, for the commands the stores may send. */
  const ACTION_OF: Record<string, string> = {
    UpdateCommand: 'dynamodb:UpdateItem',
    GetCommand: 'dynamodb:GetItem',
    PutCommand: 'dynamodb:PutItem',
    BatchWriteCommand: 'dynamodb:BatchWriteItem',
    QueryCommand: 'dynamodb:Query',
    ScanCommand: 'dynamodb:Scan',
    DeleteCommand: 'dynamodb:DeleteItem',
    BatchGetCommand: 'dynamodb:BatchGetItem',
    TransactWriteCommand: 'dynamodb:TransactWriteItems',
  };
  const STORE_FILES = {
    aggregates: ['DynamoAggregateStore.ts', 'DynamoFinalWindowStore.ts', 'DynamoSessionRowStore.ts'],
    deadLetters: ['DynamoDeadLetterStore.ts'],
    state: ['DynamoStreamTimeStore.ts', 'DynamoReferenceTableStore.ts', 'DynamoKeyedStateStore.ts'],
  } as const;
  /** Commands a store sends only from the CLI (listing dead letters, table rows), never from a handler. */
  const CLI_ONLY: Record<string, readonly string[]> = {
    deadLetters: ['QueryCommand', 'ScanCommand'],
    state: ['ScanCommand'],
  };

  /** The SDK commands a store file sends, directly or through the helpers it imports from its folder. */
  const commandsOf = (file: string): string[] => {
    const source = readFileSync(join(REPO_ROOT, 'shared', 'engine', 'store', 'dynamo', file), 'utf8');
    const helpers = [...source.matchAll(/from '\.\/(\w+)\.js'/g)].map((m) => `${m[1]}.ts`);
    return [...source.matchAll(/new (\w+Command)\(/g)]
      .map((m) => m[1] as string)
      .concat(helpers.flatMap(commandsOf));
  };

  /** The IAM actions of the commands a table's store files send from a handler. */
  const actionsSentBy = (table: string, files: readonly string[]): string[] => {
    const used = [...new Set(files.flatMap(commandsOf))];
    return used
      .filter((c) => !CLI_ONLY[table]?.includes(c))
      .map((c) => ACTION_OF[c] ?? `unknown command ${c}`);
  };

  it.each(Object.entries(STORE_FILES))(
    'are exactly the commands the %s stores send, no more, no fewer',
    (table, files) => {
      const needed = actionsSentBy(table, files);

      expect(needed.length).toBeGreaterThan(0);
      expect([...HANDLER_TABLE_ACTIONS[table as keyof typeof HANDLER_TABLE_ACTIONS]].sort()).toEqual(
        needed.sort(),
      );
    },
  );

  it('are the ones docs/infra.md lists', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'infra.md'), 'utf8').replace(/\s+/g, ' ');
    const listed =
      /the actions the stores send \(aggregates: ([\w, ]+); dead letters: ([\w, ]+); state: ([\w, ]+);/.exec(
        docs,
      );
    expect(listed, 'the "actions the stores send" sentence of docs/infra.md').not.toBeNull();
    const [, aggregates, deadLetters, state] = listed as unknown as [string, string, string, string];
    const actions = (list: string) => list.split(', ').map((a) => `dynamodb:${a}`);

    expect({
      aggregates: actions(aggregates),
      deadLetters: actions(deadLetters),
      state: actions(state),
    }).toEqual(HANDLER_TABLE_ACTIONS);
  });

  it('know every store file', () => {
    const stores = readdirSync(join(REPO_ROOT, 'shared', 'engine', 'store', 'dynamo')).filter((f) =>
      /^Dynamo\w+Store\.ts$/.test(f),
    );

    expect(stores.sort()).toEqual(Object.values(STORE_FILES).flat().sort());
  });
});
