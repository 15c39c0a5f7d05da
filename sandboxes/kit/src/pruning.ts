/**
 * The write date (ms, the store's clock) before which a row is at least `ageMs` old at
 * `now`: what Collection.deleteCreatedBefore and SandboxStore.deleteMetaCreatedBefore take
 * to delete what has lived its retention period.
 */
export function createdCutoff(now: number, ageMs: number): number {
  return now - ageMs + 1;
}

/**
 * Retention for what a sandbox keeps only for a while (idempotency records, events,
 * processed webhook ids): `prune` runs once now and then every `intervalMs`, on a timer
 * that does not keep the process alive. A failing prune is logged and tried again at the
 * next tick; it never stops the sandbox.
 */
export function schedulePruning(name: string, prune: () => unknown, intervalMs: number): () => void {
  const run = (): void => {
    try {
      prune();
    } catch (error) {
      console.error(`[${name} sandbox] pruning failed:`, error);
    }
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
