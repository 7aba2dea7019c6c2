import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import * as z from 'zod';
import { ConfigError } from '../engine/errors/index.js';
import { type ClientCertificate, parseClientCertificateSecret, parseSaslSecret } from './kafkaSecrets.js';

/** How a client proves who it is; see {@link KafkaConnection.auth}. */
export type KafkaAuth = 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'aws-iam' | 'mtls';

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
   * self-managed, MSK SCRAM on 9096; user and password), `aws-iam` (MSK IAM, port 9098, through
   * aws-msk-iam-sasl-signer-js), `mtls` (MSK mTLS on 9094: a client certificate, no SASL).
   * Every mode but `none` uses TLS.
   * @default 'none'
   */
  readonly auth?: KafkaAuth;
  readonly username?: string;
  readonly password?: string;
  /** For `aws-iam`. @default process.env.AWS_REGION */
  readonly region?: string;
  /** Force TLS on or off. @default true for any auth but `none`, false for `none` */
  readonly ssl?: boolean;
  /**
   * PEM of the CA(s) that signed the brokers' certificates, trusted instead of Node's public
   * CAs: brokers with a private CA (self-managed Kafka, the local `--secure` broker). Confluent
   * Cloud and MSK use public CAs and need none.
   * @default Node's bundled public CAs
   */
  readonly caPem?: string;
  /** The client certificate and key for `mtls`. */
  readonly clientCertificate?: ClientCertificate;
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
  KAFKA_AUTH: z.enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512', 'aws-iam', 'mtls']).default('none'),
  KAFKA_USERNAME: z.string().optional(),
  KAFKA_PASSWORD: z.string().optional(),
  KAFKA_SSL: z.enum(['true', 'false']).optional(),
  KAFKA_CA_FILE: z.string().min(1).optional(),
  KAFKA_CLIENT_CERT_FILE: z.string().min(1).optional(),
  KAFKA_CLIENT_KEY_FILE: z.string().min(1).optional(),
  KAFKA_CLIENT_KEY_PASSWORD: z.string().optional(),
  KAFKA_SECRET_FILE: z.string().min(1).optional(),
  AWS_REGION: z.string().optional(),
});

