import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { toLambdaRecord } from '../../../../shared/engine/event/index.js';
import { fromKafkajsMessage } from '../../../../shared/local/eventSourceMapping/kafkajsRecord.js';

const message = (over: Partial<KafkaMessage> & { batchContext?: unknown } = {}) =>
  ({
    key: Buffer.from('75'),
    value: Buffer.from('{"a":1}'),
    timestamp: '1593563132000',
    attributes: 0,
    offset: '15',
    headers: {},
    ...over,
  }) as KafkaMessage;

describe('fromKafkajsMessage', () => {
  it('encodes to the Lambda record shape: base64 key and value, numeric offset and timestamp', () => {
    expect(toLambdaRecord(fromKafkajsMessage('rides', 2, message()))).toEqual({
      topic: 'rides',
      partition: 2,
      offset: 15,
      timestamp: 1593563132000,
      timestampType: 'CREATE_TIME',
      key: Buffer.from('75').toString('base64'),
      value: Buffer.from('{"a":1}').toString('base64'),
      headers: [],
    });
  });

  it('keeps a tombstone as a null value and omits a missing key, as Lambda does', () => {
    const lambda = toLambdaRecord(fromKafkajsMessage('rides', 0, message({ key: null, value: null })));
    expect(lambda.value).toBeNull();
    expect('key' in lambda).toBe(false);
  });

  it('turns headers into one object per value with byte arrays, repeated names included', () => {
    const rec = fromKafkajsMessage(
      'rides',
      0,
      message({ headers: { a: Buffer.from('x'), b: [Buffer.from('y'), 'z'] } }),
    );
    expect(toLambdaRecord(rec).headers).toEqual([{ a: [120] }, { b: [121] }, { b: [122] }]);
  });

  it('reports LOG_APPEND_TIME when the record batch says so', () => {
    expect(
      fromKafkajsMessage('rides', 0, message({ batchContext: { timestampType: 1 } })).timestampType,
    ).toBe('LOG_APPEND_TIME');
  });
});
