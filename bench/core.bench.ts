/**
 * Benchmarks of the aggregation core (`npm run bench`). Prints tables; asserts nothing:
 * speed targets live here, never in timed unit tests. Figures are ratios measured side by
 * side in one run, because this machine is noisy.
 *
 * 1. Pure core (decode, validate, window, pre-aggregate) vs the floor (base64 + JSON.parse
 *    only), 10,000-record batches, in records/s, in a child process (a clean heap).
 * 2. DynamoDB writes per batch: this store vs a naive handler (one UpdateItem per record),
 *    batches of 100, 1,000 and 10,000 rides over the 265 zones, on dynalite.
 * 3. Peak memory of a 10,000-record event and of a 6 MB event (child processes).
 */
import { execFileSync } from 'node:child_process';

// Node 20 here, 22+ in Lambda: the SDK's Node 22 notice is noise in a benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { fileURLToPath } from 'node:url';
import { codecByName } from '../shared/engine/decode/index.js';
import {
  buildEvent,
  decodeEvent,
  eventSizeBytes,
  type LambdaKafkaEvent,
} from '../shared/engine/event/index.js';
import {
  decodeGroups,
  type HandlerSpec,
  isWindowedAggregate,
  planBatch,
  processEvent,
} from '../shared/engine/process/index.js';
import {
  applySessionRecords,
  EMPTY_HOT_SESSIONS,
  type JoinSpec,
  planJoin,
  planSessions,
} from '../shared/engine/processors/index.js';
import { createDocumentClient, createPipelineStores } from '../shared/engine/store/dynamo/index.js';
import { ensureTables, startEmbeddedDynamo } from '../shared/local/index.js';
import { pairSessions5m, pickup5m, rideHandlers, rideJoinHandlers } from '../shared/rides/index.js';
import { median, printTable, rideRecords } from './benchData.js';
import { naiveApply } from './naiveHandler.js';

const self = fileURLToPath(import.meta.url);
const mode = process.argv[2];

if (mode === '--core-child') {
  coreChild();
} else if (mode === '--memory-child') {
  await memoryChild(process.argv[3] === '6mb');
} else {
  await main();
}

async function main(): Promise<void> {
  console.log('## 1. Pure core vs floor, 10,000-record batches (median of 9 interleaved rounds)\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--core-child'], { encoding: 'utf8' });
  const r = JSON.parse(out) as Record<string, number>;
  printTable(
    ['what', 'records/s', 'vs floor (target >= 0.33)'],
    [
      ['floor: base64 + JSON.parse', fmt(r.floor!), '1.00'],
      ['core, 1 pipeline (pickup-5m)', fmt(r.one!), (r.one! / r.floor!).toFixed(2)],
      ['core, 4 pipelines (all ride handlers)', fmt(r.all!), (r.all! / r.floor!).toFixed(2)],
      ['core, session (pair-sessions-5m): plan + merge', fmt(r.session!), (r.session! / r.floor!).toFixed(2)],
      ['core, join (rides side of rides-pickup-join): plan', fmt(r.join!), (r.join! / r.floor!).toFixed(2)],
    ],
  );

  console.log(
    '\n## 2. DynamoDB writes per batch: pre-aggregating exactly-once store vs one UpdateItem per record\n',
  );
  await writesBench();

  console.log('\n## 3. Peak memory (fresh process each)\n');
  const mem: (string | number)[][] = [];
  for (const which of ['10k', '6mb']) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--memory-child', which], {
      encoding: 'utf8',
    });
    const m = JSON.parse(out) as Record<string, number>;
    mem.push([
      m.records!,
      (m.eventBytes! / 1e6).toFixed(2),
      m.rssBeforeMb!.toFixed(0),
      m.peakRssMb!.toFixed(0),
      (m.peakRssMb! - m.rssBeforeMb!).toFixed(0),
    ]);
  }
  printTable(['records', 'event MB (JSON)', 'RSS before MB', 'peak RSS MB', 'added by processing MB'], mem);
}

