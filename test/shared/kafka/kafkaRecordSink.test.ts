import { createServer } from 'node:net';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, StoreError } from '../../../shared/engine/errors/index.js';
import type { LambdaKafkaEvent } from '../../../shared/engine/event/index.js';
import type { OutputRecord } from '../../../shared/engine/output/index.js';
import { KafkaRecordSink, lambdaKafkaSink } from '../../../shared/kafka/index.js';

/** The producer side of route and enrich handlers, without a broker (a broker run: test/integration/start). */

// The refused connections are the subject here, not news: keep kafkajs's error log quiet.
beforeAll(() => {
  vi.stubEnv('KAFKAJS_LOG_LEVEL', 'NOTHING');
});

const event = (bootstrapServers?: string): LambdaKafkaEvent =>
  ({
    eventSource: 'aws:kafka',
    records: {},
    ...(bootstrapServers ? { bootstrapServers } : {}),
  }) as LambdaKafkaEvent;

const record: OutputRecord = {
  topic: 'rides_high_amount',
  key: Buffer.from('1'),
  value: Buffer.from('{}'),
  headers: [{ name: 'kls-source', value: Buffer.from('p/rides/0/1') }],
  timestampMs: 0,
};

/** A loopback port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('lambdaKafkaSink', () => {
  it('refuses to start without brokers, naming both places it looked', () => {
    expect(() => lambdaKafkaSink({})(event())).toThrow(ConfigError);
    expect(() => lambdaKafkaSink({})(event())).toThrow(/bootstrapServers.*KAFKA_BROKERS/);
  });

  it('reads the SASL secret once, on the first send, and again after a failed read', async () => {
    const port = await deadPort();
    const reads: string[] = [];
    let failNext = true;
    const sink = lambdaKafkaSink(
      { KAFKA_AUTH: 'scram-sha-512', KAFKA_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:k' },
      async (arn) => {
        reads.push(arn);
        if (failNext) {
          failNext = false;
          throw new Error('AccessDenied');
        }
        return JSON.stringify({ username: 'u', password: 'p' });
      },
    )(event(`127.0.0.1:${port}`));
    expect(reads).toEqual([]); // nothing at creation: a cold start cannot fail on the secret

    const first = await sink.send([record]).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(StoreError);
    expect((first as Error).message).toContain('reading the Kafka credentials from arn:aws:secretsmanager');

    // The second send reads the secret again (then fails on the dead port, not on the secret).
    const second = await sink.send([record]).catch((e: unknown) => e);
    expect(reads).toHaveLength(2);
    expect((second as Error).message).not.toContain('reading the Kafka credentials');
    await sink.close?.();
  }, 60_000);
});

describe('KafkaRecordSink', () => {
  it('sends nothing and connects to nothing for an empty batch', async () => {
    const sink = new KafkaRecordSink({ brokers: ['127.0.0.1:1'] });
    await expect(sink.send([])).resolves.toBeUndefined();
  });

  it('fails the batch with a StoreError naming the brokers when none answers, so Lambda retries it', async () => {
    const port = await deadPort();
    const sink = new KafkaRecordSink({ brokers: [`127.0.0.1:${port}`] });
    const started = Date.now();
    const err = await sink.send([record]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`));
    // kafkajs's default retries (5, from 300 ms doubling): well within a Lambda timeout.
    expect(Date.now() - started).toBeLessThan(45_000);
    // A later send tries again on a fresh producer rather than a broken one.
    expect(await sink.send([record]).catch((e: unknown) => e)).toBeInstanceOf(StoreError);
    await sink.close();
  }, 120_000);
});
