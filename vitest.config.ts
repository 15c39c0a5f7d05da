import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (`main`) and ESM (`module`) builds without an exports map. Node
    // (and so the services under tsx) and the @apollo packages load the CommonJS one; Vite would
    // pick the ESM one for code it transforms, and graphql refuses types from "another realm".
    // Tests that run the gateway's executor in process beside @apollo/gateway need one copy.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
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
