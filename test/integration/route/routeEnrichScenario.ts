import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Admin, Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { runRun } from '../../../scripts/commands/run.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { runProduce } from '../../../scripts/lib/produceFile.js';
import { handlerNamed } from '../../../shared/engine/catalog.js';
import type { KafkaRecord } from '../../../shared/engine/event/index.js';
import { kafkaHandler } from '../../../shared/engine/handler/index.js';
import { SOURCE_HEADER } from '../../../shared/engine/output/index.js';
import { handlerOnTopic } from '../../../shared/engine/process/handlerOnTopic.js';
import type { HandlerSpec } from '../../../shared/engine/process/index.js';
import {
  createDocumentClient,
  createPipelineStores,
  readNumber,
} from '../../../shared/engine/store/dynamo/index.js';
import type { TableNames } from '../../../shared/engine/store/index.js';
import { createTopicsAndWait, type KafkaRecordSink, lambdaKafkaSink } from '../../../shared/kafka/index.js';
import type {
  JsonlOnFailureDestination,
  LocalEventSourceMapping,
} from '../../../shared/local/eventSourceMapping/index.js';
import {
  ENRICHED_TOPIC,
  HIGH_AMOUNT_TOPIC,
  LOW_AMOUNT_TOPIC,
  rideEnrichmentHandlers,
} from '../../../shared/rides/index.js';
import { InvocationFaultPlan } from '../../support/deliveryFaults.js';
import { dataPath } from '../../support/rides.js';
import {
  committedOffsets,
  produce,
  quietDeps,
  readTopic,
  rideMessages,
  testMapping,
  unique,
  withTimeout,
} from '../esm/esmTestKit.js';
import {
  boroughCounts15m,
  countKey,
  isHighAmount,
  loadZoneLookup,
  type PlacedRide,
  zoneOf,
} from './rideReference.js';
import type { RunnerProcessConfig } from './runnerProcess.js';

/**
 * The parts of the route/enrich fault scenarios (routeEnrichCrash, routeEnrichBrokerRestart):
 * the topics and zones as `start` sets them up, a runner process to kill, a runner whose
 * DynamoDB writes and Kafka sends fail on schedule, and the checks of every output against
 * the reference of rideReference.ts.
 */

// The sinks' producers would log every refused connection while a broker restarts.
process.env.KAFKAJS_LOG_LEVEL = 'NOTHING';

/** The two functions that write topics, each its own mapping and consumer group. */
export const FUNCTIONS = ['rides-route-by-amount', 'rides-enrich-zones'] as const;
/** The broker's smallest allowed session: how long a killed runner's group waits for it. */
export const SESSION_TIMEOUT_MS = 6_000;
/** Records per invocation: small, so each fault hits one of many batches. */
export const BATCH_SIZE = 10;

