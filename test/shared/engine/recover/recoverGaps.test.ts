import { afterEach, describe, expect, it } from 'vitest';
import { decodeEvent } from '../../../../shared/engine/event/index.js';
import type { HandlerSpec, WindowedAggregateSpec } from '../../../../shared/engine/process/index.js';
import { recoverGaps } from '../../../../shared/engine/recover/index.js';
import { tumbling } from '../../../../shared/engine/windows/index.js';
import { PipelineTestDriver, type TestRecord } from '../../../../shared/testing/index.js';

/**
 * Recovery against final results: a window closed for final results (here, its only
 * partition let go as idle while the outage lasted) keeps its final value; the gap's records
 * for it become WINDOW_FINAL dead letters, as late arrivals do.
 */

const MIN = 60_000;
const BASE_MS = Date.UTC(2020, 6, 1, 0, 0, 0);
const IDLE_AFTER_MS = 10 * MIN;

const pipeline: WindowedAggregateSpec = {
  kind: 'windowed-aggregate',
  name: 'tips-final',
  description: 'recovery and final results',
  topic: 'rides',
  codec: 'json',
  key: { field: 'loc' },
  time: { field: 't' },
  window: tumbling(5 * MIN, MIN),
  aggregations: [{ op: 'sum', field: 'tip' }],
  final: { partitions: 1, idleAfterMs: IDLE_AFTER_MS },
};
const handler: HandlerSpec = {
  name: 'recover-final',
  description: 'test',
  topic: 'rides',
  pipelines: [pipeline],
};

const ride = (offset: number, minute: number, tip: number): TestRecord => ({
  partition: 0,
  offset,
  key: '1',
  timestampMs: BASE_MS + minute * MIN,
  value: { loc: 1, t: BASE_MS + minute * MIN, tip },
});

describe('recovering a gap into a window closed for final results', () => {
  let driver: PipelineTestDriver | undefined;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('leaves the final value as sent and dead-letters the recovered records WINDOW_FINAL', async () => {
    // Arrange: offsets 0-1 applied; the mapping gives up on 2-3 (window [0,5)) and the
    // partition looks idle long enough for [0,5) to close and be sent; then 4 reveals the gap.
    let nowMs = BASE_MS + 3 * MIN;
    driver = await PipelineTestDriver.start(handler, { nowMs: () => nowMs });
    await driver.pipe([ride(0, 1, 1), ride(1, 2, 2)]);
    nowMs += IDLE_AFTER_MS + 10 * MIN;
    await driver.sweep();
    const finalValue = (await driver.rows('tips-final')).find((r) => r.windowStartMs === BASE_MS);
    expect(finalValue).toMatchObject({ count: 2 });
    await driver.pipe([ride(4, 30, 7)]);
    const gaps = await driver.stores.streamTimes.listGaps(['tips-final']);
    expect(gaps.map((g) => [g.startOffset, g.endOffset, g.closedAtMs])).toEqual([[2, 4, undefined]]);

    // Act: recover from the on-failure batch (offsets 2-3, both in [0,5)).
    const onFailure = driver.eventOf([ride(2, 3, 30), ride(3, 4, 40)]);
    const results = await recoverGaps(
      handler,
      decodeEvent(onFailure).flat(),
      { kind: 'on-failure', ranges: new Map([['rides-0', [[2, 3] as const]]]) },
      driver.stores,
      { nowMs: () => nowMs },
    );

    // Assert: the gap is closed, the final window unchanged, the two records dead-lettered.
    expect(results.map((r) => [r.outcome, r.records, r.deadLetters])).toEqual([['closed', 2, 2]]);
    expect((await driver.rows('tips-final')).find((r) => r.windowStartMs === BASE_MS)).toEqual(finalValue);
    expect((await driver.deadLetters('tips-final')).map((d) => [d.offset, d.code])).toEqual([
      [2, 'WINDOW_FINAL'],
      [3, 'WINDOW_FINAL'],
    ]);
  });
});
