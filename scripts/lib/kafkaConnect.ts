import { isIP, Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { Command } from 'commander';
import { type Admin, type Kafka, logLevel } from 'kafkajs';
import { ConfigError, StreamError } from '../../shared/engine/errors/index.js';
import {
  createKafka,
  type KafkaConnection,
  kafkaConnectionFromEnv,
  tlsOptions,
  usesTls,
} from '../../shared/kafka/index.js';
import { registerCompressionCodecs } from './kafkaCodecs.js';

/** What to tell someone who has no broker running. */
export const LOCAL_BROKER_HINT =
  'start the local broker with `bash scripts/kafka/broker.sh start` and export the KAFKA_BROKERS=... line ' +
  'it prints (or pass --brokers host:port)';

/** No broker answered: nothing a retry inside the command would fix. */
export class KafkaUnavailableError extends StreamError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KAFKA_UNAVAILABLE', message, options);
    this.name = 'KafkaUnavailableError';
  }
}

/**
 * The connection reached a broker but the two sides disagree on security: TLS on one side
 * only, an untrusted certificate, a rejected client certificate, a wrong password, a SASL
 * mechanism the listener does not offer. Each has its own code, and the message says which
 * and what to set; none carries a password or key.
 */
export class KafkaSecurityError extends StreamError {
  constructor(
    code:
      | 'TLS_TO_PLAINTEXT_LISTENER'
      | 'PLAINTEXT_TO_TLS_LISTENER'
      | 'TLS_UNTRUSTED_CERTIFICATE'
      | 'TLS_CLIENT_CERTIFICATE_REJECTED'
      | 'SASL_AUTHENTICATION_FAILED'
      | 'SASL_MECHANISM_UNSUPPORTED'
      | 'SASL_REQUIRED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'KafkaSecurityError';
  }
}

/** The options every Kafka command takes. */
export interface KafkaCliOptions {
  /** Bootstrap servers; wins over KAFKA_BROKERS. */
  readonly brokers?: string;
  /** Where KAFKA_BROKERS, KAFKA_AUTH, ... are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * How long to wait for a Kafka answer from any broker before giving up.
   * @default KAFKA_PROBE_TIMEOUT_MS, else 3000: a person at a terminal wants to hear soon;
   *   a slow link or a loaded machine (a first mTLS handshake) may need more
   */
  readonly probeTimeoutMs?: number;
}

/** The environment variable that lengthens the broker probe (ms). */
export const KAFKA_PROBE_TIMEOUT_ENV = 'KAFKA_PROBE_TIMEOUT_MS';

/** {@link KAFKA_PROBE_TIMEOUT_ENV} as a positive integer, 3000 when unset; a ConfigError otherwise. */
export function probeTimeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env[KAFKA_PROBE_TIMEOUT_ENV];
  if (raw === undefined || raw === '') return 3000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new ConfigError(
      `${KAFKA_PROBE_TIMEOUT_ENV} must be a positive number of milliseconds, not ${JSON.stringify(raw)}`,
    );
  }
  return ms;
}

/** Adds `--brokers`, shared by every Kafka command. */
export function addBrokerOption(command: Command): Command {
  return command.option(
    '--brokers <host:port,...>',
    'bootstrap servers (default: KAFKA_BROKERS; auth from KAFKA_AUTH, KAFKA_USERNAME, KAFKA_PASSWORD or KAFKA_SECRET_FILE, KAFKA_CA_FILE, KAFKA_CLIENT_CERT_FILE, KAFKA_CLIENT_KEY_FILE, AWS_REGION)',
  );
}

/** A connected client's parts: the connection it was made from, for messages. */
export interface OpenKafka {
  readonly kafka: Kafka;
  readonly connection: KafkaConnection;
}

/**
 * Reads the connection (flag, then environment) and checks that some broker answers a Kafka
 * request before kafkajs is involved: kafkajs retries an unreachable broker for about half a
 * minute (and waits its 30 s request timeout on a port that accepts connections but never
 * answers), while a person at a terminal wants to hear within seconds which address was
 * tried and how to start the local broker. Every local tool's client is made here, so this is
 * also where kafkajs learns the snappy, lz4 and zstd codecs.
 *
 * A secure connection (TLS or SASL) also logs in once before the command starts, so a wrong
 * password or mechanism is named here (a {@link KafkaSecurityError}) rather than as whatever
 * the command's first request makes of it; it costs one connection.
 */
