import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RecordSink } from '../../shared/engine/output/index.js';

/**
 * A replayable stream of choices for a delivery simulation: fast-check generates the
 * numbers, so a failing schedule shrinks and replays like any other input.
 */
export class Tape {
  private i = 0;
  constructor(private readonly values: number[]) {}
  /** A choice in [0, n). */
  next(n: number): number {
    const v = this.values[this.i++ % this.values.length]! + this.i;
    return v % n;
  }
}

/** A write the simulated invocation may crash on. */
export const WRITE_COMMAND = /^(Put|Update|BatchWrite|Delete)/;

/**
 * One simulated invocation's failure plan: it crashes on its write number `crashAfter`
 * (Infinity: never); that write lands or not (`landsOnCrash`), and every call after the
 * crash fails, as a Lambda whose process died. `writes` counts DynamoDB writes and sends to
 * Kafka alike, so a crash can fall between any two effects.
 */
export class InvocationFaults {
  private writes = 0;
  dead = false;

  /**
   * @param error what the failing call throws: the default says "crashed"; tests of a live
   * store pass the AWS SDK's own exceptions (throttling, 500s), as DynamoDB would throw them.
   */
  constructor(
    private readonly crashAfter: number,
    private readonly landsOnCrash: boolean,
    private readonly error: () => Error = () => new Error('invocation crashed'),
  ) {}

  /** Runs one effect under the plan; `write` says whether it counts as a write. */
  async effect<T>(write: boolean, run: () => Promise<T>): Promise<T> {
    if (this.dead) throw this.error();
    if (write && this.writes++ >= this.crashAfter) {
      this.dead = true;
      if (this.landsOnCrash) await run();
      throw this.error();
    }
    return run();
  }

  /** A document client whose sends go through the plan. */
  client(
    doc: DynamoDBDocumentClient,
    afterRead?: (command: string) => Promise<void>,
  ): DynamoDBDocumentClient {
    const crashing = Object.create(doc) as DynamoDBDocumentClient;
    crashing.send = (async (command: { constructor: { name: string } }) => {
      const name = command.constructor.name;
      const out = await this.effect(WRITE_COMMAND.test(name), () => doc.send(command as never));
      await afterRead?.(name);
      return out;
    }) as DynamoDBDocumentClient['send'];
    return crashing;
  }
}

/** One invocation's plan: see {@link InvocationFaults}. */
export interface InvocationPlan {
  readonly crashAfter: number;
  readonly landsOnCrash: boolean;
}

/**
 * {@link InvocationFaults} for a handler that lives across invocations, as a warm Lambda
 * container does: its stores and record sink are built once, so they are wrapped once here
 * and route every effect through the plan of the invocation in progress, which `around`
 * draws from `planFor(invocation number)`. Lets a real event-source mapping drive a real
 * handler whose DynamoDB writes and Kafka sends fail (after landing, or not) on schedule.
 */
export class InvocationFaultPlan {
  /** Invocations started. */
  invocations = 0;
  /** Invocations whose planned crash happened (each one failed, and the mapping retried). */
  crashes = 0;
  private current = new InvocationFaults(Number.POSITIVE_INFINITY, false);

  constructor(
    private readonly planFor: (invocation: number) => InvocationPlan,
    private readonly error?: () => Error,
  ) {}

  /** The handler, each call under a fresh plan. */
  around<E, C, R>(handler: (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
    return async (event, context) => {
      const { crashAfter, landsOnCrash } = this.planFor(this.invocations++);
      const faults = new InvocationFaults(crashAfter, landsOnCrash, this.error);
      this.current = faults;
      try {
        return await handler(event, context);
      } finally {
        if (faults.dead) this.crashes++;
      }
    };
  }

  /** A document client whose sends go through the current invocation's plan. */
  client(doc: DynamoDBDocumentClient): DynamoDBDocumentClient {
    const faulty = Object.create(doc) as DynamoDBDocumentClient;
    faulty.send = ((command: never) =>
      this.current.client(doc).send(command)) as DynamoDBDocumentClient['send'];
    return faulty;
  }

  /** A sink whose sends count as writes of the current invocation's plan. */
  sink(sink: RecordSink): RecordSink {
    return { send: (records) => this.current.effect(true, () => sink.send(records)) };
  }
}

/**
 * A document client for one attempt of a batch during a store outage that outlasts the
 * mapping's retries: its item writes go through `faults` (some land, then it crashes), and
 * its stream-time checkpoints never land, so the attempt never completes and the mapping
 * eventually gives up on the batch. Checkpoint writes are told apart by what they set (the
 * `offset` attribute of the state table), not by the order of writes, so the outage holds
 * whatever the attempt's boundaries.
 */
export function outageClient(
  doc: DynamoDBDocumentClient,
  faults: InvocationFaults,
  stateTable: string,
): DynamoDBDocumentClient {
  const crashing = faults.client(doc);
  const outage = Object.create(crashing) as DynamoDBDocumentClient;
  outage.send = (async (command: {
    input?: { TableName?: string; ExpressionAttributeNames?: Record<string, string> };
  }) => {
    const names = Object.values(command.input?.ExpressionAttributeNames ?? {});
    if (command.input?.TableName === stateTable && names.includes('offset')) {
      throw new Error('store outage: the checkpoint write failed');
    }
    return crashing.send(command as never);
  }) as DynamoDBDocumentClient['send'];
  return outage;
}