function fmt(recordsPerSecond: number): string {
  return Math.round(recordsPerSecond).toLocaleString('en-US');
}

/** Section 1, in a child process so each Node flag set is measured cleanly. */
function coreChild(): void {
  const event = buildEvent(rideRecords(10_000));
  const n = Object.values(event.records).reduce((a, g) => a + g.length, 0);
  const codec = codecByName('ride-json');
  const pipelinesAll = rideHandlers.flatMap((h) => h.pipelines).filter(isWindowedAggregate);
  const floor = () => {
    let sink = 0;
    for (const group of Object.values(event.records)) {
      for (const r of group)
        sink += (JSON.parse(Buffer.from(r.value!, 'base64').toString('utf8')) as { VendorID: number })
          .VendorID;
    }
    return sink;
  };
  const core = (pipelines: typeof pipelinesAll) => () => {
    const decoded = decodeGroups(decodeEvent(event), (r) => codec.decode(r));
    let sink = 0;
    for (const p of pipelines) sink += planBatch(p, decoded, new Map()).updates.length;
    return sink;
  };
  // Sessions: the pure plan, then each key's merge into an empty hot state (the store's
  // read-modify-write, without the store).
  const session = () => {
    const decoded = decodeGroups(decodeEvent(event), (r) => codec.decode(r));
    const plan = planSessions(pairSessions5m, decoded, new Map());
    let sink = 0;
    for (const contributions of plan.keys.values()) {
      sink += applySessionRecords(
        EMPTY_HOT_SESSIONS,
        contributions,
        [],
        pairSessions5m.gapMs,
        pairSessions5m.aggregations,
      ).next.sessions.length;
    }
    return sink;
  };
  // Joins: the pure plan of the rides side (keys, times, lateness, buffer entries); pairing
  // reads the other side's buffers from the store, so it is not part of the pure core.
  const joinSpec = rideJoinHandlers[0]!.pipelines[0] as JoinSpec;
  const join = () => {
    const decoded = decodeGroups(decodeEvent(event), (r) => codec.decode(r));
    return planJoin(joinSpec, decoded, new Map()).entries.length;
  };
  const cases: Record<string, () => number> = {
    floor,
    one: core([pickup5m]),
    all: core(pipelinesAll),
    session,
    join,
  };
  const times: Record<string, number[]> = { floor: [], one: [], all: [], session: [], join: [] };
  for (let round = 0; round < 12; round++) {
    for (const [name, fn] of Object.entries(cases)) {
      const t0 = performance.now();
      fn();
      // The first 3 rounds warm the JIT up.
      if (round >= 3) times[name]!.push(performance.now() - t0);
    }
  }
  const perSecond = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, (n / median(v)) * 1000]));
  process.stdout.write(JSON.stringify(perSecond));
}

/** Counts the write requests a store sends (Put, Update, BatchWrite items). */
function countingClient(endpoint: string) {
  const doc = createDocumentClient({ endpoint });
  const counter = { writes: 0, reads: 0 };
  const counting = Object.create(doc) as typeof doc;
  counting.send = (async (command: {
    constructor: { name: string };
    input: { RequestItems?: Record<string, unknown[]> };
  }) => {
    const name = command.constructor.name;
    if (name.startsWith('BatchWrite')) {
      for (const reqs of Object.values(command.input.RequestItems ?? {})) counter.writes += reqs.length;
    } else if (/^(Put|Update|Delete)/.test(name)) counter.writes++;
    else counter.reads++;
    return doc.send(command as never);
  }) as typeof doc.send;
  return { doc, counting, counter };
}

