import type { IHeaders, Producer } from 'kafkajs';
import { ConfigError, StoreError } from '../engine/errors/index.js';
import type { LambdaKafkaEvent } from '../engine/event/index.js';
import type { OutputRecord, RecordSink } from '../engine/output/index.js';
import { createKafka, type KafkaConnection, kafkaConnectionFromEnv } from './kafkaClient.js';
import { withSecrets } from './kafkaSecrets.js';

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
      let producer: Producer;
      try {
        // Inside the try: a configuration error must not stay cached as the connection.
        producer = createKafka(this.connection).producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
        });
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
 * default); auth from KAFKA_AUTH (MSK IAM uses the function's role). Secrets in AWS come from
 * Secrets Manager, in the formats the mapping reads (so the mapping's own secrets serve):
 * KAFKA_SECRET_ARN holds `{"username","password"}` for SASL or the client certificate and key
 * for `mtls`; KAFKA_ROOT_CA_SECRET_ARN a private CA the brokers' certificates chain to. Both are
 * read once per container, on the first send. Locally, KAFKA_USERNAME/KAFKA_PASSWORD and the
 * file variables of {@link kafkaConnectionFromEnv} serve instead.
 *
 * @param readSecret a secret's `SecretString`; parsed here by the same code whatever its source
 * @default readSecret: Secrets Manager
 */
export function lambdaKafkaSink(
  env: NodeJS.ProcessEnv = process.env,
  readSecret: (arn: string) => Promise<string | undefined> = readSecretString,
): (event: LambdaKafkaEvent) => RecordSink {
  return (event) => {
    const brokers = env.KAFKA_BROKERS ?? event.bootstrapServers;
    if (!brokers) {
      throw new ConfigError(
        'no brokers to send to: the event has no bootstrapServers and KAFKA_BROKERS is not set',
      );
    }
    const base = kafkaConnectionFromEnv({ ...env, KAFKA_BROKERS: brokers });
    // Credentials given locally (variables, files) win over the secret, as for the CLI.
    const haveCredentials =
      base.auth === 'mtls' ? base.clientCertificate !== undefined : Boolean(base.username && base.password);
    const secretArn = haveCredentials ? undefined : env.KAFKA_SECRET_ARN;
    const rootCaArn = env.KAFKA_ROOT_CA_SECRET_ARN;
    if (!secretArn && !rootCaArn) return new KafkaRecordSink(base);
    // The secrets are read on the first send, inside the invocation, so a read failure fails
    // (and retries) a batch rather than the cold start.
    let inner: Promise<KafkaRecordSink> | undefined;
    return {
      async send(records) {
        inner ??= readSecrets(base, secretArn, rootCaArn, readSecret).then((c) => new KafkaRecordSink(c));
        const sink = await inner.catch((err) => {
          inner = undefined;
          throw new StoreError(
            `reading the Kafka credentials from ${[secretArn, rootCaArn].filter(Boolean).join(' and ')} failed: ${(err as Error).message}`,
            { cause: err },
          );
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

/** The connection with what its secrets hold (see {@link withSecrets}). */
async function readSecrets(
  base: KafkaConnection,
  secretArn: string | undefined,
  rootCaArn: string | undefined,
  readSecret: (arn: string) => Promise<string | undefined>,
): Promise<KafkaConnection> {
  return withSecrets(base, {
    auth: secretArn ? { source: secretArn, text: await readSecret(secretArn) } : undefined,
    rootCa: rootCaArn ? { source: rootCaArn, text: await readSecret(rootCaArn) } : undefined,
  });
}

async function readSecretString(arn: string): Promise<string | undefined> {
  // Loaded lazily: only users of secrets need the Secrets Manager client in memory.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  return out.SecretString;
}