export async function openKafka(options: KafkaCliOptions = {}): Promise<OpenKafka> {
  let connection: KafkaConnection;
  try {
    connection = kafkaConnectionFromEnv(options.env ?? process.env, options.brokers);
  } catch (cause) {
    throw new ConfigError(`${(cause as Error).message}. For a local broker, ${LOCAL_BROKER_HINT}`, { cause });
  }
  let kafka: Kafka;
  try {
    kafka = createKafka(connection);
  } catch (cause) {
    throw cause instanceof StreamError ? cause : new ConfigError((cause as Error).message, { cause });
  }
  // The probe trusts and presents what the client will (createKafka's TLS options).
  await probeBrokers(
    connection.brokers,
    options.probeTimeoutMs ?? probeTimeoutFromEnv(options.env ?? process.env),
    {
      tls: usesTls(connection) ? tlsOptions(connection) : false,
    },
  );
  registerCompressionCodecs();
  // The commands explain failures themselves; kafkajs's own JSON error logs would only repeat
  // them as noise on stderr. KAFKAJS_LOG_LEVEL=ERROR (or DEBUG) brings them back.
  if (!(options.env ?? process.env).KAFKAJS_LOG_LEVEL) kafka.logger().setLogLevel(logLevel.NOTHING);
  if (usesTls(connection) || (connection.auth ?? 'none') !== 'none') await checkLogin(kafka, connection);
  return { kafka, connection };
}

/**
 * Logs in with an admin client and asks for metadata once (the broker answers ApiVersions
 * before authentication, so only a request after it shows a listener that wants SASL),
 * turning a refusal into a {@link KafkaSecurityError}.
 */
async function checkLogin(kafka: Kafka, connection: KafkaConnection): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 1, initialRetryTime: 200 } });
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (cause) {
    throw explainKafkaError(cause, 'logging in to Kafka', connection);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Resolves when any of `brokers` answers a Kafka ApiVersions request within `timeoutMs`
 * (connection included). A TCP connection alone is not enough: a port held by something
 * else, or by a broker that hangs, accepts connections and then says nothing.
 */
export async function probeBrokers(
  brokers: readonly string[],
  timeoutMs: number,
  options: { readonly tls?: boolean | ConnectionOptions } = {},
): Promise<void> {
  const failures: string[] = [];
  const security: KafkaSecurityError[] = [];
  const attempts = brokers.map(async (broker) => {
    const { host, port } = splitHostPort(broker);
    try {
      await kafkaHandshake(host, port, timeoutMs, options.tls ?? false);
    } catch (e) {
      if (e instanceof KafkaSecurityError) {
        security.push(new KafkaSecurityError(e.code as never, `${broker}: ${e.message}`, { cause: e.cause }));
      }
      failures.push(`${broker} (${(e as Error).message})`);
      throw e;
    }
  });
  try {
    await Promise.any(attempts);
  } catch (cause) {
    // A broker that answered with a security mismatch says more than one that did not answer.
    if (security[0]) throw security[0];
    throw new KafkaUnavailableError(
      `no Kafka broker answered at ${failures.join(', ')} within ${timeoutMs} ms. ` +
        `Check --brokers / KAFKA_BROKERS, or ${LOCAL_BROKER_HINT}`,
      { cause },
    );
  }
}

/** `host:port`, `[v6]:port`; a broker without a port is a configuration mistake worth naming. */
export function splitHostPort(broker: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(broker.trim());
  const port = Number(m?.[2]);
  if (!m?.[1] || !(port > 0 && port < 65536)) {
    throw new ConfigError(`broker "${broker}" is not host:port (e.g. 127.0.0.1:9092)`);
  }
  return { host: m[1], port };
}

/** Correlation id of the probe's request, to recognise the broker's answer. */
const PROBE_CORRELATION_ID = 0x6b6c73; // "kls"

/**
 * ApiVersions v0 (api key 18) with request header v1 and an empty body. Every Kafka broker
 * answers it before authentication, whatever versions it supports (an unsupported version
 * gets an UNSUPPORTED_VERSION answer, which is still an answer), so it tells a broker from
 * anything else on the port without credentials.
 * @see https://kafka.apache.org/protocol#The_Messages_ApiVersions
 */
export function apiVersionsProbeRequest(clientId = 'kafka-lambda-streams-probe'): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + id.length);
  body.writeInt16BE(18, 0); // api key: ApiVersions
  body.writeInt16BE(0, 2); // api version
  body.writeInt32BE(PROBE_CORRELATION_ID, 4);
  body.writeInt16BE(id.length, 8);
  id.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** Node's codes for a server certificate the client does not trust. */
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The TLS alerts a broker sends when it wants a client certificate it did not get or does not
 * trust (Java's SSLEngine sends bad_certificate; TLS 1.3 defines certificate_required).
 */
const CLIENT_CERTIFICATE_ALERT =
  /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN)/;

