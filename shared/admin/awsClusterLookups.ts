import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { bootstrapBrokerField, type ClusterLookups } from './clusterConnection.js';
import { TopicAdminError } from './TopicAdminError.js';

/**
 * The real lookups: Secrets Manager for credentials and CAs, MSK GetBootstrapBrokers for brokers.
 * Clients are created on first use, so a run that needs neither (local plaintext broker) makes
 * no AWS call and needs no credentials.
 */
export function awsClusterLookups(region: string | undefined = process.env.AWS_REGION): ClusterLookups {
  let secrets: SecretsManagerClient | undefined;
  let kafka: KafkaClient | undefined;
  const options = region ? { region } : {};
  return {
    async readSecret(secretArn) {
      secrets ??= new SecretsManagerClient(options);
      const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
      return out.SecretString;
    },
    async bootstrapBrokers(clusterArn, auth) {
      kafka ??= new KafkaClient(options);
      const out = await kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
      const field = bootstrapBrokerField(auth);
      const brokers = out[field];
      if (!brokers) {
        throw new TopicAdminError(
          'NO_BROKERS',
          `cluster ${clusterArn} has no ${field}: is ${auth} authentication enabled on the cluster?`,
        );
      }
      return brokers;
    },
  };
}