/**
 * Reads a connection from the environment:
 * - `KAFKA_BROKERS` (`brokersOverride`, a `--brokers` flag, wins), `KAFKA_AUTH`, `KAFKA_SSL`,
 *   `AWS_REGION` (for `aws-iam`);
 * - SASL credentials from `KAFKA_USERNAME` and `KAFKA_PASSWORD`, or from `KAFKA_SECRET_FILE`, a
 *   local file in the Secrets Manager format Lambda reads (`{"username","password"}`);
 * - for `mtls`, `KAFKA_CLIENT_CERT_FILE` and `KAFKA_CLIENT_KEY_FILE` (PEM; an encrypted key
 *   needs `KAFKA_CLIENT_KEY_PASSWORD`), or `KAFKA_SECRET_FILE` in Lambda's client-certificate
 *   format (`{"certificate","privateKey"}`);
 * - `KAFKA_CA_FILE`: PEM of a private CA to trust.
 * Files are read here, once; a missing file is a ConfigError naming the variable and the path,
 * never a file's content.
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
  const auth = e.KAFKA_AUTH;
  const isSasl = auth === 'plain' || auth.startsWith('scram');
  let username = e.KAFKA_USERNAME;
  let password = e.KAFKA_PASSWORD;
  let clientCertificate: ClientCertificate | undefined;
  if (e.KAFKA_SECRET_FILE && !isSasl && auth !== 'mtls') {
    throw new ConfigError(
      `KAFKA_SECRET_FILE is for KAFKA_AUTH=plain, scram-sha-256, scram-sha-512 or mtls, not ${auth}`,
    );
  }
  if (isSasl && e.KAFKA_SECRET_FILE && !(username && password)) {
    // Explicit variables win over the file, as they would over a default.
    ({ username, password } = parseSaslSecret(
      e.KAFKA_SECRET_FILE,
      readVariableFile('KAFKA_SECRET_FILE', e.KAFKA_SECRET_FILE),
    ));
  }
  if (e.KAFKA_CLIENT_CERT_FILE || e.KAFKA_CLIENT_KEY_FILE) {
    if (!e.KAFKA_CLIENT_CERT_FILE || !e.KAFKA_CLIENT_KEY_FILE) {
      throw new ConfigError('give both KAFKA_CLIENT_CERT_FILE and KAFKA_CLIENT_KEY_FILE (PEM), or neither');
    }
    clientCertificate = {
      certificate: readVariableFile('KAFKA_CLIENT_CERT_FILE', e.KAFKA_CLIENT_CERT_FILE),
      privateKey: readVariableFile('KAFKA_CLIENT_KEY_FILE', e.KAFKA_CLIENT_KEY_FILE),
      ...(e.KAFKA_CLIENT_KEY_PASSWORD ? { privateKeyPassword: e.KAFKA_CLIENT_KEY_PASSWORD } : {}),
    };
  } else if (auth === 'mtls' && e.KAFKA_SECRET_FILE) {
    clientCertificate = parseClientCertificateSecret(
      e.KAFKA_SECRET_FILE,
      readVariableFile('KAFKA_SECRET_FILE', e.KAFKA_SECRET_FILE),
    );
  }
  return {
    brokers: e.KAFKA_BROKERS,
    auth,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(e.KAFKA_SSL ? { ssl: e.KAFKA_SSL === 'true' } : {}),
    ...(e.AWS_REGION ? { region: e.AWS_REGION } : {}),
    ...(e.KAFKA_CA_FILE ? { caPem: readVariableFile('KAFKA_CA_FILE', e.KAFKA_CA_FILE) } : {}),
    ...(clientCertificate ? { clientCertificate } : {}),
  };
}

/** A file named by an environment variable; the error names both, never the content. */
function readVariableFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `${variable}=${path} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        cause,
      },
    );
  }
}

/** Whether a connection uses TLS: as asked, else for every auth but `none`. */
export function usesTls(connection: KafkaConnection): boolean {
  return connection.ssl ?? (connection.auth ?? 'none') !== 'none';
}

/**
 * Node TLS options for a connection (kafkajs passes them to `tls.connect`), or `true` for
 * Node's defaults. The same options serve the CLI's reachability probe, so the probe and the
 * client trust and present the same certificates.
 */
export function tlsOptions(connection: KafkaConnection): ConnectionOptions | true {
  const cert = connection.clientCertificate;
  if (!connection.caPem && !cert) return true;
  return {
    ...(connection.caPem ? { ca: [connection.caPem] } : {}),
    ...(cert
      ? {
          cert: cert.certificate,
          key: cert.privateKey,
          ...(cert.privateKeyPassword ? { passphrase: cert.privateKeyPassword } : {}),
        }
      : {}),
  };
}

/** A kafkajs client for a connection, quiet unless KAFKAJS_LOG_LEVEL asks for more. */
export function createKafka(connection: KafkaConnection): Kafka {
  if (connection.brokers.length === 0) throw new ConfigError('no Kafka brokers given');
  const auth = connection.auth ?? 'none';
  const tls = usesTls(connection);
  if (!tls && (auth !== 'none' || connection.clientCertificate)) {
    // SASL without TLS would send PLAIN passwords in the clear; Lambda does not allow it either.
    throw new ConfigError(
      `KAFKA_SSL=false does not go with ${auth === 'none' ? 'a client certificate' : `${auth} auth`}: Kafka SASL and mTLS run over TLS`,
    );
  }
  if (auth === 'mtls' && !connection.clientCertificate) {
    throw new ConfigError(
      'mtls auth needs a client certificate: set KAFKA_CLIENT_CERT_FILE and KAFKA_CLIENT_KEY_FILE (PEM), or KAFKA_SECRET_FILE ({"certificate","privateKey"})',
    );
  }
  const config: KafkaConfig = {
    clientId: connection.clientId ?? 'kafka-lambda-streams',
    brokers: [...connection.brokers],
    ssl: tls ? tlsOptions(connection) : false,
    logLevel: logLevelFromEnv(),
  };
  if (auth === 'aws-iam') {
    const region = connection.region ?? process.env.AWS_REGION;
    if (!region) throw new ConfigError('aws-iam auth needs a region: set AWS_REGION');
    config.sasl = { mechanism: 'oauthbearer', oauthBearerProvider: mskIamTokenProvider(region) };
  } else if (auth !== 'none' && auth !== 'mtls') {
    if (!connection.username || !connection.password) {
      throw new ConfigError(
        `${auth} auth needs a username and a password (KAFKA_USERNAME and KAFKA_PASSWORD, or KAFKA_SECRET_FILE)`,
      );
    }
    config.sasl = {
      mechanism: auth,
      username: connection.username,
      password: connection.password,
    } as SASLOptions;
  }
  return new Kafka(config);
}

/**
 * kafkajs's OAUTHBEARER token provider for MSK IAM: the signer's `token` (a base64url SigV4
 * presigned `kafka-cluster:Connect` URL, signed with the default credential chain), not the
 * whole response. MSK IAM cannot run outside AWS, so this is what the tests check offline.
 */
export function mskIamTokenProvider(region: string): () => Promise<{ value: string }> {
  return async () => {
    // Loaded lazily: only MSK IAM users need the signer and its AWS SDK dependencies.
    const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
    return { value: (await generateAuthToken({ region })).token };
  };
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