const RUNNER_PROCESS = fileURLToPath(new URL('./runnerProcess.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where a scenario runs. */
export interface ScenarioEnv {
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** Comma-separated, as the runner and the sinks take them. */
  readonly brokers: string;
  /** The DynamoDB endpoint (dynalite in the test process), default table names. */
  readonly endpoint: string;
  readonly tables: TableNames;
}

/** The input a scenario produced. */
export interface RideInput {
  readonly topic: string;
  /** Every ride with the partition and offset the broker gave it. */
  readonly placed: readonly PlacedRide[];
}

/** The sum of a group's committed offsets on a topic (records it will not see again). */
export async function committedTotal(admin: Admin, group: string, topic: string): Promise<number> {
  return [...(await committedOffsets(admin, group, topic)).values()].reduce((a, b) => a + b, 0);
}

/**
 * As `start` prepares a run: the output topics, the zones produced to a compacted topic
 * and materialized by `zones-table` (the `run` command, until caught up) before any ride,
 * then every bundled ride on a fresh 3-partition topic, read back for its coordinates.
 */
export async function prepareRides(env: ScenarioEnv): Promise<RideInput> {
  const topic = unique('rides');
  const zonesTopic = unique('zones');
  // Output records keep the source timestamp: old-stamped records would meet time retention.
  const forever = [{ name: 'retention.ms', value: '-1' }];
  await createTopicsAndWait(env.admin, [
    { topic, numPartitions: 3, configEntries: forever },
    { topic: zonesTopic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  ]);
  // Shared by every test on a broker (the names are the product's): created unless there.
  const existing = new Set(await env.admin.listTopics());
  const outputs = [HIGH_AMOUNT_TOPIC, LOW_AMOUNT_TOPIC, ENRICHED_TOPIC].filter((t) => !existing.has(t));
  if (outputs.length > 0) {
    await createTopicsAndWait(
      env.admin,
      outputs.map((t) => ({ topic: t, numPartitions: 3, configEntries: forever })),
    );
  }
  await runProduce({
    brokers: env.brokers,
    topic: zonesTopic,
    file: dataPath('taxi_zone_lookup.csv'),
    keyField: 'locationid',
    quiet: true,
    output: captureOutput(),
  });
  await runRun({
    brokers: env.brokers,
    functions: ['zones-table'],
    topic: zonesTopic,
    group: unique('zones'),
    untilCaughtUp: true,
    endpoint: env.endpoint,
    onFailure: 'none',
    progressIntervalS: 0,
    output: captureOutput(),
  });
  const messages = rideMessages();
  await produce(env.kafka, topic, messages);
  const placed = (await readTopic(env.kafka, topic, messages.length)).map((r) => ({
    partition: r.partition,
    offset: r.offset,
    ride: JSON.parse(r.value!.toString()) as Record<string, unknown>,
  }));
  return { topic, placed };
}

/** Runner processes started and not yet gone: {@link killRunnerProcesses} ends them. */
const runnerProcesses = new Set<ChildProcess>();

/**
 * Kills every runner process still running (call in `afterAll`): a test that failed before
 * its kill must not leave one consuming on the shared broker for the rest of the run.
 */
export function killRunnerProcesses(): void {
  for (const child of runnerProcesses) child.kill('SIGKILL');
  runnerProcesses.clear();
}

/** Starts the runner process (see runnerProcess.ts) and resolves once its mappings consume. */
export async function startRunnerProcess(config: RunnerProcessConfig): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER_PROCESS, JSON.stringify(config)], {
    cwd: REPO_ROOT,
    env: { ...process.env, KAFKA_BROKERS: config.brokers, DYNAMODB_ENDPOINT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runnerProcesses.add(child);
  child.once('exit', () => runnerProcesses.delete(child));
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d) => String(d).includes('started') && resolve());
      child.once('exit', (code) => reject(new Error(`runner process exited (${code}): ${stderr}`)));
    }),
    30_000,
    'the runner process to start',
  );
  return child;
}

/** A handler's spec with every pipeline reading `topic` (tests share no topics). */
function onTopic(spec: HandlerSpec, topic: string): HandlerSpec {
  return handlerOnTopic(spec, topic);
}

/** What DynamoDB answers a throttled write with: the invocation fails and the mapping retries. */
const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'injected: the request rate exceeds the provisioned throughput',
    $metadata: { httpStatusCode: 400 },
  });

/**
 * Every third invocation dies at its n-th effect (n from 0 to 10, so before, between and
 * after the Kafka send and the DynamoDB writes), every other one after that effect landed;
 * its retry (the next invocation) runs clean, so the stream always moves on.
 */
export function everyThirdInvocationFails(): InvocationFaultPlan {
  return new InvocationFaultPlan(
    (n) =>
      n % 3 === 1
        ? { crashAfter: n % 11, landsOnCrash: n % 2 === 1 }
        : { crashAfter: Number.POSITIVE_INFINITY, landsOnCrash: false },
    throttled,
  );
}

/** A runner in the test process whose functions' writes and sends fail on schedule. */
export interface FaultyRunner {
  readonly mappings: readonly LocalEventSourceMapping[];
  readonly plans: readonly InvocationFaultPlan[];
  readonly onFailure: readonly JsonlOnFailureDestination[];
  /** Ends the sinks' producers (after the mappings stopped). */
  closeSinks(): Promise<void>;
}

