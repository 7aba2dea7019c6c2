import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

/** Repository root (this file lives in `<repo>/test/support`). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The script that fetches, formats, starts and stops the local broker. */
const BROKER_SH = join(REPO_ROOT, 'scripts', 'kafka', 'broker.sh');

/**
 * How long `broker.sh start` may take. The first run on a clean machine downloads ~45 MB of jars from
 * Maven Central before the JVM starts (the script itself waits at most 60 s for the broker to answer).
 */
const START_TIMEOUT_MS = 5 * 60_000;
/** `broker.sh stop` sends SIGTERM, waits up to 30 s, then SIGKILLs. */
const STOP_TIMEOUT_MS = 60_000;

const HOW_TO_FIX =
  'To fix: install Java 17+ and Maven 3.6+ (the first start downloads the Kafka jars from Maven Central ' +
  'into .kafka/lib; run `bash scripts/kafka/broker.sh fetch` to do that up front), or point the tests at a ' +
  'running broker with KAFKA_BROKERS=host:port[,host:port]. See scripts/kafka/README.md.';

/**
 * A Kafka broker the tests can use.
 *
 * `stop` is always safe to call (a no-op for a broker given through `KAFKA_BROKERS`). `restart` exists only
 * for a broker this process started itself, because only then do we own its process and data directory.
 */
export interface KafkaForTests {
  /** Bootstrap addresses, e.g. `['127.0.0.1:40123']`. */
  brokers: string[];
  /** Stop the broker (and delete its temporary data directory when we created it). */
  stop(): Promise<void>;
  /** Stop and start the same broker again: same data directory, same port, so clients reconnect. */
  restart?(): Promise<void>;
}

/** Options of {@link ensureKafka}. */
export interface EnsureKafkaOptions {
  /**
   * Start a broker of our own even when `KAFKA_BROKERS` is set. Use it for tests that stop or restart the
   * broker, so they never disturb the broker shared by the other test files.
   */
  dedicated?: boolean;
  /** Broker state directory; default: a fresh temporary directory, deleted again by `stop()`. */
  dir?: string;
  /** PLAINTEXT port; default: a free loopback port chosen by `broker.sh`. */
  port?: number;
}

/** A broker started by {@link startLocalKafka}: where it lives, so it can be stopped and restarted. */
export interface LocalKafka {
  /** State directory given to `broker.sh --dir` (server.properties, data/, broker.log, broker.pid). */
  dir: string;
  /** PLAINTEXT port the broker listens on at 127.0.0.1. */
  port: number;
  /** `127.0.0.1:<port>`. */
  address: string;
}

/** Parses a `KAFKA_BROKERS`-style list (`host:port,host:port`). */
export function parseBrokerList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Returns a Kafka broker for tests, starting a local one when none is configured.
 *
 * Why: integration tests must run against a real broker (kafkajs talks the real protocol, and Kafka 4
 * dropped old protocol versions), but CI and laptops have no Docker. So:
 * - `KAFKA_BROKERS` set (and not `dedicated`): use those brokers; `stop` does nothing.
 * - otherwise: run `scripts/kafka/broker.sh start --dir <tmp>`, which fetches the jars once (cached in
 *   `.kafka/lib`), formats KRaft storage and starts a single-node broker on a free loopback port.
 *
 * Never skips silently: when no broker can be had it throws an Error saying what is missing and how to fix
 * it. The started broker is also stopped by `broker.sh` when this process exits without calling `stop`.
 */
export async function ensureKafka(options: EnsureKafkaOptions = {}): Promise<KafkaForTests> {
  const configured = process.env.KAFKA_BROKERS?.trim();
  if (configured && !options.dedicated && options.dir === undefined && options.port === undefined) {
    const brokers = parseBrokerList(configured);
    if (brokers.length === 0) {
      throw new Error(`KAFKA_BROKERS is set but lists no broker ("${configured}"). ${HOW_TO_FIX}`);
    }
    await assertKafkaReachable(brokers, 'KAFKA_BROKERS');
    return { brokers, stop: async () => {} };
  }

  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'kafka-test-')));
  let broker: LocalKafka;
  try {
    broker = await startLocalKafka({ dir, ...(options.port === undefined ? {} : { port: options.port }) });
  } catch (error) {
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    brokers: [broker.address],
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await stopLocalKafka(dir);
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
    restart: async () => {
      if (stopped) throw new Error(`the Kafka broker in ${dir} was stopped for good; cannot restart it`);
      broker = await restartLocalKafka(broker);
    },
  };
}

