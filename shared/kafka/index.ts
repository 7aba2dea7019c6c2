/**
 * Kafka clients (kafkajs) for the local tools, the topic-admin custom resource and the
 * handlers that write topics (route and enrich: {@link lambdaKafkaSink}). Handlers that only
 * read receive records from the event-source mapping and need no client, so kafkajs stays
 * out of their bundles (test/infra/bundle.test.ts checks).
 */
export {
  createKafka,
  type KafkaAuth,
  type KafkaConnection,
  kafkaConnectionFromEnv,
  mskIamTokenProvider,
  tlsOptions,
  usesTls,
} from './kafkaClient.js';
export { KafkaRecordSink, lambdaKafkaSink } from './kafkaRecordSink.js';
export {
  type ClientCertificate,
  KafkaSecretError,
  parseClientCertificateSecret,
  parseRootCaSecret,
  parseSaslSecret,
  type SaslCredentials,
} from './kafkaSecrets.js';
export { partitionForKey } from './partitioner.js';
export { createTopicsAndWait, type TopicOffsets, waitForTopic } from './topicReadiness.js';
