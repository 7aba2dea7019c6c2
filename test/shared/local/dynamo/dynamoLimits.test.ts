import { BatchWriteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../../shared/engine/store/dynamo/index.js';
import type { TableNames } from '../../../../shared/engine/store/index.js';
import {
  countOperators,
  type EmbeddedDynamo,
  ensureTables,
  itemBytes,
  startEmbeddedDynamo,
} from '../../../../shared/local/index.js';

describe('counting what DynamoDB counts', () => {
  it.each([
    ['a = :b', false, 1],
    [
      '(attribute_not_exists(#hw0) OR #hw0 < :min0) AND (attribute_not_exists(#hw1) OR #hw1 < :min1)',
      false,
      7,
    ],
    ['SET a = :v1 + :v2 + :v3', true, 2], // the guide's own example
    ['ADD #count :count, #v :one SET #hw0 = :hw0', true, 0],
    ['#o <> :o AND size(#l) >= :n', false, 4],
  ])('%s has %d operators', (expression, isUpdate, expected) => {
    expect(countOperators(expression, isUpdate)).toBe(expected);
  });

  it('sizes strings in UTF-8 bytes, not UTF-16 units, and numbers by significant digits', () => {
    expect(itemBytes({ s: { S: 'é' } })).toBe(1 + 2);
    expect(itemBytes({ n: { N: '123456' } })).toBe(1 + 4);
    expect(itemBytes({ n: { N: '1000' } })).toBe(1 + 2);
  });
});

describe('the embedded DynamoDB rejects what AWS rejects', () => {
  let dynamo: EmbeddedDynamo;
  const tables: TableNames = { aggregates: 'l-agg', deadLetters: 'l-dl', state: 'l-st' };
  const doc = () => createDocumentClient({ endpoint: dynamo.endpoint });
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    await ensureTables(dynamo.endpoint, tables);
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const update = (conditions: number) => {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':one': 1 };
    const parts: string[] = [];
    for (let i = 0; i < conditions; i++) {
      names[`#hw${i}`] = `hw:t-${i}`;
      values[`:m${i}`] = 5;
      parts.push(`(attribute_not_exists(#hw${i}) OR #hw${i} < :m${i})`);
    }
    return new UpdateCommand({
      TableName: tables.aggregates,
      Key: { pk: 'p#k', sk: 'all-time' },
      UpdateExpression: 'ADD #c :one',
      ConditionExpression: parts.join(' AND '),
      ExpressionAttributeNames: { ...names, '#c': 'count' },
      ExpressionAttributeValues: values,
    });
  };

  it('accepts a condition within the limits', async () => {
    await expect(doc().send(update(40))).resolves.toBeDefined();
  });

  it('rejects a condition expression over 4 KB', async () => {
    await expect(doc().send(update(90))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(
        /ConditionExpression is \d+ bytes; the maximum length of an expression is 4096/,
      ),
    });
  });

  it('rejects more than 300 operators in an expression', async () => {
    const conditions = Array.from({ length: 151 }, (_, i) => `#a = :v${i % 10}`).join(' OR ');
    const values = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`:v${i}`, i]));
    await expect(
      doc().send(
        new UpdateCommand({
          TableName: tables.aggregates,
          Key: { pk: 'p#k', sk: 'x' },
          UpdateExpression: 'SET #a = :v0',
          ConditionExpression: `attribute_not_exists(#a) OR ${conditions}`.slice(0, 4000),
          ExpressionAttributeNames: { '#a': 'a' },
          ExpressionAttributeValues: values,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/operators/) });
  });

  it('rejects an item over 400 KB in UTF-8 that is under 400 K UTF-16 units', async () => {
    await expect(
      doc().send(
        new PutCommand({ TableName: tables.aggregates, Item: { pk: 'p', sk: 's', v: 'é'.repeat(210_000) } }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/maximum item size/),
    });
  });

  it('rejects a partition key over 2,048 bytes and a sort key over 1,024', async () => {
    await expect(
      doc().send(new PutCommand({ TableName: tables.aggregates, Item: { pk: 'k'.repeat(2049), sk: 's' } })),
    ).rejects.toMatchObject({ message: expect.stringMatching(/partition key pk is 2049 bytes/) });
    await expect(
      doc().send(new PutCommand({ TableName: tables.state, Item: { pk: 'k', sk: 1, x: 'y' } })),
    ).resolves.toBeDefined();
    await expect(
      doc().send(new PutCommand({ TableName: tables.aggregates, Item: { pk: 'k', sk: 'é'.repeat(513) } })),
    ).rejects.toMatchObject({ message: expect.stringMatching(/sort key sk is 1026 bytes/) });
  });

  it('rejects a BatchWriteItem of more than 25 requests', async () => {
    const puts = Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { pk: 'b', sk: String(i) } } }));
    await expect(
      doc().send(new BatchWriteCommand({ RequestItems: { [tables.deadLetters]: puts } })),
    ).rejects.toMatchObject({ message: expect.stringMatching(/26 requests; at most 25/) });
  });
});
