import type { Command } from 'commander';
import { pipelinesOf } from '../../shared/engine/catalog.js';
import { ConfigError } from '../../shared/engine/errors/index.js';
import type { PipelineSpec } from '../../shared/engine/process/index.js';
import {
  type BufferEntry,
  type JoinPair,
  outerSides,
  pairsBetween,
  type SessionSpec,
  unmatchedBetween,
  type WindowedAggregateSpec,
} from '../../shared/engine/processors/index.js';
import { scanJoinPairs, scanJoinUnmatched } from '../../shared/engine/store/dynamo/index.js';
import type { TableRow } from '../../shared/engine/store/index.js';
import { floorMod, windowKind } from '../../shared/engine/windows/index.js';
import { loadZones, type Zone } from '../../shared/rides/schemas/index.js';
import { type Catalog, catalogOf, loadCatalog } from '../lib/catalog.js';
import { addStoreOptions, intArg, parseTimeArg, type StoreOptions } from '../lib/cliOptions.js';
import { type DynamoContext, dynamoOptionsOf, openDynamo } from '../lib/dynamoContext.js';
import { type Output, processOutput } from '../lib/output.js';
import { queryKeyRows, queryWindowRows, scanPipelineRows } from '../lib/readResults.js';
import {
  averagesOf,
  compareByCountDesc,
  compareByKeyThenWindow,
  pipelineByName,
  type ResultRow,
  rowToJson,
} from '../lib/resultRows.js';
import {
  formatDuration,
  readSessions,
  SESSION_ORDERS,
  type SessionOrder,
  sessionDurationMs,
} from '../lib/sessionRows.js';
import { formatTable, shortUtc } from '../lib/textTable.js';

function sessionOrderArg(value: string): SessionOrder {
  if (!(SESSION_ORDERS as readonly string[]).includes(value)) {
    throw new ConfigError(`--by must be one of ${SESSION_ORDERS.join(', ')}, got "${value}"`);
  }
  return value as SessionOrder;
}

/** Options of {@link runQuery}; the flags of `query`. */
export interface QueryOptions extends StoreOptions {
  readonly pipeline: string;
  readonly key?: string;
  /** Window starts from (inclusive), epoch ms. */
  readonly fromMs?: number;
  /** Window starts up to (exclusive), epoch ms. */
  readonly toMs?: number;
  readonly top?: number;
  /** Start of the window for --top (or all keys of that window without --top), epoch ms. */
  readonly windowMs?: number;
  readonly json?: boolean;
  /**
   * Only windows whose final result was emitted (pipelines with `final`): values that can
   * no longer change.
   */
  readonly final?: boolean;
  /** Session pipelines: what --top ranks by. @default 'count' */
  readonly by?: SessionOrder;
  /** Zone lookup to name location ids in the table output. @default data/taxi_zone_lookup.csv when it exists */
  readonly zonesFile?: string;
  /** Where the pipeline is looked up. @default the catalog {@link loadCatalog} finds */
  readonly catalog?: Catalog;
  readonly context?: DynamoContext;
}

/** How a query reads the table, chosen from the flags. */
export type QueryPlan =
  | { readonly kind: 'key'; readonly key: string; readonly fromMs?: number; readonly toMs?: number }
  | { readonly kind: 'window'; readonly windowStartMs: number; readonly limit?: number }
  | { readonly kind: 'scan' };

/**
 * Turns flags into one access path of the table design, or a ConfigError saying which flag
 * to fix: --key (Query by pk, sort-key range for --from/--to), --window/--top (the byWindow
 * index), or nothing (a Scan of the pipeline's rows).
 */
