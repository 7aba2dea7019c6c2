import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../../shared/engine/errors/index.js';
import { buildEvent, decodeEvent, type LambdaKafkaEvent } from '../../../../shared/engine/event/index.js';
import { partitionForKey } from '../../../../shared/kafka/index.js';

describe('buildEvent / decodeEvent', () => {
  const records = [
    {
      topic: 'rides',
      partition: 1,
      offset: 7,
      timestampMs: 1000,
      key: '75',
      value: '{"a":1}',
      headers: [{ name: 'h', value: 'v' }],
    },
    { topic: 'rides', partition: 0, offset: 3, timestampMs: 2000, key: null, value: null },
    { topic: 'rides', partition: 1, offset: 6, timestampMs: 500, key: 'k', value: 'x' },
  ];

  it('groups records under "topic-partition" with base64 key and value, as Lambda does', () => {
    const event = buildEvent(records);
    expect(event.eventSource).toBe('aws:kafka');
    expect(event.eventSourceArn).toMatch(/^arn:aws:kafka:/);
    expect(Object.keys(event.records)).toEqual(['rides-1', 'rides-0']);
    const r = event.records['rides-1']![0]!;
    expect(r).toMatchObject({
      topic: 'rides',
      partition: 1,
      offset: 7,
      timestamp: 1000,
      timestampType: 'CREATE_TIME',
    });
    expect(Buffer.from(r.key!, 'base64').toString()).toBe('75');
    expect(r.headers).toEqual([{ h: [118] }]);
  });

  it('omits the key of key-less records and keeps null tombstone values', () => {
    const r = buildEvent(records).records['rides-0']![0]!;
    expect('key' in r).toBe(false);
    expect(r.value).toBeNull();
  });

  it('builds self-managed events without an ARN', () => {
    const event = buildEvent(records, { source: 'self-managed' });
    expect(event.eventSource).toBe('SelfManagedKafka');
    expect(event.eventSourceArn).toBeUndefined();
  });

  it('decodes back to records sorted by partition and offset', () => {
    const groups = decodeEvent(buildEvent(records));
    expect(groups.map((g) => g.map((r) => [r.partition, r.offset]))).toEqual([
      [[0, 3]],
      [
        [1, 6],
        [1, 7],
      ],
    ]);
    const [tombstone] = groups[0]!;
    expect(tombstone!.key).toBeNull();
    expect(tombstone!.value).toBeNull();
    expect(groups[1]![1]!.headers).toEqual([{ name: 'h', value: Buffer.from('v') }]);
    expect(groups[1]![1]!.value!.toString()).toBe('{"a":1}');
  });

  it('decodes the AWS documentation sample event', () => {
    const event: LambdaKafkaEvent = {
      eventSource: 'aws:kafka',
      eventSourceArn:
        'arn:aws:kafka:us-east-1:123456789012:cluster/demo/abcd1234-0000-4000-8000-000000000000-1',
      bootstrapServers: 'b-1.demo:9098,b-2.demo:9098',
      records: {
        'rides-0': [
          {
            topic: 'rides',
            partition: 0,
            offset: 15,
            timestamp: 1593563132000,
            timestampType: 'CREATE_TIME',
            key: 'NzU=',
            value: 'eyJWZW5kb3JJRCI6MX0=',
            headers: [
              {
                'content-type': [97, 112, 112, 108, 105, 99, 97, 116, 105, 111, 110, 47, 106, 115, 111, 110],
              },
            ],
          },
        ],
      },
    };
    const [[r]] = decodeEvent(event) as [[NonNullable<ReturnType<typeof decodeEvent>[0][0]>]];
    expect(r.key!.toString()).toBe('75');
    expect(JSON.parse(r.value!.toString())).toEqual({ VendorID: 1 });
    expect(r.headers[0]!.value.toString()).toBe('application/json');
  });

  it('rejects an event that is not from Kafka', () => {
    expect(() => decodeEvent({ eventSource: 'aws:sqs', records: {} } as unknown as LambdaKafkaEvent)).toThrow(
      InvalidEventError,
    );
  });
});

describe('partitionForKey (Kafka default partitioner, murmur2)', () => {
  // Expected partitions computed with the Java client's Utils.toPositive(Utils.murmur2(key)) % n
  // (kafka-clients 4.4.0), so a replay partitions keys as a real producer would.
  it.each([
    ['75', 3, 1],
    ['100', 3, 0],
    ['200', 3, 1],
    ['1', 3, 0],
    ['265', 3, 0],
    ['abc', 3, 0],
    ['75', 10, 3],
    ['200', 10, 0],
    ['1', 10, 9],
    ['265', 10, 2],
    ['abc', 10, 7],
  ] as const)(
    'puts key %j among %d partitions on partition %d, as the Java client does',
    (key, n, expected) => {
      expect(partitionForKey(key, n)).toBe(expected);
    },
  );

  it('is deterministic', () => {
    expect(partitionForKey('75', 3)).toBe(partitionForKey(Buffer.from('75'), 3));
  });
});
