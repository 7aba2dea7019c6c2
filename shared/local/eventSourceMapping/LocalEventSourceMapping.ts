import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { ConfigError } from '../../engine/errors/index.js';
import {
  type BuildEventOptions,
  buildEvent,
  eventSizeBytes,
  type KafkaRecord,
  type LambdaKafkaEvent,
  partitionId,
} from '../../engine/event/index.js';
import {
  type BatchLimits,
  batchReadiness,
  cutBatch,
  type PendingRecord,
  toPendingRecord,
} from './batcher.js';
import { envelopeBytes } from './EventSizer.js';
import {
  EsmCrashedError,
  HandlerTimeoutError,
  InvalidBatchResponseError,
  PartialBatchFailureError,
  SchemaValidationError,
} from './esmErrors.js';
import {
  type EsmSettings,
  type EsmSettingsInput,
  effectiveMaxRetries,
  MAX_PAYLOAD_BYTES,
  resolveEsmSettings,
} from './esmSettings.js';
import { interpretHandlerResult } from './handlerResult.js';
import { JsonlOnFailureDestination, type OnFailureDestination } from './JsonlOnFailureDestination.js';
import { fromKafkajsMessage } from './kafkajsRecord.js';
import { type EsmCounters, formatProgress, isCaughtUp, type PartitionLag, partitionLags } from './lag.js';
import { createLambdaContext, localFunctionArn } from './lambdaContext.js';
import { type CommitTarget, OffsetTracker } from './OffsetTracker.js';
import { buildOnFailureRecord } from './onFailureRecord.js';
import {
  type Backoff,
  DEFAULT_BACKOFF,
  type DiscardCondition,
  decideAfterFailure,
  type RetrySettings,
  splitExpired,
} from './retryPolicy.js';
import {
  addSchemaMetadata,
  type LocalSchemaRegistryConfig,
  SchemaRegistryEmulation,
  type ValidatedRecord,
} from './SchemaRegistryEmulation.js';

/** A Lambda handler for Kafka events, in the promise style (middy handlers are). */
export type LambdaKafkaHandlerFn = (event: LambdaKafkaEvent, context: Context) => unknown;

/** Test and instrumentation hooks. */
export interface EsmHooks {
  /**
   * Runs after the function settled records and before their offsets are committed. Throwing
   * here crashes the mapping on the spot (nothing is committed), which is how tests stage
   * "the process died between the handler's writes and the commit".
   */
  readonly beforeCommit?: (offsets: readonly CommitTarget[]) => void | Promise<void>;
}

/** Options of {@link LocalEventSourceMapping}. */
export interface LocalEventSourceMappingOptions {
  /** A kafkajs client (see createKafka). */
  readonly kafka: Kafka;
  /** The function, invoked in-process. */
  readonly handler: LambdaKafkaHandlerFn;
  readonly settings: EsmSettingsInput;
  /** What events carry as `bootstrapServers` (comma-separated). */
  readonly bootstrapServers: string;
  /**
   * Where discarded batches go. `null`: nowhere (records are dropped with a log line, as
   * Lambda does without a destination).
   * @default a JSONL file, {@link defaultOnFailurePath}
   */
  readonly onFailure?: OnFailureDestination | null;
  /** Put the whole event in on-failure records (`payload`, as S3 destinations get). @default false */
  readonly includeRecordsOnFailure?: boolean;
  /** @default DEFAULT_BACKOFF (500 ms doubling to 30 s) */
  readonly backoff?: Backoff;
  /** Function timeout: an invocation still running then counts as failed. @default 900,000 */
  readonly functionTimeoutMs?: number;
  /** How often to print progress on `log`; 0 for never. @default 5,000 */
  readonly progressIntervalMs?: number;
  /** @default a line on stderr */
  readonly log?: (line: string) => void;
  readonly hooks?: EsmHooks;
  /** Records fetched ahead of the function before fetching pauses. @default max(2 x batch size, 2,000) */
  readonly maxBufferedRecords?: number;
  /**
   * The consumer's group session timeout. After a broker restart the group waits this long
   * for the member that vanished before it rebalances to the new one.
   * @default 30,000 (kafkajs's default)
   */
  readonly sessionTimeoutMs?: number;
  /** @default Date.now */
  readonly nowMs?: () => number;
  /**
   * Emulate Lambda's schema-registry integration (`SchemaRegistryConfig`, provisioned mode):
   * validate Confluent-framed Avro against the writer schemas of `source` and deliver it as
   * JSON or as the bare Avro body (see {@link SchemaRegistryEmulation}).
   * @default none: records are delivered as the broker holds them
   */
  readonly schemaRegistry?: LocalSchemaRegistryConfig;
}

