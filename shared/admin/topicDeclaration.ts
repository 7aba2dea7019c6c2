import * as z from 'zod';
import { TopicAdminError } from './TopicAdminError.js';

/**
 * How the topic admin authenticates. `aws-iam` is MSK IAM (SASL/OAUTHBEARER signed with the
 * function's role); `plain` and `scram-*` read `{"username","password"}` from a Secrets
 * Manager secret (the same secret the event-source mapping uses); `mtls` reads
 * `{"certificate","privateKey"}` likewise; `none` is plaintext, for local brokers and tests.
 */
export type ClusterAuth = 'none' | 'aws-iam' | 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'mtls';

/** Where the cluster is and how to log in. Never holds a credential, only the secret's ARN. */
export interface ClusterAccess {
  /** Bootstrap servers; when absent, looked up from `clusterArn` with MSK GetBootstrapBrokers. */
  readonly bootstrapServers?: readonly string[];
  /** MSK (provisioned or serverless) cluster ARN. */
  readonly clusterArn?: string;
  readonly auth: ClusterAuth;
  /**
   * Secrets Manager secret with `{"username","password"}` for `plain` and `scram-*`, or with
   * `{"certificate","privateKey"}` for `mtls`.
   */
  readonly secretArn?: string;
  /** Secret with the brokers' private root CA, `{"certificate"}`. @default public CAs */
  readonly rootCaSecretArn?: string;
  /** Force TLS on or off. @default true for any SASL auth, false for `none` */
  readonly ssl?: boolean;
}

/** The declared state of one topic: what the custom resource makes true on Create and Update. */
export interface TopicDeclaration {
  readonly topicName: string;
  /** Partitions can only grow: Kafka cannot remove a partition. */
  readonly partitions: number;
  /** -1 leaves it to the broker (`default.replication.factor`; MSK Serverless and Confluent Cloud use 3). */
  readonly replicationFactor: number;
  /**
   * Topic-level overrides this resource owns. Keys removed from the declaration are reset to the
   * broker default on Update; overrides set by someone else on keys never declared here are kept.
   */
  readonly configs: Readonly<Record<string, string>>;
  /** What Delete does: `retain` keeps the topic and its data, `delete` deletes the topic. */
  readonly removalPolicy: 'retain' | 'delete';
  readonly cluster: ClusterAccess;
}

/** Kafka's legal topic names (`Topic.validate` in Kafka: 249 chars of [a-zA-Z0-9._-], not "." or ".."). */
export const TOPIC_NAME_PATTERN = /^(?!\.{1,2}$)[a-zA-Z0-9._-]{1,249}$/;

// CloudFormation passes every scalar property as a string ("6", "true"); coerce them back.
const intFromCfn = z.union([z.number(), z.string().regex(/^-?\d+$/, 'an integer')]).transform(Number);
const boolFromCfn = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);

const propertiesSchema = z
  .object({
    TopicName: z.string().regex(TOPIC_NAME_PATTERN, 'a Kafka topic name: 1-249 of a-z A-Z 0-9 . _ -'),
    Partitions: intFromCfn.pipe(z.number().int().min(1).max(10_000)),
    ReplicationFactor: intFromCfn
      .pipe(
        z
          .number()
          .int()
          .min(-1)
          .max(32)
          .refine((n) => n !== 0, 'not 0; -1 means the broker default'),
      )
      .default(-1),
    Configs: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
      .default({}),
    RemovalPolicy: z.enum(['retain', 'delete']).default('retain'),
    BootstrapServers: z
      .union([z.array(z.string().min(1)), z.string().transform((s) => s.split(','))])
      .transform((list) => list.map((s) => s.trim()).filter(Boolean))
      .optional(),
    ClusterArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/, 'an MSK cluster ARN')
      .optional(),
    Auth: z.enum(['none', 'aws-iam', 'plain', 'scram-sha-256', 'scram-sha-512', 'mtls']),
    SecretArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'a Secrets Manager secret ARN')
      .optional(),
    RootCaSecretArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'a Secrets Manager secret ARN')
      .optional(),
    Ssl: boolFromCfn.optional(),
  })
  .superRefine((p, ctx) => {
    const hasServers = (p.BootstrapServers?.length ?? 0) > 0;
    if (hasServers === (p.ClusterArn !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['BootstrapServers'],
        message: 'give exactly one of BootstrapServers and ClusterArn',
      });
    }
    const needsSecret = p.Auth === 'plain' || p.Auth.startsWith('scram') || p.Auth === 'mtls';
    if (needsSecret && !p.SecretArn) {
      ctx.addIssue({ code: 'custom', path: ['SecretArn'], message: `${p.Auth} auth needs SecretArn` });
    }
    if (!needsSecret && p.SecretArn) {
      ctx.addIssue({ code: 'custom', path: ['SecretArn'], message: `${p.Auth} auth takes no SecretArn` });
    }
  });

