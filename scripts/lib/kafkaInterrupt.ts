/**
 * Ctrl-C as an AbortSignal: long-running Kafka commands stop reading, still send (or commit)
 * what they have, and print their summary, instead of dying mid-batch.
 */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}
