import { topicAdminHandler } from '../../shared/admin/index.js';

/**
 * Lambda entry point of the `Custom::KafkaTopic` provider (MSK Serverless and self-managed
 * clusters, where CloudFormation has no topic resource): creates, updates and deletes topics.
 */
export const handler = topicAdminHandler();
