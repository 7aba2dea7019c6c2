import * as z from 'zod';
import { ConfigError } from '../../shared/engine/errors/index.js';

/**
 * One deployment's settings, flat so each is one `-c key=value` on the cdk command line, one
 * key in `cdk.json`'s `context`, or one key of a JSON file given with `-c config=path.json`.
 * Every default is written here, once; docs/infra.md lists them.
 */
export const CONFIG_KEYS = [
  'name',
  'stackName',
  'account',
  'region',
  'mode',
  'vpcId',
  'subnetIds',
  'securityGroupIds',
  'availabilityZones',
  'natGateways',
  'clusterArn',
  'bootstrapServers',
  'auth',
  'secretArn',
  'secretKmsKeyArn',
  'rootCaSecretArn',
  'manageTopics',
  'topicPartitions',
  'topicReplicationFactor',
  'topicRetentionMs',
  'topicRemovalPolicy',
  'batchSize',
  'maxBatchingWindowMs',
  'startingPosition',
  'consumerGroupPrefix',
  'pollerMode',
  'minPollers',
  'maxPollers',
  'pollerGroupName',
  'retryAttempts',
  'bisectBatchOnError',
  'esmFilters',
  'esmMetrics',
  'schemaRegistryUri',
  'schemaRegistrySecretArn',
  'schemaRegistryRecordFormat',
  'schemaRegistryValidate',
  'runtime',
  'memoryMb',
  'timeoutSeconds',
  'logRetentionDays',
  'tableRemovalPolicy',
  'deletionProtection',
  'failureRetentionDays',
  'metricsNamespace',
  'alarmEmail',
  'offsetLagThreshold',
  'deadLetterThreshold',
  'sweepRateMinutes',
  'overdueAlarmMinutes',
  'bundling',
  'handlers',
] as const;

export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Kafka sources this app deploys against. */
export type SourceMode = 'msk-serverless' | 'msk' | 'self-managed';

/** A VPC that exists already, named by ids (no lookups: synth stays offline). */
export interface ExistingNetwork {
  readonly vpcId: string;
  /** At least two private subnets in different AZs for MSK Serverless. */
  readonly subnetIds: readonly string[];
  /** The AZs of `subnetIds`, in the same order. @default one token AZ per subnet (Fn::GetAZs) */
  readonly availabilityZones?: readonly string[];
  /** Security groups to use instead of creating one (self-managed: required). */
  readonly securityGroupIds: readonly string[];
}

/** Creates an MSK Serverless cluster (IAM auth) in a new or an existing VPC. */
export interface MskServerlessSource {
  readonly mode: 'msk-serverless';
  /** @default a new VPC (2 AZs, private subnets, `natGateways` NAT gateways) */
  readonly network?: ExistingNetwork;
  /**
   * The AZs of the new VPC (not used with `network`), e.g. to avoid an AZ where MSK Serverless
   * is not offered. At least two, distinct, all of one region.
   * @default the region's first two AZs (Fn::GetAZs): known only at deploy time, so synth
   *   stays offline and the template works in any region
   */
  readonly availabilityZones?: readonly string[];
  /**
   * NAT gateways of the new VPC. 0 adds interface endpoints for Lambda, STS and MSK instead:
   * the event-source mapping (on-demand mode) and the topic admin need those APIs.
   * @default 1
   */
  readonly natGateways: number;
}

/** An existing provisioned MSK cluster. */
export interface MskSource {
  readonly mode: 'msk';
  readonly clusterArn: string;
  /**
   * Subnets of the cluster's VPC and security groups the brokers admit, for the functions that
   * write topics (the mapping uses the cluster's own network). Needed when a deployed handler
   * writes topics.
   * @default none
   */
  readonly network?: ExistingNetwork;
  /** @default 'iam' */
  readonly auth: 'iam' | 'scram-512' | 'mtls';
  /** SCRAM: `{"username","password"}` (an MSK SCRAM secret, KMS CMK encrypted); mTLS: certificate and key. */
  readonly secretArn?: string;
  /** The CMK that encrypts an MSK SCRAM secret (MSK requires one). */
  readonly secretKmsKeyArn?: string;
}