/** What a mapping did, reported when it stops. */
export interface EsmSummary extends EsmCounters {
  readonly functionName: string;
  readonly consumerGroupId: string;
  /** Offsets the broker confirmed as committed, by partition. */
  readonly committed: ReadonlyMap<number, number>;
}

/** Where discarded batches of a function go by default. */
export function defaultOnFailurePath(functionName: string): string {
  return join('.local', 'esm', `${functionName}.on-failure.jsonl`);
}

/** A unit of work: records cut from the queue, or the remains of a failed batch. */
interface WorkItem {
  readonly records: readonly PendingRecord[];
  /** Retries already made (the first invocation is not a retry). */
  readonly retries: number;
  /** Invocations these records have been part of. */
  readonly invokeCount: number;
  readonly lastError?: unknown;
  /** The first record alone exceeds the payload cap. */
  readonly oversized?: boolean;
}

type Invocation = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * A Lambda Kafka event-source mapping, run locally: it consumes a topic with kafkajs in a
 * consumer group and invokes a handler in-process with events shaped exactly as Lambda sends
 * them, so the same handler code runs here and in AWS.
 *
 * Emulated as documented for provisioned-mode Kafka mappings: batches mixing partitions with
 * each partition in order; batch size, batching window and the 6 MB cap, whichever comes
 * first; commits only after the function succeeded; whole-batch retries with backoff,
 * `MaximumRetryAttempts`, `MaximumRecordAgeInSeconds`, `BisectBatchOnFunctionError`, partial
 * batch responses, and an on-failure destination. One batch is in flight at a time (one
 * poller, concurrency 1). See docs/esm-runner.md for what differs from AWS.
 *
 * Why commits are safe: records are handed from kafkajs's `eachBatch` into a queue (offsets
 * resolved locally so fetching moves on, `autoCommit: false` so nothing reaches the broker),
 * and the group's offset is committed explicitly, per partition, only up to the lowest record
 * not yet settled. A crash anywhere leaves the group at or before the first unsettled record,
 * so the next consumer redelivers it; the project's handlers are idempotent per offset.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-on-failure.html
 */
export class LocalEventSourceMapping {
  readonly settings: EsmSettings;
  /** Resolves with a summary after a graceful stop; rejects with EsmCrashedError after a crash. */
  readonly done: Promise<EsmSummary>;

  private readonly kafka: Kafka;
  private readonly handler: LambdaKafkaHandlerFn;
  private readonly eventOptions: BuildEventOptions;
  private readonly limits: BatchLimits;
  private readonly retry: RetrySettings;
  private readonly onFailure: OnFailureDestination | null;
  private readonly includeRecordsOnFailure: boolean;
  private readonly functionTimeoutMs: number;
  private readonly registry: SchemaRegistryEmulation | undefined;
  private readonly progressIntervalMs: number;
  private readonly log: (line: string) => void;
  private readonly hooks: EsmHooks;
  private readonly maxBufferedRecords: number;
  private readonly sessionTimeoutMs: number;
  private readonly now: () => number;

  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private pending: PendingRecord[] = [];
  private pendingBytes = 0;
  private readonly retryQueue: WorkItem[] = [];
  private readonly nextAccept = new Map<string, number>();
  private owned: Set<string> | undefined;
  private readonly tracker = new OffsetTracker();
  private readonly confirmed = new Map<number, number>();
  private readonly counters = {
    recordsDelivered: 0,
    invocations: 0,
    failedInvocations: 0,
    recordsDiscarded: 0,
  };
  private readonly wake = new Signal();
  private readonly drained = new Signal();
  private stopping = false;
  private crashed: Error | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private commitChain: Promise<void> = Promise.resolve();
  private stopPromise: Promise<EsmSummary> | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private lastProgress = { atMs: 0, delivered: 0 };
  private resolveDone!: (s: EsmSummary) => void;
  private rejectDone!: (e: Error) => void;

