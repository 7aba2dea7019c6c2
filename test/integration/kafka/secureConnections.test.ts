import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsumedRecord, runConsume } from '../../../scripts/commands/consume.js';
import { runProduce } from '../../../scripts/commands/produce.js';
import { runQuery } from '../../../scripts/commands/query.js';
import { runRun } from '../../../scripts/commands/run.js';
import { runStart } from '../../../scripts/commands/start.js';
import { createTopic, listTopics } from '../../../scripts/commands/topics.js';
import { KafkaSecurityError } from '../../../scripts/lib/kafkaConnect.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import type { ResultRow } from '../../../scripts/lib/resultRows.js';
import type { ClusterLookups } from '../../../shared/admin/clusterConnection.js';
import { topicAdminHandler } from '../../../shared/admin/index.js';
import type { LambdaKafkaEvent } from '../../../shared/engine/event/index.js';
import {
  createKafka,
  KafkaRecordSink,
  kafkaConnectionFromEnv,
  lambdaKafkaSink,
} from '../../../shared/kafka/index.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { rideHandler } from '../../../shared/rides/index.js';
import { tablesIn } from '../../support/localTables.js';
import { dataPath } from '../../support/rides.js';
import { type SecureKafkaForTests, startSecureKafka } from '../../support/secureKafkaBroker.js';

/**
 * The connections users make to Confluent Cloud (SASL_SSL with PLAIN: an API key and secret)
 * and MSK (SASL_SSL with SCRAM-SHA-512; mTLS), made for real against one local broker started
 * with `broker.sh start --secure`, through the same commands and environment variables, and
 * the secrets in the Secrets Manager formats the CDK app documents. MSK IAM cannot run
 * locally: test/shared/kafka/kafkaClient.test.ts checks its token against the signer instead.
 */

const RIDE_FUNCTIONS = ['rides-count-by-dropoff', 'rides-tumbling-by-pickup', 'rides-hopping-by-vendor'];
const RIDES_CSV = dataPath('rides.csv');
const RIDES = 266;
/** A failing connection must say why within this (the CLI's probe waits 3 s per broker). */
const FAILS_WITHIN_MS = 5_000;

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

let broker: SecureKafkaForTests;
let startOutput: string;

beforeAll(async () => {
  broker = await startSecureKafka();
  startOutput = broker.startOutput;
});
afterAll(async () => {
  await broker?.stop();
});

/** Every secret broker.sh made, so a test can check that none is ever printed. */
function secretsOf(b: SecureKafkaForTests): string[] {
  const sasl = ['plain', 'scram'].map((l) => JSON.parse(b.file(`${l}.secret.json`)).password as string);
  const keyBody = b.file('client.key').split('\n')[1] ?? ''; // a line of the key's base64
  return [...sasl, keyBody];
}

/** The environments of the four listeners, as a person would set them. */
const LISTENERS = [
  ['PLAINTEXT', () => ({ KAFKA_BROKERS: broker.plaintext })],
  ['SASL_SSL/PLAIN (Confluent Cloud)', () => broker.env('plain')],
  ['SASL_SSL/SCRAM-SHA-512 (MSK SCRAM)', () => broker.env('scram')],
  ['mTLS (MSK mTLS)', () => broker.env('mtls')],
] as const;

describe('broker.sh start --secure', () => {
  it('prints the listeners and the secure directory, and no password or key', () => {
    expect(broker.saslSsl).not.toBe(broker.plaintext);
    expect(broker.mtls).not.toBe(broker.saslSsl);
    expect(startOutput).toContain(`KAFKA_SECURE_DIR=${broker.secureDir}`);
    for (const secret of secretsOf(broker)) expect(startOutput).not.toContain(secret);
  });

  it('writes credentials in Lambda’s Secrets Manager formats', () => {
    expect(JSON.parse(broker.file('plain.secret.json'))).toEqual({
      username: 'confluent-api-key',
      password: expect.stringMatching(/^[0-9a-f]{48}$/),
    });
    expect(JSON.parse(broker.file('client.secret.json'))).toEqual({
      certificate: broker.file('client.pem'),
      privateKey: broker.file('client.key'),
    });
    expect(JSON.parse(broker.file('root-ca.secret.json'))).toEqual({ certificate: broker.file('ca.pem') });
  });
});

