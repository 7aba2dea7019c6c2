import { describe, expect, it } from 'vitest';
import { interpretHandlerResult } from '../../../../shared/local/eventSourceMapping/handlerResult.js';
import { kafkaRecord } from '../../../support/records.js';

// A batch mixing partitions: rides-0 offsets 10..13, rides-1 offsets 5..6.
const batch = [
  ...[10, 11, 12, 13].map((offset) => kafkaRecord({ partition: 0, offset })),
  ...[5, 6].map((offset) => kafkaRecord({ partition: 1, offset })),
];
const on = { reportBatchItemFailures: true };
const failure = (partition: unknown, offset: unknown) => ({ itemIdentifier: { partition, offset } });
const ids = (rs: readonly { partition: number; offset: number }[]) =>
  rs.map((r) => `${r.partition}@${r.offset}`);

describe('interpretHandlerResult', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
    ['a non-object', 'ok'],
  ])('treats %s as full success', (_name, result) => {
    expect(interpretHandlerResult(batch, result, on)).toEqual({ kind: 'success' });
  });

  it.each([
    ['a list that is not an array', { batchItemFailures: {} }],
    ['a string identifier (the SQS shape)', { batchItemFailures: [{ itemIdentifier: 'rides-0@11' }] }],
    ['a null identifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a bad key name', { batchItemFailures: [{ itemIdentifer: { partition: 'rides-0', offset: 11 } }] }],
    ['a string offset', { batchItemFailures: [failure('rides-0', '11')] }],
    ['a partition given as a number', { batchItemFailures: [failure(0, 11)] }],
    ['an offset not in the batch', { batchItemFailures: [failure('rides-0', 99)] }],
    ['a partition not in the batch', { batchItemFailures: [failure('rides-7', 11)] }],
    [
      'one good and one unknown identifier',
      { batchItemFailures: [failure('rides-0', 11), failure('rides-0', 99)] },
    ],
  ])('fails the whole batch for %s', (_name, result) => {
    expect(interpretHandlerResult(batch, result, on).kind).toBe('failure');
  });

  it('retries a partition from its lowest reported offset and keeps the other partitions', () => {
    // Act
    const outcome = interpretHandlerResult(
      batch,
      { batchItemFailures: [failure('rides-0', 13), failure('rides-0', 11)] },
      on,
    );
    // Assert
    expect(outcome.kind).toBe('partial');
    if (outcome.kind !== 'partial') return;
    expect(ids(outcome.succeeded)).toEqual(['0@10', '1@5', '1@6']);
    expect(ids(outcome.failed)).toEqual(['0@11', '0@12', '0@13']);
  });

  it('retries several partitions, each from its own checkpoint', () => {
    const outcome = interpretHandlerResult(
      batch,
      { batchItemFailures: [failure('rides-1', 6), failure('rides-0', 10)] },
      on,
    );
    expect(outcome.kind === 'partial' && ids(outcome.failed)).toEqual([
      '0@10',
      '0@11',
      '0@12',
      '0@13',
      '1@6',
    ]);
  });

  it('ignores the response when the mapping does not report item failures', () => {
    const result = { batchItemFailures: [failure('rides-0', 11)] };
    expect(interpretHandlerResult(batch, result, { reportBatchItemFailures: false })).toEqual({
      kind: 'success',
    });
  });
});
