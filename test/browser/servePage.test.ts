import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeadLetters } from '../../scripts/commands/deadLetters.js';
import { runQuery } from '../../scripts/commands/query.js';
import { runGaps } from '../../scripts/commands/recover.js';
import { runReplay } from '../../scripts/commands/replay.js';
import { type RunningServe, runServe } from '../../scripts/commands/serve.js';
import { captureOutput } from '../../scripts/lib/output.js';

/**
 * The results page in a real browser (Debian's Chromium, driven by playwright-core): the
 * page `serve` shows must say what `query --json` and `dead-letters --json` say about the
 * same store, follow the picker, and follow the store while a replay appends records.
 */

const CHROMIUM = '/usr/bin/chromium';
const RIDES = 'data/rides.csv';
const ZONES = 'data/taxi_zone_lookup.csv';
/** The first replay stops here; the second replays the whole file, so the rest is appended. */
const FIRST_RECORDS = 150;

type Json = Record<string, unknown>;

/** `query --json` on the served store, parsed. */
async function queryJson(
  serve: RunningServe,
  pipeline: string,
  flags: { windowMs?: number; top?: number } = {},
) {
  const out = captureOutput();
  await runQuery({ pipeline, json: true, context: serve.context, ...flags }, out);
  return out.stdout.filter(Boolean).map((l) => JSON.parse(l) as Json);
}

/** `gaps --all --json` on the served store, parsed. */
async function gapsJson(serve: RunningServe) {
  const out = captureOutput();
  await runGaps({ all: true, json: true, context: serve.context }, out);
  return out.stdout.filter(Boolean).map((l) => JSON.parse(l) as Json);
}

async function deadLettersJson(serve: RunningServe) {
  const out = captureOutput();
  await runDeadLetters({ json: true, context: serve.context }, out);
  return out.stdout.filter(Boolean).map((l) => JSON.parse(l) as Json);
}

/** A table of the page as row objects: `data-*` of the row, and each cell's number or text. */
function readTable(page: Page, id: string): Promise<Json[]> {
  return page.$$eval(
    `table[data-table="${id}"] tbody tr[data-key], table[data-table="${id}"] tbody tr[data-window-start]`,
    (trs) =>
      trs.map((tr) => {
        const row: Record<string, unknown> = {};
        const key = tr.getAttribute('data-key');
        const windowStart = tr.getAttribute('data-window-start');
        if (key !== null) row.key = key;
        if (windowStart !== null) row.windowStart = windowStart;
        for (const td of tr.querySelectorAll('td')) {
          const col = td.dataset.col!;
          row[col] = td.dataset.value === undefined ? td.textContent : Number(td.dataset.value);
        }
        return row;
      }),
  );
}

/** Rows per window start summed over keys, from `query --json` rows. */
function totalsByWindow(rows: readonly Json[]): Json[] {
  const sums = new Map<string, number>();
  for (const r of rows)
    sums.set(r.windowStart as string, (sums.get(r.windowStart as string) ?? 0) + (r.count as number));
  return [...sums]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([windowStart, rides]) => ({ windowStart, rides }));
}