/**
 * One mapping per function of {@link FUNCTIONS} in `<group>-<function>` (the groups `run
 * --group` and the runner process use), each function wired as its handler.ts wires it
 * (kafkaHandler, DynamoDB stores, the Lambda Kafka sink) with its client and sink under an
 * {@link everyThirdInvocationFails} plan, each invocation slowed by `delayMs`.
 */
export async function faultyRunner(
  env: ScenarioEnv,
  input: RideInput,
  group: string,
  delayMs: number,
): Promise<FaultyRunner> {
  const sinks: KafkaRecordSink[] = [];
  const mappings: LocalEventSourceMapping[] = [];
  const plans: InvocationFaultPlan[] = [];
  const onFailure: JsonlOnFailureDestination[] = [];
  for (const fn of FUNCTIONS) {
    const plan = everyThirdInvocationFails();
    const doc = createDocumentClient({ endpoint: env.endpoint });
    const handler = kafkaHandler(
      onTopic(handlerNamed({ handlers: rideEnrichmentHandlers }, fn), input.topic),
      {
        stores: () => createPipelineStores(plan.client(doc), env.tables),
        sink: (event) => {
          const sink = lambdaKafkaSink({ ...process.env, KAFKA_BROKERS: env.brokers })(
            event,
          ) as KafkaRecordSink;
          sinks.push(sink);
          return plan.sink(sink);
        },
        ...quietDeps(fn),
      },
    );
    const mapping = await testMapping({
      kafka: env.kafka,
      handler: plan.around(async (event, context) => {
        await new Promise((r) => setTimeout(r, delayMs));
        return handler(event, context);
      }),
      settings: {
        functionName: fn,
        topic: input.topic,
        consumerGroupId: `${group}-${fn}`,
        batchSize: BATCH_SIZE,
      },
      maxBufferedRecords: 3 * BATCH_SIZE,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });
    mappings.push(mapping.esm);
    onFailure.push(mapping.onFailure);
    plans.push(plan);
  }
  return {
    mappings,
    plans,
    onFailure,
    closeSinks: async () => {
      await Promise.all(sinks.map((s) => s.close()));
    },
  };
}

/** Every record of an output topic written from `inputTopic`, grouped by its kls-source header. */
async function outputsBySource(
  env: ScenarioEnv,
  topic: string,
  inputTopic: string,
): Promise<Map<string, KafkaRecord[]>> {
  const size = (await env.admin.fetchTopicOffsets(topic)).reduce(
    (n, p) => n + Number(p.high) - Number(p.low),
    0,
  );
  const bySource = new Map<string, KafkaRecord[]>();
  for (const r of await readTopic(env.kafka, topic, size)) {
    const source = r.headers.find((h) => h.name === SOURCE_HEADER)?.value.toString();
    if (!source?.includes(`/${inputTopic}/`)) continue;
    bySource.set(source, [...(bySource.get(source) ?? []), r]);
  }
  return bySource;
}

/** Copies of a source record beyond the first, each checked to have the first's key and value bytes. */
function identicalDuplicates(bySource: ReadonlyMap<string, readonly KafkaRecord[]>): number {
  const hex = (b: Buffer | null) => b?.toString('hex') ?? null;
  let duplicates = 0;
  for (const [source, [first, ...rest]] of bySource) {
    for (const copy of rest) {
      expect({ key: hex(copy.key), value: hex(copy.value) }, `a copy of ${source}`).toEqual({
        key: hex(first!.key),
        value: hex(first!.value),
      });
      duplicates++;
    }
  }
  return duplicates;
}

async function scanAll(env: ScenarioEnv, table: string): Promise<Record<string, unknown>[]> {
  const doc = createDocumentClient({ endpoint: env.endpoint });
  try {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  } finally {
    doc.destroy();
  }
}

