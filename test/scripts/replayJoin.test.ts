import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { runJoinReplay, runReplay } from '../../scripts/commands/replay.js';
import { type DynamoContext, openDynamo } from '../../scripts/lib/dynamoContext.js';
import type { ReplayTotals } from '../../scripts/lib/feedBatches.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { ConfigError } from '../../shared/engine/errors/index.js';
import { scanJoinPairs } from '../../shared/engine/store/dynamo/index.js';
import { PICKUP_LOCATIONS_TOPIC, ridePickupJoin } from '../../shared/rides/index.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const RIDES_FILE = 'data/rides.csv';
const PICKUPS_FILE = 'data/pickup-locations.jsonl';
const MINUTE_MS = 60_000;

/** The join's two inputs, one `replay` each with today's flags (the interface checkers use). */
async function replayEachSide(ctx: DynamoContext, partitions?: number): Promise<number> {
  const p = partitions === undefined ? {} : { partitions };
  const rides = await runReplay(
    { file: RIDES_FILE, context: ctx, pipelines: ['rides-join-pickups'], ...p },
    captureOutput(),
  );
  const pickups = await runReplay(
    { file: PICKUPS_FILE, topic: PICKUP_LOCATIONS_TOPIC, keyField: 'PULocationID', context: ctx, ...p },
    captureOutput(),
  );
  return lateOf(rides) + lateOf(pickups);
}

function lateOf(totals: ReplayTotals): number {
  return totals.pipelines.reduce((n, p) => n + p.late, 0);
}

/**
 * The reference model, written from the course's rule and not from the code: read both files
 * in file order onto one partition each (offset = record index); a record is late when its
 * time + 20 min window + 5 min grace is before the largest time read so far on its topic; of
 * the rest, every (ride, pickup) with ride.DOLocationID = pickup.PULocationID and
 * |drop-off - pickup| <= 10 min is a pair, found by a nested loop over all of them.
 */
function nestedLoopModel(): { pairIds: string[]; late: number } {
  // Only differences of times matter here, so reading the datetimes as UTC is enough.
  const ms = (datetime: string) => Date.parse(`${datetime.replace(' ', 'T')}Z`);
  const [header, ...rows] = readFileSync(RIDES_FILE, 'utf8').trim().split('\n');
  const col = header!.split(',');
  const rides = rows.map((line, offset) => {
    const f = line.split(',');
    return {
      offset,
      key: f[col.indexOf('DOLocationID')]!,
      timeMs: ms(f[col.indexOf('tpep_dropoff_datetime')]!),
    };
  });
  const pickups = readFileSync(PICKUPS_FILE, 'utf8')
    .trim()
    .split('\n')
    .map((line, offset) => {
      const v = JSON.parse(line) as { PULocationID: number; tpep_pickup_datetime: string };
      return { offset, key: String(v.PULocationID), timeMs: ms(v.tpep_pickup_datetime) };
    });
  let late = 0;
  const onTime = <T extends { timeMs: number }>(records: T[]): T[] => {
    let streamTimeMs = Number.NEGATIVE_INFINITY;
    return records.filter((r) => {
      streamTimeMs = Math.max(streamTimeMs, r.timeMs);
      const isLate = r.timeMs + 20 * MINUTE_MS + 5 * MINUTE_MS < streamTimeMs;
      if (isLate) late++;
      return !isLate;
    });
  };
  const pairIds: string[] = [];
  const keptPickups = onTime(pickups);
  for (const ride of onTime(rides)) {
    for (const pickup of keptPickups) {
      if (ride.key === pickup.key && Math.abs(ride.timeMs - pickup.timeMs) <= 10 * MINUTE_MS) {
        pairIds.push(`rides/0/${ride.offset}|${PICKUP_LOCATIONS_TOPIC}/0/${pickup.offset}`);
      }
    }
  }
  return { pairIds: pairIds.sort(), late };
}