  constructor(options: LocalEventSourceMappingOptions) {
    this.settings = resolveEsmSettings(options.settings);
    this.kafka = options.kafka;
    this.handler = options.handler;
    this.eventOptions = {
      source: this.settings.source,
      bootstrapServers: options.bootstrapServers,
      ...(this.settings.eventSourceArn ? { eventSourceArn: this.settings.eventSourceArn } : {}),
    };
    this.limits = {
      batchSize: this.settings.batchSize,
      maximumBatchingWindowMs: this.settings.maximumBatchingWindowMs,
      maxPayloadBytes: MAX_PAYLOAD_BYTES,
      envelopeBytes: envelopeBytes(this.eventOptions),
    };
    this.onFailure =
      options.onFailure === undefined
        ? new JsonlOnFailureDestination(defaultOnFailurePath(this.settings.functionName))
        : options.onFailure;
    this.retry = {
      maximumRetryAttempts: effectiveMaxRetries(this.settings, this.onFailure !== null),
      bisectBatchOnFunctionError: this.settings.bisectBatchOnFunctionError,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
    };
    this.includeRecordsOnFailure = options.includeRecordsOnFailure ?? false;
    this.functionTimeoutMs = options.functionTimeoutMs ?? 900_000;
    this.registry = options.schemaRegistry ? new SchemaRegistryEmulation(options.schemaRegistry) : undefined;
    this.progressIntervalMs = options.progressIntervalMs ?? 5_000;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.hooks = options.hooks ?? {};
    this.maxBufferedRecords = options.maxBufferedRecords ?? Math.max(2 * this.settings.batchSize, 2_000);
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    this.now = options.nowMs ?? Date.now;
    this.done = new Promise<EsmSummary>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // Callers may never await `done`; a crash must not become an unhandled rejection.
    this.done.catch(() => {});
  }

  private get name(): string {
    return this.settings.functionName;
  }

  /**
   * Connects, joins the consumer group and starts consuming. Resolves once consuming has
   * started; the mapping then runs until {@link stop} (or a crash, see {@link done}).
   */
  async start(): Promise<void> {
    if (this.consumer) throw new Error(`${this.name}: start() was already called`);
    const { topic, consumerGroupId } = this.settings;
    const retry = { initialRetryTime: 300, maxRetryTime: 5_000, retries: 8 };
    const admin = this.kafka.admin({ retry });
    const consumer = this.kafka.consumer({
      groupId: consumerGroupId,
      retry,
      maxWaitTimeInMs: 1_000,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(this.sessionTimeoutMs / 3)),
      allowAutoTopicCreation: false,
    });
    this.admin = admin;
    this.consumer = consumer;
    consumer.on(consumer.events.COMMIT_OFFSETS, (e) => {
      for (const t of e.payload.topics) {
        if (t.topic !== topic) continue;
        for (const p of t.partitions) this.confirmed.set(Number(p.partition), Number(String(p.offset)));
      }
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) =>
      this.onAssignment(e.payload.memberAssignment[topic] ?? []),
    );
    consumer.on(consumer.events.CRASH, (e) => {
      const { error, restart } = e.payload;
      if (restart) {
        this.log(`[esm ${this.name}] Kafka consumer restarting after: ${error.message}`);
      } else {
        void this.crash(
          new EsmCrashedError(this.name, `Kafka consumer failed: ${error.message}`, { cause: error }),
        );
      }
    });

