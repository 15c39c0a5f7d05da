// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The boundaries of the repository layout (ARCHITECTURE.md, "Boundaries"), as import rules: the gateway imports no subgraph,
 * subgraphs import neither each other nor a sandbox, subgraphs/kit imports no subgraph,
 * and no service code imports a sandbox. Sandboxes are test equipment: only tests,
 * scripts and other sandboxes may use them.
 */
const SANDBOXES = ['**/sandboxes/**'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});
const subgraphs = ['crm', 'erp', 'payments'];
/**
 * A subgraph's code as another package imports it: through `subgraphs/<name>/`, or
 * relatively from a sibling (`../../crm/src/…` from subgraphs/erp/src), where the path
 * never names `subgraphs/`.
 */
const subgraphCode = (name) => [`**/subgraphs/${name}/**`, `**/${name}/src/**`];

/**
 * `process` (environment, arguments, exit, signals, working directory) belongs to the programs'
 * edges (ARCHITECTURE.md, Boundaries): entry points, config readers, scripts, tests and the
 * benchmarks read it; everything below them gets values passed in, so it runs the same in
 * a test, a benchmark or another host.
 */
const PROCESS_EDGES = [
  'gateway/src/index.ts',
  // Evaluated first by gateway/src/index.ts, before the gateway's dependencies load: a part of that entry point.
  'gateway/src/heapGrowth.ts',
  // The services' main: starts, signals, exit codes (each src/index.ts calls it).
  'lib/runService.ts',
  // Programs a test runs in a process of their own.
  '**/*.probe.ts',
  ...subgraphs.map((name) => `subgraphs/${name}/src/index.ts`),
  ...subgraphs.map((name) => `sandboxes/${name}/src/index.ts`),
  'lib/env.ts',
  '**/config.ts',
  'gateway/src/configFile.ts',
  'sandboxes/kit/src/sandboxConfig.ts',
  'scripts/**',
  'bin/**',
  'test/**',
  'bench/**',
  'clients/codegen/**',
  '**/*.config.{ts,js}',
  '**/*.test.ts',
  '**/testSandboxes.ts',
  '**/testSupport.ts',
];
const PROCESS_MESSAGE = 'process belongs to entry points, config readers, scripts and tests (ARCHITECTURE.md, Boundaries): take the value as a parameter.';
const PROCESS_PROPERTIES = [
  'env',
  'argv',
  'execArgv',
  'exit',
  'exitCode',
  'on',
  'once',
  'off',
  'addListener',
  'prependListener',
  'removeListener',
  'removeAllListeners',
  'kill',
  'abort',
  'chdir',
  'cwd',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.data/**', 'dist/**', '**/__generated__/**', 'bench/results/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Type-aware: a promise nobody awaits or handles is a bug (each file is checked with the program of its
    // nearest tsconfig.json: the root's, clients/ or bench/).
    files: ['**/*.{ts,tsx}'],
    // Compiled only by the type-safety test (clients/), which expects errors in them.
    ignores: ['clients/__fixtures__/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['**/*.{ts,tsx,js}'],
    ignores: PROCESS_EDGES,
    rules: {
      'no-restricted-properties': ['error', ...PROCESS_PROPERTIES.map((property) => ({ object: 'process', property, message: PROCESS_MESSAGE }))],
    },
  },
  {
    files: ['gateway/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      [...SANDBOXES, '**/subgraphs/**'],
      'The gateway talks to subgraphs over HTTP only; it imports neither subgraph nor sandbox code (ARCHITECTURE.md, Boundaries).',
    ),
  },
  {
    files: ['subgraphs/kit/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      [...SANDBOXES, ...subgraphs.flatMap(subgraphCode), '**/gateway/**'],
      'subgraphs/kit is shared by every subgraph and imports none of them (ARCHITECTURE.md, Boundaries).',
    ),
  },
  ...subgraphs.map((name) => ({
    files: [`subgraphs/${name}/**/*.ts`],
    // testSandboxes.ts starts sandboxes for the tests beside it: test equipment, like a *.test.ts.
    ignores: ['**/*.test.ts', '**/testSandboxes.ts'],
    rules: restrict(
      [...SANDBOXES, '**/gateway/**', ...subgraphs.filter((s) => s !== name).flatMap(subgraphCode)],
      'A subgraph imports only subgraphs/kit: never another subgraph, the gateway or a sandbox (ARCHITECTURE.md, Boundaries).',
    ),
  })),
  {
    files: ['lib/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      [...SANDBOXES, '**/subgraphs/**', '**/gateway/**'],
      'lib/ holds protocol and config code shared by services and sandboxes; it knows neither.',
    ),
  },
  {
    files: ['clients/**/*.{ts,tsx,js}'],
    rules: restrict(
      [...SANDBOXES, '**/subgraphs/**', '**/gateway/**'],
      'Clients know the graph only through schema/operations and the generated code in clients/__generated__.',
    ),
  },
  {
    files: ['sandboxes/**/*.ts'],
    rules: restrict(['**/subgraphs/**', '**/gateway/**'], 'Sandboxes stand in for the backing systems and know nothing of the services.'),
  },
);
