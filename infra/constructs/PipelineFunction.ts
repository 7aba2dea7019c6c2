import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type HandlerSpec, validateHandlerSpec } from '../../shared/engine/process/index.js';
import { functionBundling } from '../lib/bundling.js';
import { lambdaVpcStatements, logWriteStatement } from '../lib/iamStatements.js';
import { acknowledgeWildcards } from '../lib/nag.js';
import { functionEntry, packageBundlingRoot } from '../lib/paths.js';
import type { KafkaProducerAccess } from './kafkaSource.js';
import type { PipelineTables } from './PipelineTables.js';

/** Properties of {@link PipelineFunction}. */
export interface PipelineFunctionProps {
  /** The handler spec this function runs; its name is the folder under `functions/`. */
  readonly handler: HandlerSpec;
  /**
   * The handler file to bundle.
   * @default functions/<handler.name>/handler.ts of this repository (the repo's own layout)
   */
  readonly entry?: string;
  /**
   * The folder esbuild resolves from; must contain `entry`.
   * @default this repository's root when `entry` is not given, else NodejsFunction's default
   *   (the folder of `depsLockFilePath`)
   */
  readonly projectRoot?: string;
  /**
   * The lock file of the project that holds `entry`.
   * @default this repository's package-lock.json when `entry` is not given, else
   *   NodejsFunction's default (the nearest lock file from the working directory up)
   */
  readonly depsLockFilePath?: string;
  /**
   * More environment variables (the generic handler's `PIPELINE_SPEC`). Never a secret: the
   * environment is readable by anyone who can read the function's configuration.
   * @default none beyond the table names and Powertools settings
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** The store's tables: names go into the environment, access into the role. */
  readonly tables: PipelineTables;
  /** Namespace of the handler's metrics (RecordsAggregated, RecordsLate, ...). @default 'KafkaLambdaStreams' */
  readonly metricsNamespace?: string;
  /** Node.js 22 or newer. @default lambda.Runtime.NODEJS_24_X */
  readonly runtime?: lambda.Runtime;
  /** @default 1024 (arm64: more memory is more CPU for decoding large batches) */
  readonly memorySize?: number;
  /** Covers a full batch and the store's retries with backoff. @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * For a handler that writes topics (`route` pipelines): the source's
   * `producerAccess(outputTopicsOf(handler))`, i.e. brokers and auth in the environment, the
   * grant to write exactly those topics, and the VPC to run in when the brokers are private.
   * @default none: the function only reads its mapping's batches and writes DynamoDB, outside any VPC
   */
  readonly producer?: KafkaProducerAccess;
}

const SUPPORTED_RUNTIMES = new Set(['nodejs22.x', 'nodejs24.x']);

/**
 * One Lambda function per handler spec: `functions/<name>/handler.ts` bundled by the local
 * esbuild, arm64, its own log group and a role that can write that log group and the three
 * tables (the actions the stores send), nothing else. Event-source mappings add their cluster
 * permissions to {@link policy}. A handler that writes topics also gets its `producer` access
 * (brokers, the grant on its output topics, the VPC). No secret is ever in its environment:
 * table names, Powertools settings, broker addresses and a secret's ARN, nothing more.
 */
export class PipelineFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  /** All permissions of the function; mappings depend on it so Lambda sees them at creation. */
  readonly policy: iam.Policy;
  readonly logGroup: logs.LogGroup;
  readonly handlerSpec: HandlerSpec;
  /** The Powertools service name, also the `service` dimension of every handler metric. */
  readonly serviceName: string;
  readonly metricsNamespace: string;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const spec = props.handler;
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(spec.name)) {
      throw new Error(
        `${this.node.path}: handler name "${spec.name}" must be lower-case letters, digits and dashes`,
      );
    }
    // The handler validates its spec at cold start too; validating here fails the synth instead.
    try {
      validateHandlerSpec(spec);
    } catch (err) {
      throw new Error(`${this.node.path}: ${(err as Error).message}`, { cause: err });
    }
    const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
    if (!SUPPORTED_RUNTIMES.has(runtime.name)) {
      throw new Error(
        `${this.node.path}: runtime ${runtime.name} is not supported; use nodejs22.x or nodejs24.x`,
      );
    }
    const timeout = props.timeout ?? Duration.seconds(60);
    if (timeout.toSeconds() < 1 || timeout.toSeconds() > 900) {
      throw new Error(`${this.node.path}: timeout must be 1 to 900 seconds`);
    }
    this.handlerSpec = spec;
    this.serviceName = spec.name;
    this.metricsNamespace = props.metricsNamespace ?? 'KafkaLambdaStreams';

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Kafka pipeline handler ${spec.name}`,
    });
    const producer = props.producer;
    const network = producer?.network;
    const vpcStatements = network ? lambdaVpcStatements() : [];
    this.policy = new iam.Policy(this, 'Policy', {
      roles: [this.role],
      statements: [
        logWriteStatement(this.logGroup),
        ...props.tables.handlerStatements(),
        // Lambda checks these when it creates a VPC function, so they are here from the start.
        ...vpcStatements,
      ],
    });
    acknowledgeWildcards(this.policy, vpcStatements);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry ?? functionEntry(spec.name),
      // The repository's layout only when bundling one of its own function folders.
      ...(props.entry ? {} : packageBundlingRoot()),
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
      ...(props.depsLockFilePath ? { depsLockFilePath: props.depsLockFilePath } : {}),
      runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      description: spec.description.slice(0, 256),
      environment: {
        ...props.environment,
        ...producer?.environment,
        ...props.tables.environment(),
        POWERTOOLS_SERVICE_NAME: this.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // The bundle is minified; source maps turn stack traces back into TypeScript lines.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: functionBundling(),
      ...(network
        ? {
            vpc: network.vpc,
            vpcSubnets: { subnets: [...network.subnets] },
            securityGroups: [...network.securityGroups],
            allowPublicSubnet: false,
          }
        : {}),
      // No reserved concurrency: a Kafka mapping invokes at most one batch per partition at a
      // time, so the topic's partition count already bounds concurrency.
    });
    this.function.node.addDependency(this.policy);
    if (producer) this.grant(...producer.statements);
  }

  /** Adds permissions (an event-source mapping's), acknowledging each wildcard with its reason. */
  grant(...statements: iam.PolicyStatement[]): void {
    this.policy.addStatements(...statements);
    acknowledgeWildcards(this.policy, statements);
  }
}