export function planQuery(spec: WindowedAggregateSpec, o: Omit<QueryOptions, 'pipeline'>): QueryPlan {
  // A kind without a step between window starts has one window per key (all-time).
  const allTime = windowKind(spec.window).stepMs(spec.window) === undefined;
  if ((o.fromMs !== undefined || o.toMs !== undefined) && allTime) {
    throw new ConfigError(`${spec.name} is all-time (one row per key): --from/--to do not apply`);
  }
  if (o.key !== undefined) {
    if (o.top !== undefined || o.windowMs !== undefined) {
      throw new ConfigError(
        '--key reads one key over time; --top/--window read one window over keys: use one or the other',
      );
    }
    if (o.fromMs !== undefined && o.toMs !== undefined && o.fromMs >= o.toMs) {
      throw new ConfigError(`--from (${shortUtc(o.fromMs)}) must be before --to (${shortUtc(o.toMs)})`);
    }
    return {
      kind: 'key',
      key: o.key,
      ...(o.fromMs !== undefined ? { fromMs: o.fromMs } : {}),
      ...(o.toMs !== undefined ? { toMs: o.toMs } : {}),
    };
  }
  if (o.fromMs !== undefined || o.toMs !== undefined) {
    throw new ConfigError('--from/--to select windows of one key: add --key');
  }
  if (o.top !== undefined || o.windowMs !== undefined) {
    if (allTime) {
      if (o.windowMs !== undefined)
        throw new ConfigError(`${spec.name} is all-time: it has no windows, drop --window`);
      return {
        kind: 'window',
        windowStartMs: Number.NEGATIVE_INFINITY,
        ...(o.top !== undefined ? { limit: o.top } : {}),
      };
    }
    if (o.windowMs === undefined) {
      throw new ConfigError(
        `--top ranks the keys of one window of ${spec.name}: add --window <start>, e.g. --window "2020-07-01 00:15"`,
      );
    }
    checkWindowStart(spec, o.windowMs);
    return { kind: 'window', windowStartMs: o.windowMs, ...(o.top !== undefined ? { limit: o.top } : {}) };
  }
  return { kind: 'scan' };
}

/** A window start must be one of the pipeline's window boundaries; the error suggests the nearest. */
function checkWindowStart(spec: WindowedAggregateSpec, ms: number): void {
  const step = windowKind(spec.window).stepMs(spec.window);
  if (step === undefined) return;
  const off = floorMod(ms, step);
  if (off !== 0) {
    throw new ConfigError(
      `${shortUtc(ms)} is not a window start of ${spec.name} (windows start every ${step / 60_000} min); did you mean ${shortUtc(ms - off)}?`,
    );
  }
}

/** Reads rows along a plan, in a useful order: by window for a key, by count for a window, by key otherwise. */
export async function readRows(
  ctx: DynamoContext,
  spec: WindowedAggregateSpec,
  plan: QueryPlan,
): Promise<ResultRow[]> {
  switch (plan.kind) {
    case 'key':
      return (await queryKeyRows(ctx, spec, plan.key, plan)).sort(compareByKeyThenWindow);
    case 'window':
      return (await queryWindowRows(ctx, spec, plan.windowStartMs, plan.limit)).sort(compareByCountDesc);
    case 'scan':
      return (await scanPipelineRows(ctx, spec.name)).sort(compareByKeyThenWindow);
  }
}

/** Reads a pipeline's results and prints them as a table or as JSON lines. */
export async function runQuery(options: QueryOptions, output: Output = processOutput): Promise<ResultRow[]> {
  const catalog = options.catalog ?? (await loadCatalog());
  const spec = pipelineByName(options.pipeline, pipelinesOf(catalog));
  if (spec.kind === 'route') {
    throw new ConfigError(
      `${spec.name} is a route pipeline: it writes to the topics ${[...new Set(spec.routes.map((r) => r.to))].join(', ')}, not to a table; read them with \`consume\``,
    );
  }
  if (spec.kind === 'table') {
    await runTableQuery(spec, options, output);
    return [];
  }
  if (spec.kind === 'join') {
    await runJoinQuery(spec, options, output);
    return [];
  }
  if (options.final && (spec.kind !== 'windowed-aggregate' || !spec.final)) {
    throw new ConfigError(
      `${spec.name} has no final results (no \`final\` in its spec): every row is a running value; drop --final`,
    );
  }
  if (spec.kind === 'session') return runSessionQuery(spec, options, output);
  if (options.by !== undefined) {
    throw new ConfigError(`${spec.name} is not a session pipeline: --by ranks sessions only`);
  }
  const plan = planQuery(spec, options);
  const ctx = options.context ?? (await openDynamo(dynamoOptionsOf(options)));
  try {
    const read = await readRows(ctx, spec, plan);
    // A filter after the read, not a query of its own: final rows are the closed windows of
    // whatever the flags selected (--top ranks among all windows' rows, then keeps the final).
    const rows = options.final ? read.filter((r) => r.finalAtMs !== undefined) : read;
    if (options.json) {
      for (const r of rows) output.out(JSON.stringify(rowToJson(r)));
    } else {
      for (const line of formatRows(spec, rows, zonesFor(spec, options.zonesFile))) output.out(line);
      if (plan.kind === 'scan') output.err('(all rows: a Scan of the aggregates table filtered by pipeline)');
    }
    return rows;
  } finally {
    if (!options.context) await ctx.close();
  }
}

