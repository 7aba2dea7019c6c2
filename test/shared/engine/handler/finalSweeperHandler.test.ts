import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../../shared/engine/errors/index.js';
import {
  OVERDUE_METRIC,
  SWEEP_PIPELINES_ENV,
  SWEPT_METRIC,
  sweepPipelinesFromEnv,
  sweepPipelinesJson,
} from '../../../../shared/engine/final/index.js';
import { finalSweeperHandler } from '../../../../shared/engine/handler/index.js';
import type { HandlerSpec, WindowedAggregateSpec } from '../../../../shared/engine/process/index.js';
import { tumbling } from '../../../../shared/engine/windows/index.js';
import { createLambdaContext } from '../../../../shared/local/eventSourceMapping/index.js';
import { PipelineTestDriver } from '../../../../shared/testing/index.js';

/**
 * The scheduled sweeper as Lambda runs it (middy, Powertools, an EventBridge event), on the
 * embedded DynamoDB with the records of a real handler batch: it closes the windows an idle
 * partition holds open once idleness lets them go, once, and publishes how overdue the oldest
 * open window is.
 */

const MIN = 60_000;
const BASE_MS = Date.UTC(2020, 6, 1);
const IDLE_AFTER_MS = 10 * MIN;
const wall = (minutes: number) => BASE_MS + minutes * MIN;

const pipeline: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'clicks-5m',
  description: 'sweeper test',
  topic: 'clicks',
  codec: 'json',
  key: { field: 'page' },
  time: { field: 't' },
  window: tumbling(5 * MIN, MIN),
  aggregations: [{ op: 'sum', field: 'n' }],
  final: { partitions: 2, idleAfterMs: IDLE_AFTER_MS },
};
const handler: HandlerSpec = { name: 'clicks', description: 'test', topic: 'clicks', pipelines: [pipeline] };
/** A scheduled event as EventBridge sends it; the sweeper does not read it. */
const SCHEDULED_EVENT = {
  version: '0',
  id: 'a1b2c3d4-0000-4000-8000-000000000000',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2020-07-01T00:30:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/sweeper'],
  detail: {},
};

/** The EMF documents Powertools printed (the way CloudWatch receives metrics from Lambda). */
function emfOf(lines: string[]): Array<{ pipeline: string; service: string } & Record<string, unknown>> {
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l));
}

describe('the final-results sweeper function', () => {
  let driver: PipelineTestDriver | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await driver?.close();
    driver = undefined;
  });

  it('closes the windows an idle partition holds, once idleness lets them go, and reports how overdue they are', async () => {
    // Arrange: partition 0 passes [0,5) + grace; partition 1 delivered once, at wall(4), then nothing.
    let nowMs = wall(4);
    driver = await PipelineTestDriver.start(handler, { nowMs: () => nowMs });
    await driver.pipe([{ partition: 1, value: { page: 'a', t: wall(3), n: 2 } }]);
    nowMs = wall(8);
    await driver.pipe([
      { partition: 0, value: { page: 'a', t: wall(1), n: 1 } },
      { partition: 0, value: { page: 'a', t: wall(7), n: 5 } },
    ]);
    expect(driver.outputs('clicks-5m-final')).toEqual([]);
    const stdout: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
    const current = driver;
    const sweep = finalSweeperHandler(
      sweepPipelinesFromEnv({
        [SWEEP_PIPELINES_ENV]: sweepPipelinesJson([{ ...pipeline, final: pipeline.final! }]),
      }),
      {
        stores: () => current.stores,
        sink: () => current.sink,
        nowMs: () => nowMs,
        logger: new Logger({ serviceName: 'final-results-sweeper', logLevel: 'ERROR' }),
        metrics: new Metrics({ namespace: 'SweeperTest', serviceName: 'final-results-sweeper' }),
      },
    );
    const invoke = () =>
      sweep(
        SCHEDULED_EVENT,
        createLambdaContext({ functionName: 'sweeper' }, 'req-1', nowMs, () => nowMs),
      );

    // Act 1: at wall(15) partition 1 has been quiet 11 minutes, but [0,5) closes at 6 and is
    // only 9 minutes past that: not yet.
    nowMs = wall(15);
    const early = await invoke();

    // Act 2: at wall(17) the close time is 11 minutes past: let go.
    nowMs = wall(17);
    const due = await invoke();
    // Act 3: at wall(22) partition 0 is idle too, and [5,10) (closing at 11) is 11 minutes past.
    nowMs = wall(22);
    const later = await invoke();
    // Act 4: the next run finds nothing left to send.
    nowMs = wall(23);
    const after = await invoke();

    // Assert: one final result, with both partitions' records, sent by the second run only.
    expect(early.counts['clicks-5m']?.emitted).toBe(0);
    expect(early.overdueMs['clicks-5m']).toBe(wall(15) - wall(6));
    expect(due.counts['clicks-5m']?.emitted).toBe(1);
    expect(later.counts['clicks-5m']?.emitted).toBe(1);
    expect(after.counts['clicks-5m']?.emitted).toBe(0);
    const sent = driver.outputs('clicks-5m-final');
    expect(
      sent.map((s) => {
        const v = s.value as { count: number; sum_n: string };
        return [s.key, v.count, v.sum_n];
      }),
    ).toEqual([
      ['a@2020-07-01T00:00:00.000Z', 2, '3'],
      ['a@2020-07-01T00:05:00.000Z', 1, '5'],
    ]);
    expect((await driver.rows('clicks-5m')).map((r) => r.finalAtMs !== undefined)).toEqual([true, true]);
    // After run 2, [5,10) (closing at 11) is open and 6 minutes overdue: partition 0 is not idle yet.
    expect(due.overdueMs['clicks-5m']).toBe(wall(17) - wall(11));
    expect(later.overdueMs['clicks-5m']).toBe(0);

    const emf = emfOf(stdout);
    const overdue = emf.filter((d) => d[OVERDUE_METRIC] !== undefined);
    expect(overdue.map((d) => [d.service, d.pipeline, d[OVERDUE_METRIC]])).toEqual([
      ['final-results-sweeper', 'clicks-5m', 9 * MIN],
      ['final-results-sweeper', 'clicks-5m', 6 * MIN],
      ['final-results-sweeper', 'clicks-5m', 0],
      ['final-results-sweeper', 'clicks-5m', 0],
    ]);
    expect(emf.filter((d) => d[SWEPT_METRIC] !== undefined).map((d) => d[SWEPT_METRIC])).toEqual([
      0, 1, 1, 0,
    ]);
  });

  it('refuses a missing or malformed SWEEP_PIPELINES at cold start, naming the variable and the field', () => {
    expect(() => sweepPipelinesFromEnv({})).toThrow(ConfigError);
    expect(() => sweepPipelinesFromEnv({ [SWEEP_PIPELINES_ENV]: '{' })).toThrow(
      /SWEEP_PIPELINES is not JSON/,
    );
    expect(() =>
      sweepPipelinesFromEnv({
        [SWEEP_PIPELINES_ENV]: JSON.stringify([{ name: 'x', topic: 't', final: { partitions: 0 } }]),
      }),
    ).toThrow(/0\.final\.partitions/);
    expect(() => sweepPipelinesFromEnv({ [SWEEP_PIPELINES_ENV]: '[]' })).toThrow(/at least one pipeline/);
  });
});
