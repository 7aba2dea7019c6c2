import { describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.js';
import { esmFilterDecision } from '../../infra/lib/esmFilters.js';
import type { HandlerSpec, PipelineSpec } from '../../shared/engine/process/index.js';
import { dropoffCount, pickup5m, rideHandler, tips1h } from '../../shared/rides/index.js';
import { only, policyStatements, resourcesOf, synth } from './support/synth.js';

const bigTips: PipelineSpec = { ...dropoffCount, filter: [{ field: 'total_amount', op: 'gte', value: 40 }] };
/** The dropoff handler with one filtered pipeline (its folder exists, so it bundles). */
/** A function resource's environment variables. */
const envOf = (fn: { Properties: Record<string, unknown> }): Record<string, unknown> =>
  (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
const filtered: HandlerSpec = { ...rideHandler('rides-count-by-dropoff'), pipelines: [bigTips] };

describe('event-source mapping, on-demand pollers (default)', () => {
  const { template } = synth({});

  it('sets batch size, batching window, starting position, consumer group and failure bucket on purpose', () => {
    const [bucketId] = only(
      resourcesOf(template, 'AWS::S3::Bucket').filter(([id]) => id.startsWith('FailuresBucket')),
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 1,
      StartingPosition: 'TRIM_HORIZON',
      Enabled: true,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'rides-rides-count-by-dropoff' },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [bucketId, 'Arn'] } } },
    });
  });

  it('asks for no enhanced metrics: Lambda takes MetricsConfig on Kafka mappings in provisioned mode only', () => {
    for (const [, m] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
      expect(m.Properties.MetricsConfig).toBeUndefined();
    }
  });

  it('does not turn on ReportBatchItemFailures, since the handler never reports partial failures', () => {
    for (const [, m] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
      expect(m.Properties.FunctionResponseTypes).toBeUndefined();
    }
  });

  it('leaves retries, bisecting and record age out: Kafka mappings take them in provisioned mode only', () => {
    for (const [, m] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
      for (const key of [
        'MaximumRetryAttempts',
        'BisectBatchOnFunctionError',
        'MaximumRecordAgeInSeconds',
        'ProvisionedPollerConfig',
      ]) {
        expect(m.Properties[key]).toBeUndefined();
      }
    }
  });

  it('lets the function write failed batches to the bucket and nothing else there', () => {
    const s3 = policyStatements(template, 'RidesCountByDropoffPolicy').filter((s) =>
      JSON.stringify(s.Action).includes('s3:'),
    );
    expect(s3.map((s) => s.Action)).toEqual(['s3:PutObject', 's3:ListBucket']);
  });

  it('pushes down no filter: the ride pipelines read every record', () => {
    for (const [, m] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping'))
      expect(m.Properties.FilterCriteria).toBeUndefined();
  });
});

describe('event-source mapping, provisioned pollers', () => {
  const { template } = synth({
    pollerMode: 'provisioned',
    minPollers: 2,
    maxPollers: 6,
    pollerGroupName: 'rides',
  });

  it('sets pollers, retries, bisecting and an infinite record age', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ProvisionedPollerConfig: { MinimumPollers: 2, MaximumPollers: 6, PollerGroupName: 'rides' },
      MaximumRetryAttempts: 10,
      BisectBatchOnFunctionError: false,
      MaximumRecordAgeInSeconds: -1,
    });
  });

  it('turns on the enhanced metrics EventCount, ErrorCount and KafkaMetrics', () => {
    const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');

    expect(mappings).toHaveLength(catalog.handlers.length);
    for (const [, m] of mappings) {
      expect(m.Properties.MetricsConfig).toEqual({ Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] });
    }
  });

  it('leaves the enhanced metrics out with esmMetrics=false', () => {
    const { template: quiet } = synth({ pollerMode: 'provisioned', esmMetrics: 'false' });

    for (const [, m] of resourcesOf(quiet, 'AWS::Lambda::EventSourceMapping')) {
      expect(m.Properties.MetricsConfig).toBeUndefined();
    }
  });
});

describe('event-source mapping settings from config', () => {
  it('follows batchSize, maxBatchingWindowMs, startingPosition and consumerGroupPrefix', () => {
    const { template } = synth({
      batchSize: 200,
      maxBatchingWindowMs: 5000,
      startingPosition: 'LATEST',
      consumerGroupPrefix: 'prod',
    });

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 200,
      MaximumBatchingWindowInSeconds: 5,
      StartingPosition: 'LATEST',
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'prod-rides-hopping-by-vendor' },
    });
  });
});

describe('event-source mapping filters', () => {
  it('carry a handler’s filter as a pattern on value', () => {
    const { template } = synth({}, [filtered]);

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ value: { total_amount: [{ numeric: ['>=', 40] }] } }) }],
      },
    });
  });

  it('turn gap detection off in the function: Lambda commits the offsets of what it dropped', () => {
    const { template } = synth({}, [filtered]);

    const [, fn] = only(
      resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('RidesCountByDropoff')),
    );
    expect(envOf(fn).OFFSET_GAPS).toBe('off');
  });

  it('are left out with esmFilters=false, and gaps are detected', () => {
    const { template } = synth({ esmFilters: 'false' }, [filtered]);

    const [, mapping] = only(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'));
    expect(mapping.Properties.FilterCriteria).toBeUndefined();
    const [, fn] = only(
      resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('RidesCountByDropoff')),
    );
    expect(envOf(fn).OFFSET_GAPS).toBeUndefined();
  });
});

describe('esmFilterDecision', () => {
  const handler = (pipelines: PipelineSpec[]): HandlerSpec => ({
    name: 'h',
    description: '',
    topic: 'rides',
    pipelines,
  });

  it('pushes down one pattern per pipeline when every pipeline filters', () => {
    const cheap: PipelineSpec = { ...tips1h, filter: [{ field: 'total_amount', op: 'lt', value: 10 }] };

    expect(esmFilterDecision(handler([bigTips, cheap]))).toEqual({
      pushdown: true,
      patterns: [
        { value: { total_amount: [{ numeric: ['>=', 40] }] } },
        { value: { total_amount: [{ numeric: ['<', 10] }] } },
      ],
    });
  });

  it.each([
    ['a pipeline without filter needs every record', [bigTips, pickup5m], /pickup-5m has no filter/],
    [
      'a CSV pipeline cannot be filtered by Lambda',
      [{ ...bigTips, codec: 'yellow-csv' }],
      /reads yellow-csv/,
    ],
    [
      'two conditions on one field have no pattern',
      [
        {
          ...bigTips,
          filter: [
            { field: 'total_amount', op: 'gt', value: 1 },
            { field: 'total_amount', op: 'lt', value: 9 },
          ],
        },
      ],
      /no event-filtering equivalent/,
    ],
  ] as const)('does not push down when %s', (_why, pipelines, reason) => {
    const decision = esmFilterDecision(handler([...pipelines]));

    expect(decision.pushdown).toBe(false);
    expect(decision.pushdown ? '' : decision.reason).toMatch(reason);
  });
});