async function writesBench(): Promise<void> {
  const dynamo = await startEmbeddedDynamo();
  const spec: HandlerSpec = { name: 'bench', description: '', topic: 'rides', pipelines: [pickup5m] };
  const rows: (string | number)[][] = [];
  try {
    for (const size of [100, 1000, 10_000]) {
      const records = rideRecords(size, { seed: size });
      const event: LambdaKafkaEvent = buildEvent(records);
      const decoded = decodeGroups(decodeEvent(event), (r) => codecByName('ride-json').decode(r));
      const plan = planBatch(pickup5m, decoded, new Map());
      const distinct = plan.updates.length;

      const ours = { aggregates: `o${size}-agg`, deadLetters: `o${size}-dl`, state: `o${size}-st` };
      await ensureTables(dynamo.endpoint, ours);
      const a = countingClient(dynamo.endpoint);
      let t0 = performance.now();
      await processEvent(spec, event, createPipelineStores(a.counting, ours));
      const oursMs = performance.now() - t0;
      // Redelivery of the same batch: how much an at-least-once retry costs.
      const before = a.counter.writes;
      await processEvent(spec, event, createPipelineStores(a.counting, ours));
      const redeliveryWrites = a.counter.writes - before;

      const naive = `n${size}-agg`;
      await ensureTables(dynamo.endpoint, {
        aggregates: naive,
        deadLetters: `n${size}-dl`,
        state: `n${size}-st`,
      });
      const b = countingClient(dynamo.endpoint);
      t0 = performance.now();
      await naiveApply(b.counting, naive, pickup5m, event);
      const naiveMs = performance.now() - t0;

      rows.push([
        size,
        distinct,
        before,
        plan.updates.length,
        plan.deadLetters.length,
        plan.checkpoints.length,
        b.counter.writes,
        (b.counter.writes / before).toFixed(1),
        (naiveMs / oursMs).toFixed(1),
        redeliveryWrites,
      ]);
      a.doc.destroy();
      b.doc.destroy();
    }
  } finally {
    await dynamo.close();
  }
  printTable(
    [
      'batch',
      'distinct (key,window)',
      'our writes',
      '= item writes',
      '+ dead letters',
      '+ checkpoints',
      'naive writes',
      'naive/ours writes',
      'naive/ours time',
      'writes on redelivery',
    ],
    rows,
  );
  console.log(
    '\n(pipeline pickup-5m: 5-minute tumbling count per PULocationID; dynalite in-process; "our writes" counts every write request, BatchWrite items one by one)',
  );
}

/** Section 3: processes one big event in a fresh process and reports RSS. */
async function memoryChild(sixMb: boolean): Promise<void> {
  const dynamo = await startEmbeddedDynamo();
  const tables = { aggregates: 'm-agg', deadLetters: 'm-dl', state: 'm-st' };
  await ensureTables(dynamo.endpoint, tables);
  let records = rideRecords(10_000);
  let event = buildEvent(records);
  if (sixMb) {
    // As many rides as fit in Lambda's 6 MB invocation payload.
    const perRecord = eventSizeBytes(event) / records.length;
    records = records.slice(0, Math.floor((6 * 1024 * 1024 - 1024) / perRecord));
    event = buildEvent(records);
  }
  const eventBytes = eventSizeBytes(event);
  // The event as Lambda hands it over: parsed from its JSON text.
  const text = JSON.stringify(event);
  event = undefined as unknown as LambdaKafkaEvent;
  records = [];
  global.gc?.();
  const rssBeforeMb = process.memoryUsage().rss / 1e6;
  let peak = rssBeforeMb;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss / 1e6);
  }, 5);
  const doc = createDocumentClient({ endpoint: dynamo.endpoint });
  const parsed = JSON.parse(text) as LambdaKafkaEvent;
  await processEvent(
    { name: 'mem', description: '', topic: 'rides', pipelines: rideHandlers.flatMap((h) => h.pipelines) },
    parsed,
    createPipelineStores(doc, tables),
  );
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss / 1e6, process.resourceUsage().maxRSS / 1024);
  doc.destroy();
  await dynamo.close();
  process.stdout.write(
    JSON.stringify({
      records: Object.values(parsed.records).reduce((a, g) => a + g.length, 0),
      eventBytes,
      rssBeforeMb,
      peakRssMb: peak,
    }),
  );
}
