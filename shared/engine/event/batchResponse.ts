/**
 * Partial batch response for Kafka event-source mappings. The identifier is an object, not
 * a string as for SQS; an identifier that is not in the batch makes Lambda retry the whole
 * batch.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 */
export interface KafkaBatchItemFailure {
  itemIdentifier: { partition: string; offset: number };
}

/** What a Kafka handler may return. An empty list means the whole batch succeeded. */
export interface KafkaBatchResponse {
  batchItemFailures: KafkaBatchItemFailure[];
}
