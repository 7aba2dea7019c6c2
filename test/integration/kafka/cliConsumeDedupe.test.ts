import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ConsumedRecord, runConsume } from '../../../scripts/commands/consume.js';
import { createTopic, deleteTopics } from '../../../scripts/commands/topics.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { SOURCE_HEADER, sourceOf } from '../../../shared/engine/output/index.js';

/**
 * `consume --dedupe` against the real broker of the integration run: a routed topic holding
 * what a redelivered batch leaves behind (records written twice with the same kls-source),
 * written here with kafkajs directly, is printed with each source once.
 */

const brokers = inject('kafkaBrokers');
const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const topics: string[] = [];
const kafka = new Kafka({
  clientId: 'cli-dedupe-test',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
});

/** A ride the route pipeline wrote from rides offset `offset`, as the sink writes it. */
const routed = (offset: number): Message => ({
  key: `ride-${offset}`,
  value: JSON.stringify({ offset, total_amount: 30 + offset }),
  headers: {
    'content-type': 'application/json',
    [SOURCE_HEADER]: sourceOf('rides-route-by-amount', { topic: 'rides', partition: 0, offset }),
  },
});
/** A record someone produced by hand: no source header. */
const handWritten: Message = { key: 'manual', value: '{"note":"no source"}' };

/**
 * The first batch wrote 100 and 101, then failed; Lambda redelivered it and the sink wrote
 * 100, 101 and 102; 103 came in the next batch.
 */
const WRITTEN = [routed(100), routed(101), routed(100), routed(101), routed(102), handWritten, routed(103)];

async function routedTopic(): Promise<string> {
  const topic = `cli-dedupe-${randomUUID()}`;
  topics.push(topic);
  await createTopic({ brokers, name: topic, partitions: 1, replicationFactor: 1, output: captureOutput() });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: WRITTEN });
  } finally {
    await producer.disconnect();
  }
  return topic;
}

const valuesOf = (lines: string[]) =>
  lines.filter((l) => l.trim() !== '').map((l) => (JSON.parse(l) as ConsumedRecord).value);

let topic: string;

beforeAll(async () => {
  topic = await routedTopic();
});

afterAll(async () => {
  await deleteTopics({ brokers, names: topics, output: captureOutput() });
});

describe('consume --dedupe', () => {
  it('prints each kls-source once, passes records without one, and reports both counts', async () => {
    const out = captureOutput();

    const result = await runConsume({
      brokers,
      topic,
      json: true,
      dedupe: true,
      idleTimeoutMs: 3000,
      output: out,
    });

    expect(valuesOf(out.stdout)).toEqual(
      [routed(100), routed(101), routed(102), handWritten, routed(103)].map((m) => m.value),
    );
    expect(result.records).toBe(5);
    expect(result.dedupe).toEqual({ duplicates: 2, withoutSourceHeader: 1 });
    expect(out.stderr.join('\n')).toContain('--dedupe: dropped 2 duplicate record(s)');
    expect(out.stderr.join('\n')).toContain('1 record(s) had no kls-source header');
  });

  it('keeps the --json shape of each record and prints every copy without --dedupe', async () => {
    const plain = captureOutput();
    const deduped = captureOutput();

    await runConsume({ brokers, topic, json: true, idleTimeoutMs: 3000, output: plain });
    await runConsume({ brokers, topic, json: true, dedupe: true, idleTimeoutMs: 3000, output: deduped });

    const all = plain.stdout.filter((l) => l.trim() !== '');
    expect(all).toHaveLength(WRITTEN.length);
    // The printed lines are exactly the plain run's lines at the kept offsets.
    expect(deduped.stdout.filter((l) => l.trim() !== '')).toEqual([all[0], all[1], all[4], all[5], all[6]]);
    expect(plain.stderr.join('\n')).not.toContain('--dedupe');
  });

  it('runs as `consume --dedupe --json` in a process: JSON lines on stdout, the counts on stderr', async () => {
    const run = promisify(execFile);

    const { stdout, stderr } = await run(
      'npx',
      [
        'tsx',
        'scripts/cli.ts',
        'consume',
        '--topic',
        topic,
        '--dedupe',
        '--json',
        '--timeout-ms',
        '3000',
        '--brokers',
        brokers,
      ],
      { cwd: REPO_ROOT, timeout: 60_000 },
    );

    expect(valuesOf(stdout.split('\n'))).toHaveLength(5);
    expect(new Set(valuesOf(stdout.split('\n'))).size).toBe(5);
    expect(stderr).toMatch(/--dedupe: dropped 2 duplicate record\(s\)/);
  });
});
