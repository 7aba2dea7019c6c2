import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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

  constructor(
    private readonly crashAfter: number,
    private readonly landsOnCrash: boolean,
  ) {}

  /** Runs one effect under the plan; `write` says whether it counts as a write. */
  async effect<T>(write: boolean, run: () => Promise<T>): Promise<T> {
    if (this.dead) throw new Error('invocation crashed');
    if (write && this.writes++ >= this.crashAfter) {
      this.dead = true;
      if (this.landsOnCrash) await run();
      throw new Error('invocation crashed');
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