describe('produce -> run -> query over every listener', () => {
  /** What one listener's pass left: the commands' results and the query rows per pipeline. */
  interface Pass {
    readonly produced: number;
    readonly delivered: number[];
    readonly rows: Record<string, ResultRow[]>;
  }
  const pipelines = RIDE_FUNCTIONS.flatMap((f) => rideHandler(f).pipelines.map((p) => p.name));
  const passes = new Map<string, Promise<Pass>>();

  /** One listener's pass on a topic, consumer groups and table store of its own. */
  async function pass(env: Record<string, string>): Promise<Pass> {
    const topic = `secure-rides-${randomUUID().slice(0, 8)}`;
    const dynamo: EmbeddedDynamo = await startEmbeddedDynamo();
    const failures = await mkdtemp(join(tmpdir(), 'secure-esm-'));
    try {
      await createTopic({
        env,
        name: topic,
        partitions: 3,
        replicationFactor: 1,
        retentionMs: -1,
        output: captureOutput(),
      });
      const produced = await runProduce({
        env,
        topic,
        file: RIDES_CSV,
        timestampField: 'tpep_pickup_datetime',
        quiet: true,
        output: captureOutput(),
      });
      const summaries = await runRun({
        env,
        topic,
        functions: RIDE_FUNCTIONS,
        group: `secure-${randomUUID().slice(0, 8)}`,
        untilCaughtUp: true,
        endpoint: dynamo.endpoint,
        onFailure: join(failures, 'failures.jsonl'),
        progressIntervalS: 0,
        output: captureOutput(),
      });
      const rows: Record<string, ResultRow[]> = {};
      for (const pipeline of pipelines) {
        rows[pipeline] = await runQuery({ pipeline, endpoint: dynamo.endpoint, json: true }, captureOutput());
      }
      return { produced: produced.records, delivered: summaries.map((s) => s.recordsDelivered), rows };
    } finally {
      await dynamo.close();
      await rm(failures, { recursive: true, force: true });
    }
  }

  beforeAll(async () => {
    // The four passes run side by side: they share nothing but the broker, and most of each
    // is waiting (group joins, batching windows), so together they take little more than one.
    for (const [name, envOf] of LISTENERS) passes.set(name, pass(envOf()));
    await Promise.allSettled(passes.values());
  });

  it.each(LISTENERS)('%s: the rides go in with produce, through run, and come out of query', async (name) => {
    const result = await passes.get(name);

    expect(result?.produced).toBe(RIDES);
    expect(result?.delivered).toEqual(RIDE_FUNCTIONS.map(() => RIDES));
    const dropoff = result?.rows['dropoff-count'] ?? [];
    expect(dropoff.reduce((n, r) => n + Number(r.count), 0)).toBe(RIDES);
  });

  it('leaves the same tables over SASL_SSL/PLAIN, SASL_SSL/SCRAM-SHA-512 and mTLS as over plaintext', async () => {
    const plaintext = (await passes.get('PLAINTEXT'))?.rows;
    expect(plaintext && pipelines.every((p) => (plaintext[p]?.length ?? 0) > 0)).toBe(true);
    for (const [name] of LISTENERS.slice(1)) {
      const rows = (await passes.get(name))?.rows;
      expect({ listener: name, rows }).toEqual({ listener: name, rows: plaintext });
    }
  });
});

