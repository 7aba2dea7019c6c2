import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../../shared/engine/errors/index.js';
import { OutputDeduplicator } from '../../../../../shared/engine/output/index.js';
import {
  type HandlerSpec,
  processEvent,
  type RouteSpec,
  validateHandlerSpec,
} from '../../../../../shared/engine/process/index.js';
import { PipelineTestDriver } from '../../../../../shared/testing/index.js';

const byAmount: RouteSpec = {
  kind: 'route',
  name: 'by-amount',
  description: '',
  topic: 'rides',
  codec: 'json',
  filter: [{ field: 'vendor', op: 'ne', value: 9 }],
  routes: [
    { to: 'high', when: [{ field: 'amount', op: 'gte', value: 40 }] },
    { to: 'low', when: [{ field: 'amount', op: 'lt', value: 40 }] },
  ],
};
const handler = (p: RouteSpec): HandlerSpec => ({
  name: 'h',
  description: '',
  topic: 'rides',
  pipelines: [p],
});

describe('a route pipeline', () => {
  let driver: PipelineTestDriver;
  beforeAll(async () => {
    driver = await PipelineTestDriver.start(handler(byAmount));
  });
  afterAll(() => driver.close());

  it('sends each record to the first route it matches, drops what no route takes, and counts: records = routed + filtered + rejected', async () => {
    const [outcome] = await driver.pipe([
      { key: 'a', value: { vendor: 1, amount: 40 }, headers: [{ name: 'trace', value: 't1' }] },
      { key: 'b', value: { vendor: 1, amount: 39.99 } },
      { key: 'c', value: { vendor: 9, amount: 50 } }, // the filter drops vendor 9
      { key: 'd', value: { vendor: 1 } }, // no amount: no route matches
      { key: 'e', value: '{"vendor":' }, // not JSON
    ]);

    expect(driver.outputs('high').map((r) => r.key)).toEqual(['a']);
    expect(driver.outputs('low').map((r) => r.key)).toEqual(['b']);
    expect(outcome!.stats).toMatchObject({ records: 5, aggregated: 2, filtered: 2, invalid: 1 });
    expect((await driver.deadLetters('by-amount')).map((d) => d.code)).toEqual(['NOT_JSON']);
  });

  it('keeps the key, the value bytes, the timestamp and the headers, and adds the source coordinates', async () => {
    const [high] = driver.outputs('high');

    expect(high).toMatchObject({
      key: 'a',
      value: { vendor: 1, amount: 40 },
      headers: { trace: 't1', 'kls-source': 'by-amount/rides/0/0' },
      timestampMs: 0,
    });
  });

  it('sends nothing again for a batch that completed, and a batch that failed to send is sent whole again, duplicates identifiable', async () => {
    const event = driver.eventOf([
      { key: 'f', value: { vendor: 2, amount: 1 } },
      { key: 'g', value: { vendor: 2, amount: 2 } },
    ]);
    driver.sink.failNext(1); // the broker took one record, then failed
    await expect(driver.pipeEvent(event)).rejects.toThrow(/broker unavailable/);
    await driver.pipeEvent(event);
    await driver.pipeEvent(event);

    const low = driver.outputs('low').filter((r) => r.key === 'f' || r.key === 'g');
    expect(low.map((r) => r.key)).toEqual(['f', 'f', 'g']);
    const dedupe = new OutputDeduplicator();
    expect(
      low
        .filter(
          (r) =>
            !dedupe.isDuplicate(
              'low',
              Object.entries(r.headers).map(([name, value]) => ({ name, value })),
            ),
        )
        .map((r) => r.key),
    ).toEqual(['f', 'g']);
    expect(dedupe.duplicates).toBe(1);
  });

  it("writes the spec's key, only the listed fields, and no source headers when asked", async () => {
    const projected = await PipelineTestDriver.start(
      handler({
        ...byAmount,
        name: 'projected',
        key: { field: 'vendor' },
        headers: 'drop',
        routes: [{ to: 'out', fields: ['amount', 'trip.miles'] }],
      }),
    );
    try {
      await projected.pipe([
        {
          key: 'x',
          value: { vendor: 3, amount: 5, trip: { miles: 2 } },
          headers: [{ name: 'trace', value: 't' }],
        },
      ]);

      expect(projected.outputs('out')).toMatchObject([
        { key: '3', value: { amount: 5, 'trip.miles': 2 }, headers: { 'kls-source': 'projected/rides/0/0' } },
      ]);
      expect(projected.outputs('out')[0]!.headers).not.toHaveProperty('trace');
    } finally {
      await projected.close();
    }
  });

  it('fails with a ConfigError naming the option when the handler has no sink, and writes no checkpoint', async () => {
    const event = driver.eventOf([{ key: 'h', value: { vendor: 1, amount: 1 } }]);

    await expect(processEvent(handler(byAmount), event, driver.stores)).rejects.toThrow(ConfigError);
    await expect(processEvent(handler(byAmount), event, driver.stores)).rejects.toThrow(/`sink` option/);
  });

  it("rejects a route to the pipeline's own source topic and a spec without routes, naming the field", () => {
    expect(() => validateHandlerSpec(handler({ ...byAmount, routes: [{ to: 'rides' }] }))).toThrow(
      /routes\.0\.to: rides is the pipeline's own source topic/,
    );
    expect(() => validateHandlerSpec(handler({ ...byAmount, routes: [] }))).toThrow(
      /routes: a route pipeline needs at least one route/,
    );
  });
});