/**
 * Starts (or, for an existing directory, restarts) a local single-node broker with `broker.sh start`.
 *
 * Why a separate export: tests that simulate broker outages need the directory and port to bring the very
 * same broker back (see {@link restartLocalKafka}). When `dir` was used before, its formatted storage and
 * its last ports are reused.
 */
export async function startLocalKafka(options: { dir: string; port?: number }): Promise<LocalKafka> {
  const args = ['start', '--dir', options.dir, '--owner-pid', String(process.pid)];
  if (options.port !== undefined) args.push('--port', String(options.port));
  const { stdout } = await runBrokerSh(args, START_TIMEOUT_MS, 'start a local Kafka broker for the tests');
  const match = /^KAFKA_BROKERS=(\S+)\s*$/m.exec(stdout);
  const address = match?.[1];
  const port = Number(address?.slice(address.lastIndexOf(':') + 1));
  if (!address || !Number.isInteger(port) || port <= 0) {
    throw new Error(
      `scripts/kafka/broker.sh start printed no KAFKA_BROKERS=host:port line (stdout: ${JSON.stringify(stdout)}). ${HOW_TO_FIX}`,
    );
  }
  return { dir: options.dir, port, address };
}

/**
 * Stops the broker whose state is in `dir` (SIGTERM, then SIGKILL after 30 s); keeps the data.
 * Why: lets a test take the broker away and later bring it back with {@link startLocalKafka}.
 */
export async function stopLocalKafka(dir: string): Promise<void> {
  await runBrokerSh(['stop', '--dir', dir], STOP_TIMEOUT_MS, 'stop the local Kafka broker');
}

/**
 * Stops and starts the same broker: same data directory and same port, so existing kafkajs clients
 * reconnect to the address they know. Why: "broker restart" integration tests (consumer and producer
 * recovery, committed offsets surviving a restart).
 */
export async function restartLocalKafka(broker: LocalKafka): Promise<LocalKafka> {
  await stopLocalKafka(broker.dir);
  return startLocalKafka({ dir: broker.dir, port: broker.port });
}

/**
 * Throws a descriptive Error unless `brokers` answer a metadata request within a few seconds.
 * Why: a stale or mistyped `KAFKA_BROKERS` should fail the run once, clearly, instead of every test timing
 * out on connection retries.
 */
export async function assertKafkaReachable(brokers: string[], source: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'kafka-test-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 5_000,
    retry: { retries: 2, initialRetryTime: 300 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new Error(
      `No Kafka broker answers at ${brokers.join(',')} (from ${source}): ${(error as Error).message}. ` +
        'Start one (`bash scripts/kafka/broker.sh start` prints KAFKA_BROKERS=...) or unset KAFKA_BROKERS ' +
        'to let the tests start a local broker.',
      { cause: error },
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Runs `scripts/kafka/broker.sh` with `args`; the error carries the tail of its stderr and how to fix it. */
export async function runBrokerSh(
  args: string[],
  timeoutMs: number,
  what: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [BROKER_SH, ...args],
      { cwd: REPO_ROOT, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) {
          resolvePromise({ stdout, stderr });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        let reason: string;
        if (code === 'ENOENT') {
          reason = 'bash was not found on PATH (scripts/kafka/broker.sh is a bash script).';
        } else if (error.killed) {
          reason = `scripts/kafka/broker.sh ${args[0]} did not finish within ${timeoutMs / 1000}s.`;
        } else {
          reason = `scripts/kafka/broker.sh ${args[0]} failed (exit ${String(error.code)}).`;
        }
        const detail = stderr.trim().split('\n').slice(-40).join('\n');
        reject(new Error(`Could not ${what}: ${reason}\n${detail}\n${HOW_TO_FIX}`));
      },
    );
  });
}

/** Moved to shared/kafka (the CLI and the topic custom resource need them too); re-exported for tests. */
export { createTopicsAndWait, type TopicOffsets, waitForTopic } from '../../shared/kafka/topicReadiness.js';
