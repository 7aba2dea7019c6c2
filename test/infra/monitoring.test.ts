import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.js';
import { resourcesOf, synth } from './support/synth.js';

describe('monitoring', () => {
  const { template } = synth({ alarmEmail: 'oncall@example.com', offsetLagThreshold: 5000 });
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);

  it('alarms on errors and throttles of every function (errors of the final-results sweeper too)', () => {
    const count = (metric: string) =>
      alarms.filter((a) => a.MetricName === metric && a.Namespace === 'AWS/Lambda').length;

    expect(count('Errors')).toBe(catalog.handlers.length + 1);
    expect(count('Throttles')).toBe(catalog.handlers.length);
  });

  it('alarms on the mappings’ OffsetLag per function at the configured threshold', () => {
    const lag = alarms.filter((a) => a.MetricName === 'OffsetLag');

    expect(lag).toHaveLength(catalog.handlers.length);
    for (const a of lag) {
      expect(a).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Threshold: 5000,
        EvaluationPeriods: 3,
      });
      expect(a.Dimensions).toEqual([
        { Name: 'FunctionName', Value: { Ref: expect.stringMatching(/Function/) } },
      ]);
    }
  });

  it('alarms on dead letters of every pipeline with the dimensions the handler publishes (service and pipeline)', () => {
    const deadLetters = alarms.filter((a) => JSON.stringify(a.Metrics ?? []).includes('RecordsInvalid'));

    // One per pipeline of each handler: a join's two side copies each alarm in their own function.
    expect(deadLetters).toHaveLength(catalog.handlers.flatMap((h) => h.pipelines).length);
    const handlersOf = new Map<string, string[]>();
    for (const h of catalog.handlers)
      for (const p of h.pipelines) handlersOf.set(p.name, [...(handlersOf.get(p.name) ?? []), h.name]);
    for (const a of deadLetters) {
      const metrics = (
        a.Metrics as Array<{
          MetricStat?: {
            Metric: {
              MetricName: string;
              Namespace: string;
              Dimensions: Array<{ Name: string; Value: string }>;
            };
          };
        }>
      ).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
      expect(metrics.map((m) => m.MetricName).sort()).toEqual(['RecordsInvalid', 'RecordsLate']);
      for (const m of metrics) {
        const dims = Object.fromEntries(m.Dimensions.map((d) => [d.Name, d.Value]));
        expect(m.Namespace).toBe('KafkaLambdaStreams');
        expect(Object.keys(dims).sort()).toEqual(['pipeline', 'service']);
        expect(handlersOf.get(dims.pipeline as string)).toContain(dims.service);
      }
    }
  });

  it("alarms while a gap is open on any pipeline (the OpenGaps gauge every batch publishes), with the handler's dimensions", () => {
    const openGaps = alarms.filter((a) => a.MetricName === 'OpenGaps');

    // One per pipeline of each handler: a join's two side copies each alarm in their own function.
    expect(openGaps).toHaveLength(catalog.handlers.flatMap((h) => h.pipelines).length);
    const handlersOf = new Map<string, string[]>();
    for (const h of catalog.handlers)
      for (const p of h.pipelines) handlersOf.set(p.name, [...(handlersOf.get(p.name) ?? []), h.name]);
    for (const a of openGaps) {
      expect(a).toMatchObject({
        Namespace: 'KafkaLambdaStreams',
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      const dims = Object.fromEntries(
        (a.Dimensions as Array<{ Name: string; Value: string }>).map((d) => [d.Name, d.Value]),
      );
      expect(handlersOf.get(dims.pipeline as string)).toContain(dims.service);
    }
  });

  it('notifies an SNS topic encrypted with its own rotating key, and the configured email', () => {
    for (const a of alarms)
      expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringAlarmsTopic/) }]);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });

  it('lets CloudWatch publish to the topic for exactly this stack’s alarms of this account (a topic policy replaces SNS’s default)', () => {
    const alarmIds = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([id]) => id);

    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: Match.stringLikeRegexp('^MonitoringAlarmsTopic') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'CloudWatchAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('^MonitoringAlarmsTopic') },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': alarmIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })) },
            },
          },
        ]),
      },
    });
  });

  it('keeps the topic TLS-only for every other publisher', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  // The sweeper publishes its overdue metric on every run, so its missing data is an incident
  // (the sweeper does not run): test/infra/finalResultsSweeper.test.ts.
  const handlerAlarms = alarms.filter((a) => a.MetricName !== 'OldestOpenWindowOverdueMs');

  it('treats missing data as fine: an idle topic is not an incident', () => {
    expect(handlerAlarms.length).toBeLessThan(alarms.length);
    for (const a of handlerAlarms) expect(a.TreatMissingData).toBe('notBreaching');
  });

  it('has no silent-mapping alarm with on-demand pollers (Lambda documents no lag reports for idle on-demand mappings)', () => {
    expect(handlerAlarms.filter((a) => a.TreatMissingData === 'breaching')).toEqual([]);
  });
});

describe('monitoring with provisioned pollers', () => {
  const { template } = synth({ pollerMode: 'provisioned' });
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);

  it('alarms when a mapping reports no OffsetLag for 15 minutes: one that cannot connect reports none', () => {
    const silent = alarms.filter((a) => a.MetricName === 'OffsetLag' && a.TreatMissingData === 'breaching');

    expect(silent).toHaveLength(catalog.handlers.length);
    for (const a of silent) {
      expect(a).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 3,
        // Lag is never negative: only missing data can breach.
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 0,
        AlarmActions: [{ Ref: expect.stringMatching(/^MonitoringAlarmsTopic/) }],
      });
      expect(a.Dimensions).toEqual([
        { Name: 'FunctionName', Value: { Ref: expect.stringMatching(/Function/) } },
      ]);
    }
  });

  it('keeps the lag alarm itself fine with missing data', () => {
    const lag = alarms.filter(
      (a) => a.MetricName === 'OffsetLag' && a.ComparisonOperator === 'GreaterThanThreshold',
    );

    expect(lag).toHaveLength(catalog.handlers.length);
    for (const a of lag) expect(a.TreatMissingData).toBe('notBreaching');
  });

  it('builds one dashboard for the deployment', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'KafkaLambdaStreams-rides',
    });
  });
});
