import type { OutputRecord } from './outputRecord.js';

/**
 * Where pipelines that write to Kafka (route, enrich) send their records. The engine owns
 * this interface; `KafkaRecordSink` (shared/kafka) implements it with one idempotent
 * kafkajs producer per container, tests and `replay` use in-memory or file sinks.
 *
 * The contract that makes "no output is ever lost" hold: `send` resolves only once every
 * record is acknowledged by all in-sync replicas (acks=all), and rejects otherwise, so the
 * invocation fails and Lambda redelivers the batch; the engine writes the batch's
 * checkpoints only after `send` resolved.
 */
export interface RecordSink {
  send(records: readonly OutputRecord[]): Promise<void>;
  /**
   * Ends the connections behind the sink. Lambda never calls it (the container keeps its
   * producer); tools and tests do, or their process would not exit. Optional: in-memory
   * and file sinks hold nothing.
   */
  close?(): Promise<void>;
}