function zonesFor(
  spec: WindowedAggregateSpec,
  file = 'data/taxi_zone_lookup.csv',
): ReadonlyMap<number, Zone> | undefined {
  if (!('field' in spec.key) || !spec.key.field.endsWith('LocationID')) return undefined;
  try {
    return loadZones(file);
  } catch {
    return undefined; // names are a convenience; ids alone are still right
  }
}

/** Rows as a readable table: window times in UTC, aggregates, averages, zone names for location keys. */
export function formatRows(
  spec: WindowedAggregateSpec,
  rows: readonly ResultRow[],
  zones?: ReadonlyMap<number, Zone>,
): string[] {
  if (rows.length === 0) return [`no rows for ${spec.name}`];
  const windowed = windowKind(spec.window).stepMs(spec.window) !== undefined;
  const aggNames = [...new Set(rows.flatMap((r) => Object.keys(r.aggregates)))].sort();
  const avgNames = [...new Set(rows.flatMap((r) => Object.keys(averagesOf(r))))].sort();
  const headers = [
    'key',
    ...(zones ? ['zone'] : []),
    ...(windowed ? ['window start (UTC)', 'window end (UTC)'] : []),
    'count',
    ...aggNames,
    ...avgNames,
  ];
  const body = rows.map((r) => {
    const avgs = averagesOf(r);
    return [
      r.key,
      ...(zones ? [zones.get(Number(r.key))?.zone ?? ''] : []),
      ...(windowed ? [shortUtc(r.windowStartMs ?? 0), shortUtc(r.windowEndMs ?? 0)] : []),
      r.count,
      ...aggNames.map((a) => r.aggregates[a] ?? ''),
      ...avgNames.map((a) => (avgs[a] === undefined ? '' : avgs[a].toFixed(2))),
    ];
  });
  const right = new Set(['count', ...aggNames, ...avgNames]);
  return [
    `${spec.name}: ${spec.description}`,
    ...formatTable(
      headers,
      body,
      headers.map((h) => (right.has(h) ? 'right' : 'left')),
    ),
    `${rows.length} row(s)`,
  ];
}

/**
 * The rows a table pipeline materialized: one JSON object per line (`--json`: key, value,
 * partition, offset, timestampMs) or a text table; `--key` picks one row.
 */
async function runTableQuery(
  spec: PipelineSpec & { kind: 'table' },
  options: QueryOptions,
  output: Output,
): Promise<TableRow[]> {
  refuseFlags(spec, 'a table pipeline (latest value per key)', options, ['--key', '--json']);
  const ctx = options.context ?? (await openDynamo(dynamoOptionsOf(options)));
  try {
    const all = await ctx.stores.tables.list(spec.name);
    const rows = options.key === undefined ? all : all.filter((r) => r.key === options.key);
    if (options.json) {
      for (const r of rows) output.out(JSON.stringify(r));
    } else {
      const fields = [...new Set(rows.flatMap((r) => Object.keys(r.value)))];
      output.out(`${spec.name}: ${spec.description}`);
      for (const line of formatTable(
        ['key', ...fields],
        rows.map((r) => [r.key, ...fields.map((f) => formatCell(r.value[f]))]),
        ['left', ...fields.map(() => 'left' as const)],
      ))
        output.out(line);
      output.out(`${rows.length} row(s)`);
    }
    return rows;
  } finally {
    if (!options.context) await ctx.close();
  }
}

/**
 * One line of `query <join> --json` for a record of a left or outer join that never paired:
 * the record as its side buffered it (`id` = `<topic>/<partition>/<offset>`, `timeMs` its
 * event time, `value` its side's fields), tagged `kind: 'unmatched'`. Pair lines stay
 * {@link JoinPair}s exactly as before and have no `kind`, so a consumer of pairs keeps working
 * on inner joins (which have no unmatched lines) and tells the two apart by `kind`.
 */
export type UnmatchedJson = { readonly kind: 'unmatched' } & BufferEntry;

/** What {@link runJoinQuery} read: the pairs, and the unmatched records (empty for an inner join). */
export interface JoinQueryRows {
  readonly pairs: readonly JoinPair[];
  readonly unmatched: readonly BufferEntry[];
}

/**
 * The pairs a join pipeline stored and, for a left or outer join, its unmatched records (an
 * outer side's records that had no partner once the window + grace closed on every partition
 * of the other topic; records still undecided are in neither). `--key` reads one key (a
 * Query; `--from`/`--to` bound the pair time, and an unmatched record's event time),
 * otherwise everything (a Scan). With `--json`, one object per line: the pairs first, as
 * before, then the unmatched records ({@link UnmatchedJson}), each by key, time and id.
 */