describe('npm start with a broker over SASL_SSL/SCRAM-SHA-512', () => {
  it('leaves the same tables as the embedded replay, route and enrich producers included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secure-start-'));
    const topic = `secure-start-${randomUUID().slice(0, 8)}`;
    const nowMs = () => Date.parse('2026-01-01T00:00:00Z');
    try {
      const output = captureOutput();
      const onBroker = await runStart(
        { env: broker.env('scram'), topic, dataDir: join(dir, 'broker'), nowMs },
        output,
      );
      await runStart({ topic, dataDir: join(dir, 'embedded'), nowMs }, captureOutput());

      expect(onBroker.path).toBe('broker');
      if (onBroker.path !== 'broker') return;
      expect(onBroker.mappings.map((m) => m.recordsDelivered)).toEqual(onBroker.mappings.map(() => RIDES));
      expect(await tablesIn(join(dir, 'broker'))).toEqual(await tablesIn(join(dir, 'embedded')));
      // The producers wrote over SCRAM too: this broker serves no other start run.
      const admin = createKafka(kafkaConnectionFromEnv(broker.env('scram'))).admin();
      await admin.connect();
      const ends = async (t: string) =>
        (await admin.fetchTopicOffsets(t)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
      try {
        expect([
          await ends('rides_high_amount'),
          await ends('rides_low_amount'),
          await ends('rides_enriched'),
        ]).toEqual([29, 237, RIDES]);
      } finally {
        await admin.disconnect();
      }
      for (const secret of secretsOf(broker))
        expect([...output.stdout, ...output.stderr].join('\n')).not.toContain(secret);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a connection that cannot work fails within seconds, says which, and prints no secret', () => {
  const wrong = 'hunter2-wrong-password';
  const cases: ReadonlyArray<[string, () => Record<string, string>, KafkaSecurityError['code'], RegExp]> = [
    [
      'wrong PLAIN password',
      () => ({ ...broker.env('plain'), KAFKA_USERNAME: 'confluent-api-key', KAFKA_PASSWORD: wrong }),
      'SASL_AUTHENTICATION_FAILED',
      /refused the PLAIN login of user "confluent-api-key" \(wrong username or password/,
    ],
    [
      'wrong SCRAM-SHA-512 password',
      () => ({ ...broker.env('scram'), KAFKA_USERNAME: 'msk-scram-user', KAFKA_PASSWORD: wrong }),
      'SASL_AUTHENTICATION_FAILED',
      /refused the SCRAM-SHA-512 login of user "msk-scram-user" \(wrong username or password/,
    ],
    [
      'a mechanism the listener does not offer (SCRAM-SHA-256)',
      () => ({ ...broker.env('scram'), KAFKA_AUTH: 'scram-sha-256' }),
      'SASL_MECHANISM_UNSUPPORTED',
      /does not offer SASL mechanism SCRAM-SHA-256/,
    ],
    [
      'an untrusted certificate (no KAFKA_CA_FILE for a private CA)',
      () => {
        const { KAFKA_CA_FILE: _ca, ...env } = broker.env('plain');
        return env;
      },
      'TLS_UNTRUSTED_CERTIFICATE',
      /TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): set KAFKA_CA_FILE/,
    ],
    [
      'TLS to the plaintext port',
      () => ({ ...broker.env('scram'), KAFKA_BROKERS: broker.plaintext }),
      'TLS_TO_PLAINTEXT_LISTENER',
      /closed the connection during the TLS handshake: this looks like a plaintext listener/,
    ],
    [
      'plaintext to the SASL_SSL port',
      () => ({ KAFKA_BROKERS: broker.saslSsl }),
      'PLAINTEXT_TO_TLS_LISTENER',
      /this looks like a TLS listener/,
    ],
    [
      'TLS without a client certificate to the mTLS port',
      () => ({
        KAFKA_BROKERS: broker.mtls,
        KAFKA_SSL: 'true',
        KAFKA_CA_FILE: broker.env('mtls').KAFKA_CA_FILE ?? '',
      }),
      'TLS_CLIENT_CERTIFICATE_REJECTED',
      /refused the TLS connection for want of a client certificate .*set KAFKA_AUTH=mtls/,
    ],
    [
      'mTLS to the SASL_SSL port',
      () => ({ ...broker.env('mtls'), KAFKA_BROKERS: broker.saslSsl }),
      'SASL_REQUIRED',
      /as a SASL listener does for a client that does not log in/,
    ],
  ];

  it.each(cases)('%s', async (_case, envOf, code, message) => {
    const output = captureOutput();
    const started = Date.now();

    const error = await listTopics({ env: envOf(), output }).then(
      () => undefined,
      (e: unknown) => e as KafkaSecurityError,
    );

    expect(Date.now() - started).toBeLessThan(FAILS_WITHIN_MS);
    expect(error).toBeInstanceOf(KafkaSecurityError);
    expect({ code: error?.code, message: error?.message }).toEqual({
      code,
      message: expect.stringMatching(message),
    });
    const printed = [error?.message ?? '', ...output.stdout, ...output.stderr].join('\n');
    for (const secret of [wrong, ...secretsOf(broker)]) expect(printed).not.toContain(secret);
  });
});

describe('the deployed parts over the secure listeners', () => {
  /** Secrets Manager stand-in: the ARN names a file of the secure directory. */
  const fileLookups: ClusterLookups = {
    readSecret: async (arn) => broker.file(arn.slice(arn.lastIndexOf(':') + 1)),
    bootstrapBrokers: async () => {
      throw new Error('bootstrap servers are given');
    },
  };
  const arn = (file: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${file}`;
  /** Each secure listener: its label, the auth a deployment names, its secret file, its address. */
  const SECURE_LISTENERS = [
    ['SASL_SSL/SCRAM-SHA-512', 'scram-sha-512', 'scram.secret.json', () => broker.saslSsl],
    ['SASL_SSL/PLAIN', 'plain', 'plain.secret.json', () => broker.saslSsl],
    ['mTLS', 'mtls', 'client.secret.json', () => broker.mtls],
  ] as const;

  it.each(SECURE_LISTENERS)(
    'the topic-admin custom resource creates a topic over %s with the secret and root CA secret',
    async (_l, auth, secretFile, address) => {
      const topic = `secure-admin-${randomUUID().slice(0, 8)}`;
      const handler = topicAdminHandler({ lookups: fileLookups });

      const result = await handler({
        RequestType: 'Create',
        ResourceProperties: {
          TopicName: topic,
          Partitions: '2',
          ReplicationFactor: '1',
          BootstrapServers: [address()],
          Auth: auth,
          SecretArn: arn(secretFile),
          RootCaSecretArn: arn('root-ca.secret.json'),
          RemovalPolicy: 'delete',
        },
      });

      expect(result.Data.Action).toBe('created');
      const admin = createKafka({ brokers: [broker.plaintext] }).admin();
      await admin.connect();
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
        expect(metadata.topics[0]?.partitions).toHaveLength(2);
      } finally {
        await admin.disconnect();
      }
    },
  );

  it.each(SECURE_LISTENERS)(
    'a deployed producer (lambdaKafkaSink) sends over %s with the credentials and root CA from their secrets',
    async (_l, auth, secretFile, address) => {
      const topic = `secure-lambda-sink-${randomUUID().slice(0, 8)}`;
      await createTopic({
        env: broker.env('scram'),
        name: topic,
        partitions: 1,
        replicationFactor: 1,
        output: captureOutput(),
      });
      // Only what the CDK app sets on a producing function: no local credential variables.
      const env = {
        KAFKA_BROKERS: address(),
        KAFKA_AUTH: auth,
        KAFKA_SECRET_ARN: arn(secretFile),
        KAFKA_ROOT_CA_SECRET_ARN: arn('root-ca.secret.json'),
      };
      const read: string[] = [];
      const sink = lambdaKafkaSink(env, async (secretArn) => {
        read.push(secretArn.slice(secretArn.lastIndexOf(':') + 1));
        return fileLookups.readSecret(secretArn);
      })({ eventSource: 'SelfManagedKafka', records: {} } as LambdaKafkaEvent);
      try {
        await sink.send([
          { topic, key: Buffer.from('k'), value: Buffer.from('{"n":1}'), headers: [], timestampMs: 1_000 },
        ]);
        await sink.send([
          { topic, key: Buffer.from('k'), value: Buffer.from('{"n":2}'), headers: [], timestampMs: 2_000 },
        ]);
      } finally {
        await sink.close?.();
      }
      expect(read.sort()).toEqual(['root-ca.secret.json', secretFile].sort()); // once per container, not per send
      const out = captureOutput();
      await runConsume({ env: broker.env('scram'), topic, json: true, idleTimeoutMs: 1_000, output: out });
      const records = out.stdout.filter((l) => l.trim()).map((l) => JSON.parse(l) as ConsumedRecord);
      expect(records.map((r) => r.value)).toEqual(['{"n":1}', '{"n":2}']);
    },
  );

  it('the producers’ KafkaRecordSink writes over mTLS what consume reads back over SASL_SSL/SCRAM-SHA-512', async () => {
    const topic = `secure-sink-${randomUUID().slice(0, 8)}`;
    await createTopic({
      env: broker.env('scram'),
      name: topic,
      partitions: 1,
      replicationFactor: 1,
      output: captureOutput(),
    });
    const sink = new KafkaRecordSink(kafkaConnectionFromEnv(broker.env('mtls')));

    try {
      await sink.send([
        { topic, key: Buffer.from('k1'), value: Buffer.from('{"n":1}'), headers: [], timestampMs: 1_000 },
        { topic, key: Buffer.from('k2'), value: Buffer.from('{"n":2}'), headers: [], timestampMs: 2_000 },
      ]);
    } finally {
      await sink.close();
    }
    const out = captureOutput();
    await runConsume({ env: broker.env('scram'), topic, json: true, idleTimeoutMs: 1_000, output: out });

    const records = out.stdout.filter((l) => l.trim()).map((l) => JSON.parse(l) as ConsumedRecord);
    expect(records.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k1', '{"n":1}', '1970-01-01T00:00:01.000Z'],
      ['k2', '{"n":2}', '1970-01-01T00:00:02.000Z'],
    ]);
  });
});
