import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FinalizablePipeline } from '../../shared/engine/final/finalizeWindows.js';
import { finalTopicOf } from '../../shared/engine/final/finalResultsSpec.js';
import { OVERDUE_METRIC, SWEEPER_SERVICE_NAME } from '../../shared/engine/final/sweeperMetrics.js';
import { finalizablePipelinesOf } from '../../shared/engine/final/sweepFinalResults.js';
import { SWEEP_PIPELINES_ENV, sweepPipelinesJson } from '../../shared/engine/final/sweepPipelinesEnv.js';
import type { PipelineSpec } from '../../shared/engine/process/index.js';
import { OPEN_WINDOWS_INDEX } from '../../shared/engine/store/tableDesign.js';
import { functionBundling } from '../lib/bundling.js';
import { lambdaVpcStatements, logWriteStatement } from '../lib/iamStatements.js';
import { acknowledgeWildcards } from '../lib/nag.js';
import { FINAL_SWEEPER_ENTRY, packageBundlingRoot } from '../lib/paths.js';
import type { AlarmTopic } from './AlarmTopic.js';
import type { IKafkaSource } from './kafkaSource.js';
import type { PipelineTables } from './PipelineTables.js';

/** Properties of {@link FinalResultsSweeper}. */
export interface FinalResultsSweeperProps {
  /**
   * The deployment's pipelines; those with `final` are swept, the others ignored (so the
   * handlers' pipelines can be passed as they are). At least one must have final results.
   */
  readonly pipelines: readonly PipelineSpec[];
  /** The cluster the final topics are on: brokers, auth, grant and VPC come from its producer access. */
  readonly source: IKafkaSource;
  /** The tables the handlers write (the same `PipelineTables`). */
  readonly tables: PipelineTables;
  /**
   * How often the sweeper runs. Windows that only idleness or the wall clock closes are
   * emitted at most this much later than `idleAfterMs` allows; each run costs one invocation
   * and, per pipeline, a BatchGetItem of checkpoints and one or two index queries. Whole
   * minutes, 1 to 720.
   * @default Duration.minutes(5)
   */
  readonly schedule?: Duration;
  /**
   * The source topics' partition count, written into every swept pipeline's
   * `final.partitions` (as `SOURCE_TOPIC_PARTITIONS` is for the handlers): the sweeper must
   * count the partitions the handlers count, or it closes windows they still hold open.
   * @default each pipeline's own `final.partitions`
   */
  readonly sourceTopicPartitions?: number;
  /**
   * Where alarms go: the sweeper's Errors, and per pipeline its oldest open window overdue
   * by more than `idleAfterMs` + `overdueAlarmAfter`.
   * @default no alarms
   */
  readonly alarmTopic?: AlarmTopic;
  /**
   * How much longer than its pipeline's `idleAfterMs` (0 without it) past its close time a
   * window may stay open before the overdue alarm fires.
   * @default three schedule periods
   */
  readonly overdueAlarmAfter?: Duration;
  /** @default 'KafkaLambdaStreams' (the handlers' default) */
  readonly metricsNamespace?: string;
  /** @default lambda.Runtime.NODEJS_24_X */
  readonly runtime?: lambda.Runtime;
  /** One pass reads and writes a few items per window: little memory. @default 256 */
  readonly memorySize?: number;
  /** A pass finalizes up to 1,000 windows per pipeline. @default Duration.minutes(2) */
  readonly timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/** Statement ids of the sweeper's table grants (asserted by tests, read in IAM consoles). */
export const SWEEPER_SIDS = {
  queryOpenWindows: 'QueryOpenWindows',
  closeWindows: 'CloseAndMarkWindows',
  readCheckpoints: 'ReadCheckpoints',
  recordFirstPass: 'RecordFirstPass',
} as const;

/**
 * The scheduled final-results sweeper of a deployment: one function, run by an EventBridge
 * schedule, that does what `npm run cli -- sweep` does for every final-results pipeline
 * given (`shared/kafka/finalSweeperHandler`). Lambda runs a handler only when records
 * arrive, so windows that only an idle partition or the passing of wall-clock time closes
 * have no batch to finalize them; this does.
 *
 * **One sweeper for all pipelines, not one per handler**: a pass is a few reads per
 * pipeline, so one invocation per period serves them all at the price of one; the final
 * topics are on one cluster, so one producer (one network and auth setup) reaches them; and
 * the pipelines fail independently inside a run (`sweepFinalResults`). One per handler would
 * multiply cold starts, roles and ENIs by the number of handlers for no isolation that
 * matters: the sweeper only ever redoes idempotent steps.
 *
 * **Least privilege**: Query on the `openWindows` index only; GetItem/UpdateItem (close,
 * read the frozen value, mark) on the aggregates table for items whose key starts with a
 * swept pipeline's name; BatchGetItem/GetItem of the swept pipelines' checkpoints and
 * first-pass items on the state table, PutItem of the first-pass item only (pipelines with
 * `idleAfterMs`); nothing on the dead-letter table; WriteData on exactly the final topics
 * (the source's producer access) and the network to reach them.
 *
 * **The overdue alarm**: after each pass the sweeper publishes per pipeline
 * `OldestOpenWindowOverdueMs` (how long ago the oldest still-open window should have closed,
 * by wall clock). It is expected to reach `idleAfterMs` when partitions go quiet; the alarm
 * fires beyond that plus `overdueAlarmAfter`, and also when the metric is missing (the
 * sweeper does not run). A replay of old records raises it until the replay has passed the
 * windows: their close times are years before the wall clock.
 */
export class FinalResultsSweeper extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly policy: iam.Policy;
  readonly logGroup: logs.LogGroup;
  readonly rule: events.Rule;
  /** The swept pipelines, with `final.partitions` as the sweeper counts them. */
  readonly pipelines: readonly FinalizablePipeline[];
  /** The sweeper's alarms (none without `alarmTopic`). */
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: FinalResultsSweeperProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`${this.node.path}: ${message}`);
    };
    const partitions = props.sourceTopicPartitions;
    if (partitions !== undefined && (!Number.isInteger(partitions) || partitions < 1)) {
      fail(`sourceTopicPartitions must be a positive whole number, got ${partitions}`);
    }
    this.pipelines = finalizablePipelinesOf(props.pipelines).map((p) =>
      partitions === undefined ? p : { ...p, final: { ...p.final, partitions } },
    );
    if (this.pipelines.length === 0) fail('no pipeline with final results to sweep');
    const schedule = props.schedule ?? Duration.minutes(5);
    // At most 12 hours: the overdue alarm's period is two schedule periods, and CloudWatch
    // allows no alarm period (times evaluation periods) above one day.
    if (schedule.toSeconds() < 60 || schedule.toSeconds() % 60 !== 0 || schedule.toMinutes() > 720) {
      fail(
        'schedule must be a whole number of minutes from 1 to 720 (EventBridge rates are in minutes; ' +
          'the overdue alarm evaluates two periods, at most one day)',
      );
    }
    const timeout = props.timeout ?? Duration.minutes(2);
    const namespace = props.metricsNamespace ?? 'KafkaLambdaStreams';
    const names = this.pipelines.map((p) => p.name);
    const finalTopics = [...new Set(this.pipelines.map(finalTopicOf))];

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Final-results sweeper of ${names.join(', ')}`.slice(0, 1000),
    });
    const producer = props.source.producerAccess(finalTopics);
    const network = producer.network;
    const vpcStatements = network ? lambdaVpcStatements() : [];
    this.policy = new iam.Policy(this, 'Policy', {
      roles: [this.role],
      statements: [
        logWriteStatement(this.logGroup),
        ...this.tableStatements(props.tables),
        ...vpcStatements,
        ...producer.statements,
      ],
    });
    acknowledgeWildcards(this.policy, [...vpcStatements, ...producer.statements]);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: FINAL_SWEEPER_ENTRY,
      ...packageBundlingRoot(),
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      description:
        `Emits the final results of ${names.join(', ')} that idle partitions or the wall clock closed`.slice(
          0,
          256,
        ),
      environment: {
        ...producer.environment,
        ...props.tables.environment(),
        [SWEEP_PIPELINES_ENV]: sweepPipelinesJson(this.pipelines),
        POWERTOOLS_SERVICE_NAME: SWEEPER_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: namespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: functionBundling(),
      // A failed run is not retried by Lambda's async retries: the next scheduled run redoes
      // the same idempotent pass, and retries would only overlap with it.
      retryAttempts: 0,
      ...(network
        ? {
            vpc: network.vpc,
            vpcSubnets: { subnets: [...network.subnets] },
            securityGroups: [...network.securityGroups],
            allowPublicSubnet: false,
          }
        : {}),
    });
    this.function.node.addDependency(this.policy);

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Runs the final-results sweeper every ${schedule.toMinutes()} minute(s)`,
      schedule: events.Schedule.rate(schedule),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2 })],
    });

    if (props.alarmTopic) this.addAlarms(props, schedule, namespace);
  }

  private tableStatements(tables: PipelineTables): iam.PolicyStatement[] {
    const aggregates = tables.tables.aggregates.tableArn;
    const state = tables.tables.state.tableArn;
    const names = this.pipelines.map((p) => p.name);
    // IAM's fine-grained access: only items whose partition key starts with a swept pipeline's
    // name (`<pipeline>#<key>` on aggregates, `<pipeline>#streamtime#...` and
    // `<pipeline>#final#started` on state).
    const leadingKeys = (patterns: string[], operator = 'ForAllValues:StringLike') => ({
      [operator]: { 'dynamodb:LeadingKeys': patterns },
    });
    const statements = [
      new iam.PolicyStatement({
        sid: SWEEPER_SIDS.queryOpenWindows,
        actions: ['dynamodb:Query'],
        resources: [`${aggregates}/index/${OPEN_WINDOWS_INDEX}`],
      }),
      new iam.PolicyStatement({
        sid: SWEEPER_SIDS.closeWindows,
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [aggregates],
        conditions: leadingKeys(names.map((n) => `${n}#*`)),
      }),
      new iam.PolicyStatement({
        sid: SWEEPER_SIDS.readCheckpoints,
        actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
        resources: [state],
        conditions: leadingKeys(names.flatMap((n) => [`${n}#streamtime#*`, `${n}#final#started`])),
      }),
    ];
    const idle = this.pipelines.filter((p) => p.final.idleAfterMs !== undefined).map((p) => p.name);
    if (idle.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: SWEEPER_SIDS.recordFirstPass,
          actions: ['dynamodb:PutItem'],
          resources: [state],
          conditions: leadingKeys(
            idle.map((n) => `${n}#final#started`),
            'ForAllValues:StringEquals',
          ),
        }),
      );
    }
    return statements;
  }

  private addAlarms(props: FinalResultsSweeperProps, schedule: Duration, namespace: string): void {
    const topic = props.alarmTopic as AlarmTopic;
    const notify = new actions.SnsAction(topic.topic);
    const add = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, alarmProps);
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      topic.allowAlarms(alarm);
      this.alarms.push(alarm);
    };
    // Two schedule periods: every period holds at least one run's datapoint even when a run
    // starts late, so a missing datapoint means the sweeper did not run or publish.
    const period = Duration.minutes(2 * schedule.toMinutes());
    const tolerance = props.overdueAlarmAfter ?? Duration.minutes(3 * schedule.toMinutes());
    add('Errors', {
      metric: this.function.metricErrors({ period, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'The final-results sweeper failed a run; the next scheduled run tries again',
    });
    for (const pipeline of this.pipelines) {
      const thresholdMs = (pipeline.final.idleAfterMs ?? 0) + tolerance.toMilliseconds();
      add(`Overdue-${pipeline.name}`, {
        metric: new cloudwatch.Metric({
          namespace,
          metricName: OVERDUE_METRIC,
          dimensionsMap: { service: SWEEPER_SERVICE_NAME, pipeline: pipeline.name },
          statistic: 'Maximum',
          period,
        }),
        threshold: thresholdMs,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // The sweeper publishes every run (0 when nothing is overdue): no data means no sweep.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription:
          `${pipeline.name}: a window is still open ${thresholdMs} ms after its close time ` +
          `(end + grace), or the sweeper published nothing: a partition holds it back, or the sweeper fails`,
      });
    }
  }
}
