import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGaps, runRecover } from '../../scripts/commands/recover.js';
import { loadCatalog } from '../../scripts/lib/catalog.js';
import { type DynamoContext, openDynamo } from '../../scripts/lib/dynamoContext.js';
import { captureOutput } from '../../scripts/lib/output.js';
import { handlerNamed } from '../../shared/engine/catalog.js';
import { buildEvent, decodeEvent } from '../../shared/engine/event/index.js';
import { type HandlerSpec, processEvent } from '../../shared/engine/process/index.js';
import { buildOnFailureRecord } from '../../shared/local/eventSourceMapping/index.js';
import { giveUpOnOffsets4To7, twelveRideRecords } from '../support/givenUpBatch.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const NOW_MS = Date.UTC(2026, 0, 1);
const records = twelveRideRecords(NOW_MS);

/** The aggregates as a reader sees them: no offset marks, versions or TTLs. */
async function aggregatesOf(ctx: DynamoContext) {
  const items = (await ctx.doc.send(new ScanCommand({ TableName: ctx.tables.aggregates }))).Items ?? [];
  return items
    .map((item) =>
      Object.fromEntries(
        Object.entries(item).filter(([k]) => !k.startsWith('hw:') && !k.startsWith('gap:') && k !== 'v'),
      ),
    )
    .sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`));
}

describe('recover --from <on-failure file> and gaps', () => {
  let dir: string;
  let handler: HandlerSpec;
  let ctx: DynamoContext;
  let reference: DynamoContext;
  let onFailureFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-recover-'));
    handler = handlerNamed(await loadCatalog(), 'rides-tumbling-by-pickup');
    ctx = await openDynamo({ inMemory: true, nowMs: () => NOW_MS });
    reference = await openDynamo({ inMemory: true, nowMs: () => NOW_MS });
    const onFailure = await giveUpOnOffsets4To7(handler, ctx, records, NOW_MS);
    onFailureFile = join(dir, 'on-failure.jsonl');
    writeFileSync(onFailureFile, `${JSON.stringify(onFailure)}\n`);
    await processEvent(handler, buildEvent(records), reference.stores, { nowMs: () => NOW_MS });
  });
  afterAll(async () => {
    await ctx.close();
    await reference.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the range the mapping gave up on as an open gap of each pipeline, until it is recovered', async () => {
    const output = captureOutput();

    await runGaps({ json: true, context: ctx }, output);

    expect(output.stdout.map((l) => JSON.parse(l))).toEqual(
      ['pickup-5m', 'tips-1h'].map((pipeline) =>
        expect.objectContaining({ pipeline, partition: 'rides-0', startOffset: 4, endOffset: 8, open: true }),
      ),
    );
  });

  it('recover applies the on-failure batch: the tables equal one pass over every record, and no gap stays open', async () => {
    expect(await aggregatesOf(ctx)).not.toEqual(await aggregatesOf(reference));
    const output = captureOutput();

    const results = await runRecover({ from: onFailureFile, json: true, context: ctx }, output);

    expect(results.map((r) => [r.pipeline, r.outcome, r.records])).toEqual([
      ['pickup-5m', 'closed', 4],
      ['tips-1h', 'closed', 4],
    ]);
    expect(await aggregatesOf(ctx)).toEqual(await aggregatesOf(reference));
    const gaps = captureOutput();
    await runGaps({ context: ctx }, gaps);
    expect(gaps.stdout).toEqual(['no open gaps']);
  });

  it('recovering again changes nothing (closed gaps are not reopened)', async () => {
    const before = await aggregatesOf(ctx);

    const results = await runRecover({ from: onFailureFile, context: ctx }, captureOutput());

    expect(results).toEqual([]);
    expect(await aggregatesOf(ctx)).toEqual(before);
  });
});

describe('recover on a pipeline kind it does not cover', () => {
  it('fails with RECOVERY_KIND_NOT_SUPPORTED naming the session pipeline and its gap, which stays open', async () => {
    // Arrange: a session pipeline skips offsets 4-7 (the mapping gave up on them).
    const dir = mkdtempSync(join(tmpdir(), 'cli-recover-kind-'));
    const ctx = await openDynamo({ inMemory: true, nowMs: () => NOW_MS });
    try {
      const sessions = handlerNamed(await loadCatalog(), 'rides-sessions');
      expect(sessions.pipelines.every((p) => p.kind === 'session')).toBe(true);
      const options = { nowMs: () => NOW_MS };
      await processEvent(sessions, buildEvent(records.slice(0, 4)), ctx.stores, options);
      await processEvent(sessions, buildEvent(records.slice(8)), ctx.stores, options);
      const event = buildEvent(records.slice(4, 8));
      const file = join(dir, 'on-failure.jsonl');
      writeFileSync(
        file,
        `${JSON.stringify(
          buildOnFailureRecord({
            records: decodeEvent(event).flat(),
            event,
            payloadSize: JSON.stringify(event).length,
            condition: 'RetryAttemptsExhausted',
            approximateInvokeCount: 3,
            functionArn: 'arn:aws:lambda:local:000000000000:function:rides-sessions',
            requestId: 'r-2',
            nowMs: NOW_MS,
            includePayload: true,
          }),
        )}\n`,
      );

      // Act
      const failure = await runRecover({ from: file, context: ctx }, captureOutput()).catch(
        (e: unknown) => e,
      );

      // Assert
      expect(failure).toMatchObject({
        name: 'RecoveryError',
        code: 'RECOVERY_KIND_NOT_SUPPORTED',
        message: expect.stringMatching(
          /covers windowed-aggregate pipelines only.*\(session\) rides-0 \[4, 8\)/,
        ),
      });
      const open = captureOutput();
      await runGaps({ json: true, context: ctx }, open);
      const gaps = open.stdout.map((l) => JSON.parse(l));
      expect(gaps.map((g) => g.pipeline).sort()).toEqual(sessions.pipelines.map((p) => p.name).sort());
      for (const gap of gaps) {
        expect(gap).toMatchObject({ partition: 'rides-0', startOffset: 4, endOffset: 8, open: true });
      }
    } finally {
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('recover --from s3://bucket/key (the S3 on-failure destination object)', () => {
  const BUCKET = 'on-failure';
  let s3rver: S3rver;
  let s3: S3Client;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-recover-s3-'));
    s3rver = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: dir,
      configureBuckets: [{ name: BUCKET }],
    });
    const { port } = await s3rver.run();
    s3 = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
  });
  afterAll(async () => {
    s3.destroy();
    await s3rver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the object Lambda wrote for the discarded batch and recovers it: the tables equal one pass', async () => {
    // Arrange: the gap, and its on-failure record as one JSON object in the bucket.
    const ctx = await openDynamo({ inMemory: true, nowMs: () => NOW_MS });
    const reference = await openDynamo({ inMemory: true, nowMs: () => NOW_MS });
    try {
      const handler = handlerNamed(await loadCatalog(), 'rides-tumbling-by-pickup');
      const onFailure = await giveUpOnOffsets4To7(handler, ctx, records, NOW_MS);
      await processEvent(handler, buildEvent(records), reference.stores, { nowMs: () => NOW_MS });
      const key = 'aws/lambda/rides-tumbling-by-pickup/2026/01/01/r-1';
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(onFailure) }));

      // Act
      const results = await runRecover({ from: `s3://${BUCKET}/${key}`, s3, context: ctx }, captureOutput());

      // Assert
      expect(results.map((r) => [r.pipeline, r.outcome, r.records])).toEqual([
        ['pickup-5m', 'closed', 4],
        ['tips-1h', 'closed', 4],
      ]);
      expect(await aggregatesOf(ctx)).toEqual(await aggregatesOf(reference));
    } finally {
      await ctx.close();
      await reference.close();
    }
  });

  it('fails with RECORDS_NOT_FOUND naming the bucket and key when the object is not there', async () => {
    const failure = await runRecover(
      { from: `s3://${BUCKET}/no/such/object`, s3, catalog: { handlers: [] } },
      captureOutput(),
    ).catch((e: unknown) => e);

    expect(failure).toMatchObject({
      name: 'RecoveryError',
      code: 'RECORDS_NOT_FOUND',
      message: 'no object no/such/object in bucket on-failure',
    });
  });
});