/** Confluent Cloud or any Kafka reachable by bootstrap servers. */
export interface SelfManagedSource {
  readonly mode: 'self-managed';
  readonly bootstrapServers: readonly string[];
  /** @default 'plain' (Confluent Cloud API keys are SASL/PLAIN) */
  readonly auth: 'plain' | 'scram-256' | 'scram-512';
  /** `{"username","password"}`, e.g. a Confluent API key and secret. */
  readonly secretArn: string;
  readonly secretKmsKeyArn?: string;
  /** A secret with the root CA (`{"certificate": "-----BEGIN..."}`) of brokers signed by a private CA. */
  readonly rootCaSecretArn?: string;
  /** @default none: brokers reached over the internet with TLS */
  readonly network?: ExistingNetwork;
}

export type KafkaSourceConfig = MskServerlessSource | MskSource | SelfManagedSource;

/** The parsed, validated settings of one deployment. */
export interface DeploymentConfig {
  /** Short name: prefixes consumer groups and tags resources. @default 'rides' */
  readonly name: string;
  /** @default `KafkaLambdaStreams-<name>` */
  readonly stackName: string;
  /** @default env-agnostic stack (account and region from the deploy-time credentials) */
  readonly account?: string;
  readonly region?: string;
  readonly source: KafkaSourceConfig;
  /**
   * The catalog's handlers to deploy, by name (e.g. to leave out the ones that write topics
   * when the network for producers is not there yet).
   * @default every handler of the catalog
   */
  readonly handlers?: readonly string[];
  readonly topics: {
    /** Create and update topics as part of the stack. @default true */
    readonly manage: boolean;
    /** @default 6 */
    readonly partitions: number;
    /** @default 3 for provisioned MSK, -1 (broker default) otherwise */
    readonly replicationFactor: number;
    /** `retention.ms` of created topics. @default 7 days */
    readonly retentionMs: number;
    /** What deleting the stack does to the topics and their records. @default 'retain' */
    readonly removalPolicy: 'retain' | 'delete';
  };
  readonly consumer: {
    /** @default 1000 */
    readonly batchSize: number;
    /** @default 1000 */
    readonly maxBatchingWindowMs: number;
    /** @default 'TRIM_HORIZON' */
    readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
    /** Consumer group id = `<prefix>-<handler name>`. @default name */
    readonly consumerGroupPrefix: string;
    /** @default { mode: 'on-demand' } */
    readonly pollers:
      | { readonly mode: 'on-demand' }
      | {
          readonly mode: 'provisioned';
          readonly min: number;
          readonly max: number;
          readonly groupName?: string;
        };
    /** Provisioned mode only. @default 10 */
    readonly retryAttempts: number;
    /** Provisioned mode only. @default false */
    readonly bisectBatchOnError: boolean;
    /** Push pipeline filters down into the event-source mapping where they translate. @default true */
    readonly esmFilters: boolean;
    /**
     * Enhanced event-source-mapping metrics (EventCount, ErrorCount, KafkaMetrics). Provisioned
     * pollers only: the CDK's Kafka event-source docs say MetricsConfig (and LogLevel) need
     * provisioned mode, so `esmMetrics=true` with on-demand pollers is rejected.
     * @default true with provisioned pollers, false with on-demand ones
     */
    readonly esmMetrics: boolean;
    /**
     * Lambda's own schema-registry integration (provisioned pollers only): the mappings of the
     * handlers that read Avro (codec `ride-avro`, see `usesSchemaRegistry`) validate each
     * record against a Confluent (`https://...`) or Glue (`arn:aws:glue:...`) registry, and
     * Lambda delivers it decoded to JSON (`json`) or as Avro without its frame (`source`); the
     * function's SCHEMA_REGISTRY_RECORD_FORMAT tells `ride-avro` which. JSON handlers' mappings
     * get no registry.
     * @default none: the handler decodes (`ride-avro` with SCHEMA_REGISTRY_URL or SCHEMA_DIR)
     */
    readonly schemaRegistry?: {
      readonly uri: string;
      /** Confluent only: a secret with `username` and `password` (BASIC_AUTH). @default none */
      readonly secretArn?: string;
      readonly recordFormat: 'json' | 'source';
      /** @default ['value'] */
      readonly validate: ReadonlyArray<'key' | 'value'>;
    };
  };
  readonly functions: {
    /** @default 'nodejs24.x' */
    readonly runtime: 'nodejs22.x' | 'nodejs24.x';
    /** @default 1024 */
    readonly memoryMb: number;
    /** @default 60 */
    readonly timeoutSeconds: number;
    /** @default 30 */
    readonly logRetentionDays: number;
    /** Bundle with esbuild; false skips bundling (tests, quick cfn-lint). @default true */
    readonly bundling: boolean;
  };
  readonly tables: {
    /** @default 'retain' */
    readonly removalPolicy: 'retain' | 'destroy';
    /** @default true */
    readonly deletionProtection: boolean;
  };
  readonly failures: {
    /** Days on-failure batches stay in the failure bucket. @default 30 */
    readonly retentionDays: number;
  };
  readonly monitoring: {
    /** @default 'KafkaLambdaStreams' (the handlers' default too) */
    readonly metricsNamespace: string;
    /** Subscribed to the alarm topic when given. */
    readonly alarmEmail?: string;
    /** @default 10000 records */
    readonly offsetLagThreshold: number;
    /** Dead letters (invalid + late) per pipeline in 5 minutes that raise the alarm. @default 1 */
    readonly deadLetterThreshold: number;
  };
  /** The scheduled final-results sweeper (created when a deployed pipeline has final results). */
  readonly finalResults: {
    /** Minutes between sweeper runs, 1 to 720 (the overdue alarm evaluates two, at most a day). @default 5 */
    readonly sweepRateMinutes: number;
    /**
     * Minutes a window may stay open past its close time beyond its pipeline's `idleAfterMs`
     * before the overdue alarm fires. @default 3 sweeper periods
     */
    readonly overdueAlarmMinutes: number;
  };
}

