import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDatagen } from '../../scripts/commands/datagen.js';

const SILENT = { out() {}, err() {}, errIsTTY: false };

describe('datagen --pickup-locations', () => {
  it("writes each generated ride's pickup, so one seed gives a ride stream and its pickup stream", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datagen-pl-'));
    try {
      const rides = join(dir, 'rides.jsonl');
      const pickups = join(dir, 'pickups.jsonl');
      await runDatagen({ count: 20, seed: 7, out: rides, quiet: true, malformedShare: 0, output: SILENT });
      await runDatagen({
        count: 20,
        seed: 7,
        out: pickups,
        quiet: true,
        malformedShare: 0,
        stream: 'pickup-locations',
        output: SILENT,
      });
      const read = (f: string) =>
        readFileSync(f, 'utf8')
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);

      expect(read(pickups)).toEqual(
        read(rides).map((r) => ({
          PULocationID: r.PULocationID,
          tpep_pickup_datetime: r.tpep_pickup_datetime,
        })),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses CSV (pickup-location events are JSON)', async () => {
    await expect(
      runDatagen({
        count: 1,
        seed: 1,
        out: '-',
        format: 'csv',
        stream: 'pickup-locations',
        quiet: true,
        output: SILENT,
      }),
    ).rejects.toThrow(/JSON lines/);
  });
});
