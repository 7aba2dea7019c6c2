import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGaps, runRecover } from '../../../scripts/commands/recover.js';
import { loadCatalog } from '../../../scripts/lib/catalog.js';
import { type DynamoContext, openDynamo } from '../../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../../scripts/lib/output.js';
import { buildSnapshot } from '../../../scripts/serve/dashboardSnapshot.js';
import { readStoreContents } from '../../../scripts/serve/readStoreContents.js';
import { handlerNamed } from '../../../shared/engine/catalog.js';
import { giveUpOnOffsets4To7, twelveRideRecords } from '../../support/givenUpBatch.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const NOW_MS = Date.UTC(2026, 0, 1);

/** The page's data as `serve` builds it from the store. */
async function pageData(ctx: DynamoContext) {
  const catalog = await loadCatalog();
  const pipelines = catalog.handlers.flatMap((h) => h.pipelines);
  return buildSnapshot(pipelines, await readStoreContents(ctx, pipelines), new Map());
}

/** What `gaps --all --json` prints, parsed. */
async function gapsAllJson(ctx: DynamoContext) {
  const output = captureOutput();
  await runGaps({ all: true, json: true, context: ctx }, output);
  return output.stdout.map((line) => JSON.parse(line));
}

describe('open gaps in the page data', () => {
  let dir: string;
  let ctx: DynamoContext;
  let onFailureFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'serve-gaps-'));
    ctx = await openDynamo({ inMemory: true, nowMs: () => NOW_MS });
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has no gaps while the mapping has given up on nothing', async () => {
    expect((await pageData(ctx)).gaps).toEqual([]);
  });

  it("lists the range the mapping gave up on as an open gap of each of the handler's pipelines, exactly as `gaps --all --json` prints it", async () => {
    // Arrange: offsets 4-7 of rides-0 given up on, as the recover tests make the gap.
    const handler = handlerNamed(await loadCatalog(), 'rides-tumbling-by-pickup');
    const onFailure = await giveUpOnOffsets4To7(handler, ctx, twelveRideRecords(NOW_MS), NOW_MS);
    onFailureFile = join(dir, 'on-failure.jsonl');
    writeFileSync(onFailureFile, `${JSON.stringify(onFailure)}\n`);

    // Act
    const { gaps } = await pageData(ctx);

    // Assert
    expect(gaps).toEqual(
      ['pickup-5m', 'tips-1h'].map((pipeline) => ({
        pipeline,
        partition: 'rides-0',
        startOffset: 4,
        endOffset: 8,
        streamTime: expect.any(String),
        detectedAt: new Date(NOW_MS).toISOString(),
        open: true,
      })),
    );
    expect(gaps).toEqual(await gapsAllJson(ctx));
  });

  it('shows the gaps as recovered, no longer open, once `recover` has applied their records', async () => {
    await runRecover({ from: onFailureFile, context: ctx }, captureOutput());

    const { gaps } = await pageData(ctx);

    expect(gaps.map((g) => [g.pipeline, g.open, g.closedReason])).toEqual([
      ['pickup-5m', false, 'recovered'],
      ['tips-1h', false, 'recovered'],
    ]);
    expect(gaps).toEqual(await gapsAllJson(ctx));
  });
});
