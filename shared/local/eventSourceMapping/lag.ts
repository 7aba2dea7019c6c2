/** How far one partition's consumer group is behind the log. */
export interface PartitionLag {
  readonly partition: number;
  /** Offset of the next record to be written (Kafka's high watermark). */
  readonly highWatermark: number;
  /** The group's committed offset (next record to read); null when it never committed. */
  readonly committed: number | null;
  /** Records written but not committed: what `kafka-consumer-groups --describe` calls LAG. */
  readonly lag: number;
}

/**
 * Lag per partition from the topic's offsets (`admin.fetchTopicOffsets`) and the group's
 * committed offsets (`admin.fetchOffsets`). A partition the group never committed counts from
 * its low watermark (the oldest record still in the log), as a new TRIM_HORIZON group would read it.
 */
export function partitionLags(
  topicOffsets: ReadonlyArray<{
    readonly partition: number;
    readonly high: string | number;
    readonly low: string | number;
  }>,
  committed: ReadonlyMap<number, number>,
): PartitionLag[] {
  return topicOffsets
    .map((t) => {
      const high = Number(t.high);
      const low = Number(t.low);
      const c = committed.get(t.partition);
      const from = c === undefined || c < 0 ? low : c;
      return {
        partition: t.partition,
        highWatermark: high,
        committed: c === undefined || c < 0 ? null : c,
        lag: Math.max(0, high - from),
      };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** True when every partition's committed offset has reached its high watermark. */
export function isCaughtUp(lags: readonly PartitionLag[]): boolean {
  return lags.every((l) => l.lag === 0);
}

/** Counters a mapping keeps for its progress line. */
export interface EsmCounters {
  /** Records the function processed successfully (committed or about to be). */
  readonly recordsDelivered: number;
  readonly invocations: number;
  readonly failedInvocations: number;
  /** Records sent to the on-failure destination. */
  readonly recordsDiscarded: number;
}

/**
 * One progress line for stderr:
 * `[esm rides-count-by-dropoff] 12000 records, 2400.0 rec/s, 130 invocations (2 failed), 0 discarded, lag 0:12 1:0 2:5 (17)`.
 * `recordsPerSecond` is over the last interval, not since start, so it shows stalls.
 */
export function formatProgress(
  functionName: string,
  counters: EsmCounters,
  recordsPerSecond: number,
  lags: readonly PartitionLag[] | undefined,
): string {
  const lagText =
    lags === undefined
      ? 'lag unknown'
      : `lag ${lags.map((l) => `${l.partition}:${l.lag}`).join(' ')} (${lags.reduce((s, l) => s + l.lag, 0)})`;
  return (
    `[esm ${functionName}] ${counters.recordsDelivered} records, ${recordsPerSecond.toFixed(1)} rec/s, ` +
    `${counters.invocations} invocations (${counters.failedInvocations} failed), ` +
    `${counters.recordsDiscarded} discarded, ${lagText}`
  );
}
