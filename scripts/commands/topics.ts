import { type Command, InvalidArgumentError, Option } from 'commander';
import { CLEANUP_POLICIES } from '../lib/cleanupPolicy.js';
import { intArg } from '../lib/cliOptions.js';
import { addBrokerOption } from '../lib/kafkaConnect.js';
import { keyValueArg } from '../lib/kafkaOptions.js';
import {
  type CreateTopicOptions,
  createTopic,
  DEFAULT_PARTITIONS,
  deleteTopics,
  describeTopic,
  listTopics,
} from '../lib/topicAdmin.js';

/** The topic operations live in scripts/lib/topicAdmin.ts (start creates topics too); re-exported for callers of this module. */
export {
  type CreateTopicOptions,
  type CreateTopicResult,
  createTopic,
  DEFAULT_PARTITIONS,
  type DeleteTopicsOptions,
  deleteTopics,
  describeTopic,
  listTopics,
  type PartitionDescription,
  type TopicDescription,
  type TopicListing,
} from '../lib/topicAdmin.js';

function replicationArg(value: string): number {
  const n = intArg(-1)(value);
  if (n === 0) throw new InvalidArgumentError('expected -1 (broker default) or a whole number >= 1, got "0"');
  return n;
}

/** Registers `topics create|list|describe|delete`. */
export function register(program: Command): void {
  const topics = program
    .command('topics')
    .description('Create, list, describe and delete Kafka topics (local broker, Confluent Cloud, MSK)');

  addBrokerOption(
    topics
      .command('create <name>')
      .description(
        'Create a topic; an existing one is reported and left alone (exit 0) unless --fail-if-exists',
      )
      .option('--partitions <n>', 'number of partitions', intArg(1), DEFAULT_PARTITIONS)
      .option('--replication-factor <n>', 'replicas per partition; -1 = broker default', replicationArg, -1)
      .option('--retention-ms <ms>', 'retention.ms: how long records are kept; -1 = forever', intArg(-1))
      .addOption(new Option('--cleanup-policy <policy>', 'cleanup.policy').choices(CLEANUP_POLICIES))
      .option(
        '--compact',
        'short for --cleanup-policy compact: a table topic (latest value per key; a null value deletes), such as zones',
      )
      .option(
        '--config <key=value>',
        'any other topic config, e.g. segment.ms=600000 (repeatable)',
        keyValueArg,
      )
      .option('--fail-if-exists', 'exit with an error when the topic already exists'),
  )
    .addHelpText(
      'after',
      `
Examples:
  npm run cli -- topics create rides --partitions 3 --replication-factor 1
  npm run cli -- topics create rides-archive --retention-ms -1 --config max.message.bytes=2097152
  npm run cli -- topics create zones --compact --partitions 1   # a table topic: latest zone per LocationID
Note: time-based retention compares record timestamps with now, so records stamped with old
times (--timestamp-field on 2020 rides) can be deleted within minutes: use --retention-ms -1.`,
    )
    .action(
      async (
        name: string,
        f: {
          partitions: number;
          replicationFactor: number;
          retentionMs?: number;
          cleanupPolicy?: CreateTopicOptions['cleanupPolicy'];
          compact?: boolean;
          config?: Record<string, string>;
          failIfExists?: boolean;
          brokers?: string;
        },
      ) => {
        await createTopic({
          name,
          partitions: f.partitions,
          replicationFactor: f.replicationFactor,
          ...(f.retentionMs === undefined ? {} : { retentionMs: f.retentionMs }),
          ...(f.cleanupPolicy === undefined ? {} : { cleanupPolicy: f.cleanupPolicy }),
          ...(f.compact ? { compact: true } : {}),
          ...(f.config === undefined ? {} : { configs: f.config }),
          ...(f.failIfExists ? { failIfExists: true } : {}),
          ...(f.brokers === undefined ? {} : { brokers: f.brokers }),
        });
      },
    );

  addBrokerOption(
    topics
      .command('list')
      .description('List topics with their partition counts')
      .option('--all', 'include internal topics such as __consumer_offsets')
      .option('--json', 'print one JSON array'),
  ).action(async (f: { all?: boolean; json?: boolean; brokers?: string }) => {
    await listTopics(f);
  });

  addBrokerOption(
    topics
      .command('describe <name>')
      .description('Show partitions (leader, replicas, in-sync replicas, offsets) and configs of a topic')
      .option('--all-configs', 'show every config, not only non-default ones and retention/cleanup')
      .option('--json', 'print JSON'),
  ).action(async (name: string, f: { allConfigs?: boolean; json?: boolean; brokers?: string }) => {
    await describeTopic({ name, ...f });
  });

  addBrokerOption(
    topics
      .command('delete <names...>')
      .description('Delete topics; missing ones are reported (exit 0) unless --fail-if-missing')
      .option('--fail-if-missing', 'exit with an error when a topic does not exist')
      .option('--yes', 'confirm deleting on brokers that are not on this machine'),
  ).action(async (names: string[], f: { failIfMissing?: boolean; yes?: boolean; brokers?: string }) => {
    await deleteTopics({ names, ...f });
  });
}
