import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LookupCache } from '../engine/enrich/index.js';
import { buildEvent, type KafkaRecordInput, type LambdaKafkaEvent } from '../engine/event/index.js';
import { type FinalizeCounts, sweepFinalResults } from '../engine/final/index.js';
import type { DeadLetter, HandlerSpec, PipelineOutcome } from '../engine/process/index.js';
import { processEvent } from '../engine/process/index.js';
import type { JoinPair } from '../engine/processors/index.js';
import {
  type AggregateRow,
  createDocumentClient,
  createPipelineStores,
  readNumber,
  rowFromItem,
  scanJoinPairs,
} from '../engine/store/dynamo/index.js';
import type { PipelineStores, TableNames, TableRow } from '../engine/store/index.js';
import { type EmbeddedDynamo, ensureTables, startEmbeddedDynamo } from '../local/index.js';
import { MemoryRecordSink, type SentRecord } from './MemoryRecordSink.js';

/** A record to pipe in; partition and offset default to 0 and the next offset of that partition. */
export interface TestRecord {
  key?: string | Buffer | null;
  value: string | Buffer | object | null;
  timestampMs?: number;
  partition?: number;
  offset?: number;
  topic?: string;
  headers?: { name: string; value: string | Buffer }[];
}

/**
 * A TopologyTestDriver for Kafka-triggered Lambda pipelines: pipe records with explicit
 * keys, timestamps, partitions and offsets through one or several handler specs (one per
 * input topic, as one event-source mapping reads one topic) against a real embedded
 * DynamoDB (dynalite, in memory), then read the tables, the dead letters, the rows of table
 * pipelines and what route pipelines sent to their output topics.
 * @see Kafka Streams' TopologyTestDriver, which this mirrors for the Lambda world.
 */
export class PipelineTestDriver {
  private readonly nextOffset = new Map<string, number>();
  /** What route pipelines sent, by topic (`outputs(topic)` reads it). */
  readonly sink = new MemoryRecordSink();

  private constructor(
    /** The handlers, by the order given; `spec` is the first (the one a single-spec driver runs). */
    readonly handlers: readonly HandlerSpec[],
    readonly doc: DynamoDBDocumentClient,
    readonly tables: TableNames,
    readonly stores: PipelineStores,
    private readonly dynamo: EmbeddedDynamo | undefined,
    private readonly nowMs: (() => number) | undefined,
  ) {}

  /** The first (or only) handler spec. */
  get spec(): HandlerSpec {
    return this.handlers[0]!;
  }

  /**
   * Starts a driver. With no endpoint it starts its own in-memory dynalite; with one
   * (e.g. a shared test server) it uses fresh tables whose names start with `tablePrefix`.
   */
  static async start(
    spec: HandlerSpec | readonly HandlerSpec[],
    options: { endpoint?: string; tablePrefix?: string; nowMs?: () => number } = {},
  ): Promise<PipelineTestDriver> {
    const dynamo = options.endpoint ? undefined : await startEmbeddedDynamo();
    const endpoint = options.endpoint ?? dynamo!.endpoint;
    const prefix = options.tablePrefix ?? `t${Math.random().toString(36).slice(2, 10)}`;
    const tables: TableNames = {
      aggregates: `${prefix}-aggregates`,
      deadLetters: `${prefix}-dead-letters`,
      state: `${prefix}-state`,
    };
    await ensureTables(endpoint, tables);
    const doc = createDocumentClient({ endpoint });
    const stores = createPipelineStores(doc, tables, options.nowMs ? { nowMs: options.nowMs } : {});
    const handlers = Array.isArray(spec) ? (spec as readonly HandlerSpec[]) : [spec as HandlerSpec];
    if (handlers.length === 0) throw new Error('PipelineTestDriver needs at least one handler spec');
    return new PipelineTestDriver(handlers, doc, tables, stores, dynamo, options.nowMs);
  }

  /** Builds the Lambda event these records would arrive in (one batch). */
  eventOf(
    records: readonly TestRecord[],
    options: { source?: 'msk' | 'self-managed' } = {},
  ): LambdaKafkaEvent {
    return buildEvent(
      records.map((r) => this.toInput(r)),
      options,
    );
  }

  /**
   * Pipes records in and returns what each pipeline did: the records of each topic as one
   * batch (one invocation) of every handler reading that topic, topics in the order they
   * first appear. A record without a topic goes to the first handler's.
   */
  async pipe(records: readonly TestRecord[]): Promise<PipelineOutcome[]> {
    const byTopic = new Map<string, TestRecord[]>();
    for (const r of records) {
      const topic = r.topic ?? this.spec.topic;
      const list = byTopic.get(topic) ?? [];
      list.push(r);
      byTopic.set(topic, list);
    }
    const outcomes: PipelineOutcome[] = [];
    for (const [topic, list] of byTopic) {
      // One handler gets every record, as its mapping would deliver whatever its topic held
      // (a record of another topic is then dead-lettered, which tests check); with several,
      // a record goes to the handlers reading its topic.
      const readers =
        this.handlers.length === 1 ? this.handlers : this.handlers.filter((h) => h.topic === topic);
      if (readers.length === 0) {
        throw new Error(
          `no handler of this driver reads topic ${topic} (topics: ${this.handlers.map((h) => h.topic).join(', ')})`,
        );
      }
      const event = this.eventOf(list);
      for (const handler of readers) outcomes.push(...(await this.deliver(handler, event)));
    }
    return outcomes;
  }

