import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildEvent, type KafkaRecordInput } from '../../../../../shared/engine/event/index.js';
import { type HandlerSpec, processEvent } from '../../../../../shared/engine/process/index.js';
import {
  bufferedBetween,
  type JoinSpec,
  type JoinType,
  joinSideCopy,
  pairsBetween,
  pendingPk,
  unmatchedBetween,
} from '../../../../../shared/engine/processors/index.js';
import {
  createDocumentClient,
  createPipelineStores,
} from '../../../../../shared/engine/store/dynamo/index.js';
import type { TableNames } from '../../../../../shared/engine/store/index.js';
import { InvocationFaults, Tape } from '../../../../support/deliveryFaults.js';
import { useEmbeddedDynamo } from '../../../../support/embeddedDynamo.js';

/**
 * The exactly-once law of the stream-stream join. Two topics, two partitions each, are
 * delivered as two event-source mappings would: at the same time, in batches of any size,
 * a topic's partitions sometimes split over two concurrent invocations, crashing after any
 * number of writes (the crashing write lands or not), with offsets reset to an earlier
 * commit. Whatever happens:
 * - the stored pairs are exactly the reference's pairs, each once;
 * - every record is accounted for once: buffered (joined or waiting), late, or rejected;
 * - left and outer joins: the unmatched rows are exactly the outer side's records that have
 *   no pair and that no partner can reach any more, each once, and the rest still wait.
 * Inner, left and outer joins are drawn alike.
 * The reference below is written from the join's definition alone (Kafka Streams' rule: a
 * record is late when t + window + grace < its partition's stream time; a left and a right
 * record of one key pair when |tL - tR| <= the window and the narrower condition), with no
 * code from the engine.
 */

const MIN = 60_000;
const BASE_MS = Date.UTC(2020, 6, 1);
const NUM_RUNS = Number(process.env.EXACTLY_ONCE_RUNS ?? 1000);
const TOPICS = ['L', 'R'] as const;
type Topic = (typeof TOPICS)[number];
const PARTITIONS = 2;

interface Rec {
  topic: Topic;
  partition: number;
  key: number;
  minute: number;
  bad: boolean;
}

const genRec = fc.record({
  topic: fc.constantFrom<Topic>('L', 'R'),
  partition: fc.integer({ min: 0, max: PARTITIONS - 1 }),
  key: fc.integer({ min: 1, max: 2 }),
  minute: fc.integer({ min: 0, max: 20 }),
  bad: fc.constantFrom(false, false, false, false, false, false, false, true),
});
const genShape = fc.record({
  windowMin: fc.integer({ min: 1, max: 5 }),
  graceMin: fc.integer({ min: 0, max: 3 }),
  narrowerMin: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  type: fc.constantFrom<JoinType>('inner', 'left', 'outer'),
  // Records over 10 minutes (most runs pair) or 20 (windows close, so left/outer joins decide).
  spreadMin: fc.constantFrom(10, 20),
});

/** Records per topic and partition, offsets in arrival order. */
function recordsOf(recs: Rec[], spreadMin: number): Record<Topic, KafkaRecordInput[][]> {
  const out: Record<Topic, KafkaRecordInput[][]> = { L: [[], []], R: [[], []] };
  for (const r of recs) {
    const part = out[r.topic][r.partition]!;
    const t = BASE_MS + (r.minute % (spreadMin + 1)) * MIN;
    part.push({
      topic: r.topic,
      partition: r.partition,
      offset: part.length,
      timestampMs: t,
      key: String(r.key),
      value: r.bad ? '{"k":' : JSON.stringify({ k: r.key, t }),
    });
  }
  return out;
}

/** The reference: what a join must end with, from the records alone. */
function reference(
  topics: Record<Topic, KafkaRecordInput[][]>,
  windowMs: number,
  graceMs: number,
  maxDifferenceMs: number,
  type: JoinType,
) {
  const kept: Array<{ id: string; topic: Topic; key: string; t: number }> = [];
  const late = new Set<string>();
  const rejected = new Set<string>();
  // Each partition's stream time once everything is delivered; undefined: it had no records.
  const finalStreamTime: Record<Topic, Array<number | undefined>> = { L: [], R: [] };
  for (const topic of TOPICS) {
    topics[topic].forEach((records, partition) => {
      let streamTime = Number.NEGATIVE_INFINITY;
      for (const r of records) {
        const id = `${topic}/${partition}/${r.offset}`;
        if (String(r.value).endsWith(':')) {
          rejected.add(id);
          continue;
        }
        const t = r.timestampMs;
        streamTime = Math.max(streamTime, t);
        if (t + windowMs + graceMs < streamTime) late.add(id);
        else kept.push({ id, topic, key: String(r.key), t });
      }
      if (records.length > 0) finalStreamTime[topic][partition] = streamTime;
    });
  }
  const pairs = new Set<string>();
  for (const l of kept.filter((x) => x.topic === 'L')) {
    for (const r of kept.filter((x) => x.topic === 'R')) {
      if (l.key === r.key && Math.abs(l.t - r.t) <= Math.min(windowMs, maxDifferenceMs))
        pairs.add(`${l.id}|${r.id}`);
    }
  }
  // Left/outer: a kept record of an outer side with no pair is unmatched once no partner can
  // come: every partition of the other topic has a stream time past t + 2 windows + grace
  // (its latest possible partner, at t + window, is late from then on); else still pending.
  const outer: Topic[] = type === 'outer' ? ['L', 'R'] : type === 'left' ? ['L'] : [];
  const unmatched = new Set<string>();
  const pending = new Set<string>();
  for (const x of kept.filter((k) => outer.includes(k.topic))) {
    const other: Topic = x.topic === 'L' ? 'R' : 'L';
    const times = Array.from({ length: PARTITIONS }, (_, p) => finalStreamTime[other][p]);
    const closed = times.every((st) => st !== undefined && x.t + 2 * windowMs + graceMs < st);
    const paired = [...pairs].some((id) => id.split('|').includes(x.id));
    if (!closed) pending.add(x.id);
    else if (!paired) unmatched.add(x.id);
  }
  return { kept: new Set(kept.map((k) => k.id)), late, rejected, pairs, unmatched, pending };
}

