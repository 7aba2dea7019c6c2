import type { KafkaConnection } from '../kafka/index.js';
import { TopicAdminError } from './TopicAdminError.js';
import type { ClusterAccess, ClusterAuth } from './topicDeclaration.js';

/** SASL credentials as Lambda's Kafka event-source mappings store them in Secrets Manager. */
export interface SaslCredentials {
  readonly username: string;
  readonly password: string;
}

/** The AWS calls a connection may need, passed in so tests run without AWS. */
export interface ClusterLookups {
  /** Reads `{"username","password"}` from a Secrets Manager secret. */
  readSaslSecret(secretArn: string): Promise<SaslCredentials>;
  /** MSK GetBootstrapBrokers for a cluster, as the comma-separated string for `auth`. */
  bootstrapBrokers(clusterArn: string, auth: ClusterAuth): Promise<string>;
}

/**
 * Turns declared access into a kafkajs connection: looks up MSK brokers from the cluster ARN
 * when no bootstrap servers are given, and reads SASL credentials from the secret. The
 * credentials live only in the returned object; nothing here logs them.
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
  const base = {
    brokers,
    clientId: 'kafka-lambda-streams-topic-admin',
    auth: access.auth,
    ...(access.ssl === undefined ? {} : { ssl: access.ssl }),
  } as const;
  if (access.auth === 'none' || access.auth === 'aws-iam') return base;
  if (!access.secretArn) throw new TopicAdminError('NO_SECRET', `${access.auth} auth needs a secret ARN`);
  const { username, password } = await lookups.readSaslSecret(access.secretArn);
  return { ...base, username, password };
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
    case 'plain':
      // MSK has no SASL/PLAIN; the TLS listener is the closest and fails with a clear auth error.
      return 'BootstrapBrokerStringTls';
    default:
      return 'BootstrapBrokerString';
  }
}

/**
 * Parses a Secrets Manager secret string in Lambda's Kafka format. The error never echoes the
 * secret: it names the secret and the missing field only.
 */
export function parseSaslSecret(secretArn: string, secretString: string | undefined): SaslCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    throw new TopicAdminError(
      'BAD_SECRET',
      `secret ${secretArn} is not JSON; store {"username":"...","password":"..."} as the secret string`,
    );
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  for (const field of ['username', 'password'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') {
      throw new TopicAdminError('BAD_SECRET', `secret ${secretArn} has no string field "${field}"`);
    }
  }
  return { username: record.username as string, password: record.password as string };
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
