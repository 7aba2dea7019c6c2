import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AlarmTopic } from '../../infra/constructs/AlarmTopic.js';
import { ExistingMskCluster } from '../../infra/constructs/ExistingMskCluster.js';
import { FinalResultsSweeper, SWEEPER_SIDS } from '../../infra/constructs/FinalResultsSweeper.js';
import { PipelineTables } from '../../infra/constructs/PipelineTables.js';
import { SWEEP_PIPELINES_ENV } from '../../shared/engine/final/sweepPipelinesEnv.js';
import type { PipelineSpec } from '../../shared/engine/process/index.js';
import { tumbling } from '../../shared/engine/windows/index.js';
import {
  CLUSTER_ARN,
  MSK_PRODUCER_NETWORK,
  only,
  policyStatements,
  type ResourceJson,
  resourcesOf,
  synth,
} from './support/synth.js';

const MINUTE_MS = 60_000;

/** A windowed aggregate with final results, idle partitions let go after 10 minutes. */
const clicks: PipelineSpec = {
  kind: 'windowed-aggregate',
  name: 'clicks-1m',
  description: 'Clicks per page, 1-minute tumbling windows',
  topic: 'clicks',
  codec: 'json',
  key: { field: 'page' },
  time: { field: 'ts' },
  window: tumbling(MINUTE_MS, 0),
  aggregations: [],
  final: { partitions: 4, idleAfterMs: 10 * MINUTE_MS },
};
/** The same without idleness and with a topic of its own. */
const views: PipelineSpec = { ...clicks, name: 'views-1m', final: { partitions: 4, topic: 'views-final' } };
/** No final results: the sweeper ignores it. */
const plain: PipelineSpec = { ...clicks, name: 'plain-1m', final: undefined };

function userStack(props: Partial<ConstructorParameters<typeof FinalResultsSweeper>[2]> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'User', { env: { account: '123456789012', region: 'eu-west-1' } });
  const source = new ExistingMskCluster(stack, 'Kafka', {
    clusterArn: CLUSTER_ARN,
    network: {
      vpcId: MSK_PRODUCER_NETWORK.vpcId,
      subnetIds: MSK_PRODUCER_NETWORK.subnetIds.split(','),
      securityGroupIds: [MSK_PRODUCER_NETWORK.securityGroupIds],
    },
  });
  const tables = new PipelineTables(stack, 'Tables');
  const alarmTopic = new AlarmTopic(stack, 'Alarms');
  const sweeper = new FinalResultsSweeper(stack, 'Sweeper', {
    pipelines: [clicks, views, plain],
    source,
    tables,
    alarmTopic,
    ...props,
  });
  return { stack, sweeper, template: Template.fromStack(stack) };
}

function statementBySid(statements: Array<Record<string, unknown>>, sid: string): Record<string, unknown> {
  return only(
    statements.filter((s) => s.Sid === sid),
    `statement ${sid}`,
  );
}

function sweeperEnvironment(template: Template): Record<string, string> {
  const [, fn] = only(
    resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => id.includes('Sweeper')),
    'sweeper function',
  );
  return (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
}

