import type { IHeaders, Producer } from 'kafkajs';
import { ConfigError, StoreError } from '../engine/errors/index.js';
import type { LambdaKafkaEvent } from '../engine/event/index.js';
import type { OutputRecord, RecordSink } from '../engine/output/index.js';
import { createKafka, type KafkaConnection, kafkaConnectionFromEnv } from './kafkaClient.js';
import { parseSaslSecret } from './kafkaSecrets.js';

/**
 * A RecordSink over one kafkajs producer: idempotent (the broker drops the producer's own
 * retries, so a retried request never writes twice), acks from all in-sync replicas, one
 * request in flight (what idempotence needs to keep order). Created once per container and
 * connected on first use; a failed send disconnects it, so the retried invocation starts on
 * fresh connections.
 *
 * kafkajs rather than a librdkafka binding: it is pure JavaScript (nothing native to build
 * for Lambda's runtime), already what the local tools use, and supports idempotence, SASL
 * PLAIN/SCRAM and OAUTHBEARER for MSK IAM.
 */
export class KafkaRecordSink implements RecordSink {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;

  constructor(private readonly connection: KafkaConnection) {}

  async send(records: readonly OutputRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.connect();
    const byTopic = new Map<string, OutputRecord[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic) ?? [];
      list.push(r);
      byTopic.set(r.topic, list);
    }
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((r) => ({
            key: r.key,
            value: r.value,
            headers: kafkajsHeaders(r.headers),
            timestamp: String(r.timestampMs),
          })),
        })),
      });
    } catch (err) {
      await this.reset();
      throw new StoreError(
        `sending ${records.length} record(s) to ${[...byTopic.keys()].join(', ')} failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** Disconnects the producer (tests, tools; Lambda just freezes the container). */
  async close(): Promise<void> {
    await this.reset();
  }

  private connect(): Promise<Producer> {
    this.connecting ??= (async () => {
      const producer = createKafka(this.connection).producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      try {
        await producer.connect();
      } catch (err) {
        this.connecting = undefined;
        throw new StoreError(
          `connecting a producer to ${this.connection.brokers.join(',')} failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
      this.producer = producer;
      return producer;
    })();
    return this.connecting;
  }

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.connecting = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}

/** kafkajs takes headers as an object; a repeated name becomes a list, in order. */
function kafkajsHeaders(headers: OutputRecord['headers']): IHeaders {
  const out: IHeaders = {};
  for (const h of headers) {
    const current = out[h.name];
    if (current === undefined) out[h.name] = h.value;
    else out[h.name] = [...(Array.isArray(current) ? current : [current]), h.value] as Buffer[];
  }
  return out;
}

/**
 * The sink a Lambda handler that writes topics uses: brokers from KAFKA_BROKERS, else the
 * event's `bootstrapServers` (the cluster the mapping reads, which is where outputs go by
 * default); auth from KAFKA_AUTH (MSK IAM uses the function's role); SASL credentials from
 * KAFKA_USERNAME/KAFKA_PASSWORD or, in AWS, the Secrets Manager secret KAFKA_SECRET_ARN
 * names ({"username","password"}, the same secret the mapping uses), read once.
 */
export function lambdaKafkaSink(
  env: NodeJS.ProcessEnv = process.env,
  readSecret: (arn: string) => Promise<{ username: string; password: string }> = readSaslSecret,
): (event: LambdaKafkaEvent) => RecordSink {
  return (event) => {
    const brokers = env.KAFKA_BROKERS ?? event.bootstrapServers;
    if (!brokers) {
      throw new ConfigError(
        'no brokers to send to: the event has no bootstrapServers and KAFKA_BROKERS is not set',
      );
    }
    const base = kafkaConnectionFromEnv({ ...env, KAFKA_BROKERS: brokers });
    const secretArn = env.KAFKA_SECRET_ARN;
    if (!secretArn || (base.username && base.password)) return new KafkaRecordSink(base);
    // The secret is read on the first send, inside the invocation, so a read failure fails
    // (and retries) a batch rather than the cold start.
    let inner: Promise<KafkaRecordSink> | undefined;
    return {
      async send(records) {
        inner ??= readSecret(secretArn).then((c) => new KafkaRecordSink({ ...base, ...c }));
        const sink = await inner.catch((err) => {
          inner = undefined;
          throw new StoreError(`reading the Kafka credentials from ${secretArn} failed`, { cause: err });
        });
        await sink.send(records);
      },
      async close() {
        const sink = await inner?.catch(() => undefined);
        inner = undefined;
        await sink?.close();
      },
    };
  };
}

async function readSaslSecret(arn: string): Promise<{ username: string; password: string }> {
  // Loaded lazily: only SASL users need the Secrets Manager client in memory.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  return parseSaslSecret(arn, out.SecretString);
}
