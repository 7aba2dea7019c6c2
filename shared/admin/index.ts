export { awsClusterLookups } from './awsClusterLookups.js';
export {
  bootstrapBrokerField,
  type ClusterLookups,
  parseSaslSecret,
  resolveConnection,
  type SaslCredentials,
} from './clusterConnection.js';
export { planTopicChange, type TopicChangePlan, type TopicState } from './planTopicChange.js';
export { TopicAdminError } from './TopicAdminError.js';
export {
  type AdminSession,
  ensureTopic,
  handleTopicEvent,
  type OpenAdmin,
  readTopic,
  type TopicAdminClient,
  type TopicAdminLog,
  type TopicResourceEvent,
  type TopicResourceResult,
} from './topicAdmin.js';
export { type TopicAdminHandlerDeps, topicAdminHandler } from './topicAdminHandler.js';
export {
  type ClusterAccess,
  type ClusterAuth,
  parseTopicDeclaration,
  TOPIC_NAME_PATTERN,
  type TopicDeclaration,
  type TopicResourceProperties,
  topicPhysicalId,
  toTopicResourceProperties,
} from './topicDeclaration.js';
