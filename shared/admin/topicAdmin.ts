import kafkajs, { type Admin } from 'kafkajs';
import { planTopicChange, type TopicState } from './planTopicChange.js';
import {
  type ClusterAccess,
  parseTopicDeclaration,
  type TopicDeclaration,
  topicPhysicalId,
} from './topicDeclaration.js';

// kafkajs is CommonJS: these enums are reachable only through the default export under ESM.
const { ConfigResourceTypes, ConfigSource } = kafkajs;

/** The admin operations a topic resource uses (a subset of kafkajs' Admin, so tests can fake it). */
export type TopicAdminClient = Pick<
  Admin,
  | 'listTopics'
  | 'fetchTopicMetadata'
  | 'createTopics'
  | 'createPartitions'
  | 'describeConfigs'
  | 'alterConfigs'
  | 'deleteTopics'
>;

/** A connected admin client and how to let it go. */
export interface AdminSession {
  readonly admin: TopicAdminClient;
  close(): Promise<void>;
}

/** Opens an admin session for a cluster (resolving brokers and credentials on the way). */
export type OpenAdmin = (access: ClusterAccess) => Promise<AdminSession>;

/** The CloudFormation custom-resource request fields the topic handler reads. */
export interface TopicResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: unknown;
  readonly OldResourceProperties?: unknown;
}

/** What the CDK Provider framework expects back from an onEvent handler. */
export interface TopicResourceResult {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly TopicName: string; readonly Partitions: number; readonly Action: string };
}

/** Something worth a log line; the handler decides where logs go. */
export type TopicAdminLog = (message: string, details: Record<string, unknown>) => void;

/** How long Kafka may take to create a topic and elect leaders before the call fails. */
const ADMIN_TIMEOUT_MS = 30_000;

/**
 * Handles one CloudFormation event for a `Custom::KafkaTopic`, idempotently:
 * - Create: creates the topic, or adopts an existing one and brings it to the declared state;
 * - Update: raises partitions and sets overrides; a renamed topic (or another cluster) gets a
 *   new physical id, so CloudFormation then sends a Delete for the old one;
 * - Delete: deletes the topic when the declaration says `delete`, keeps it for `retain`; a
 *   missing topic is fine, and properties that no longer parse never block a stack deletion.
 * Repeating any event (CloudFormation retries) changes nothing more.
 */
export async function handleTopicEvent(
  event: TopicResourceEvent,
  openAdmin: OpenAdmin,
  log: TopicAdminLog = () => {},
): Promise<TopicResourceResult> {
  if (event.RequestType === 'Delete') return deleteTopic(event, openAdmin, log);
  const declared = parseTopicDeclaration(event.ResourceProperties);
  const physicalId = topicPhysicalId(declared);
  let previouslyDeclared: Readonly<Record<string, string>> = {};
  if (event.RequestType === 'Update' && event.PhysicalResourceId === physicalId) {
    previouslyDeclared = declaredConfigsOf(event.OldResourceProperties);
  }
  const session = await openAdmin(declared.cluster);
  try {
    const action = await ensureTopic(session.admin, declared, previouslyDeclared);
    log('topic ensured', { requestType: event.RequestType, topic: declared.topicName, action });
    return {
      PhysicalResourceId: physicalId,
      Data: { TopicName: declared.topicName, Partitions: declared.partitions, Action: action },
    };
  } finally {
    await session.close();
  }
}

