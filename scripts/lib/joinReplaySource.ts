import { ConfigError } from '../../shared/engine/errors/index.js';
import type { HandlerSpec } from '../../shared/engine/process/index.js';
import type { KeySpec } from '../../shared/engine/process/pipelineSpec.js';
import { isJoin, type JoinSide, type JoinSpec } from '../../shared/engine/processors/index.js';
import type { BatchSource } from './batchSource.js';
import { interleavedBatchSource } from './interleavedBatchSource.js';
import { type ReplaySourceOptions, replaySource } from './replaySource.js';

/** One `--file` of a join replay, with the side it feeds. */
export interface JoinSideFile {
  readonly side: JoinSide;
  readonly topic: string;
  readonly file: string;
}

/** What a replay of both sides of a join runs: the join, both side handlers, one source. */
export interface JoinReplay {
  readonly join: JoinSpec;
  /** The handlers of both sides, each narrowed to the join's pipeline. */
  readonly handlers: HandlerSpec[];
  readonly files: readonly [JoinSideFile, JoinSideFile];
  /** Both files, one batch of each side in turn (see {@link interleavedBatchSource}). */
  readonly source: BatchSource;
}

/** The flags a join replay applies to both files (the sides set topic, key and time). */
export type JoinReplayFlags = Pick<
  ReplaySourceOptions,
  'partitions' | 'batchSize' | 'format' | 'limit' | 'strict'
>;

/**
 * Plans `replay --file A --file B` of a join: finds the one join `names` select (a pipeline
 * name, or the handler of either side; none given = the catalog's only join), takes the
 * handlers of both its sides, and reads each file as its side's topic, keyed by its side's
 * key field.
 *
 * A file goes to a side by an explicit `<topic>=<path>` (`pickup-locations=data/p.jsonl`), else
 * by order: the first to the left side, the second to the right, as the spec lists them.
 */
export function joinReplay(
  names: readonly string[] | undefined,
  fileArgs: readonly string[],
  handlers: readonly HandlerSpec[],
  flags: JoinReplayFlags,
): JoinReplay {
  const join = selectJoin(names, handlers);
  const files = assignSides(join, fileArgs);
  const sideHandlers = handlers
    .filter((h) => h.pipelines.some((p) => p.name === join.name))
    .map((h) => ({ ...h, pipelines: h.pipelines.filter((p) => p.name === join.name) }));
  for (const { side, topic } of files) {
    if (!sideHandlers.some((h) => h.topic === topic)) {
      throw new ConfigError(
        `join ${join.name}: no handler of the catalog reads its ${side} side's topic ${topic} (handlers of the join: ${sideHandlers.map((h) => `${h.name} (${h.topic})`).join(', ')})`,
      );
    }
  }
  const sources = files.map(({ side, topic, file }) =>
    replaySource({ ...flags, file, topic, keyField: partitionKeyField(join, side) }),
  );
  return { join, handlers: sideHandlers, files, source: interleavedBatchSource(sources) };
}

function selectJoin(names: readonly string[] | undefined, handlers: readonly HandlerSpec[]): JoinSpec {
  const joins = new Map<string, JoinSpec>();
  for (const h of handlers) for (const p of h.pipelines) if (isJoin(p)) joins.set(p.name, p);
  const known = [...joins.keys()].join(', ') || 'none';
  if (!names || names.length === 0) {
    const only = [...joins.values()];
    if (only.length === 1) return only[0]!;
    throw new ConfigError(
      `two --file flags replay both sides of a join: name it with --pipelines (joins of the catalog: ${known})`,
    );
  }
  const chosen = new Set<string>();
  for (const name of names) {
    const handler = handlers.find((h) => h.name === name);
    const pipelines = handler
      ? handler.pipelines
      : handlers.flatMap((h) => h.pipelines).filter((p) => p.name === name);
    if (pipelines.length === 0 || !pipelines.every(isJoin)) {
      throw new ConfigError(
        `two --file flags replay both sides of one join, but "${name}" is not a join pipeline or a join side's handler (joins of the catalog: ${known})`,
      );
    }
    for (const p of pipelines) chosen.add(p.name);
  }
  if (chosen.size !== 1) {
    throw new ConfigError(
      `two --file flags replay both sides of one join; --pipelines names ${chosen.size}: ${[...chosen].join(', ')}`,
    );
  }
  return joins.get([...chosen][0]!)!;
}

function assignSides(join: JoinSpec, fileArgs: readonly string[]): [JoinSideFile, JoinSideFile] {
  if (fileArgs.length !== 2) {
    throw new ConfigError(
      `a join replay takes two --file flags, one per side (${join.left.topic}, ${join.right.topic}); got ${fileArgs.length}`,
    );
  }
  const sideByTopic = new Map<string, JoinSide>([
    [join.left.topic, 'left'],
    [join.right.topic, 'right'],
  ]);
  const parsed = fileArgs.map((arg) => {
    const eq = arg.indexOf('=');
    const side = eq > 0 ? sideByTopic.get(arg.slice(0, eq)) : undefined;
    return side ? { side, file: arg.slice(eq + 1) } : { side: undefined, file: arg };
  });
  const [a, b] = parsed as [(typeof parsed)[0], (typeof parsed)[0]];
  // Sides by explicit topic where given; an unprefixed file takes the side left over, or
  // (neither prefixed) the spec's order.
  const sideA: JoinSide = a.side ?? (b.side ? (b.side === 'left' ? 'right' : 'left') : 'left');
  const sideB: JoinSide = b.side ?? (sideA === 'left' ? 'right' : 'left');
  if (sideA === sideB) {
    throw new ConfigError(
      `both --file flags feed join ${join.name}'s ${sideA} side (${join[sideA].topic}); give one file per side: --file ${join.left.topic}=<path> --file ${join.right.topic}=<path>`,
    );
  }
  return [
    { side: sideA, topic: join[sideA].topic, file: a.file },
    { side: sideB, topic: join[sideB].topic, file: b.file },
  ];
}

/**
 * The field whose value becomes a side's Kafka key, as a producer keying by the join key
 * would (the course's producers do). A composite or constant join key has no one field: the
 * records go key-less, round robin, which changes partitions but not pairs (the buffers are
 * shared by all partitions). A join on the Kafka key needs a key in the file: not offered.
 */
function partitionKeyField(join: JoinSpec, side: JoinSide): string | null {
  const key: KeySpec = join[side].key;
  if ('field' in key) return key.field;
  if ('kafkaKey' in key) {
    throw new ConfigError(
      `join ${join.name}'s ${side} side is keyed by the Kafka key, which a replayed file does not carry; replay a .records.jsonl per side with one replay each`,
    );
  }
  return null;
}
