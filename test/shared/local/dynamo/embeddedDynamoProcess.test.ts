import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { openDynamo } from '../../../../scripts/lib/dynamoContext.js';
import { createDocumentClient, readNumber } from '../../../../shared/engine/store/dynamo/index.js';
import type { TableNames } from '../../../../shared/engine/store/index.js';
import {
  type EmbeddedDynamo,
  ensureTables,
  startEmbeddedDynamoProcess,
} from '../../../../shared/local/index.js';

describe('the embedded DynamoDB in a child process', () => {
  const tables: TableNames = { aggregates: 'p-agg', deadLetters: 'p-dl', state: 'p-st' };
  let dynamo: EmbeddedDynamo | undefined;
  afterEach(async () => {
    await dynamo?.close();
    dynamo = undefined;
  });

  it('serves conditional updates on a loopback endpoint of another process', async () => {
    // Arrange
    dynamo = await startEmbeddedDynamoProcess();
    await ensureTables(dynamo.endpoint, tables);
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    const add = () =>
      doc.send(
        new UpdateCommand({
          TableName: tables.aggregates,
          Key: { pk: 'p#k', sk: 'w' },
          UpdateExpression: 'ADD #c :one',
          ConditionExpression: 'attribute_not_exists(#c) OR #c < :max',
          ExpressionAttributeNames: { '#c': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':max': 2 },
        }),
      );

    // Act
    await add();
    await add();
    const third = add();

    // Assert: a real DynamoDB implementation, conditions included
    await expect(third).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const item = await doc.send(
      new GetCommand({ TableName: tables.aggregates, Key: { pk: 'p#k', sk: 'w' } }),
    );
    expect(readNumber(item.Item?.count)).toBe(2);
    expect(new URL(dynamo.endpoint).hostname).toBe('127.0.0.1');
    expect(dynamo.pid).not.toBe(process.pid);
    doc.destroy();
  });

  it('keeps the project limits that AWS enforces (an oversized key is refused)', async () => {
    dynamo = await startEmbeddedDynamoProcess();
    await ensureTables(dynamo.endpoint, tables);
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    const write = doc.send(
      new UpdateCommand({
        TableName: tables.aggregates,
        Key: { pk: 'k'.repeat(2049), sk: 'w' },
        UpdateExpression: 'ADD #c :one',
        ExpressionAttributeNames: { '#c': 'count' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    await expect(write).rejects.toMatchObject({ name: 'ValidationException' });
    doc.destroy();
  });

  it('stops serving once closed', async () => {
    dynamo = await startEmbeddedDynamoProcess();
    const { endpoint } = dynamo;
    await dynamo.close();
    dynamo = undefined;
    await expect(fetch(endpoint, { method: 'POST' })).rejects.toThrow();
  });

  it('is what openDynamo opens with storeProcess, and not without it', async () => {
    const inChild = await openDynamo({ inMemory: true, storeProcess: true, forceEmbedded: true });
    const inHere = await openDynamo({ inMemory: true, forceEmbedded: true });
    try {
      expect(inChild.storePid).not.toBe(process.pid);
      expect(inHere.storePid).toBe(process.pid);
    } finally {
      await inChild.close();
      await inHere.close();
    }
  });
});
