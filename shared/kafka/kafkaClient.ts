import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { ConfigError } from '../engine/errors/index.js';

/**
 * How to reach a cluster. One shape for every tool (CLI, local runner, the CDK topic custom
 * resource), so local brokers, Confluent Cloud and MSK differ only in data.
 */
export interface KafkaConnection {
  /** Bootstrap servers, e.g. ["127.0.0.1:9092"]. */
  readonly brokers: readonly string[];
  /** @default 'kafka-lambda-streams' */
  readonly clientId?: string;
  /**
   * `none` (plaintext, local), `plain` / `scram-sha-256` / `scram-sha-512` (Confluent Cloud,
   * self-managed; user and password), `aws-iam` (MSK IAM, port 9098, through
   * aws-msk-iam-sasl-signer-js). Every SASL mode uses TLS.
   * @default 'none'
   */
  readonly auth?: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'aws-iam';
  readonly username?: string;
  readonly password?: string;
  /** For `aws-iam`. @default process.env.AWS_REGION */
  readonly region?: string;
  /** Force TLS on or off. @default true for any SASL auth, false otherwise */
  readonly ssl?: boolean;
}

const connectionSchema = z.object({
  KAFKA_BROKERS: z
    .string({ error: 'KAFKA_BROKERS is not set: give the bootstrap servers as host:port[,host:port...]' })
    .min(1)
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  KAFKA_AUTH: z.enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512', 'aws-iam']).default('none'),
  KAFKA_USERNAME: z.string().optional(),
  KAFKA_PASSWORD: z.string().optional(),
  KAFKA_SSL: z.enum(['true', 'false']).optional(),
  AWS_REGION: z.string().optional(),
});

/**
 * Reads a connection from KAFKA_BROKERS, KAFKA_AUTH, KAFKA_USERNAME, KAFKA_PASSWORD,
 * KAFKA_SSL and AWS_REGION; `brokersOverride` (a `--brokers` flag) wins over KAFKA_BROKERS.
 */
export function kafkaConnectionFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  brokersOverride?: string,
): KafkaConnection {
  const parsed = connectionSchema.safeParse({
    ...env,
    ...(brokersOverride ? { KAFKA_BROKERS: brokersOverride } : {}),
  });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), {
      cause: parsed.error,
    });
  }
  const e = parsed.data;
  return {
    brokers: e.KAFKA_BROKERS,
    auth: e.KAFKA_AUTH,
    ...(e.KAFKA_USERNAME ? { username: e.KAFKA_USERNAME } : {}),
    ...(e.KAFKA_PASSWORD ? { password: e.KAFKA_PASSWORD } : {}),
    ...(e.KAFKA_SSL ? { ssl: e.KAFKA_SSL === 'true' } : {}),
    ...(e.AWS_REGION ? { region: e.AWS_REGION } : {}),
  };
}

/** A kafkajs client for a connection, quiet unless KAFKAJS_LOG_LEVEL asks for more. */
export function createKafka(connection: KafkaConnection): Kafka {
  if (connection.brokers.length === 0) throw new ConfigError('no Kafka brokers given');
  const auth = connection.auth ?? 'none';
  const config: KafkaConfig = {
    clientId: connection.clientId ?? 'kafka-lambda-streams',
    brokers: [...connection.brokers],
    ssl: connection.ssl ?? auth !== 'none',
    logLevel: logLevelFromEnv(),
  };
  if (auth === 'aws-iam') {
    const region = connection.region ?? process.env.AWS_REGION;
    if (!region) throw new ConfigError('aws-iam auth needs a region: set AWS_REGION');
    config.sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        // Loaded lazily: only MSK IAM users need the signer and its AWS SDK dependencies.
        const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
        return { value: (await generateAuthToken({ region })).token };
      },
    };
  } else if (auth !== 'none') {
    if (!connection.username || !connection.password) {
      throw new ConfigError(`${auth} auth needs a username and a password (KAFKA_USERNAME, KAFKA_PASSWORD)`);
    }
    config.sasl = {
      mechanism: auth,
      username: connection.username,
      password: connection.password,
    } as SASLOptions;
  }
  return new Kafka(config);
}

function logLevelFromEnv(): logLevel {
  const name = (process.env.KAFKAJS_LOG_LEVEL ?? 'ERROR').toUpperCase();
  const levels: Record<string, logLevel> = {
    NOTHING: logLevel.NOTHING,
    ERROR: logLevel.ERROR,
    WARN: logLevel.WARN,
    INFO: logLevel.INFO,
    DEBUG: logLevel.DEBUG,
  };
  return levels[name] ?? logLevel.ERROR;
}
