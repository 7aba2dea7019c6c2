import { TopicAdminError } from './TopicAdminError.js';
import type { TopicDeclaration } from './topicDeclaration.js';

/** What a topic looks like on the cluster, as far as a declaration cares. */
export interface TopicState {
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level overrides only (config source TOPIC_CONFIG), not broker defaults. */
  readonly overrides: Readonly<Record<string, string>>;
}

/** The admin calls that bring a topic to its declared state; empty when it is already there. */
export interface TopicChangePlan {
  /** Create the topic with these settings. */
  readonly create?: {
    readonly partitions: number;
    readonly replicationFactor: number;
    readonly configs: Readonly<Record<string, string>>;
  };
  /** Raise the partition count to this total. */
  readonly partitionsTo?: number;
  /** Replace the topic's overrides with exactly this set (Kafka's AlterConfigs semantics). */
  readonly overrides?: Readonly<Record<string, string>>;
}

/**
 * Decides what to do, without talking to Kafka, so every rule is a unit test:
 * - absent topic: create it as declared;
 * - partitions only grow (Kafka cannot remove one): fewer declared than exist is an error;
 * - the replication factor is fixed at creation: a different declared value is an error
 *   (-1, "broker default", accepts whatever exists);
 * - overrides: declared keys are set; keys this resource declared before (`previouslyDeclared`)
 *   and no longer does are removed (back to the broker default); keys nobody here declared
 *   (an operator's `retention.bytes`) are kept.
 */
export function planTopicChange(
  current: TopicState | undefined,
  declared: TopicDeclaration,
  previouslyDeclared: Readonly<Record<string, string>>,
): TopicChangePlan {
  if (!current) {
    return {
      create: {
        partitions: declared.partitions,
        replicationFactor: declared.replicationFactor,
        configs: declared.configs,
      },
    };
  }
  const name = declared.topicName;
  if (current.partitions > declared.partitions) {
    throw new TopicAdminError(
      'PARTITIONS_CANNOT_SHRINK',
      `topic ${name} has ${current.partitions} partitions and ${declared.partitions} are declared; Kafka cannot ` +
        `remove partitions: declare ${current.partitions} or more, or use a new topic name`,
    );
  }
  if (declared.replicationFactor !== -1 && current.replicationFactor !== declared.replicationFactor) {
    throw new TopicAdminError(
      'REPLICATION_FACTOR_MISMATCH',
      `topic ${name} has replication factor ${current.replicationFactor} and ${declared.replicationFactor} is ` +
        'declared; it is fixed at creation: declare the existing value (or -1), or use a new topic name',
    );
  }
  const next: Record<string, string> = { ...current.overrides };
  for (const key of Object.keys(previouslyDeclared)) {
    if (!(key in declared.configs)) delete next[key];
  }
  Object.assign(next, declared.configs);
  return {
    ...(current.partitions < declared.partitions ? { partitionsTo: declared.partitions } : {}),
    ...(sameEntries(next, current.overrides) ? {} : { overrides: next }),
  };
}

function sameEntries(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}
