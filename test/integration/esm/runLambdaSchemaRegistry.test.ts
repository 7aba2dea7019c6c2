import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { runProduce } from '../../../scripts/commands/produce.js';
import { runRun } from '../../../scripts/commands/run.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { LocalSchemaDirectory } from '../../../shared/engine/decode/avro/index.js';
import { registerCodecs } from '../../../shared/engine/decode/index.js';
import { createDocumentClient, readNumber } from '../../../shared/engine/store/dynamo/index.js';
import { tableNamesFromEnv } from '../../../shared/engine/store/index.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../shared/local/index.js';
import { rideAvroCodecs } from '../../../shared/rides/rideAvroCodecs.js';
import { dataPath } from '../../support/rides.js';
import { createTopic, produce, testKafka, unique } from './esmTestKit.js';

const RIDES = 20;

/** `run --lambda-schema-registry`: the CLI's way to Lambda's schema-registry delivery. */
describe("cli run emulating Lambda's schema-registry integration", () => {
  let kafka: Kafka;
  let admin: Admin;
  const brokers = inject('kafkaBrokers');
  const env = { ...process.env };

  beforeAll(async () => {
    registerCodecs(rideAvroCodecs);
    kafka = testKafka(brokers);
    admin = kafka.admin();
    await admin.connect();
  });
  afterEach(() => {
    // The command sets the handlers' environment in this process, as the CDK app sets it.
    process.env = { ...env };
  });
  afterAll(async () => {
    await admin?.disconnect();
  });

  it.each(['json', 'source'] as const)(
    'delivers validated Avro rides as %s to the Avro twin and sends the ride that is not Avro to the on-failure file',
    async (format) => {
      // Arrange: Avro rides (schema id 1 of a schema directory), then one JSON ride.
      const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
      copyFileSync(dataPath('schemas/rides-value.1.avsc'), join(dir, 'rides-value.1.avsc'));
      const topic = unique('rides-avro-cli');
      await createTopic(admin, topic, 1);
      await runProduce({
        brokers,
        topic,
        file: dataPath('rides.csv'),
        count: RIDES,
        output: captureOutput(),
        quiet: true,
        valueFormat: 'avro',
        avro: { registrar: new LocalSchemaDirectory(dir), schemaId: 1 },
      });
      await produce(kafka, topic, [{ key: '1', value: '{"VendorID":1}' }]);
      const onFailure = join(mkdtempSync(join(tmpdir(), 'esm-cli-')), 'failures.jsonl');
      // A store of its own per case: the CLI reads table names from the environment.
      const dynamo: EmbeddedDynamo = await startEmbeddedDynamo();
      const tables = tableNamesFromEnv();

      // Act
      const [summary] = await runRun({
        brokers,
        functions: ['rides-tumbling-by-pickup-avro'],
        topic,
        group: unique('cli-registry'),
        untilCaughtUp: true,
        endpoint: dynamo.endpoint,
        onFailure,
        progressIntervalS: 0,
        lambdaSchemaRegistry: format,
        schemaDir: dir,
        output: captureOutput(),
      });

      // Assert: every Avro ride counted once, nothing dead-lettered, the JSON ride diverted.
      expect(summary?.recordsDelivered).toBe(RIDES);
      const failures = readFileSync(onFailure, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(failures).toHaveLength(1);
      expect(JSON.stringify(failures[0])).toContain('SchemaValidationFailed');
      const doc = createDocumentClient({ endpoint: dynamo.endpoint });
      const items = (await doc.send(new ScanCommand({ TableName: tables.aggregates }))).Items ?? [];
      const deadLetters = (await doc.send(new ScanCommand({ TableName: tables.deadLetters }))).Items ?? [];
      doc.destroy();
      await dynamo.close();
      const counted = items
        .filter((i) => i.pipeline === 'pickup-5m-avro')
        .reduce((n, i) => n + (readNumber(i.count) ?? 0), 0);
      expect(counted + deadLetters.filter((d) => d.pipeline === 'pickup-5m-avro').length).toBe(RIDES);
      expect(
        deadLetters.filter((d) => d.code === 'UNKNOWN_SCHEMA_ID' || d.code === 'NOT_CONFLUENT_FRAMED'),
      ).toEqual([]);
    },
    120_000,
  );
});
