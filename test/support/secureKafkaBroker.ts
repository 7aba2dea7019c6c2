import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBrokerSh, stopLocalKafka } from './kafkaBroker.js';

/** The listeners of `broker.sh start --secure`, by the client environment file each has. */
export type SecureListener = 'plain' | 'scram' | 'mtls';

/**
 * A broker started with `broker.sh start --secure`: a PLAINTEXT listener beside SASL_SSL (PLAIN
 * and SCRAM-SHA-512) and mTLS ones, its CA and client certificate, and the secrets in the
 * Secrets Manager formats, all in `secureDir`.
 */
export interface SecureKafkaForTests {
  /** `127.0.0.1:<port>` of each listener. */
  readonly plaintext: string;
  readonly saslSsl: string;
  readonly mtls: string;
  /** `<dir>/secure`: ca.pem, client.pem, client.key, *.secret.json, *.env. */
  readonly secureDir: string;
  /** What `broker.sh start --secure` printed, stdout and stderr: to check it shows no secret. */
  readonly startOutput: string;
  /**
   * The client environment of a listener, read from the `<listener>.env` file broker.sh
   * wrote (`KAFKA_BROKERS`, `KAFKA_AUTH`, `KAFKA_SECRET_FILE` / client certificate files,
   * `KAFKA_CA_FILE`): exactly what a person would `source`, so the tests use what the docs say.
   */
  env(listener: SecureListener): Record<string, string>;
  /** A file of `secureDir` as text. */
  file(name: string): string;
  stop(): Promise<void>;
}

/**
 * Starts a dedicated secure broker for one test file (in a temporary directory, deleted by
 * `stop`; `--owner-pid` stops it should the test process die first). One broker with all
 * listeners per file keeps the cost to one JVM start (a few seconds, plus about a second of
 * openssl for the CA and certificates).
 */
export async function startSecureKafka(): Promise<SecureKafkaForTests> {
  const dir = await mkdtemp(join(tmpdir(), 'kafka-secure-test-'));
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await runBrokerSh(
      ['start', '--secure', '--dir', dir, '--owner-pid', String(process.pid)],
      5 * 60_000,
      'start a secure local Kafka broker for the tests',
    ));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const line = (name: string): string => {
    const value = new RegExp(`^${name}=(\\S+)\\s*$`, 'm').exec(stdout)?.[1];
    if (!value)
      throw new Error(
        `broker.sh start --secure printed no ${name}= line (stdout: ${JSON.stringify(stdout)})`,
      );
    return value;
  };
  const secureDir = line('KAFKA_SECURE_DIR');
  let stopped = false;
  return {
    plaintext: line('KAFKA_BROKERS'),
    saslSsl: line('KAFKA_SASL_SSL_BROKERS'),
    mtls: line('KAFKA_MTLS_BROKERS'),
    secureDir,
    startOutput: `${stdout}\n${stderr}`,
    env: (listener) => ({
      ...parseEnvFile(readFileSync(join(secureDir, `${listener}.env`), 'utf8')),
      // A loaded 2-core CI machine can take more than the CLI's 3 s for a first TLS (mTLS)
      // handshake with the broker's JVM; the tests are about what answers, not how fast.
      KAFKA_PROBE_TIMEOUT_MS: '20000',
    }),
    file: (name) => readFileSync(join(secureDir, name), 'utf8'),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await stopLocalKafka(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `KEY=value` lines (no quoting: broker.sh writes paths and names only). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const i = line.indexOf('=');
    if (line === '' || line.startsWith('#') || i <= 0) continue;
    env[line.slice(0, i)] = line.slice(i + 1);
  }
  return env;
}
