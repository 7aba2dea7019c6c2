import type { KafkaConnection } from '../kafka/kafkaClient.js';
import { withSecrets } from '../kafka/kafkaSecrets.js';
import { TopicAdminError } from './TopicAdminError.js';
import type { ClusterAccess, ClusterAuth } from './topicDeclaration.js';

export { parseSaslSecret, type SaslCredentials } from '../kafka/kafkaSecrets.js';

/**
 * The AWS calls a connection may need, passed in so tests run without AWS. A secret comes
 * back as its raw string and is parsed here, by the same parsers whatever its source (Secrets
 * Manager in AWS, a local file in the tests).
 */
export interface ClusterLookups {
  /** The `SecretString` of a Secrets Manager secret (undefined for a binary secret). */
  readSecret(secretArn: string): Promise<string | undefined>;
  /** MSK GetBootstrapBrokers for a cluster, as the comma-separated string for `auth`. */
  bootstrapBrokers(clusterArn: string, auth: ClusterAuth): Promise<string>;
}

/**
 * Turns declared access into a kafkajs connection: looks up MSK brokers from the cluster ARN
 * when no bootstrap servers are given, reads SASL credentials or the mTLS client certificate
 * from the secret and a private root CA from its own secret, in the formats Lambda's
 * event-source mappings read. The credentials live only in the returned object; nothing here
 * logs them.
 */
export async function resolveConnection(
  access: ClusterAccess,
  lookups: ClusterLookups,
): Promise<KafkaConnection> {
  const brokers = access.bootstrapServers?.length
    ? [...access.bootstrapServers]
    : splitBrokers(await lookups.bootstrapBrokers(requireArn(access), access.auth));
  if (brokers.length === 0) {
    throw new TopicAdminError('NO_BROKERS', `no bootstrap brokers for ${access.clusterArn ?? 'the cluster'}`);
  }
  const base: KafkaConnection = {
    brokers,
    clientId: 'kafka-lambda-streams-topic-admin',
    auth: access.auth,
    ...(access.ssl === undefined ? {} : { ssl: access.ssl }),
  };
  const needsSecret = access.auth !== 'none' && access.auth !== 'aws-iam';
  if (needsSecret && !access.secretArn) {
    throw new TopicAdminError('NO_SECRET', `${access.auth} auth needs a secret ARN`);
  }
  return withSecrets(base, {
    rootCa: access.rootCaSecretArn
      ? { source: access.rootCaSecretArn, text: await lookups.readSecret(access.rootCaSecretArn) }
      : undefined,
    auth:
      needsSecret && access.secretArn
        ? { source: access.secretArn, text: await lookups.readSecret(access.secretArn) }
        : undefined,
  });
}

/**
 * Which GetBootstrapBrokers field serves an auth mode (MSK: IAM on 9098, SCRAM on 9096, TLS on
 * 9094, plaintext on 9092).
 */
export function bootstrapBrokerField(
  auth: ClusterAuth,
):
  | 'BootstrapBrokerStringSaslIam'
  | 'BootstrapBrokerStringSaslScram'
  | 'BootstrapBrokerStringTls'
  | 'BootstrapBrokerString' {
  switch (auth) {
    case 'aws-iam':
      return 'BootstrapBrokerStringSaslIam';
    case 'scram-sha-512':
    case 'scram-sha-256':
      return 'BootstrapBrokerStringSaslScram';
    case 'mtls':
      return 'BootstrapBrokerStringTls';
    case 'plain':
      // MSK has no SASL/PLAIN; the TLS listener is the closest and fails with a clear auth error.
      return 'BootstrapBrokerStringTls';
    default:
      return 'BootstrapBrokerString';
  }
}

function splitBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

function requireArn(access: ClusterAccess): string {
  if (!access.clusterArn)
    throw new TopicAdminError('NO_BROKERS', 'give bootstrap servers or an MSK cluster ARN');
  return access.clusterArn;
}
