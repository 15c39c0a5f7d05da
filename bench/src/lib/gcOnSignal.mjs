// Preloaded into graph360's gateway by `npm run bench:incremental` (node --expose-gc
// --import <this file>): SIGUSR2 runs a full, synchronous garbage collection, so that the
// heap the bench reads from /metrics right after is the live heap, not the garbage of the
// moment. Nothing else in the gateway changes.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
});