const DAY_MS = 24 * 3600 * 1000;
/** Retention periods this app offers for its log groups. */
const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 7, 14, 30, 90, 365];

/** A list from cdk.json (array) or the command line (comma-separated string). */
const list = (item: z.ZodString) =>
  z
    .union([z.array(z.string()), z.string()])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item));
/** An integer from cdk.json (number) or the command line (string). */
const int = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: (issue) => `an integer from ${min} to ${max} (got ${JSON.stringify(issue.input)})` })
      .int(`an integer from ${min} to ${max}`)
      .min(min, `an integer from ${min} to ${max}`)
      .max(max, `an integer from ${min} to ${max}`),
  );
/** A boolean; the command line gives "true"/"false" (z.coerce would read "false" as true). */
const bool = z.preprocess(
  (v) => (v === 'true' ? true : v === 'false' ? false : v),
  z.boolean({ error: (issue) => `true or false (got ${JSON.stringify(issue.input)})` }),
);

const subnetId = z.string().regex(/^subnet-[0-9a-f]+$/, 'subnet-...');
const securityGroupId = z.string().regex(/^sg-[0-9a-f]+$/, 'sg-...');
const secretArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN');
const kmsKeyArn = z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/, 'a KMS key ARN');

const rawSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,23}$/, 'lower-case letters, digits, dashes; starts with a letter; at most 24')
      .default('rides'),
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'a CloudFormation stack name')
      .optional(),
    account: z
      .string()
      .regex(/^\d{12}$/, 'a 12-digit AWS account id')
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'an AWS region such as eu-west-1')
      .optional(),
    mode: z.enum(['msk-serverless', 'msk', 'self-managed']).default('msk-serverless'),
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]+$/, 'vpc-...')
      .optional(),
    subnetIds: list(subnetId).optional(),
    securityGroupIds: list(securityGroupId).optional(),
    availabilityZones: list(
      z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/, 'an AZ such as eu-west-1a'),
    ).optional(),
    natGateways: int(0, 3).default(1),
    clusterArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/, 'an MSK cluster ARN')
      .optional(),
    bootstrapServers: list(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'host:port')).optional(),
    auth: z.enum(['iam', 'scram-512', 'mtls', 'plain', 'scram-256']).optional(),
    secretArn: secretArn.optional(),
    secretKmsKeyArn: kmsKeyArn.optional(),
    rootCaSecretArn: secretArn.optional(),
    manageTopics: bool.default(true),
    topicPartitions: int(1, 1000).default(6),
    topicReplicationFactor: int(-1, 32).optional(),
    topicRetentionMs: int(60_000, 100 * 365 * DAY_MS).default(7 * DAY_MS),
    topicRemovalPolicy: z.enum(['retain', 'delete']).default('retain'),
    batchSize: int(1, 10_000).default(1000),
    // Lambda's MaximumBatchingWindowInSeconds is whole seconds (and the CDK's Duration refuses to
    // round 500 ms): say so here instead of letting synth crash with a stack trace.
    maxBatchingWindowMs: int(0, 300_000)
      .refine((ms) => ms % 1000 === 0, {
        error: (issue) =>
          `whole seconds in milliseconds, 0 to 300000 (0, 1000, 2000, ...: the mapping's batching window is in seconds; got ${JSON.stringify(issue.input)})`,
      })
      .default(1000),
    startingPosition: z.enum(['TRIM_HORIZON', 'LATEST']).default('TRIM_HORIZON'),
    consumerGroupPrefix: z
      .string()
      .regex(/^[a-zA-Z0-9\-/*:_+=.@]{1,150}$/, 'letters, digits and -/*:_+=.@ (Lambda consumer group ids)')
      .optional(),
    pollerMode: z.enum(['on-demand', 'provisioned']).default('on-demand'),
    minPollers: int(1, 200).default(1),
    maxPollers: int(1, 2000).default(3),
    pollerGroupName: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,128}$/, 'letters, digits, _ and -')
      .optional(),
    retryAttempts: int(-1, 10_000).default(10),
    bisectBatchOnError: bool.default(false),
    esmFilters: bool.default(true),
    esmMetrics: bool.optional(),
    schemaRegistryUri: z
      .string()
      .regex(
        /^(https:\/\/.+|arn:aws[a-z-]*:glue:[a-z0-9-]+:\d{12}:registry\/.+)$/,
        'an https:// Confluent registry URL or a Glue registry ARN',
      )
      .optional(),
    schemaRegistrySecretArn: secretArn.optional(),
    schemaRegistryRecordFormat: z.enum(['json', 'source']).default('json'),
    schemaRegistryValidate: list(z.string())
      .pipe(z.array(z.enum(['key', 'value'])))
      .default(['value']),
    runtime: z.enum(['nodejs22.x', 'nodejs24.x']).default('nodejs24.x'),
    memoryMb: int(128, 10_240).default(1024),
    timeoutSeconds: int(1, 900).default(60),
    logRetentionDays: int(1, 365)
      .refine(
        (d) => LOG_RETENTION_DAYS.includes(d),
        `one of ${LOG_RETENTION_DAYS.join(', ')} (CloudWatch Logs retention)`,
      )
      .default(30),
    tableRemovalPolicy: z.enum(['retain', 'destroy']).default('retain'),
    deletionProtection: bool.default(true),
    failureRetentionDays: int(1, 3650).default(30),
    metricsNamespace: z
      .string()
      .regex(/^[A-Za-z0-9._/#:-]{1,255}$/, 'a CloudWatch namespace')
      .default('KafkaLambdaStreams'),
    alarmEmail: z.email().optional(),
    offsetLagThreshold: int(1, 1_000_000_000).default(10_000),
    deadLetterThreshold: int(1, 1_000_000_000).default(1),
    sweepRateMinutes: int(1, 720).default(5),
    overdueAlarmMinutes: int(1, 10_080).optional(),
    bundling: bool.default(true),
    handlers: list(
      z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'handler names (lower-case, digits, dashes)'),
    )
      .refine((names) => names.length > 0, 'at least one handler name')
      .optional(),
  })
  .strict();

type RawConfig = z.output<typeof rawSchema>;

/**
 * Validates raw settings (context values are strings, cdk.json values typed) and builds the
 * typed config. Every problem is reported at once, each naming its key and what it accepts.
 */
export function parseDeploymentConfig(raw: Record<string, unknown>): DeploymentConfig {
  const parsed = rawSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid deployment config: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ')}`,
      { cause: parsed.error },
    );
  }
  const r = parsed.data;
  const problems: string[] = [];
  const source = buildSource(r, problems);
  if (r.pollerMode === 'provisioned' && r.minPollers > r.maxPollers) {
    problems.push(`minPollers (${r.minPollers}) must not exceed maxPollers (${r.maxPollers})`);
  }
  if (r.pollerMode === 'on-demand' && r.pollerGroupName) {
    problems.push('pollerGroupName needs pollerMode=provisioned');
  }
  if (r.schemaRegistryUri && r.pollerMode !== 'provisioned') {
    problems.push(
      'schemaRegistryUri needs pollerMode=provisioned: Lambda integrates schema registries in provisioned mode only',
    );
  }
  if (r.schemaRegistrySecretArn && !r.schemaRegistryUri?.startsWith('https://')) {
    problems.push('schemaRegistrySecretArn needs a Confluent schemaRegistryUri (https://...)');
  }
  if (r.schemaRegistryUri?.startsWith('https://') && !r.schemaRegistrySecretArn) {
    problems.push(
      'a Confluent schemaRegistryUri needs schemaRegistrySecretArn (BASIC_AUTH: username and password)',
    );
  }
  if (r.pollerMode === 'on-demand' && r.esmMetrics === true) {
    problems.push(
      'esmMetrics=true needs pollerMode=provisioned: Lambda takes MetricsConfig on Kafka mappings in provisioned mode only',
    );
  }
  if (problems.length > 0 || !source) {
    throw new ConfigError(`invalid deployment config for mode ${r.mode}: ${problems.join('; ')}`);
  }
  return {
    name: r.name,
    stackName: r.stackName ?? `KafkaLambdaStreams-${r.name}`,
    ...(r.account ? { account: r.account } : {}),
    ...(r.region ? { region: r.region } : {}),
    source,
    ...(r.handlers ? { handlers: r.handlers } : {}),
    topics: {
      manage: r.manageTopics,
      partitions: r.topicPartitions,
      replicationFactor: r.topicReplicationFactor ?? (r.mode === 'msk' ? 3 : -1),
      retentionMs: r.topicRetentionMs,
      removalPolicy: r.topicRemovalPolicy,
    },
    consumer: {
      batchSize: r.batchSize,
      maxBatchingWindowMs: r.maxBatchingWindowMs,
      startingPosition: r.startingPosition,
      consumerGroupPrefix: r.consumerGroupPrefix ?? r.name,
      pollers:
        r.pollerMode === 'provisioned'
          ? {
              mode: 'provisioned',
              min: r.minPollers,
              max: r.maxPollers,
              ...(r.pollerGroupName ? { groupName: r.pollerGroupName } : {}),
            }
          : { mode: 'on-demand' },
      retryAttempts: r.retryAttempts,
      bisectBatchOnError: r.bisectBatchOnError,
      esmFilters: r.esmFilters,
      esmMetrics: r.esmMetrics ?? r.pollerMode === 'provisioned',
      ...(r.schemaRegistryUri
        ? {
            schemaRegistry: {
              uri: r.schemaRegistryUri,
              ...(r.schemaRegistrySecretArn ? { secretArn: r.schemaRegistrySecretArn } : {}),
              recordFormat: r.schemaRegistryRecordFormat,
              validate: r.schemaRegistryValidate,
            },
          }
        : {}),
    },
    functions: {
      runtime: r.runtime,
      memoryMb: r.memoryMb,
      timeoutSeconds: r.timeoutSeconds,
      logRetentionDays: r.logRetentionDays,
      bundling: r.bundling,
    },
    tables: { removalPolicy: r.tableRemovalPolicy, deletionProtection: r.deletionProtection },
    failures: { retentionDays: r.failureRetentionDays },
    monitoring: {
      metricsNamespace: r.metricsNamespace,
      ...(r.alarmEmail ? { alarmEmail: r.alarmEmail } : {}),
      offsetLagThreshold: r.offsetLagThreshold,
      deadLetterThreshold: r.deadLetterThreshold,
    },
    finalResults: {
      sweepRateMinutes: r.sweepRateMinutes,
      overdueAlarmMinutes: r.overdueAlarmMinutes ?? 3 * r.sweepRateMinutes,
    },
  };
}