/**
 * Connects (over TLS when asked), sends {@link apiVersionsProbeRequest} and resolves on the
 * first answer that carries its correlation id; rejects with a short reason otherwise, or
 * with a {@link KafkaSecurityError} when the port speaks the other protocol (TLS or not) or
 * a certificate is refused on either side. Each of those shows within the handshake, so it
 * is named within the probe's timeout rather than after kafkajs's retries.
 */
function kafkaHandshake(
  host: string,
  port: number,
  timeoutMs: number,
  tls: boolean | ConnectionOptions,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let connected = false;
    let received = Buffer.alloc(0);
    const socket = tls
      ? tlsConnect({ host, port, ...(tls === true ? {} : tls), ...(isIP(host) ? {} : { servername: host }) })
      : new Socket().connect(port, host);
    const timer = setTimeout(
      () =>
        done(
          new Error(
            connected
              ? 'accepted the connection but sent no Kafka answer'
              : tls
                ? 'no TLS connection: timed out'
                : 'timed out',
          ),
        ),
      timeoutMs,
    );
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const tlsToPlaintext = (cause?: unknown) =>
      new KafkaSecurityError(
        'TLS_TO_PLAINTEXT_LISTENER',
        'closed the connection during the TLS handshake: this looks like a plaintext listener. ' +
          "Use the broker's TLS port, or for a plaintext listener set KAFKA_AUTH=none (or KAFKA_SSL=false)",
        { cause },
      );
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      connected = true;
      socket.write(apiVersionsProbeRequest());
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 8) return;
      if (received.readInt32BE(4) === PROBE_CORRELATION_ID) done();
      else done(new Error('answered, but not in the Kafka protocol'));
    });
    socket.once('end', () =>
      done(
        tls && !connected
          ? tlsToPlaintext()
          : !tls && connected
            ? new KafkaSecurityError(
                'PLAINTEXT_TO_TLS_LISTENER',
                'closed the connection without a Kafka answer: this looks like a TLS listener. ' +
                  'Set KAFKA_AUTH (plain, scram-sha-512, mtls; every one uses TLS) or KAFKA_SSL=true, and KAFKA_CA_FILE for a private CA',
              )
            : new Error('closed the connection without a Kafka answer'),
      ),
    );
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? '';
      if (tls && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
        done(
          new KafkaSecurityError(
            'TLS_UNTRUSTED_CERTIFICATE',
            `the broker's TLS certificate is not trusted (${code}): set KAFKA_CA_FILE to the PEM of the CA that signed it ` +
              '(for the local broker: <dir>/secure/ca.pem), or check the host name',
            { cause: e },
          ),
        );
      } else if (tls && CLIENT_CERTIFICATE_ALERT.test(code)) {
        done(
          new KafkaSecurityError(
            'TLS_CLIENT_CERTIFICATE_REJECTED',
            `the broker refused the TLS connection for want of a client certificate it trusts (${code}): ` +
              'this listener wants mTLS; set KAFKA_AUTH=mtls with KAFKA_CLIENT_CERT_FILE and KAFKA_CLIENT_KEY_FILE',
            { cause: e },
          ),
        );
      } else if (
        tls &&
        !connected &&
        (code === 'ECONNRESET' || /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG/.test(code))
      ) {
        done(tlsToPlaintext(e));
      } else {
        done(new Error(connected ? `${code || e.message} before a Kafka answer` : code || e.message));
      }
    });
  });
}