describe('FinalResultsSweeper', () => {
  const { template } = userStack();
  const statements = policyStatements(template, 'SweeperPolicy');

  it('runs on an EventBridge schedule, every 5 minutes by default', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
  });

  it('sweeps exactly the pipelines with final results, as data in SWEEP_PIPELINES', () => {
    const swept = JSON.parse(sweeperEnvironment(template)[SWEEP_PIPELINES_ENV] as string);

    expect(swept).toEqual([
      { name: 'clicks-1m', topic: 'clicks', final: { partitions: 4, idleAfterMs: 10 * MINUTE_MS } },
      { name: 'views-1m', topic: 'clicks', final: { partitions: 4, topic: 'views-final' } },
    ]);
  });

  it('counts the partitions it is told the topics have, as the handlers do', () => {
    const { template: told } = userStack({ sourceTopicPartitions: 12 });
    const swept = JSON.parse(sweeperEnvironment(told)[SWEEP_PIPELINES_ENV] as string) as Array<{
      final: { partitions: number };
    }>;

    expect(swept.map((p) => p.final.partitions)).toEqual([12, 12]);
  });

  it('may Query the openWindows index and nothing else of the aggregates table by Query', () => {
    const query = statementBySid(statements, SWEEPER_SIDS.queryOpenWindows);

    expect(query.Action).toBe('dynamodb:Query');
    expect(JSON.stringify(query.Resource)).toMatch(/\/index\/openWindows"\]\]\}$/);
  });

  it('may close and mark only the swept pipelines’ aggregate items (GetItem, UpdateItem)', () => {
    const close = statementBySid(statements, SWEEPER_SIDS.closeWindows);

    expect(close.Action).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(close.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['clicks-1m#*', 'views-1m#*'] },
    });
  });

  it('reads only the swept pipelines’ checkpoints, and writes only the first-pass item of pipelines with idleness', () => {
    const read = statementBySid(statements, SWEEPER_SIDS.readCheckpoints);
    const put = statementBySid(statements, SWEEPER_SIDS.recordFirstPass);

    expect(read.Action).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(read.Condition).toEqual({
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': [
          'clicks-1m#streamtime#*',
          'clicks-1m#final#started',
          'views-1m#streamtime#*',
          'views-1m#final#started',
        ],
      },
    });
    expect(put.Action).toBe('dynamodb:PutItem');
    expect(put.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['clicks-1m#final#started'] },
    });
  });

  it('has no other DynamoDB action and no grant on the dead-letter table', () => {
    const dynamoActions = statements
      .flatMap((s) => [s.Action].flat() as string[])
      .filter((a) => a.startsWith('dynamodb:'))
      .sort();

    expect(dynamoActions).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/TablesDeadLetters/);
  });

  it('writes exactly the final topics, through the producer access of the source, from its VPC', () => {
    const write = statementBySid(statements, 'WriteOutputTopics');

    expect(write.Resource).toEqual([
      'arn:aws:kafka:eu-west-1:123456789012:topic/prod/0b3cb6fd-52d0-4bf2-9d1e-1f3c5f4b2e1a-3/clicks-1m-final',
      'arn:aws:kafka:eu-west-1:123456789012:topic/prod/0b3cb6fd-52d0-4bf2-9d1e-1f3c5f4b2e1a-3/views-final',
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KAFKA_AUTH: 'aws-iam' }) },
      VpcConfig: { SubnetIds: ['subnet-0aa', 'subnet-0bb'], SecurityGroupIds: ['sg-0feed123'] },
    });
  });

  it('alarms to the alarm topic when a window stays open past idleAfterMs plus three periods, or no sweep reports', () => {
    const overdue = resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .filter((p) => p.MetricName === 'OldestOpenWindowOverdueMs');

    expect(
      overdue.map((p) => [
        (p.Dimensions as Array<{ Name: string; Value: string }>).map((d) => `${d.Name}=${d.Value}`).sort(),
        p.Threshold,
        p.Period,
        p.TreatMissingData,
      ]),
    ).toEqual([
      [['pipeline=clicks-1m', 'service=final-results-sweeper'], 25 * MINUTE_MS, 600, 'breaching'],
      [['pipeline=views-1m', 'service=final-results-sweeper'], 15 * MINUTE_MS, 600, 'breaching'],
    ]);
    for (const alarm of overdue) {
      expect(JSON.stringify(alarm.AlarmActions)).toMatch(/AlarmsTopic/);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('AlarmsTopic') })],
    });
  });

  it('refuses a deployment with nothing to sweep, a schedule that is no whole number of minutes, or a bad count', () => {
    expect(() => userStack({ pipelines: [plain] })).toThrow(/no pipeline with final results/);
    expect(() => userStack({ schedule: Duration.seconds(90) })).toThrow(/whole number of minutes/);
    expect(() => userStack({ schedule: Duration.hours(13) })).toThrow(/from 1 to 720/);
    expect(() => userStack({ sourceTopicPartitions: 0 })).toThrow(/positive whole number/);
  });

  it('passes cdk-nag’s AwsSolutions checks', () => {
    const { stack } = userStack();
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
    );

    expect(findings.filter((f) => f.includes('/Sweeper/'))).toEqual([]);
  });
});

describe('StreamProcessingStack and the sweeper', () => {
  it('deploys one sweeper for the catalog’s final-results pipelines, at the configured rate, told the partitions', () => {
    const { template } = synth({ topicPartitions: '12', sweepRateMinutes: '2' });
    const [, rule] = only(resourcesOf(template, 'AWS::Events::Rule'), 'schedule rule') as [
      string,
      ResourceJson,
    ];
    const swept = JSON.parse(sweeperEnvironment(template)[SWEEP_PIPELINES_ENV] as string) as Array<{
      name: string;
      final: { partitions: number };
    }>;

    const overdue = resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .filter((p) => p.MetricName === 'OldestOpenWindowOverdueMs');

    expect(rule.Properties.ScheduleExpression).toBe('rate(2 minutes)');
    expect(swept.map((p) => [p.name, p.final.partitions])).toEqual([['tips-15m', 12]]);
    // tips-15m has no idleAfterMs: the tolerance alone, three periods of 2 minutes by default.
    expect(overdue.map((p) => [p.Threshold, p.Period])).toEqual([[6 * MINUTE_MS, 240]]);
    expect(JSON.stringify(overdue[0]?.AlarmActions)).toMatch(/MonitoringAlarmsTopic/);
  });

  it('deploys no sweeper when no deployed handler has final results', () => {
    const { template } = synth({ handlers: 'rides-count-by-dropoff' });

    template.resourceCountIs('AWS::Events::Rule', 0);
  });
});
