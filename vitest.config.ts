import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['lib/**/*.test.ts', 'sandboxes/**/*.test.ts', 'subgraphs/**/*.test.ts', 'gateway/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Cross-service tests start real servers; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Gives the run a folder for the spawned services' logs and, at the end, fails the run if any secret is in them.
    globalSetup: ['test/helpers/logScan.ts'],
  },
});
