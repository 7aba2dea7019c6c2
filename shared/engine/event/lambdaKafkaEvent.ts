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