/** Runs `fn` with a connected admin client and always disconnects it. */
export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect().catch((cause: unknown) => {
    throw explainKafkaError(cause, 'connecting to Kafka');
  });
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Turns a kafkajs error into one that says what to fix. kafkajs names its errors
 * (`KafkaJSSASLAuthenticationError`, ...) and sometimes carries a protocol `type`
 * (`TOPIC_AUTHORIZATION_FAILED`, ...); both are kept in the message.
 */
export function explainKafkaError(cause: unknown, doing: string, connection?: KafkaConnection): StreamError {
  if (cause instanceof StreamError) return cause;
  const e = cause as Error & { type?: string; name?: string };
  const type = e.type ?? '';
  const auth = connection?.auth ?? 'none';
  if (connection && (e.name === 'KafkaJSSASLAuthenticationError' || type === 'SASL_AUTHENTICATION_FAILED')) {
    // kafkajs's message names the mechanism and the broker's reason, never the password.
    return new KafkaSecurityError(
      'SASL_AUTHENTICATION_FAILED',
      `${doing} failed: the broker refused the ${auth.toUpperCase()} login of user "${connection.username ?? ''}" ` +
        `(wrong username or password; ${e.message}). Check KAFKA_USERNAME and KAFKA_PASSWORD or KAFKA_SECRET_FILE ` +
        '(Confluent Cloud: an API key and its secret; MSK SCRAM: the AmazonMSK_ secret)',
      { cause },
    );
  }
  if (connection && type === 'UNSUPPORTED_SASL_MECHANISM') {
    return new KafkaSecurityError(
      'SASL_MECHANISM_UNSUPPORTED',
      `${doing} failed: the listener does not offer SASL mechanism ${auth.toUpperCase()} [${type}]. ` +
        'Check KAFKA_AUTH (Confluent Cloud: plain; MSK SCRAM: scram-sha-512) and that the port is the SASL listener',
      { cause },
    );
  }
  if (connection && (auth === 'none' || auth === 'mtls') && e.name === 'KafkaJSConnectionClosedError') {
    return new KafkaSecurityError(
      'SASL_REQUIRED',
      `${doing} failed: the broker closed the connection after the ${usesTls(connection) ? 'TLS ' : ''}handshake without ` +
        `answering, as a SASL listener does for a client that does not log in (KAFKA_AUTH=${auth}). ` +
        "Set KAFKA_AUTH=plain or scram-sha-512 with credentials, or use the broker's mTLS port",
      { cause },
    );
  }
  let advice = '';
  if (e.name === 'KafkaJSSASLAuthenticationError' || type === 'SASL_AUTHENTICATION_FAILED') {
    advice = ': check KAFKA_AUTH, KAFKA_USERNAME and KAFKA_PASSWORD (Confluent Cloud: an API key and secret)';
  } else if (/AUTHORIZATION_FAILED/.test(type)) {
    advice = ': the credentials are valid but lack permission (ACLs / IAM policy) for this operation';
  } else if (
    e.name === 'KafkaJSConnectionError' ||
    e.name === 'KafkaJSNumberOfRetriesExceeded' ||
    /ECONNREFUSED|ETIMEDOUT|Connection error/.test(e.message ?? '')
  ) {
    advice = `: is the broker up and is TLS right (KAFKA_SSL)? Otherwise ${LOCAL_BROKER_HINT}`;
  } else if (type === 'UNSUPPORTED_SASL_MECHANISM') {
    advice = ': check KAFKA_AUTH (Confluent Cloud: plain; MSK SCRAM: scram-sha-512)';
  } else if (type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    advice = ': create the topic first with `npm run cli -- topics create NAME`';
  }
  return new StreamError(
    'KAFKA_FAILED',
    `${doing} failed: ${e.message ?? String(cause)}${type ? ` [${type}]` : ''}${advice}`,
    {
      cause,
    },
  );
}

/** True when every broker is on this machine: destructive commands need no confirmation there. */
export function isLoopback(brokers: readonly string[]): boolean {
  return brokers.every((b) => {
    const { host } = splitHostPort(b);
    return host === 'localhost' || host === '::1' || host.startsWith('127.');
  });
}