describe('serve: the results page in Chromium', () => {
  let browser: Browser;
  let serve: RunningServe;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `no browser at ${CHROMIUM}: install Debian's Chromium (apt-get install -y chromium; .ci/run does) to run the page tests`,
      );
    }
    serve = await runServe({ inMemory: true, port: 0, refreshMs: 250 }, captureOutput());
    // Written through the endpoint serve prints, as a second process would: the zones first
    // (as `start` loads them), so the table pipeline has rows and enrichment finds them.
    await runReplay(
      {
        file: ZONES,
        topic: 'zones',
        keyField: 'locationid',
        partitions: 1,
        endpoint: serve.storeEndpoint,
        inMemory: true,
      },
      captureOutput(),
    );
    await runReplay(
      { file: RIDES, limit: FIRST_RECORDS, endpoint: serve.storeEndpoint, inMemory: true },
      captureOutput(),
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    await page.goto(serve.url);
    await page.waitForSelector('#status[data-state="live"]');
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.close();
  });

  it('shows the tips per hour that query --json reads: rides, sum and average per hour', async () => {
    const expected = (await queryJson(serve, 'tips-1h')).map((r) => ({
      windowStart: r.windowStart,
      rides: r.count,
      tips: r.sum_tip_amount,
      avgTip: r.avg_tip_amount,
    }));
    const shown = (await readTable(page, 'tips-per-hour')).map((r) => ({
      windowStart: r.windowStart,
      rides: r.rides,
      tips: r.tips,
      avgTip: r.avgTip,
    }));
    expect(expected.length).toBeGreaterThan(1);
    expect(shown).toEqual(expected);
  });

  it('shows rides per 5-minute window as the sum over pickup zones of query --json', async () => {
    const shown = (await readTable(page, 'pickup-windows')).map((r) => ({
      windowStart: r.windowStart,
      rides: r.rides,
    }));
    expect(shown).toEqual(totalsByWindow(await queryJson(serve, 'pickup-5m')));
  });

  it('shows rides per vendor per hopping window as query --json does', async () => {
    const rows = await queryJson(serve, 'vendor-10m-hop-5m');
    const expected = totalsByWindow(rows).map(({ windowStart }) => ({
      windowStart,
      'vendor-1': rows.find((r) => r.windowStart === windowStart && r.key === '1')?.count ?? 0,
      'vendor-2': rows.find((r) => r.windowStart === windowStart && r.key === '2')?.count ?? 0,
    }));
    const shown = (await readTable(page, 'vendor-windows')).map((r) => ({
      windowStart: r.windowStart,
      'vendor-1': r['vendor-1'],
      'vendor-2': r['vendor-2'],
    }));
    expect(shown).toEqual(expected);
  });

  it('ranks the top drop-off zones as query --top 10 does, by name', async () => {
    const expected = (await queryJson(serve, 'dropoff-count', { top: 10 })).map((r) => ({
      key: r.key,
      count: r.count,
    }));
    const shown = await readTable(page, 'dropoff-zones');
    expect(shown.map((r) => ({ key: r.key, count: r.count }))).toEqual(expected);
    expect(shown[0]!.zone).toMatch(/[A-Za-z]/);
  });

  it('shows the zones of the window picked, as query --window does', async () => {
    const windows = totalsByWindow(await queryJson(serve, 'pickup-5m'));
    // A window with several rides that is not the one shown first (the busiest).
    const initial = Number(await page.inputValue('#window-picker'));
    const picked = windows.find(
      (w) => (w.rides as number) >= 3 && Date.parse(w.windowStart as string) !== initial,
    )!;
    const pickedMs = Date.parse(picked.windowStart as string);

    await page.selectOption('#window-picker', String(pickedMs));

    const expected = (await queryJson(serve, 'pickup-5m', { windowMs: pickedMs })).map((r) => ({
      key: r.key,
      count: r.count,
    }));
    await expect
      .poll(async () => (await readTable(page, 'pickup-zones')).map((r) => ({ key: r.key, count: r.count })))
      .toEqual(expected);
    expect(await page.textContent('#pickup-zones h2')).toContain(
      new Date(pickedMs).toISOString().slice(11, 16),
    );
  });

  it('narrows the zone lists to the keys the key filter matches, by id or zone name', async () => {
    const all = await readTable(page, 'pickup-zones');
    const airport = all.filter((r) => /airport/i.test(r.zone as string));
    expect(airport.length).toBeGreaterThan(0);
    expect(airport.length).toBeLessThan(all.length);

    await page.fill('#key-filter', 'airport');

    await expect
      .poll(() => readTable(page, 'pickup-zones'))
      .toEqual(airport.map((r, i) => ({ ...r, rank: i + 1 })));
    await page.fill('#key-filter', String(airport[0]!.key));
    expect((await readTable(page, 'pickup-zones')).map((r) => r.key)).toContain(airport[0]!.key);
    await page.fill('#key-filter', '');
    expect(await readTable(page, 'pickup-zones')).toEqual(all);
  });

  it('counts late and rejected records per pipeline as dead-letters --json lists them, and filters the list', async () => {
    const letters = await deadLettersJson(serve);
    const counts = await readTable(page, 'pipeline-counts');
    for (const c of counts) {
      const own = letters.filter((d) => d.pipeline === c.key);
      expect({ pipeline: c.key, late: c.late, rejected: c.rejected }).toEqual({
        pipeline: c.key,
        late: own.filter((d) => d.kind === 'late').length,
        rejected: own.filter((d) => d.kind === 'invalid').length,
      });
    }
    const pickupCounted = (await queryJson(serve, 'pickup-5m')).reduce((n, r) => n + (r.count as number), 0);
    expect(counts.find((c) => c.key === 'pickup-5m')?.counted).toBe(pickupCounted);

    expect(await readTable(page, 'dead-letters')).toHaveLength(letters.length);
    await page.selectOption('#dl-kind', 'late');
    const late = letters.filter((d) => d.kind === 'late');
    expect(late.length).toBeGreaterThan(0);
    const shown = await readTable(page, 'dead-letters');
    expect(
      shown.map((d) => ({ pipeline: d.pipeline, code: d.code, partition: d.partition, offset: d.offset })),
    ).toEqual(
      late.map((d) => ({ pipeline: d.pipeline, code: d.code, partition: d.partition, offset: d.offset })),
    );
    await page.selectOption('#dl-kind', '');
  });

  it('draws the time charts with uPlot and every other pipeline by its kind', async () => {
    // Rides per window, tips, vendors, and the other windowed pipelines (pickup-borough-15m, orders).
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(4);
    // A route writes topics: its section says which.
    expect(await page.textContent('#pipeline-rides-by-amount')).toContain('rides_high_amount');
    // A table: its rows, as query lists them (the first 50).
    const zones = await queryJson(serve, 'zones');
    expect(await page.textContent('#pipeline-zones')).toContain(`${zones.length} rows`);
    expect(await page.locator('table[data-table="rows-zones"] tbody tr[data-key]').count()).toBe(
      Math.min(50, zones.length),
    );
    // Another windowed pipeline: its rows carry the same counts as query's.
    const borough = await queryJson(serve, 'pickup-borough-15m');
    const shownBorough = await readTable(page, 'rows-pickup-borough-15m');
    expect(shownBorough.length).toBeGreaterThan(0);
    for (const r of shownBorough) {
      expect(borough.find((q) => q.key === r.key && q.windowStart === r.windowStart)?.count).toBe(r.count);
    }
  });

  it('follows the store while a replay appends records, without a reload', async () => {
    const before = Number(await page.getAttribute('#status', 'data-updates'));
    const startedMs = Date.now();

    // The whole file: its first records are redeliveries (no change), the rest are new.
    await runReplay({ file: RIDES, endpoint: serve.storeEndpoint, inMemory: true }, captureOutput());

    const expected = totalsByWindow(await queryJson(serve, 'pickup-5m'));
    expect(expected.reduce((n, w) => n + (w.rides as number), 0)).toBeGreaterThan(FIRST_RECORDS);
    await expect
      .poll(
        async () =>
          (await readTable(page, 'pickup-windows')).map((r) => ({
            windowStart: r.windowStart,
            rides: r.rides,
          })),
        {
          timeout: 5_000,
        },
      )
      .toEqual(expected);
    expect(Date.now() - startedMs).toBeLessThan(30_000);
    expect(Number(await page.getAttribute('#status', 'data-updates'))).toBeGreaterThan(before);

    // The README's picture is refreshed on request only: a test run leaves the clone clean.
    const screenshot = process.env.UPDATE_DOCS_SCREENSHOT ? 'docs/serve.png' : join(tmpdir(), 'serve.png');
    expect((await page.screenshot({ path: screenshot })).length).toBeGreaterThan(10_000);
  });

  it('warns of an open gap above everything, as gaps --all --json lists it, and shows nothing once it is closed', async () => {
    // Arrange: no gap yet; then one recorded on its checkpoint as a batch past it would
    // (test/scripts/serve/gapsOnPage.test.ts makes one through a real give-up; here the page
    // is what is under test). A partition the replays do not use, so no table changes.
    expect(await page.locator('#gaps').count()).toBe(0);
    const gap = {
      partitionId: 'rides-7',
      startOffset: 10,
      endOffset: 20,
      streamTimeMs: Date.UTC(2020, 6, 1),
      detectedAtMs: Date.UTC(2026, 0, 1),
    };

    // Act
    await serve.context.stores.streamTimes.recordGap('pickup-5m', gap);

    // Assert: the rows gaps --all --json prints, first on the page.
    const expected = (await gapsJson(serve)).map((g) => ({
      key: `${g.pipeline}/${g.partition}@${g.startOffset}`,
      pipeline: g.pipeline,
      partition: g.partition,
      offsets: `${g.startOffset}..${(g.endOffset as number) - 1}`,
      records: (g.endOffset as number) - (g.startOffset as number),
      detected: g.detectedAt,
      state: 'open: records missing',
    }));
    expect(expected).toHaveLength(1);
    await expect.poll(() => readTable(page, 'gaps'), { timeout: 5_000 }).toEqual(expected);
    expect(await page.textContent('#gaps-summary')).toContain('1 open gap(s) in 1 pipeline(s)');
    expect(await page.$eval('#app > div', (d) => d.firstElementChild?.id)).toBe('gaps');

    await serve.context.stores.streamTimes.closeGap('pickup-5m', gap, 'recovered', Date.now());
    await expect.poll(() => page.locator('#gaps').count(), { timeout: 5_000 }).toBe(0);
  });
});