/** The custom resource's properties as CDK writes them and CloudFormation sends them back. */
export type TopicResourceProperties = z.input<typeof propertiesSchema>;

/**
 * Parses a custom resource's `ResourceProperties` (strings from CloudFormation, or values from a
 * test). Fails with a TopicAdminError naming every wrong property.
 */
export function parseTopicDeclaration(raw: unknown): TopicDeclaration {
  const parsed = propertiesSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(properties)'}: ${i.message}`);
    throw new TopicAdminError(
      'INVALID_TOPIC_PROPERTIES',
      `invalid Kafka topic resource: ${issues.join('; ')}`,
      {
        cause: parsed.error,
      },
    );
  }
  const p = parsed.data;
  return {
    topicName: p.TopicName,
    partitions: p.Partitions,
    replicationFactor: p.ReplicationFactor,
    configs: p.Configs,
    removalPolicy: p.RemovalPolicy,
    cluster: {
      ...(p.BootstrapServers ? { bootstrapServers: p.BootstrapServers } : {}),
      ...(p.ClusterArn ? { clusterArn: p.ClusterArn } : {}),
      auth: p.Auth,
      ...(p.SecretArn ? { secretArn: p.SecretArn } : {}),
      ...(p.RootCaSecretArn ? { rootCaSecretArn: p.RootCaSecretArn } : {}),
      ...(p.Ssl === undefined ? {} : { ssl: p.Ssl }),
    },
  };
}

/**
 * The wire format of a declaration, for the CDK construct that writes the custom resource: one
 * place defines the property names on both sides.
 */
export function toTopicResourceProperties(d: TopicDeclaration): Record<string, unknown> {
  return {
    TopicName: d.topicName,
    Partitions: d.partitions,
    ReplicationFactor: d.replicationFactor,
    Configs: d.configs,
    RemovalPolicy: d.removalPolicy,
    ...(d.cluster.bootstrapServers ? { BootstrapServers: [...d.cluster.bootstrapServers] } : {}),
    ...(d.cluster.clusterArn ? { ClusterArn: d.cluster.clusterArn } : {}),
    Auth: d.cluster.auth,
    ...(d.cluster.secretArn ? { SecretArn: d.cluster.secretArn } : {}),
    ...(d.cluster.rootCaSecretArn ? { RootCaSecretArn: d.cluster.rootCaSecretArn } : {}),
    ...(d.cluster.ssl === undefined ? {} : { Ssl: d.cluster.ssl }),
  };
}

/**
 * The physical id: the topic within its cluster. A new id on Update (renamed topic, other cluster)
 * makes CloudFormation send a Delete for the old one, with the old properties.
 */
export function topicPhysicalId(d: TopicDeclaration): string {
  const cluster = d.cluster.clusterArn ?? [...(d.cluster.bootstrapServers ?? [])].sort().join(',');
  return `kafka-topic:${cluster}:${d.topicName}`;
}
