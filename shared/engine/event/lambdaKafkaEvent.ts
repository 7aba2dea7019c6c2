/**
 * The Kafka event as AWS Lambda's event-source mapping delivers it, field for field.
 *
 * We model it ourselves rather than use `@types/aws-lambda`'s `MSKEvent` because that type
 * marks `key` and `value` as always present strings, while real events carry tombstones
 * (`value: null`) and key-less records (`key` absent or null).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html
 */
export type KafkaEventSource = 'aws:kafka' | 'SelfManagedKafka';

/** Header values arrive as arrays of byte values, one object per header. */
export type LambdaKafkaHeader = Record<string, number[]>;

/** `CREATE_TIME` is the producer's timestamp, `LOG_APPEND_TIME` the broker's. */
export type TimestampType = 'CREATE_TIME' | 'LOG_APPEND_TIME';

/** One record inside a Lambda Kafka event: key and value are base64, possibly null. */
export interface LambdaKafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Epoch milliseconds. */
  timestamp: number;
  timestampType: TimestampType;
  key?: string | null;
  value?: string | null;
  headers?: LambdaKafkaHeader[];
  /**
   * Set by Lambda when the mapping has a schema registry (provisioned mode): the format and
   * the id of the schema the key was validated against (the local runner sets it the same
   * way when it emulates a registry). Absent otherwise.
   */
  keySchemaMetadata?: LambdaSchemaMetadata;
  /** As {@link LambdaKafkaRecord.keySchemaMetadata}, for the value. */
  valueSchemaMetadata?: LambdaSchemaMetadata;
}

/**
 * What Lambda says about the schema a record was validated against, e.g.
 * `{"dataFormat": "AVRO", "schemaId": "1"}` (ids are strings: Glue's are UUIDs).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-consume-kafka-events.html
 */
export interface LambdaSchemaMetadata {
  dataFormat: string;
  schemaId: string;
}

/** The whole event: `records` is keyed by `"<topic>-<partition>"`. */
export interface LambdaKafkaEvent {
  eventSource: KafkaEventSource;
  /** Present for MSK (`aws:kafka`) only. */
  eventSourceArn?: string;
  /** One comma-separated string, as Lambda sends it. */
  bootstrapServers?: string;
  records: Record<string, LambdaKafkaRecord[]>;
}

/** The id Lambda uses for a partition in `records` and in partial batch responses. */
export function partitionId(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}