    try {
      await this.connectAndRun(admin, consumer);
    } catch (err) {
      // Leave nothing half-connected behind a failed start.
      await this.disconnect();
      throw err;
    }
    const s = this.settings;
    this.log(
      `[esm ${this.name}] consuming ${topic} as group ${consumerGroupId} (${s.startingPosition} for a new group), ` +
        `batch ${s.batchSize}, window ${s.maximumBatchingWindowMs} ms, retries ${this.retry.maximumRetryAttempts}, ` +
        `on failure: ${this.onFailure?.description ?? 'drop'}` +
        (this.registry ? `, schema registry: ${this.registry.description}` : ''),
    );
    this.loopDone = this.loop();
    // Commits that failed (broker away, rebalance) are retried even when no new batch comes.
    this.commitTimer = setInterval(() => void this.commit().catch(noop), 1_000);
    this.commitTimer.unref();
    if (this.progressIntervalMs > 0) {
      this.lastProgress = { atMs: this.now(), delivered: 0 };
      this.progressTimer = setInterval(() => void this.reportProgress(), this.progressIntervalMs);
      this.progressTimer.unref();
    }
  }

  private async connectAndRun(admin: Admin, consumer: Consumer): Promise<void> {
    const { topic } = this.settings;
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: [topic] });
    } catch (err) {
      throw new ConfigError(
        `${this.name}: topic "${topic}" is not available on the brokers (${(err as Error).message}); create it first or check --topic`,
        { cause: err },
      );
    }
    await consumer.connect();
    await consumer.subscribe({
      topics: [topic],
      fromBeginning: this.settings.startingPosition === 'TRIM_HORIZON',
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const pid = partitionId(batch.topic, batch.partition);
        const arrivedAtMs = this.now();
        for (const message of batch.messages) {
          if (!isRunning() || isStale() || this.stopping) break;
          const offset = Number(message.offset);
          const next = this.nextAccept.get(pid);
          // After a rebalance or a consumer restart kafkajs fetches again from the committed
          // offset; records already queued or processed here are skipped, not queued twice.
          if (next === undefined || offset >= next) {
            const p = toPendingRecord(fromKafkajsMessage(batch.topic, batch.partition, message), arrivedAtMs);
            this.pending.push(p);
            this.pendingBytes += p.bytes + 1;
            this.nextAccept.set(pid, offset + 1);
          }
          resolveOffset(message.offset);
        }
        this.wake.notify();
        // Backpressure: hold the fetch loop (heartbeating) while the function catches up.
        while (this.pending.length >= this.maxBufferedRecords && isRunning() && !this.stopping) {
          await heartbeat();
          await this.drained.wait(1_000);
        }
      },
    });
  }

  /**
   * Graceful shutdown: finishes the invocation in flight (no further retries are started),
   * commits what settled, leaves the group and disconnects. Records not yet settled are
   * redelivered to the next consumer of the group.
   */
  stop(): Promise<EsmSummary> {
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  /** Stops at once without committing anything more, as if the process had died. */
  async abort(reason = 'aborted'): Promise<void> {
    await this.crash(new EsmCrashedError(this.name, reason));
  }

  /** Counters so far. */
  stats(): EsmSummary {
    return {
      ...this.counters,
      functionName: this.name,
      consumerGroupId: this.settings.consumerGroupId,
      committed: new Map(this.confirmed),
    };
  }

  /** Lag per partition of this mapping's group, from the broker. */
  async lag(): Promise<PartitionLag[]> {
    const admin = this.admin;
    if (!admin) throw new Error(`${this.name}: not started`);
    const { topic, consumerGroupId } = this.settings;
    const [topicOffsets, groupOffsets] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: consumerGroupId, topics: [topic] }),
    ]);
    const committed = new Map<number, number>();
    for (const t of groupOffsets) {
      if (t.topic !== topic) continue;
      for (const p of t.partitions) committed.set(p.partition, Number(p.offset));
    }
    return partitionLags(topicOffsets, committed);
  }

  /**
   * Resolves once the group's committed offsets reach the end of every partition (lag 0
   * everywhere). Rejects if the mapping crashes or `timeoutMs` passes.
   */
  async waitUntilCaughtUp(options: { pollMs?: number; timeoutMs?: number } = {}): Promise<void> {
    const pollMs = options.pollMs ?? 500;
    const deadline =
      options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : this.now() + options.timeoutMs;
    let lagFailing = false;
    for (;;) {
      if (this.crashed) throw this.crashed;
      await this.commit();
      try {
        if (isCaughtUp(await this.lag())) return;
        lagFailing = false;
      } catch (err) {
        // A broker restart makes admin calls fail for a while; keep polling, say so once.
        if (this.crashed) throw this.crashed;
        if (!lagFailing) {
          this.log(`[esm ${this.name}] lag unavailable, still trying: ${(err as Error).message}`);
        }
        lagFailing = true;
      }
      if (this.now() > deadline) {
        throw new Error(
          `${this.name}: not caught up after ${options.timeoutMs} ms (lag ${await this.lagText()})`,
        );
      }
      await Promise.race([sleep(pollMs), this.done.then(noop, noop)]);
    }
  }

  // ---------------------------------------------------------------------------------- loop

  private async loop(): Promise<void> {
    try {
      while (!this.stopping) {
        const item = this.retryQueue.shift() ?? (await this.nextBatch());
        if (!item || this.stopping) break;
        await this.process(item);
      }
    } catch (err) {
      await this.crash(
        err instanceof EsmCrashedError
          ? err
          : new EsmCrashedError(this.name, (err as Error).message, { cause: err }),
      );
    }
  }

  /** Waits until the queue makes a batch (size, payload or window) and cuts it. */
  private async nextBatch(): Promise<WorkItem | undefined> {
    for (;;) {
      if (this.stopping) return undefined;
      const readiness = batchReadiness(
        {
          count: this.pending.length,
          sizeBytes: this.limits.envelopeBytes + this.pendingBytes,
          oldestArrivalMs: this.pending[0]?.arrivedAtMs,
        },
        this.now(),
        this.limits,
      );
      if (readiness.ready) break;
      await this.wake.wait(Math.min(readiness.waitMs, 1_000));
    }
    const cut = cutBatch(this.pending, this.limits);
    const records = this.pending.splice(0, cut.count);
    for (const r of records) this.pendingBytes -= r.bytes + 1;
    this.drained.notify();
    this.tracker.take(records.map((r) => r.record));
    return { records, retries: 0, invokeCount: 0, oversized: cut.oversized };
  }

  private async process(item: WorkItem): Promise<void> {
    const ownedRecords = item.records.filter((r) => this.isOwned(r.partitionId));
    if (item.oversized) {
      await this.discard(ownedRecords, 'MaximumPayloadSizeExceeded', item.invokeCount, item.lastError);
      return;
    }
    const split = splitExpired(ownedRecords, this.now(), this.settings.maximumRecordAgeInSeconds);
    const expired = split.expired;
    let live = split.live;
    if (expired.length > 0)
      await this.discard(expired, 'RecordAgeExceeded', item.invokeCount, item.lastError);
    if (live.length === 0) return;

    const validated = this.registry ? await this.validateWithRegistry(live, item) : undefined;
    if (validated?.valid) {
      // Every record failed validation (and was discarded): nothing left to invoke with.
      if (validated.valid.length === 0) return;
      live = validated.valid;
    }
    const records = live.map((r) => r.record);
    let invocation: Invocation;
    if (validated?.outage !== undefined) {
      // The registry could not answer: the batch fails before the function is invoked.
      invocation = { ok: false, error: validated.outage };
    } else {
      const event = buildEvent(
        validated ? records.map((r) => validated.delivered.get(recordId(r))?.record ?? r) : records,
        this.eventOptions,
      );
      if (validated) addSchemaMetadata(event, validated.delivered);
      invocation = await this.invoke(event);
      if (this.crashed) return;
      this.counters.invocations++;
    }
    const invokeCount = item.invokeCount + 1;

    let failed: readonly PendingRecord[];
    let error: unknown;
    if (invocation.ok) {
      const outcome = interpretHandlerResult(records, invocation.value, this.settings);
      if (!this.settings.reportBatchItemFailures && reportsItemFailures(invocation.value)) {
        this.log(
          `[esm ${this.name}] the handler returned batchItemFailures, ignored because reportBatchItemFailures is off (AWS ignores them too without FunctionResponseTypes ReportBatchItemFailures)`,
        );
      }
      if (outcome.kind === 'success') {
        await this.delivered(live);
        return;
      }
      if (outcome.kind === 'partial') {
        const failedSet = new Set<KafkaRecord>(outcome.failed);
        await this.delivered(live.filter((r) => !failedSet.has(r.record)));
        failed = live.filter((r) => failedSet.has(r.record));
        error = new PartialBatchFailureError(this.name, failed.length, checkpointText(failed));
      } else {
        failed = live;
        error = new InvalidBatchResponseError(this.name, outcome.reason);
      }
    } else {
      failed = live;
      error = invocation.error;
    }
    this.counters.failedInvocations++;

    const decision = decideAfterFailure(failed, item.retries, this.retry);
    const what = `${failed.length} record(s) (${checkpointText(failed)})`;
    switch (decision.action) {
      case 'bisect': {
        const [first, second] = decision.halves;
        this.log(`[esm ${this.name}] invocation failed (${errorText(error)}); bisecting ${what}`);
        this.retryQueue.unshift(
          { records: first, retries: item.retries, invokeCount, lastError: error },
          { records: second, retries: item.retries, invokeCount, lastError: error },
        );
        return;
      }
      case 'discard':
        this.log(`[esm ${this.name}] invocation failed (${errorText(error)}); retries exhausted for ${what}`);
        await this.discard(failed, decision.condition, invokeCount, error);
        return;
      case 'retry':
        this.log(
          `[esm ${this.name}] invocation failed (${errorText(error)}); retry ${item.retries + 1} of ${what} in ${decision.delayMs} ms`,
        );
        this.retryQueue.unshift({
          records: failed,
          retries: item.retries + 1,
          invokeCount,
          lastError: error,
        });
        await this.wake.waitUntil(() => this.stopping, decision.delayMs);
        return;
    }
  }

  /**
   * The schema-registry step of a provisioned mapping: records that fail validation go to the
   * on-failure destination (they never reach the function); the rest are delivered as the
   * record format says. A registry outage is returned, not thrown: the batch then fails and
   * is retried like a failed invocation.
   */
  private async validateWithRegistry(
    live: readonly PendingRecord[],
    item: WorkItem,
  ): Promise<{
    valid?: PendingRecord[];
    delivered: Map<string, Extract<ValidatedRecord, { ok: true }>>;
    outage?: unknown;
  }> {
    const registry = this.registry as SchemaRegistryEmulation;
    const delivered = new Map<string, Extract<ValidatedRecord, { ok: true }>>();
    try {
      await registry.prepare(live.map((r) => r.record));
    } catch (outage) {
      return { delivered, outage };
    }
    const valid: PendingRecord[] = [];
    const invalid: PendingRecord[] = [];
    const reasons: string[] = [];
    for (const r of live) {
      const result = registry.deliver(r.record);
      if (result.ok) {
        valid.push(r);
        delivered.set(recordId(r.record), result);
      } else {
        invalid.push(r);
        reasons.push(`${r.partitionId}@${r.record.offset}: ${result.reason}`);
      }
    }
    if (invalid.length > 0) {
      await this.discard(
        invalid,
        'SchemaValidationFailed',
        item.invokeCount,
        new SchemaValidationError(this.name, reasons),
      );
    }
    return { valid, delivered };
  }

  private async invoke(event: LambdaKafkaEvent): Promise<Invocation> {
    const startedAtMs = this.now();
    const context = createLambdaContext(
      { functionName: this.name, timeoutMs: this.functionTimeoutMs },
      randomUUID(),
      startedAtMs,
      this.now,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HandlerTimeoutError(this.name, this.functionTimeoutMs)),
        this.functionTimeoutMs,
      );
    });
    try {
      const value = await Promise.race([Promise.resolve().then(() => this.handler(event, context)), timeout]);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error };
    } finally {
      clearTimeout(timer);
    }
  }

  private async delivered(records: readonly PendingRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.counters.recordsDelivered += records.length;
    this.tracker.settle(records.map((r) => r.record));
    await this.commit();
  }

  /** Sends records to the on-failure destination, then lets processing go on past them. */
  private async discard(
    records: readonly PendingRecord[],
    condition: DiscardCondition,
    approximateInvokeCount: number,
    error: unknown,
  ): Promise<void> {
    if (records.length === 0) return;
    const raw = records.map((r) => r.record);
    if (this.onFailure) {
      const event = buildEvent(raw, this.eventOptions);
      await this.onFailure.send(
        buildOnFailureRecord({
          records: raw,
          event,
          payloadSize: eventSizeBytes(event),
          condition,
          approximateInvokeCount,
          functionArn: localFunctionArn({ functionName: this.name }),
          requestId: randomUUID(),
          nowMs: this.now(),
          includePayload: this.includeRecordsOnFailure,
          ...(error === undefined ? {} : { error }),
        }),
      );
    }
    this.log(
      `[esm ${this.name}] ${condition}: ${records.length} record(s) (${checkpointText(records)}) ` +
        `${this.onFailure ? `sent to ${this.onFailure.description}` : 'dropped (no on-failure destination)'}`,
    );
    this.counters.recordsDiscarded += records.length;
    this.tracker.settle(raw);
    await this.commit();
  }

  // ---------------------------------------------------------------------------------- commits

  /** Commits what is safe to commit; serialised, and a no-op after a crash. */
  private commit(): Promise<void> {
    const run = this.commitChain.then(() => this.commitNow());
    this.commitChain = run.catch(noop);
    return run;
  }

  private async commitNow(): Promise<void> {
    const consumer = this.consumer;
    if (this.crashed || !consumer) return;
    const targets = this.tracker
      .commitTargets()
      .filter(
        (t) =>
          this.isOwned(partitionId(t.topic, t.partition)) &&
          t.offset > (this.confirmed.get(t.partition) ?? -1),
      );
    if (targets.length === 0) return;
    if (this.hooks.beforeCommit) {
      try {
        await this.hooks.beforeCommit(targets);
      } catch (err) {
        const crash = new EsmCrashedError(this.name, `crash before commit: ${(err as Error).message}`, {
          cause: err,
        });
        await this.crash(crash);
        throw crash;
      }
    }
    try {
      await consumer.commitOffsets(
        targets.map((t) => ({ topic: t.topic, partition: t.partition, offset: String(t.offset) })),
      );
    } catch (err) {
      // Rebalances and broker restarts fail commits; the targets stay and the next commit retries.
      this.log(`[esm ${this.name}] commit failed, will retry: ${(err as Error).message}`);
    }
  }

  private onAssignment(partitions: readonly number[]): void {
    const { topic } = this.settings;
    const owned = new Set(partitions.map((p) => partitionId(topic, p)));
    const lost = [...(this.owned ?? new Set<string>())].filter((pid) => !owned.has(pid));
    this.owned = owned;
    if (lost.length === 0) return;
    // Another consumer owns these now: drop what is queued for them and never commit them.
    this.pending = this.pending.filter((p) => owned.has(p.partitionId));
    this.pendingBytes = this.pending.reduce((s, p) => s + p.bytes + 1, 0);
    for (const pid of lost) {
      this.nextAccept.delete(pid);
      const partition = Number(pid.slice(topic.length + 1));
      this.tracker.forget(topic, partition);
      this.confirmed.delete(partition);
    }
    this.log(`[esm ${this.name}] partitions reassigned away: ${lost.join(', ')}`);
  }

  private isOwned(pid: string): boolean {
    return this.owned === undefined || this.owned.has(pid);
  }

  // ---------------------------------------------------------------------------------- lifecycle

  private async shutdown(): Promise<EsmSummary> {
    this.stopping = true;
    this.wake.notify();
    this.drained.notify();
    await this.loopDone;
    if (this.crashed) throw this.crashed;
    // Commit what settled; a broker that is away gets a few seconds to come back.
    for (let attempt = 0; attempt < 10; attempt++) {
      await this.commit().catch(noop);
      if (this.crashed) throw this.crashed;
      const outstanding = this.tracker
        .commitTargets()
        .some(
          (t) =>
            t.offset > (this.confirmed.get(t.partition) ?? -1) &&
            this.isOwned(partitionId(t.topic, t.partition)),
        );
      if (!outstanding) break;
      await sleep(500);
    }
    clearInterval(this.progressTimer);
    clearInterval(this.commitTimer);
    await this.disconnect();
    const summary = this.stats();
    this.log(
      `[esm ${this.name}] stopped: ${summary.recordsDelivered} records in ${summary.invocations} invocations, ${summary.recordsDiscarded} discarded`,
    );
    this.resolveDone(summary);
    return summary;
  }

  private async crash(error: Error): Promise<void> {
    if (this.crashed) return;
    this.crashed = error;
    this.stopping = true;
    this.wake.notify();
    this.drained.notify();
    clearInterval(this.progressTimer);
    clearInterval(this.commitTimer);
    this.log(`[esm ${this.name}] ${error.message}`);
    await this.disconnect();
    this.rejectDone(error);
  }

  private async disconnect(): Promise<void> {
    await Promise.allSettled([this.consumer?.disconnect(), this.admin?.disconnect()]);
  }

  private async reportProgress(): Promise<void> {
    const nowMs = this.now();
    const elapsedS = Math.max(0.001, (nowMs - this.lastProgress.atMs) / 1000);
    const rate = (this.counters.recordsDelivered - this.lastProgress.delivered) / elapsedS;
    this.lastProgress = { atMs: nowMs, delivered: this.counters.recordsDelivered };
    let lags: PartitionLag[] | undefined;
    try {
      lags = await this.lag();
    } catch {
      lags = undefined;
    }
    if (this.crashed || this.stopPromise) return;
    this.log(formatProgress(this.name, this.counters, rate, lags));
  }

  private async lagText(): Promise<string> {
    try {
      return (await this.lag()).map((l) => `${l.partition}:${l.lag}`).join(' ');
    } catch {
      return 'unknown';
    }
  }
}

