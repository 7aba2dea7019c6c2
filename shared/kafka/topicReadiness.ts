import type { Admin, ITopicConfig } from 'kafkajs';

/** The partitions' offsets as `admin.fetchTopicOffsets` returns them. */
export type TopicOffsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

/** Error types a KRaft broker answers while a new topic or partition is still being published. */
const NOT_READY_YET = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
]);

function isNotReadyYet(error: unknown): boolean {
  const e = error as { type?: string; originalError?: { type?: string } };
  return NOT_READY_YET.has(e.type ?? '') || NOT_READY_YET.has(e.originalError?.type ?? '');
}

/**
 * Waits until `topic` has at least `partitions` partitions, each with a leader that answers ListOffsets,
 * and returns their offsets (`admin.fetchTopicOffsets`). Call it after `createTopics` / `createPartitions`.
 *
 * Why: on a KRaft broker, CreateTopics/CreatePartitions return once the controller committed the change;
 * the broker then publishes it to its metadata cache and, a moment later, its replica manager takes the
 * leadership. kafkajs does not cover that gap: `createTopics({ waitForLeaders: true })` gives up when the
 * metadata still says UNKNOWN_TOPIC_OR_PARTITION, and `fetchTopicOffsets` gives up on
 * NOT_LEADER_FOR_PARTITION. Both were seen with Kafka 4.4 when the machine is busy.
 */
export async function waitForTopic(
  admin: Admin,
  topic: string,
  partitions = 1,
  timeoutMs = 30_000,
): Promise<TopicOffsets> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const known = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
      if (known.length >= partitions && known.every((p) => p.leader >= 0)) {
        const offsets = await admin.fetchTopicOffsets(topic);
        if (offsets.length >= partitions) return offsets;
        last = `fetchTopicOffsets lists ${offsets.length} partitions`;
      } else {
        last = `metadata lists ${known.length} partitions, leaders ${known.map((p) => p.leader).join(',')}`;
      }
    } catch (error) {
      if (!isNotReadyYet(error)) throw error;
      last = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `topic ${topic} not ready with ${partitions} led partitions after ${timeoutMs} ms (${last})`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `admin.createTopics` followed by {@link waitForTopic} for every topic: resolves once each topic can be
 * produced to and its offsets read. Returns kafkajs' result (false when the topics already existed).
 * Why: see {@link waitForTopic}; tests that create a topic and use it at once are otherwise flaky.
 */
export async function createTopicsAndWait(
  admin: Admin,
  topics: ITopicConfig[],
  timeoutMs = 30_000,
): Promise<boolean> {
  const created = await admin.createTopics({ topics, waitForLeaders: false, timeout: timeoutMs });
  for (const t of topics) {
    // numPartitions -1 or unset: the broker default (num.partitions=1 on the test broker).
    await waitForTopic(
      admin,
      t.topic,
      t.numPartitions !== undefined && t.numPartitions > 0 ? t.numPartitions : 1,
      timeoutMs,
    );
  }
  return created;
}