/** Reads the topic, plans, and applies the plan; returns what it did, for logs and `Data.Action`. */
export async function ensureTopic(
  admin: TopicAdminClient,
  declared: TopicDeclaration,
  previouslyDeclared: Readonly<Record<string, string>>,
): Promise<string> {
  const plan = planTopicChange(await readTopic(admin, declared.topicName), declared, previouslyDeclared);
  if (plan.create) {
    const created = await admin.createTopics({
      waitForLeaders: true,
      timeout: ADMIN_TIMEOUT_MS,
      topics: [
        {
          topic: declared.topicName,
          numPartitions: plan.create.partitions,
          replicationFactor: plan.create.replicationFactor,
          configEntries: Object.entries(plan.create.configs).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    // false: someone created it between our read and our create; adopt it like any existing topic.
    return created ? 'created' : `adopted (${await ensureTopic(admin, declared, previouslyDeclared)})`;
  }
  const done: string[] = [];
  if (plan.partitionsTo !== undefined) {
    await admin.createPartitions({
      timeout: ADMIN_TIMEOUT_MS,
      topicPartitions: [{ topic: declared.topicName, count: plan.partitionsTo }],
    });
    done.push(`partitions raised to ${plan.partitionsTo}`);
  }
  if (plan.overrides) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: declared.topicName,
          configEntries: Object.entries(plan.overrides).map(([name, value]) => ({ name, value })),
        },
      ],
    });
    done.push(`overrides set to ${JSON.stringify(plan.overrides)}`);
  }
  return done.length ? done.join('; ') : 'unchanged';
}

/** The topic's partitions, replication factor and overrides; undefined when it does not exist. */
export async function readTopic(admin: TopicAdminClient, topic: string): Promise<TopicState | undefined> {
  // listTopics first: metadata and config requests for a missing topic fail only after retries.
  if (!(await admin.listTopics()).includes(topic)) return undefined;
  const [metadata, configs] = await Promise.all([
    admin.fetchTopicMetadata({ topics: [topic] }),
    admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    }),
  ]);
  const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
  const overrides: Record<string, string> = {};
  for (const entry of configs.resources[0]?.configEntries ?? []) {
    if (entry.configSource === ConfigSource.TOPIC_CONFIG && entry.configValue !== null) {
      overrides[entry.configName] = entry.configValue;
    }
  }
  return { partitions: partitions.length, replicationFactor: partitions[0]?.replicas.length ?? 0, overrides };
}

async function deleteTopic(
  event: TopicResourceEvent,
  openAdmin: OpenAdmin,
  log: TopicAdminLog,
): Promise<TopicResourceResult> {
  const physicalId = event.PhysicalResourceId ?? '';
  let declared: TopicDeclaration;
  try {
    declared = parseTopicDeclaration(event.ResourceProperties);
  } catch (error) {
    log('properties do not parse; nothing deleted', { physicalId, error: (error as Error).message });
    return { PhysicalResourceId: physicalId, Data: { TopicName: '', Partitions: 0, Action: 'retained' } };
  }
  const data = { TopicName: declared.topicName, Partitions: declared.partitions };
  if (declared.removalPolicy === 'retain' || topicPhysicalId(declared) !== physicalId) {
    // A physical id that does not match the properties names some other topic: never delete it.
    log('topic retained', { topic: declared.topicName, physicalId, removalPolicy: declared.removalPolicy });
    return { PhysicalResourceId: physicalId, Data: { ...data, Action: 'retained' } };
  }
  const session = await openAdmin(declared.cluster);
  try {
    if (!(await session.admin.listTopics()).includes(declared.topicName)) {
      log('topic already gone', { topic: declared.topicName });
      return { PhysicalResourceId: physicalId, Data: { ...data, Action: 'absent' } };
    }
    await session.admin.deleteTopics({ topics: [declared.topicName], timeout: ADMIN_TIMEOUT_MS });
    log('topic deleted', { topic: declared.topicName });
    return { PhysicalResourceId: physicalId, Data: { ...data, Action: 'deleted' } };
  } finally {
    await session.close();
  }
}

/** The overrides an older version of the resource declared; {} when they cannot be read. */
function declaredConfigsOf(oldProperties: unknown): Readonly<Record<string, string>> {
  try {
    return parseTopicDeclaration(oldProperties).configs;
  } catch {
    return {};
  }
}