export async function runJoinQuery(
  spec: PipelineSpec & { kind: 'join' },
  options: QueryOptions,
  output: Output = processOutput,
): Promise<JoinQueryRows> {
  refuseFlags(spec, 'a join pipeline (pairs by key and time)', options, [
    '--key',
    '--from',
    '--to',
    '--json',
  ]);
  if (options.key === undefined && (options.fromMs !== undefined || options.toMs !== undefined)) {
    throw new ConfigError('--from/--to select pairs of one key: add --key');
  }
  // An inner join never stores unmatched records: reading none keeps its output as it was.
  const outer = outerSides(spec).length > 0;
  const ctx = options.context ?? (await openDynamo(dynamoOptionsOf(options)));
  try {
    const fromMs = options.fromMs ?? 0;
    // --to is exclusive, the sort-key range inclusive.
    const toMs = (options.toMs ?? Number.MAX_SAFE_INTEGER + 1) - 1;
    const pairs =
      options.key === undefined
        ? await scanJoinPairs(ctx.doc, ctx.tables.state, spec.name)
        : await pairsBetween(ctx.stores.state, spec.name, options.key, fromMs, toMs);
    const unmatched = !outer
      ? []
      : options.key === undefined
        ? await scanJoinUnmatched(ctx.doc, ctx.tables.state, spec.name)
        : (await unmatchedBetween(ctx.stores.state, spec.name, options.key, fromMs, toMs)).sort(
            (a, b) => a.timeMs - b.timeMs || a.id.localeCompare(b.id),
          );
    if (options.json) {
      for (const p of pairs) output.out(JSON.stringify(p));
      for (const u of unmatched)
        output.out(JSON.stringify({ kind: 'unmatched', ...u } satisfies UnmatchedJson));
    } else {
      for (const line of formatJoinRows(spec, pairs, outer ? unmatched : undefined)) output.out(line);
    }
    return { pairs, unmatched };
  } finally {
    if (!options.context) await ctx.close();
  }
}

/**
 * A join's rows as text: the pairs' table, then (left and outer joins only) the unmatched
 * records' table with the side each came from, the count under each. An inner join prints
 * exactly the pairs' table, as before unmatched records existed.
 */
export function formatJoinRows(
  spec: { readonly name: string; readonly description: string },
  pairs: readonly JoinPair[],
  unmatched?: readonly BufferEntry[],
): string[] {
  const pairFields = [...new Set(pairs.flatMap((p) => Object.keys(p.value)))];
  const lines = [
    `${spec.name}: ${spec.description}`,
    ...formatTable(
      ['key', 'time (UTC)', ...pairFields, 'left', 'right'],
      pairs.map((p) => [
        p.key,
        shortUtc(p.timeMs),
        ...pairFields.map((f) => formatCell(p.value[f])),
        p.leftId,
        p.rightId,
      ]),
      ['left', 'left', ...pairFields.map(() => 'left' as const), 'left', 'left'],
    ),
    `${pairs.length} pair(s)`,
  ];
  if (unmatched === undefined) return lines;
  const fields = [...new Set(unmatched.flatMap((u) => Object.keys(u.value)))];
  return [
    ...lines,
    'unmatched (no partner once the window + grace closed on every partition of the other side):',
    ...formatTable(
      ['key', 'time (UTC)', 'side', ...fields, 'record'],
      unmatched.map((u) => [
        u.key,
        shortUtc(u.timeMs),
        u.side,
        ...fields.map((f) => formatCell(u.value[f])),
        u.id,
      ]),
      ['left', 'left', 'left', ...fields.map(() => 'left' as const), 'left'],
    ),
    `${unmatched.length} unmatched`,
  ];
}

/**
 * The sessions of a session pipeline, longest first (`--by count`: most records, the
 * longest unbroken streak; `--by duration`: longest from first to last record), `--top N`
 * of them, one key's with `--key` (and sessions starting in [--from, --to)).
 */
