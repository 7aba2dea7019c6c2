import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Admin, Kafka } from 'kafkajs';

/**
 * The Kafka Streams peer of the e2e bench: `bench/kafka-streams/` (PickupCounts.java, the same
 * 5-minute tumbling count per PULocationID with 60 minutes grace as the pipeline `pickup-5m`),
 * fetched and compiled by `bench/kafka-streams/fetch.sh`, run as a JVM beside the runner on the
 * same broker, and timed the same way: from the first produced record until the application's
 * consumer group has committed every record.
 */

/** Kafka Streams' `processing.guarantee` values the peer runs with. */
export type ProcessingGuarantee = 'at_least_once' | 'exactly_once_v2';

/** One (key, window start) count, the shape both sides are compared in. */
export type WindowCounts = Map<string, number>;

/** `<key>@<window start ms>`: the identity of a count on both sides. */
export const windowCountKey = (key: string, startMs: number): string => `${key}@${startMs}`;

const FETCH_SCRIPT = fileURLToPath(new URL('./kafka-streams/fetch.sh', import.meta.url));
const MAIN_CLASS = 'bench.PickupCounts';
/** JVM start, group join and task creation on this machine take seconds; a minute means it is stuck. */
const RUNNING_TIMEOUT_MS = 60_000;

/** Fetches the jars (once) and compiles the app (when its source changed); returns the class path. */
export function prepareKafkaStreams(log: (line: string) => void): string {
  const run = spawnSync('bash', [FETCH_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.stderr.trim()) log(run.stderr.trim());
  if (run.status !== 0) throw new Error(`bench/kafka-streams/fetch.sh failed (exit ${run.status})`);
  return run.stdout.trim();
}

/** Options of {@link timeKafkaStreams}. */
export interface KafkaStreamsRunOptions<T> {
  readonly kafka: Kafka;
  readonly bootstrapServers: string;
  readonly classPath: string;
  readonly topic: string;
  readonly guarantee: ProcessingGuarantee;
  /** `application.id`, also the consumer group: give a fresh one per run. */
  readonly applicationId: string;
  /** Fills the topic once the app runs; the clock starts before it, as in `timeMappings`. */
  readonly feed: () => Promise<T>;
  readonly log: (line: string) => void;
}

/** What {@link timeKafkaStreams} measured. */
export interface KafkaStreamsTiming {
  /** From the start of `feed` until the group committed the end of the input topic. */
  readonly elapsedMs: number;
  /** Every window of the app's store, read by interactive queries after the run. */
  readonly counts: WindowCounts;
  /** Kafka Streams' `dropped-records-total` over tasks: records too late for their window. */
  readonly droppedRecords: number;
}

/**
 * Runs the app until it has processed every record `feed` produced, then reads its store.
 *
 * Done means: the group's committed offsets on the input topic reach its end offsets, taken
 * after `feed` returned. Kafka Streams commits a task's offsets only after its state store
 * and changelog writes are flushed (ALOS) or with the transaction that holds them (EOS v2), so
 * committed offsets at the end mean every ride is counted durably. The topology has no
 * repartition topic (rides keyed by PULocationID), so the input is all there is to watch; the
 * input topic is written without transactions, so its end offset is the last record's + 1.
 */
export async function timeKafkaStreams<T>(options: KafkaStreamsRunOptions<T>): Promise<KafkaStreamsTiming> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-kafka-streams-'));
  const java = spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx1g',
      '-cp',
      options.classPath,
      MAIN_CLASS,
      options.bootstrapServers,
      options.topic,
      options.applicationId,
      options.guarantee,
      stateDir,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderrTail = '';
  java.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => java.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: java.stdout })[Symbol.asyncIterator]();
  const nextLine = async (what: string, timeoutMs: number): Promise<string> => {
    let timer: NodeJS.Timeout | undefined;
    const line = await Promise.race([
      lines.next().then((r) => (r.done ? undefined : r.value)),
      exited.then(() => undefined),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (line === undefined) {
      throw new Error(`Kafka Streams (${options.guarantee}) gave no ${what} line; stderr:\n${stderrTail}`);
    }
    return line;
  };
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const running = await nextLine('RUNNING', RUNNING_TIMEOUT_MS);
    if (running !== 'RUNNING') throw new Error(`Kafka Streams said "${running}" instead of RUNNING`);
    const startedMs = performance.now();
    await options.feed();
    await waitCommitted(admin, options.applicationId, options.topic, exited);
    const elapsedMs = performance.now() - startedMs;

    const dumpFile = join(stateDir, 'counts.jsonl');
    java.stdin.write(`dump ${dumpFile}\n`);
    const dumped = /^DUMPED (\d+) (\d+)$/.exec(await nextLine('DUMPED', 60_000));
    if (!dumped) throw new Error('Kafka Streams answered dump with an unexpected line');
    const counts: WindowCounts = new Map();
    for (const line of readFileSync(dumpFile, 'utf8').split('\n')) {
      if (!line) continue;
      const row = JSON.parse(line) as { key: string; startMs: number; count: number };
      counts.set(windowCountKey(row.key, row.startMs), row.count);
    }
    if (counts.size !== Number(dumped[1])) {
      throw new Error(`Kafka Streams dumped ${dumped[1]} windows but the file holds ${counts.size}`);
    }
    return { elapsedMs, counts, droppedRecords: Number(dumped[2]) };
  } finally {
    await admin.disconnect();
    java.stdin.end('stop\n');
    const code = await Promise.race([exited, sleep(40_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') java.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * Polls (every 100 ms, as `timeMappings` polls the runner's lag) until `group` has committed the
 * end offsets `topic` has now, on every partition. Fails when the JVM exits first.
 */
async function waitCommitted(
  admin: Admin,
  group: string,
  topic: string,
  exited: Promise<number | null>,
): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  for (;;) {
    if (gone) throw new Error(`Kafka Streams exited before committing the end of ${topic}`);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const behind = (committed?.partitions ?? []).filter(
      (p) => Number(p.offset) < (ends.get(p.partition) ?? 0),
    );
    const seen = new Set((committed?.partitions ?? []).map((p) => p.partition));
    const missing = [...ends].filter(([p, end]) => end > 0 && !seen.has(p));
    if (behind.length === 0 && missing.length === 0) return;
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