function buildSource(r: RawConfig, problems: string[]): KafkaSourceConfig | undefined {
  const reject = (keys: Array<keyof RawConfig>, why: string) => {
    for (const k of keys) if (r[k] !== undefined) problems.push(`${k} is not used by mode ${r.mode}: ${why}`);
  };
  const network = buildNetwork(r, problems);
  switch (r.mode) {
    case 'msk-serverless': {
      reject(
        ['clusterArn', 'bootstrapServers', 'secretArn', 'secretKmsKeyArn', 'rootCaSecretArn'],
        'the stack creates the cluster',
      );
      if (r.auth !== undefined && r.auth !== 'iam')
        problems.push(`auth must be iam for msk-serverless (got ${r.auth})`);
      if (network && network.subnetIds.length < 2) {
        problems.push('subnetIds: MSK Serverless needs at least two subnets in different AZs');
      }
      const newVpcAzs = network ? undefined : newVpcAvailabilityZones(r, problems);
      return {
        mode: 'msk-serverless',
        natGateways: r.natGateways,
        ...(network ? { network } : {}),
        ...(newVpcAzs ? { availabilityZones: newVpcAzs } : {}),
      };
    }
    case 'msk': {
      reject(['bootstrapServers', 'rootCaSecretArn'], 'the cluster ARN locates the brokers');
      // The mapping uses the cluster's own VPC; a network here is where producers run.
      if (network && network.securityGroupIds.length === 0) {
        problems.push(
          'securityGroupIds is required with vpcId for msk: functions that write topics join them, so the brokers must admit them',
        );
      }
      if (!r.clusterArn)
        problems.push(
          'clusterArn is required for mode msk (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)',
        );
      const auth = r.auth ?? 'iam';
      if (auth !== 'iam' && auth !== 'scram-512' && auth !== 'mtls') {
        problems.push(
          `auth for msk is iam, scram-512 or mtls (got ${auth}; MSK has no SASL/PLAIN or SCRAM-256)`,
        );
        return undefined;
      }
      if (auth !== 'iam' && !r.secretArn) problems.push(`secretArn is required for auth=${auth}`);
      if (auth === 'iam' && r.secretArn) problems.push('secretArn is not used with auth=iam');
      if (auth === 'scram-512' && !r.secretKmsKeyArn) {
        problems.push(
          'secretKmsKeyArn is required for auth=scram-512: MSK SCRAM secrets use a customer-managed KMS key the mapping must decrypt with',
        );
      }
      if (!r.clusterArn) return undefined;
      return {
        mode: 'msk',
        clusterArn: r.clusterArn,
        auth,
        ...(r.secretArn ? { secretArn: r.secretArn } : {}),
        ...(r.secretKmsKeyArn ? { secretKmsKeyArn: r.secretKmsKeyArn } : {}),
        ...(network ? { network } : {}),
      };
    }
    case 'self-managed': {
      reject(['clusterArn'], 'use bootstrapServers');
      if (!r.bootstrapServers?.length)
        problems.push('bootstrapServers is required for mode self-managed (host:port[,host:port])');
      if (!r.secretArn)
        problems.push(
          'secretArn is required for mode self-managed: {"username","password"} (e.g. a Confluent API key)',
        );
      const auth = r.auth ?? 'plain';
      if (auth !== 'plain' && auth !== 'scram-256' && auth !== 'scram-512') {
        problems.push(`auth for self-managed is plain, scram-256 or scram-512 (got ${auth})`);
        return undefined;
      }
      if (network && network.securityGroupIds.length === 0) {
        problems.push(
          'securityGroupIds is required with vpcId for self-managed: the mapping joins the VPC with them',
        );
      }
      if (!r.bootstrapServers?.length || !r.secretArn) return undefined;
      return {
        mode: 'self-managed',
        bootstrapServers: r.bootstrapServers,
        auth,
        secretArn: r.secretArn,
        ...(r.secretKmsKeyArn ? { secretKmsKeyArn: r.secretKmsKeyArn } : {}),
        ...(r.rootCaSecretArn ? { rootCaSecretArn: r.rootCaSecretArn } : {}),
        ...(network ? { network } : {}),
      };
    }
  }
}

