import { ConfigError } from '../../shared/engine/errors/index.js';
import type { HandlerSpec } from '../../shared/engine/process/index.js';

/**
 * The handlers to run for `--pipelines a,b`: a handler name selects all its pipelines, a
 * pipeline name selects that pipeline within its handler. Each handler stands for its own
 * event-source mapping, so every selected handler sees every batch, as in AWS.
 * @param names none or empty = every handler reading `topic` (every handler without one)
 * @param handlers the catalog's handlers
 * @param topic the topic the records are on
 */
export function selectHandlers(
  names: readonly string[] | undefined,
  handlers: readonly HandlerSpec[],
  topic?: string,
): HandlerSpec[] {
  if (!names || names.length === 0) {
    // A file is replayed onto one topic: by default, the handlers that read that topic (a
    // handler of another topic would only dead-letter every record as WRONG_TOPIC).
    const onTopic = topic === undefined ? [...handlers] : handlersReading(handlers, topic);
    if (onTopic.length === 0) {
      throw new ConfigError(
        `no handler of the catalog reads topic ${topic}; handlers: ${handlers.map((h) => `${h.name} (${h.topic})`).join(', ')}; name them with --pipelines or pass --topic`,
      );
    }
    return onTopic;
  }
  const chosen = new Map<string, Set<string>>();
  for (const name of names) {
    const handler = handlers.find((h) => h.name === name);
    if (handler) {
      chosen.set(handler.name, new Set(handler.pipelines.map((p) => p.name)));
      continue;
    }
    // A join's two side copies share its name: take the side that reads the replayed topic.
    const owners = handlers.filter((h) => h.pipelines.some((p) => p.name === name));
    const owner = owners.find((h) => topic === undefined || h.topic === topic) ?? owners[0];
    if (!owner) {
      throw new ConfigError(
        `unknown pipeline "${name}"; known pipelines: ${[...new Set(handlers.flatMap((h) => h.pipelines.map((p) => p.name)))].join(', ')} (or handlers: ${handlers.map((h) => h.name).join(', ')})`,
      );
    }
    let set = chosen.get(owner.name);
    if (!set) chosen.set(owner.name, (set = new Set()));
    set.add(name);
  }
  return handlers
    .filter((h) => chosen.has(h.name))
    .map((h) => ({ ...h, pipelines: h.pipelines.filter((p) => chosen.get(h.name)!.has(p.name)) }));
}

/** The handlers that read `topic`. */
export function handlersReading(handlers: readonly HandlerSpec[], topic: string): HandlerSpec[] {
  return handlers.filter((h) => h.topic === topic);
}
