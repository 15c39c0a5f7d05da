import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';

const require = createRequire(import.meta.url);

const resolve = {
  // graphql 16 ships CommonJS (`main`) and ESM (`module`) builds without an exports map. Node
  // (and so the services under tsx) and the @apollo packages load the CommonJS one; Vite would
  // pick the ESM one for code it transforms, and graphql refuses types from "another realm".
  // Tests that run the gateway's executor in process beside @apollo/gateway need one copy.
  alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
};

/** What every project runs with. Files set their own longer timeouts where they need them. */
const shared = {
  pool: 'forks',
  testTimeout: 60_000,
  hookTimeout: 120_000,
} as const;

/**
 * `--exclude` given to `vitest run`: Vitest applies it to the root configuration only, not to
 * inline projects, so each project takes it from the command line here.
 */
const CLI_EXCLUDE = process.argv.flatMap((arg, i, all) =>
  arg === '--exclude' && all[i + 1] ? [all[i + 1]!] : arg.startsWith('--exclude=') ? [arg.slice('--exclude='.length)] : [],
);

/** Suites that drive Chromium through playwright-core. */
const BROWSER = ['test/**/*.browser.test.ts'];

/**
 * Three projects, one run: `npx vitest run` (`npm run test:vitest`, part of `npm test`) runs them all, `--project unit|e2e|browser` (`npm run test:unit`…) one.
 * - unit: the tests beside their code (some start sandboxes or a subgraph in process, none the whole stack);
 * - e2e: test/, the cross-service suites that spawn the services as processes;
 * - browser: the test/ suites that drive Chromium.
 * The projects are not `extends: true`: the global setup below runs once for the whole run,
 * not once per project.
 */
const project = (name: string, include: string[], exclude: string[] = []): TestProjectInlineConfiguration => ({
  resolve,
  test: { name, include, exclude: ['**/node_modules/**', ...exclude, ...CLI_EXCLUDE], ...shared },
});

export default defineConfig({
  resolve,
  test: {
    projects: [
      project('unit', ['{gateway,subgraphs,sandboxes,lib,clients,scripts}/**/*.test.ts']),
      project('e2e', ['test/**/*.test.ts'], BROWSER),
      project('browser', BROWSER),
    ],
    ...shared,
    // Cross-service tests start real servers; two cores, so keep the pool small (for all projects together).
    maxWorkers: 2,
    // Gives the run a folder for the spawned services' logs and, at the end, fails the run if any secret is in them.
    globalSetup: ['test/helpers/logScan.ts'],
  },
});