/** How many copies beyond the first each output topic holds. */
export interface DuplicateCounts {
  readonly high: number;
  readonly low: number;
  readonly enriched: number;
}

/**
 * Checks everything the route and enrich functions wrote for `input` against the
 * reference (rideReference.ts): on each output topic exactly the expected sources (so no
 * ride missing and none extra: 29 high, 237 low, 266 enriched), every copy of a source
 * byte-identical, routed records the source bytes, enriched zones those of the lookup file,
 * and the 15-minute pickup-borough counts and late rides exact. Returns the duplicates.
 */
export async function expectExactOutputs(env: ScenarioEnv, input: RideInput): Promise<DuplicateCounts> {
  const { topic, placed } = input;
  const zones = loadZoneLookup();
  const sourceOf = (pipeline: string, r: PlacedRide) => `${pipeline}/${topic}/${r.partition}/${r.offset}`;
  const sorted = (keys: Iterable<string>) => [...keys].sort();

  // Exactly the expected sources on each topic.
  const high = await outputsBySource(env, HIGH_AMOUNT_TOPIC, topic);
  const low = await outputsBySource(env, LOW_AMOUNT_TOPIC, topic);
  const enriched = await outputsBySource(env, ENRICHED_TOPIC, topic);
  expect(sorted(high.keys())).toEqual(
    sorted(placed.filter((r) => isHighAmount(r.ride)).map((r) => sourceOf('rides-by-amount', r))),
  );
  expect(sorted(low.keys())).toEqual(
    sorted(placed.filter((r) => !isHighAmount(r.ride)).map((r) => sourceOf('rides-by-amount', r))),
  );
  expect(sorted(enriched.keys())).toEqual(sorted(placed.map((r) => sourceOf('rides-enriched', r))));
  expect([high.size, low.size, enriched.size]).toEqual([29, 237, 266]);
  const duplicates = {
    high: identicalDuplicates(high),
    low: identicalDuplicates(low),
    enriched: identicalDuplicates(enriched),
  };

  // Routed: the source record unchanged. Enriched: the source key, the ride, its zones.
  const sourceRecords = await readTopic(env.kafka, topic, placed.length);
  const sourceAt = new Map(sourceRecords.map((r) => [`${r.partition}@${r.offset}`, r]));
  for (const r of placed) {
    const source = sourceAt.get(`${r.partition}@${r.offset}`)!;
    const [routed] = (isHighAmount(r.ride) ? high : low).get(sourceOf('rides-by-amount', r))!;
    expect({ key: routed!.key?.toString(), value: routed!.value?.toString() }).toEqual({
      key: source.key?.toString(),
      value: source.value?.toString(),
    });
    const [out] = enriched.get(sourceOf('rides-enriched', r))!;
    const value = JSON.parse(out!.value!.toString()) as Record<string, unknown>;
    expect(out!.key?.toString()).toBe(source.key?.toString());
    expect({
      total_amount: value.total_amount,
      PULocationID: value.PULocationID,
      pickup: value.pickup,
      dropoff: value.dropoff,
    }).toEqual({
      total_amount: r.ride.total_amount,
      PULocationID: r.ride.PULocationID,
      pickup: zoneOf(zones, r.ride.PULocationID),
      dropoff: zoneOf(zones, r.ride.DOLocationID),
    });
  }

  // The borough counts and the late rides, exactly.
  const expected = boroughCounts15m(placed, zones);
  const counts = new Map(
    (await scanAll(env, env.tables.aggregates))
      .filter((i) => i.pipeline === 'pickup-borough-15m')
      .map((i) => [countKey(String(i.key), readNumber(i.windowStart)!), readNumber(i.count)!]),
  );
  const late = (await scanAll(env, env.tables.deadLetters)).filter(
    (d) => d.pipeline === 'pickup-borough-15m' && d.topic === topic,
  );
  expect(counts).toEqual(expected.counts);
  expect(late.map((d) => d.kind)).toEqual(Array(expected.late).fill('late'));
  return duplicates;
}
