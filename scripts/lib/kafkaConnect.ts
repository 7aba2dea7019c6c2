import { isIP, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Command } from 'commander';
import { type Admin, type Kafka, logLevel } from 'kafkajs';
import { ConfigError, StreamError } from '../../shared/engine/errors/index.js';
import { createKafka, type KafkaConnection, kafkaConnectionFromEnv } from '../../shared/kafka/index.js';
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

/** The options every Kafka command takes. */
export interface KafkaCliOptions {
  /** Bootstrap servers; wins over KAFKA_BROKERS. */
  readonly brokers?: string;
  /** Where KAFKA_BROKERS, KAFKA_AUTH, ... are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for a Kafka answer from any broker before giving up. @default 3000 */
  readonly probeTimeoutMs?: number;
}

/** Adds `--brokers`, shared by every Kafka command. */
export function addBrokerOption(command: Command): Command {
  return command.option(
    '--brokers <host:port,...>',
    'bootstrap servers (default: KAFKA_BROKERS; auth from KAFKA_AUTH, KAFKA_USERNAME, KAFKA_PASSWORD, AWS_REGION)',
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
 */
export async function openKafka(options: KafkaCliOptions = {}): Promise<OpenKafka> {
  let connection: KafkaConnection;
  try {
    connection = kafkaConnectionFromEnv(options.env ?? process.env, options.brokers);
  } catch (cause) {
    throw new ConfigError(`${(cause as Error).message}. For a local broker, ${LOCAL_BROKER_HINT}`, { cause });
  }
  await probeBrokers(connection.brokers, options.probeTimeoutMs ?? 3000, {
    // As createKafka decides: TLS for any SASL auth unless KAFKA_SSL says otherwise.
    tls: connection.ssl ?? (connection.auth ?? 'none') !== 'none',
  });
  registerCompressionCodecs();
  const kafka = createKafka(connection);
  // The commands explain failures themselves; kafkajs's own JSON error logs would only repeat
  // them as noise on stderr. KAFKAJS_LOG_LEVEL=ERROR (or DEBUG) brings them back.
  if (!(options.env ?? process.env).KAFKAJS_LOG_LEVEL) kafka.logger().setLogLevel(logLevel.NOTHING);
  return { kafka, connection };
}

/**
 * Resolves when any of `brokers` answers a Kafka ApiVersions request within `timeoutMs`
 * (connection included). A TCP connection alone is not enough: a port held by something
 * else, or by a broker that hangs, accepts connections and then says nothing.
 */
export async function probeBrokers(
  brokers: readonly string[],
  timeoutMs: number,
  options: { readonly tls?: boolean } = {},
): Promise<void> {
  const failures: string[] = [];
  const attempts = brokers.map(async (broker) => {
    const { host, port } = splitHostPort(broker);
    try {
      await kafkaHandshake(host, port, timeoutMs, options.tls ?? false);
    } catch (e) {
      failures.push(`${broker} (${(e as Error).message})`);
      throw e;
    }
  });
  try {
    await Promise.any(attempts);
  } catch (cause) {
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

/**
 * Connects (over TLS when asked), sends {@link apiVersionsProbeRequest} and resolves on the
 * first answer that carries its correlation id; rejects with a short reason otherwise.
 */
function kafkaHandshake(host: string, port: number, timeoutMs: number, tls: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let connected = false;
    let received = Buffer.alloc(0);
    const socket = tls
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }) })
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
        new Error(
          !connected
            ? 'closed the connection during the TLS handshake (a plaintext listener? then set KAFKA_SSL=false)'
            : `closed the connection without a Kafka answer${tls ? '' : ' (a TLS listener? then set KAFKA_SSL=true)'}`,
        ),
      ),
    );
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(new Error(connected ? `${e.code ?? e.message} before a Kafka answer` : (e.code ?? e.message))),
    );
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
export function explainKafkaError(cause: unknown, doing: string): StreamError {
  if (cause instanceof StreamError) return cause;
  const e = cause as Error & { type?: string; name?: string };
  const type = e.type ?? '';
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
