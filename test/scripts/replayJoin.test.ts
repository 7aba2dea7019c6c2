import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReplay } from '../../scripts/commands/replay.js';
import { type DynamoContext, openDynamo } from '../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { scanJoinPairs } from '../../shared/engine/store/dynamo/index.js';
import { PICKUP_LOCATIONS_TOPIC, ridePickupJoin } from '../../shared/rides/index.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/** The join's two inputs, one `replay` each with today's flags (the interface checkers use). */
async function replayBoth(ctx: DynamoContext): Promise<void> {
  await runReplay(
    { file: 'data/rides.csv', context: ctx, pipelines: ['rides-join-pickups'] },
    captureOutput(),
  );
  await runReplay(
    {
      file: 'data/pickup-locations.jsonl',
      topic: PICKUP_LOCATIONS_TOPIC,
      keyField: 'PULocationID',
      context: ctx,
    },
    captureOutput(),
  );
}

describe('replay of the rides x pickup-locations join (two files, one replay each)', () => {
  let ctx: DynamoContext;
  beforeEach(async () => {
    ctx = await openDynamo({ inMemory: true, forceEmbedded: true, nowMs: () => Date.UTC(2026, 0, 1) });
  });
  afterEach(() => ctx.close());

  it('stores pairs, and the same pairs once when both files are replayed again in the other order', async () => {
    await replayBoth(ctx);
    const pairs = await scanJoinPairs(ctx.doc, ctx.tables.state, ridePickupJoin.name);
    expect(pairs.length).toBeGreaterThan(0);
    for (const p of pairs) {
      const value = p.value as { pickupTime: number; lastDropoffTime: number; PULocationID: number };
      expect(Math.abs(value.pickupTime - value.lastDropoffTime)).toBeLessThanOrEqual(10 * 60_000);
      expect(String(value.PULocationID)).toBe(p.key);
    }

    await runReplay(
      {
        file: 'data/pickup-locations.jsonl',
        topic: PICKUP_LOCATIONS_TOPIC,
        keyField: 'PULocationID',
        context: ctx,
      },
      captureOutput(),
    );
    await runReplay(
      { file: 'data/rides.csv', context: ctx, pipelines: ['rides-join-pickups'] },
      captureOutput(),
    );
    expect(await scanJoinPairs(ctx.doc, ctx.tables.state, ridePickupJoin.name)).toEqual(pairs);
  });
});
