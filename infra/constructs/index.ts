/**
 * The CDK constructs (`kafka-lambda-streams/cdk`): `KafkaPipelineHandler` for one handler in
 * your own app, and the pieces it is built from for anything it does not cover. Needs
 * aws-cdk-lib, constructs and cdk-nag (peer dependencies) and esbuild to bundle.
 */

export type { ExistingNetwork } from '../config/index.js';
export { AlarmTopic, type AlarmTopicProps } from './AlarmTopic.js';
export { ExistingMskCluster, type ExistingMskClusterProps } from './ExistingMskCluster.js';
export { FailureBucket, type FailureBucketProps } from './FailureBucket.js';
export {
  FinalResultsSweeper,
  type FinalResultsSweeperProps,
  SWEEPER_SIDS,
} from './FinalResultsSweeper.js';
export {
  GENERIC_HANDLER_CODECS,
  KafkaPipelineHandler,
  type KafkaPipelineHandlerProps,
  type KafkaPipelineMappingProps,
} from './KafkaPipelineHandler.js';
export { KafkaTopic, type KafkaTopicProps } from './KafkaTopic.js';
export type {
  FunctionNetwork,
  IKafkaSource,
  KafkaMappingSource,
  KafkaProducerAccess,
  TopicSettings,
} from './kafkaSource.js';
export {
  MskBootstrapBrokers,
  type MskBootstrapBrokersProps,
  type MskBrokerListener,
} from './MskBootstrapBrokers.js';
export {
  MSK_IAM_PORT,
  MskServerlessCluster,
  type MskServerlessClusterProps,
} from './MskServerlessCluster.js';
export {
  PipelineEventSource,
  type PipelineEventSourceProps,
  type PollerConfig,
} from './PipelineEventSource.js';
export { PipelineFunction, type PipelineFunctionProps } from './PipelineFunction.js';
export { PipelineMonitoring, type PipelineMonitoringProps } from './PipelineMonitoring.js';
export { HANDLER_TABLE_ACTIONS, PipelineTables, type PipelineTablesProps } from './PipelineTables.js';
export {
  type SelfManagedAuth,
  SelfManagedKafkaCluster,
  type SelfManagedKafkaClusterProps,
} from './SelfManagedKafkaCluster.js';
export { TopicAdminProvider, type TopicAdminProviderProps } from './TopicAdminProvider.js';
