import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QueryOptions, runQuery } from '../../scripts/commands/query.js';
import { runJoinReplay } from '../../scripts/commands/replay.js';
import { type DynamoContext, openDynamo } from '../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { ConfigError } from '../../shared/engine/errors/index.js';
import type { JoinPair } from '../../shared/engine/processors/index.js';
import { ridePickupJoin } from '../../shared/rides/index.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const JOIN = ridePickupJoin.name;
/** The catalog's table pipeline (the zones lookup). */
const TABLE = 'zones';

describe('query of a join pipeline', () => {
  let ctx: DynamoContext;
  beforeAll(async () => {
    ctx = await openDynamo({ inMemory: true, forceEmbedded: true });
    await runJoinReplay(
      { files: ['data/rides.csv', 'data/pickup-locations.jsonl'], context: ctx },
      captureOutput(),
    );
  });
  afterAll(() => ctx.close());

  const pairsOf = async (flags: Record<string, unknown> = {}) => {
    const output = captureOutput();
    await runQuery({ pipeline: JOIN, json: true, context: ctx, ...flags }, output);
    return output.stdout.map((l) => JSON.parse(l) as JoinPair);
  };

  it('prints every pair as JSON, and one key over [--from, --to) with --key', async () => {
    const all = await pairsOf();
    const key = all[0]!.key;
    const ofKey = all.filter((p) => p.key === key);
    const first = ofKey[0]!.timeMs;

    const keyed = await pairsOf({ key });
    const fromFirstExclusive = await pairsOf({ key, fromMs: first + 1 });

    expect(all.length).toBeGreaterThan(0);
    expect(keyed).toEqual(ofKey);
    expect(fromFirstExclusive).toEqual(ofKey.filter((p) => p.timeMs > first));
  });

  it.each<[Partial<QueryOptions>, string]>([
    [{ top: 3 }, '--top'],
    [{ windowMs: 0 }, '--window'],
    [{ final: true }, '--final'],
    [{ by: 'count' }, '--by'],
  ])('refuses %j with a ConfigError naming %s and the join kind', async (flags, flag) => {
    const run = runQuery({ pipeline: JOIN, context: ctx, ...flags }, captureOutput());

    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(
      `${flag} does not apply to ${JOIN}, a join pipeline (pairs by key and time): only --key, --from, --to, --json apply`,
    );
  });

  it('names every flag that does not apply, not only the first', async () => {
    await expect(
      runQuery({ pipeline: JOIN, context: ctx, top: 1, final: true }, captureOutput()),
    ).rejects.toThrow(`--top, --final do not apply to ${JOIN}`);
  });

  it.each<[Partial<QueryOptions>, string]>([
    [{ top: 3 }, '--top'],
    [{ windowMs: 0 }, '--window'],
    [{ fromMs: 0 }, '--from'],
    [{ toMs: 0 }, '--to'],
    [{ final: true }, '--final'],
    [{ by: 'duration' }, '--by'],
  ])(
    'refuses %j on a table pipeline with a ConfigError naming %s and the table kind',
    async (flags, flag) => {
      const run = runQuery({ pipeline: TABLE, context: ctx, ...flags }, captureOutput());

      await expect(run).rejects.toThrow(ConfigError);
      await expect(run).rejects.toThrow(
        `${flag} does not apply to ${TABLE}, a table pipeline (latest value per key): only --key, --json apply`,
      );
    },
  );
});