  /** Delivers a ready-made event to every handler reading its topic, e.g. to redeliver one. */
  async pipeEvent(event: LambdaKafkaEvent): Promise<PipelineOutcome[]> {
    const topics = new Set(Object.values(event.records).flatMap((g) => g.map((r) => r.topic)));
    const readers = this.handlers.filter((h) => topics.has(h.topic));
    const outcomes: PipelineOutcome[] = [];
    for (const handler of readers.length > 0 ? readers : [this.spec]) {
      outcomes.push(...(await this.deliver(handler, event)));
    }
    return outcomes;
  }

  private deliver(handler: HandlerSpec, event: LambdaKafkaEvent): Promise<PipelineOutcome[]> {
    // A fresh row cache per delivery: enrich steps see each table as it is when the record is
    // processed (a KTable join's semantics), not as a warm container's cache last read it.
    return processEvent(handler, event, this.stores, {
      sink: this.sink,
      lookups: new LookupCache(this.stores.tables, this.nowMs),
      ...(this.nowMs ? { nowMs: this.nowMs } : {}),
    });
  }

  /**
   * Runs the final-results sweeper once over every pipeline of the driver's handlers (what
   * the scheduled function does in AWS): emits windows that idleness or the wall clock closed.
   */
  async sweep(): Promise<Map<string, FinalizeCounts>> {
    return sweepFinalResults(
      this.handlers.flatMap((h) => h.pipelines),
      { stores: this.stores, sink: this.sink, nowMs: this.nowMs ?? Date.now },
    );
  }

  /** What route pipelines and final results sent to `topic`, in order, duplicates included. */
  outputs(topic: string): SentRecord[] {
    return this.sink.topic(topic);
  }

  /** The live rows of a table pipeline, by key. */
  async tableRows(table: string): Promise<TableRow[]> {
    return this.stores.tables.list(table);
  }

  private toInput(r: TestRecord): KafkaRecordInput {
    const topic = r.topic ?? this.spec.topic;
    const partition = r.partition ?? 0;
    const id = `${topic}-${partition}`;
    const offset = r.offset ?? this.nextOffset.get(id) ?? 0;
    this.nextOffset.set(id, Math.max(this.nextOffset.get(id) ?? 0, offset + 1));
    const value =
      r.value === null || typeof r.value === 'string' || Buffer.isBuffer(r.value)
        ? r.value
        : JSON.stringify(r.value);
    return {
      topic,
      partition,
      offset,
      timestampMs: r.timestampMs ?? 0,
      key: r.key ?? null,
      value,
      headers: r.headers ?? [],
    };
  }

  /** Every aggregate row of a pipeline (or all), sorted by pipeline, key and window. */
  async rows(pipeline?: string): Promise<AggregateRow[]> {
    const rows: AggregateRow[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new ScanCommand({ TableName: this.tables.aggregates, ExclusiveStartKey }),
      );
      for (const item of page.Items ?? []) {
        const row = rowFromItem(item);
        if (!pipeline || row.pipeline === pipeline) rows.push(row);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return rows.sort(
      (a, b) =>
        a.pipeline.localeCompare(b.pipeline) ||
        a.key.localeCompare(b.key, undefined, { numeric: true }) ||
        (a.windowStartMs ?? 0) - (b.windowStartMs ?? 0),
    );
  }

  /**
   * The live sessions of a session pipeline, sorted by key and start: `windowStartMs` and
   * `windowEndMs` are the session's first and last record times (both inclusive). Rows kept
   * as markers of merged-away sessions (no count) are left out.
   */
  async sessions(pipeline: string): Promise<AggregateRow[]> {
    return (await this.rows(pipeline)).filter((r) => r.count > 0);
  }

  /** The count of one key (all-time pipelines) or one key's window starting at `windowStartMs`. */
  async count(pipeline: string, key: string, windowStartMs?: number): Promise<number | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tables.aggregates,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `${pipeline}#${key}` },
      }),
    );
    const item = (out.Items ?? []).find(
      (i) => windowStartMs === undefined || readNumber(i.windowStart) === windowStartMs,
    );
    return item ? readNumber(item.count) : undefined;
  }

  /** The pairs a join pipeline stored, by key, time and identity (each pair once). */
  async joinPairs(pipeline: string): Promise<JoinPair[]> {
    return scanJoinPairs(this.doc, this.tables.state, pipeline);
  }

  /** Dead letters of a pipeline, or of all. */
  async deadLetters(pipeline?: string): Promise<DeadLetter[]> {
    return this.stores.deadLetters.list(pipeline);
  }

  /** Stops the embedded DynamoDB if the driver started one. */
  async close(): Promise<void> {
    this.doc.destroy();
    await this.dynamo?.close();
  }
}