/**
 * `availabilityZones` without `vpcId` in msk-serverless mode: the AZs of the VPC the stack
 * creates. Checked here so a typo fails the synth, not the VPC's subnets half-way through a deploy.
 */
function newVpcAvailabilityZones(r: RawConfig, problems: string[]): readonly string[] | undefined {
  const azs = r.availabilityZones;
  if (azs === undefined) return undefined;
  const accepted = 'at least two distinct AZs of one region for the new VPC, e.g. eu-west-1a,eu-west-1b';
  if (new Set(azs).size !== azs.length)
    problems.push(`availabilityZones: ${accepted} (got duplicates: ${azs.join(',')})`);
  else if (azs.length < 2)
    problems.push(`availabilityZones: ${accepted} (MSK Serverless needs two; got ${azs.join(',')})`);
  const regions = new Set(azs.map((az) => az.slice(0, -1)));
  if (regions.size > 1)
    problems.push(`availabilityZones: ${accepted} (got AZs of ${[...regions].join(' and ')})`);
  else if (r.region && !regions.has(r.region)) {
    problems.push(`availabilityZones must be AZs of region ${r.region} (got ${azs.join(',')})`);
  }
  return azs;
}

function buildNetwork(r: RawConfig, problems: string[]): ExistingNetwork | undefined {
  if (!r.vpcId) {
    for (const k of ['subnetIds', 'securityGroupIds', 'availabilityZones'] as const) {
      if (r[k] === undefined) continue;
      // Without vpcId, msk-serverless creates a VPC: the AZs are that VPC's.
      if (k === 'availabilityZones' && r.mode === 'msk-serverless') continue;
      problems.push(`${k} needs vpcId`);
    }
    return undefined;
  }
  if (!r.subnetIds?.length) {
    problems.push('subnetIds is required with vpcId');
    return undefined;
  }
  if (r.availabilityZones && r.availabilityZones.length !== r.subnetIds.length) {
    problems.push('availabilityZones must list one AZ per subnet, in the order of subnetIds');
  }
  return {
    vpcId: r.vpcId,
    subnetIds: r.subnetIds,
    ...(r.availabilityZones ? { availabilityZones: r.availabilityZones } : {}),
    securityGroupIds: r.securityGroupIds ?? [],
  };
}