/** A wake-up call between the fetch loop and the processing loop. */
class Signal {
  private waiters: Array<() => void> = [];

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves on the next notify, or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }

  /** Waits `ms`, or less if `condition` turns true at a notify. */
  async waitUntil(condition: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition() && Date.now() < deadline) await this.wait(deadline - Date.now());
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function noop(): void {}

function reportsItemFailures(result: unknown): boolean {
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  return Array.isArray(failures) && failures.length > 0;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** "rides-0@12..15, rides-2@7" */
function checkpointText(records: readonly PendingRecord[]): string {
  const ranges = new Map<string, { lo: number; hi: number }>();
  for (const { partitionId: pid, record } of records) {
    const r = ranges.get(pid);
    if (!r) ranges.set(pid, { lo: record.offset, hi: record.offset });
    else {
      r.lo = Math.min(r.lo, record.offset);
      r.hi = Math.max(r.hi, record.offset);
    }
  }
  return [...ranges.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pid, r]) => (r.lo === r.hi ? `${pid}@${r.lo}` : `${pid}@${r.lo}..${r.hi}`))
    .join(', ');
}

/** A record's place, as {@link addSchemaMetadata} looks records up. */
function recordId(r: Pick<KafkaRecord, 'topic' | 'partition' | 'offset'>): string {
  return `${r.topic}-${r.partition}@${r.offset}`;
}