describe('exactly-once pairs of a stream-stream join under at-least-once, re-batching, concurrent delivery', () => {
  const tables: TableNames = { aggregates: 'j-aggregates', deadLetters: 'j-dead-letters', state: 'j-state' };
  const dynamo = useEmbeddedDynamo(tables);
  let run = 0;

  it(`pairs and accounting equal a reference computed from the records (${NUM_RUNS} runs)`, async () => {
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });
    const seen = {
      crashes: 0,
      resets: 0,
      concurrentSteps: 0,
      bothTopicsAtOnce: 0,
      runsWithPairs: 0,
      late: 0,
      runsWithUnmatched: 0,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(genRec, { minLength: 4, maxLength: 20 }),
        genShape,
        fc.array(fc.nat({ max: 1_000_000 }), { minLength: 64, maxLength: 64 }),
        async (recs, shape, choices) => {
          run++;
          const windowMs = shape.windowMin * MIN;
          const narrower =
            shape.narrowerMin === undefined ? undefined : Math.min(shape.narrowerMin, shape.windowMin) * MIN;
          const join: Omit<JoinSpec, 'topic' | 'codec'> = {
            kind: 'join',
            name: `p${run}`,
            description: '',
            left: { topic: 'L', codec: 'json', key: { field: 'k' }, time: { field: 't' } },
            right: { topic: 'R', codec: 'json', key: { field: 'k' }, time: { field: 't' } },
            windowMs,
            graceMs: shape.graceMin * MIN,
            ...(narrower === undefined ? {} : { maxTimeDifferenceMs: narrower }),
            type: shape.type,
            partitions: { left: PARTITIONS, right: PARTITIONS },
          };
          const handlerOf: Record<Topic, HandlerSpec> = {
            L: { name: 'l', description: '', topic: 'L', pipelines: [joinSideCopy(join, 'left')] },
            R: { name: 'r', description: '', topic: 'R', pipelines: [joinSideCopy(join, 'right')] },
          };
          const topics = recordsOf(recs, shape.spreadMin);
          const tape = new Tape(choices);
          const cursor: Record<Topic, number[]> = { L: [0, 0], R: [0, 0] };
          const committed: Record<Topic, number[][]> = { L: [[0], [0]], R: [[0], [0]] };
          const pendingOf = (t: Topic) =>
            cursor[t].map((_c, p) => p).filter((p) => cursor[t][p]! < topics[t][p]!.length);

          for (let step = 0; pendingOf('L').length + pendingOf('R').length > 0; step++) {
            if (step > 400) throw new Error('delivery simulation did not finish');
            // Each mapping may deliver now; both run at once, and a delivery may split its
            // partitions over two concurrent invocations.
            const invocations: Array<{ topic: Topic; partitions: number[] }> = [];
            for (const topic of TOPICS) {
              const pending = pendingOf(topic);
              if (pending.length === 0 || tape.next(4) === 0) continue;
              const chosen = pending.filter(() => tape.next(3) !== 0);
              if (chosen.length === 0) chosen.push(pending[tape.next(pending.length)]!);
              const split = chosen.length > 1 && tape.next(2) === 0 ? 1 : chosen.length;
              for (const ps of [chosen.slice(0, split), chosen.slice(split)])
                if (ps.length > 0) invocations.push({ topic, partitions: ps });
            }
            if (invocations.length === 0) {
              const topic: Topic = pendingOf('L').length > 0 ? 'L' : 'R';
              invocations.push({ topic, partitions: [pendingOf(topic)[0]!] });
            }
            if (invocations.length > 1) seen.concurrentSteps++;
            if (new Set(invocations.map((i) => i.topic)).size === 2) seen.bothTopicsAtOnce++;
            await Promise.all(
              invocations.map(async ({ topic, partitions }) => {
                const parts = topics[topic];
                const takes = new Map(
                  partitions.map((p) => [
                    p,
                    1 + tape.next(Math.min(5, parts[p]!.length - cursor[topic][p]!)),
                  ]),
                );
                const batch = partitions.flatMap((p) =>
                  parts[p]!.slice(cursor[topic][p], cursor[topic][p]! + takes.get(p)!),
                );
                const faults = new InvocationFaults(
                  tape.next(3) === 0 ? tape.next(10) : Number.POSITIVE_INFINITY,
                  tape.next(2) === 0,
                );
                try {
                  await processEvent(
                    handlerOf[topic],
                    buildEvent(batch),
                    createPipelineStores(faults.client(doc), tables),
                  );
                  for (const p of partitions) {
                    cursor[topic][p] = cursor[topic][p]! + takes.get(p)!;
                    committed[topic][p]!.push(cursor[topic][p]!);
                  }
                } catch (err) {
                  if (!faults.dead) throw err;
                  seen.crashes++;
                }
              }),
            );
            if (tape.next(8) === 0) {
              const topic: Topic = tape.next(2) === 0 ? 'L' : 'R';
              const p = tape.next(PARTITIONS);
              const history = committed[topic][p]!;
              cursor[topic][p] = history[tape.next(history.length)]!;
              seen.resets++;
            }
          }

          const expected = reference(
            topics,
            windowMs,
            shape.graceMin * MIN,
            narrower ?? windowMs,
            shape.type,
          );
          if (expected.pairs.size > 0) seen.runsWithPairs++;
          if (expected.unmatched.size > 0) seen.runsWithUnmatched++;
          seen.late += expected.late.size;

          // Pairs: exactly the reference's, each once, timed at the later record. Read by
          // Query per key (the table holds every run's items: a Scan would grow with the runs).
          const state = createPipelineStores(doc, tables).state;
          const KEYS = ['1', '2'];
          const pairs = (
            await Promise.all(KEYS.map((k) => pairsBetween(state, join.name, k, 0, Number.MAX_SAFE_INTEGER)))
          ).flat();
          expect(pairs.map((p) => p.id).sort()).toEqual([...expected.pairs].sort());
          for (const p of pairs) expect(p.timeMs).toBe(Math.max(p.leftTimeMs, p.rightTimeMs));

          // Accounting: records in = buffered (joined or waiting) + late + rejected, each once.
          const buffered: string[] = [];
          for (const side of ['left', 'right'] as const)
            for (const k of KEYS)
              buffered.push(
                ...(await bufferedBetween(state, join.name, side, k, 0, Number.MAX_SAFE_INTEGER)).map(
                  (e) => e.id,
                ),
              );
          expect(buffered.sort()).toEqual([...expected.kept].sort());

          // Left/outer: the unmatched rows are exactly the reference's, each once, none paired;
          // the records still waiting are exactly those a partner could still reach. The last
          // invocation's afterCheckpoints ran after every checkpoint was written (of two
          // concurrent last ones, at least one did), so nothing is left undecided by timing.
          const unmatched = (
            await Promise.all(
              KEYS.map((k) => unmatchedBetween(state, join.name, k, 0, Number.MAX_SAFE_INTEGER)),
            )
          )
            .flat()
            .map((e) => e.id);
          expect(unmatched.sort()).toEqual([...expected.unmatched].sort());
          const pendingIds = (
            await Promise.all(
              (['left', 'right'] as const).map((side) =>
                state.range<{ id: string }[]>(
                  pendingPk(join.name, side),
                  Number.MIN_SAFE_INTEGER,
                  Number.MAX_SAFE_INTEGER,
                ),
              ),
            )
          )
            .flat()
            .flatMap((i) => i.value.map((e) => e.id));
          expect(pendingIds.sort()).toEqual([...expected.pending].sort());
          const letters = await createPipelineStores(doc, tables).deadLetters.list(join.name);
          const idOf = (d: { topic: string; partition: number; offset: number }) =>
            `${d.topic}/${d.partition}/${d.offset}`;
          expect(new Set(letters.filter((d) => d.kind === 'late').map(idOf))).toEqual(expected.late);
          expect(new Set(letters.filter((d) => d.kind === 'invalid').map(idOf))).toEqual(expected.rejected);
          expect(letters.length).toBe(expected.late.size + expected.rejected.size);
          expect(expected.kept.size + expected.late.size + expected.rejected.size).toBe(recs.length);
        },
      ),
      { numRuns: NUM_RUNS },
    );
    console.info('join property runs exercised', seen);
    // The simulation must have exercised what it claims to.
    expect(seen.crashes).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.resets).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.concurrentSteps).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.bothTopicsAtOnce).toBeGreaterThan(NUM_RUNS / 10);
    expect(seen.runsWithPairs).toBeGreaterThan(NUM_RUNS / 2);
    expect(seen.late).toBeGreaterThan(NUM_RUNS / 10);
    // About one run in six has an unmatched row: a twentieth keeps reduced runs from flaking.
    expect(seen.runsWithUnmatched).toBeGreaterThan(NUM_RUNS / 20);
    doc.destroy();
  }, 1_800_000);
});
