import { Logger } from '@aws-lambda-powertools/logger';
import { createKafka } from '../kafka/index.js';
import { awsClusterLookups } from './awsClusterLookups.js';
import { type ClusterLookups, resolveConnection } from './clusterConnection.js';
import {
  handleTopicEvent,
  type OpenAdmin,
  type TopicResourceEvent,
  type TopicResourceResult,
} from './topicAdmin.js';

/** Dependencies of the topic-admin Lambda; all default to the real AWS and Kafka clients. */
export interface TopicAdminHandlerDeps {
  /** @default Secrets Manager and MSK GetBootstrapBrokers in AWS_REGION */
  readonly lookups?: ClusterLookups;
  /** @default a Powertools Logger, service "topic-admin" */
  readonly logger?: Logger;
}

/**
 * The onEvent handler of the `Custom::KafkaTopic` provider: opens a kafkajs admin client for the
 * declared cluster, applies the event, disconnects. Logs the request type, topic and outcome;
 * never the properties' credentials, because the properties hold only a secret's ARN.
 */
export function topicAdminHandler(
  deps: TopicAdminHandlerDeps = {},
): (event: TopicResourceEvent) => Promise<TopicResourceResult> {
  const logger = deps.logger ?? new Logger({ serviceName: 'topic-admin' });
  const openAdmin: OpenAdmin = async (access) => {
    const connection = await resolveConnection(access, deps.lookups ?? awsClusterLookups());
    const admin = createKafka(connection).admin();
    await admin.connect();
    return { admin, close: () => admin.disconnect() };
  };
  return async (event) => {
    logger.info('custom resource event', {
      requestType: event.RequestType,
      physicalResourceId: event.PhysicalResourceId,
    });
    return handleTopicEvent(event, openAdmin, (message, details) => logger.info(message, details));
  };
}
