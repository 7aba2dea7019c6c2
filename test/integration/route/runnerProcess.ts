/**
 * A local runner in a process of its own, so a test can kill it with SIGKILL: no `finally`,
 * no graceful stop, no last commit, a Kafka send or a DynamoDB write cut wherever it was.
 * It wires the catalog's handlers as `run` does (resolveFunctions over DynamoDB at
 * `endpoint`, route and enrich outputs through the Lambda Kafka sink) and runs one
 * LocalEventSourceMapping per function until it is killed.
 *
 * Not the `run` command itself because `run` keeps kafkajs's 30 s session timeout: after a
 * SIGKILL the group would wait that long for the dead member before the next runner gets
 * the partitions. Here it is the broker's minimum (6 s). `delayMs` slows each invocation, so
 * the kill reliably lands mid-stream.
 *
 * Usage: tsx runnerProcess.ts '<RunnerProcessConfig as JSON>'. KAFKA_BROKERS must name the
 * same broker (the sink prefers it over the event's bootstrapServers). Prints `started` on
 * stdout once every mapping consumes.
 */
import { loadCatalog } from '../../../scripts/lib/catalog.js';
import { openDynamo } from '../../../scripts/lib/dynamoContext.js';
import { resolveFunctions } from '../../../scripts/lib/functionResolver.js';
import { createKafka } from '../../../shared/kafka/index.js';
import { LocalEventSourceMapping } from '../../../shared/local/eventSourceMapping/index.js';

/** What the parent passes as the one argument. */
export interface RunnerProcessConfig {
  readonly brokers: string;
  readonly endpoint: string;
  readonly topic: string;
  /** Each function's group is `<group>-<function>`, as `run --group` names them. */
  readonly group: string;
  readonly functions: readonly string[];
  readonly batchSize: number;
  readonly delayMs: number;
  readonly sessionTimeoutMs: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as RunnerProcessConfig;
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const catalog = await loadCatalog();
const ctx = await openDynamo({ endpoint: config.endpoint });
const functions = await resolveFunctions(catalog, config.functions, ctx, { topic: config.topic });
const kafka = createKafka({ brokers: config.brokers.split(',') });
const mappings = functions.map(
  (fn) =>
    new LocalEventSourceMapping({
      kafka,
      handler: async (event, context) => {
        await new Promise((r) => setTimeout(r, config.delayMs));
        return fn.handler(event, context);
      },
      settings: {
        functionName: fn.name,
        topic: config.topic,
        consumerGroupId: `${config.group}-${fn.name}`,
        batchSize: config.batchSize,
        maximumBatchingWindowMs: 100,
      },
      bootstrapServers: config.brokers,
      onFailure: null,
      sessionTimeoutMs: config.sessionTimeoutMs,
      backoff: { initialMs: 20, maxMs: 200 },
      progressIntervalMs: 0,
      log: (line) => process.stderr.write(`${line}\n`),
    }),
);
for (const m of mappings) await m.start();
process.stdout.write('started\n');
await Promise.all(mappings.map((m) => m.done));