async function runSessionQuery(
  spec: SessionSpec,
  options: QueryOptions,
  output: Output,
): Promise<ResultRow[]> {
  if (options.windowMs !== undefined) {
    throw new ConfigError(
      `${spec.name} is a session pipeline: sessions have no fixed windows, --window does not apply`,
    );
  }
  const ctx = options.context ?? (await openDynamo(dynamoOptionsOf(options)));
  try {
    const rows = await readSessions(ctx, spec, {
      ...(options.key === undefined ? {} : { key: options.key }),
      ...(options.fromMs === undefined ? {} : { fromMs: options.fromMs }),
      ...(options.toMs === undefined ? {} : { toMs: options.toMs }),
      ...(options.top === undefined ? {} : { top: options.top }),
      by: options.by ?? 'count',
    });
    if (options.json) {
      for (const r of rows) output.out(JSON.stringify({ ...rowToJson(r), durationMs: sessionDurationMs(r) }));
    } else {
      output.out(`${spec.name}: ${spec.description}`);
      if (rows.length === 0) output.out(`no sessions for ${spec.name}`);
      const aggNames = [...new Set(rows.flatMap((r) => Object.keys(r.aggregates)))].sort();
      const headers = ['key', 'first record (UTC)', 'last record (UTC)', 'duration', 'count', ...aggNames];
      for (const line of formatTable(
        headers,
        rows.map((r) => [
          r.key,
          shortUtc(r.windowStartMs ?? 0),
          shortUtc(r.windowEndMs ?? 0),
          formatDuration(sessionDurationMs(r)),
          r.count,
          ...aggNames.map((a) => r.aggregates[a] ?? ''),
        ]),
        headers.map((h) => (h === 'count' || h === 'duration' || aggNames.includes(h) ? 'right' : 'left')),
      ))
        output.out(line);
      output.out(`${rows.length} session(s), by ${options.by ?? 'count'}`);
    }
    return rows;
  } finally {
    if (!options.context) await ctx.close();
  }
}

/** The flags of `query` that select or rank, by option: what {@link refuseFlags} checks. */
const SELECTING_FLAGS = [
  ['top', '--top'],
  ['windowMs', '--window'],
  ['fromMs', '--from'],
  ['toMs', '--to'],
  ['final', '--final'],
  ['by', '--by'],
] as const satisfies readonly (readonly [keyof QueryOptions, string])[];

/**
 * Refuses, with a ConfigError naming the flag and the pipeline's kind, every selecting flag a
 * kind has no meaning for. Ignoring one would print more rows than asked for, or running
 * values where `--final` asked for settled ones, without a word.
 */
function refuseFlags(
  spec: { readonly name: string },
  kind: string,
  options: QueryOptions,
  applying: readonly string[],
): void {
  const given = SELECTING_FLAGS.filter(
    ([option, flag]) =>
      !applying.includes(flag) && options[option] !== undefined && options[option] !== false,
  ).map(([, flag]) => flag);
  if (given.length > 0) {
    throw new ConfigError(
      `${given.join(', ')} ${given.length === 1 ? 'does' : 'do'} not apply to ${spec.name}, ${kind}: only ${applying.join(', ')} apply`,
    );
  }
}

function formatCell(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Registers `query`. */
export function register(program: Command): void {
  addStoreOptions(
    program
      .command('query')
      .description(
        "read a pipeline's results: windows from the aggregates table, a table pipeline's rows, or a join's pairs (and a left/outer join's unmatched records)",
      )
      .argument('<pipeline>', 'pipeline name, from the catalog (an unknown name lists the known ones)')
      .option('--key <key>', 'one key (Query by partition key)')
      .option(
        '--from <time>',
        'with --key: windows starting at or after (ISO-8601, "YYYY-MM-DD HH:MM" UTC, epoch ms)',
        parseTimeArg,
      )
      .option('--to <time>', 'with --key: windows starting before', parseTimeArg)
      .option('--top <n>', 'the N largest counts of one window (byWindow index)', intArg(1))
      .option('--window <start>', 'the window starting at this time (with or without --top)', parseTimeArg)
      .option(
        '--by <measure>',
        `session pipelines: rank sessions by ${SESSION_ORDERS.join(' or ')}`,
        sessionOrderArg,
      )
      .option('--json', 'one JSON object per line')
      .option('--final', 'only windows whose final result was emitted (pipelines with final results)'),
  )
    .addHelpText(
      'after',
      '\nWithout --key/--window/--top: every row of the pipeline (a Scan filtered by pipeline).\nExamples:\n  npm run -s cli -- query pickup-5m --top 3 --window "2020-07-01 00:15"\n  npm run -s cli -- query pickup-5m --key 236 --from 2020-07-01T00:00Z --to 2020-07-01T01:00Z\n  npm run -s cli -- query tips-1h --json\n  npm run -s cli -- query pair-sessions-5m --top 5 --by count\n  npm run -s cli -- query tips-15m --final',
    )
    .action(async (pipeline: string, o, cmd: Command) => {
      await runQuery({
        catalog: await catalogOf(cmd),
        pipeline,
        key: o.key,
        fromMs: o.from,
        toMs: o.to,
        top: o.top,
        windowMs: o.window,
        by: o.by,
        json: o.json,
        final: o.final,
        endpoint: o.endpoint,
        dataDir: o.dataDir,
      });
    });
}
