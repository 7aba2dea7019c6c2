import { describe, expect, it } from 'vitest';
import { buildEvent, eventSizeBytes } from '../../../../shared/engine/event/index.js';
import { buildOnFailureRecord } from '../../../../shared/local/eventSourceMapping/onFailureRecord.js';
import { kafkaRecord } from '../../../support/records.js';

const records = [
  kafkaRecord({ partition: 1, offset: 8, timestampMs: Date.parse('2024-01-01T00:00:02Z') }),
  kafkaRecord({ partition: 0, offset: 3, timestampMs: Date.parse('2024-01-01T00:00:00Z') }),
  kafkaRecord({ partition: 0, offset: 4, timestampMs: Date.parse('2024-01-01T00:00:01Z') }),
];
const event = buildEvent(records, {
  source: 'msk',
  bootstrapServers: 'b:9092',
  eventSourceArn: 'arn:aws:kafka:x',
});
const base = {
  records,
  event,
  payloadSize: eventSizeBytes(event),
  approximateInvokeCount: 3,
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
  requestId: 'req-1',
  nowMs: Date.parse('2024-01-01T00:01:00Z'),
  includePayload: false,
};

describe('buildOnFailureRecord', () => {
  it('describes a batch whose retries ran out as Lambda does: offset ranges and timestamps per topic-partition', () => {
    // Act
    const r = buildOnFailureRecord({
      ...base,
      condition: 'RetryAttemptsExhausted',
      error: new TypeError('boom'),
    });
    // Assert
    expect(r).toEqual({
      requestContext: {
        requestId: 'req-1',
        functionArn: base.functionArn,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2024-01-01T00:01:00.000Z',
      KafkaBatchInfo: {
        batchSize: 3,
        eventSourceArn: 'arn:aws:kafka:x',
        bootstrapServers: 'b:9092',
        payloadSize: base.payloadSize,
        recordsInfo: {
          'rides-0': {
            firstRecordOffset: '3',
            lastRecordOffset: '4',
            firstRecordTimestamp: '2024-01-01T00:00:00.000Z',
            lastRecordTimestamp: '2024-01-01T00:00:01.000Z',
          },
          'rides-1': {
            firstRecordOffset: '8',
            lastRecordOffset: '8',
            firstRecordTimestamp: '2024-01-01T00:00:02.000Z',
            lastRecordTimestamp: '2024-01-01T00:00:02.000Z',
          },
        },
      },
      error: { name: 'TypeError', message: 'boom' },
    });
  });

  it('has no responseContext when the function never saw the records', () => {
    expect(buildOnFailureRecord({ ...base, condition: 'RecordAgeExceeded' }).responseContext).toBeNull();
  });

  it('includes the whole event as payload when asked', () => {
    expect(
      buildOnFailureRecord({ ...base, condition: 'RecordAgeExceeded', includePayload: true }).payload,
    ).toEqual(event);
  });
});