describe('replay of the rides x pickup-locations join', () => {
  let ctx: DynamoContext;
  let other: DynamoContext | undefined;
  const open = () => openDynamo({ inMemory: true, forceEmbedded: true, nowMs: () => Date.UTC(2026, 0, 1) });
  const pairsIn = (c: DynamoContext) => scanJoinPairs(c.doc, c.tables.state, ridePickupJoin.name);
  beforeEach(async () => {
    ctx = await open();
  });
  afterEach(async () => {
    await ctx.close();
    await other?.close();
    other = undefined;
  });

  it('stores every pair of the nested-loop model exactly once, and dead-letters exactly its late records', async () => {
    const model = nestedLoopModel();

    const late = await replayEachSide(ctx, 1);

    const pairs = await pairsIn(ctx);
    // Not vacuous: the data has pairs, and late records the model must account for.
    expect(model.pairIds.length).toBeGreaterThan(0);
    expect(model.late).toBeGreaterThan(0);
    expect(pairs.map((p) => p.id).sort()).toEqual(model.pairIds);
    expect(late).toBe(model.late);
  });

  it('stores the same pairs once when both files are replayed again in the other order', async () => {
    await replayEachSide(ctx);
    const pairs = await pairsIn(ctx);
    expect(pairs.length).toBeGreaterThan(0);

    await runReplay(
      { file: PICKUPS_FILE, topic: PICKUP_LOCATIONS_TOPIC, keyField: 'PULocationID', context: ctx },
      captureOutput(),
    );
    await runReplay({ file: RIDES_FILE, context: ctx, pipelines: ['rides-join-pickups'] }, captureOutput());

    expect(await pairsIn(ctx)).toEqual(pairs);
  });

  it('replays both files in one run to the same pairs and late records as one replay per side', async () => {
    const lateSeparately = await replayEachSide(ctx);
    other = await open();

    const totals = await runJoinReplay(
      { files: [RIDES_FILE, PICKUPS_FILE], pipelines: [ridePickupJoin.name], context: other },
      captureOutput(),
    );

    expect(totals.records).toBe(2 * 266);
    expect(lateOf(totals)).toBe(lateSeparately);
    expect(totals.pipelines.flatMap((p) => [p.invalid])).toEqual([0]);
    expect(await pairsIn(other)).toEqual(await pairsIn(ctx));
  });

  it('takes the side of a file from <topic>=<path>, in either order, and a rerun writes nothing', async () => {
    await runJoinReplay(
      { files: [RIDES_FILE, PICKUPS_FILE], pipelines: ['rides-join-pickups'], context: ctx },
      captureOutput(),
    );
    const pairs = await pairsIn(ctx);
    other = await open();

    const swapped = await runJoinReplay(
      { files: [`${PICKUP_LOCATIONS_TOPIC}=${PICKUPS_FILE}`, RIDES_FILE], context: other },
      captureOutput(),
    );
    const rerun = await runJoinReplay({ files: [RIDES_FILE, PICKUPS_FILE], context: other }, captureOutput());

    expect(swapped.pipelines[0]!.invalid).toBe(0);
    expect(await pairsIn(other)).toEqual(pairs);
    expect(rerun.pipelines[0]!.itemWrites).toBe(0);
    expect(rerun.pipelines[0]!.redelivered).toBe(2 * 266);
  });

  it.each([
    [['pickup-5m'], 'not a join pipeline'],
    [[ridePickupJoin.name, 'pickup-5m'], 'not a join pipeline'],
  ])('refuses two files with --pipelines %j (%s)', async (pipelines, message) => {
    const run = runJoinReplay(
      { files: [RIDES_FILE, PICKUPS_FILE], pipelines, context: ctx },
      captureOutput(),
    );
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(message);
  });

  it('refuses two files for one side and a third file, naming the sides', async () => {
    await expect(
      runJoinReplay({ files: [`rides=${RIDES_FILE}`, `rides=${RIDES_FILE}`], context: ctx }, captureOutput()),
    ).rejects.toThrow(/both --file flags feed join rides-pickup-join's left side \(rides\)/);
    await expect(
      runJoinReplay({ files: [RIDES_FILE, PICKUPS_FILE, PICKUPS_FILE], context: ctx }, captureOutput()),
    ).rejects.toThrow(/two --file flags, one per side \(rides, pickup-locations\); got 3/);
  });

  it.each([['--topic', 'rides'], ['--no-key']])(
    'the CLI refuses %s with two files, naming the flag',
    (...flag) => {
      const run = spawnSync(
        'npx',
        [
          'tsx',
          'scripts/cli.ts',
          'replay',
          '--file',
          RIDES_FILE,
          '--file',
          PICKUPS_FILE,
          '--data-dir',
          join(tmpdir(), 'never-opened'),
          ...flag,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );

      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(`${flag[0]} does not go with two --file flags`);
      expect(run.stderr).toContain('INVALID_CONFIG');
    },
  );

  it('the CLI replays both files in one run and prints one summary for the join (spawned)', () => {
    // A folder of its own: the output topic files go beside the data dir.
    const dir = mkdtempSync(join(tmpdir(), 'replay-join-cli-'));
    const dataDir = join(dir, 'dynamo');
    const cli = (...args: string[]) =>
      spawnSync('npx', ['tsx', 'scripts/cli.ts', ...args, '--data-dir', dataDir], {
        encoding: 'utf8',
        timeout: 60_000,
      });
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));

    const run = cli(
      'replay',
      '--pipelines',
      ridePickupJoin.name,
      '--file',
      RIDES_FILE,
      '--file',
      PICKUPS_FILE,
      '--fresh',
    );
    const query = cli('query', ridePickupJoin.name, '--json');

    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${ridePickupJoin.name} left side: ${RIDES_FILE} -> topic rides`);
    expect(run.stderr).toContain(
      `${ridePickupJoin.name} right side: ${PICKUPS_FILE} -> topic ${PICKUP_LOCATIONS_TOPIC}`,
    );
    expect(run.stdout).toMatch(new RegExp(`^${2 * 266} records in \\d+ batches`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^${ridePickupJoin.name}\\s+${2 * 266}\\s`, 'm'));
    expect(query.status, query.stderr).toBe(0);
    const ids = query.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
