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

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.data/**', 'dist/**', '**/__generated__/**', 'bench/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['gateway/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict([...SANDBOXES, '**/subgraphs/**'], 'The gateway talks to subgraphs over HTTP only; it imports neither subgraph nor sandbox code (ARCHITECTURE.md, Boundaries).'),
  },
  {
    files: ['subgraphs/kit/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict([...SANDBOXES, ...subgraphs.flatMap(subgraphCode), '**/gateway/**'], 'subgraphs/kit is shared by every subgraph and imports none of them (ARCHITECTURE.md, Boundaries).'),
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
    rules: restrict([...SANDBOXES, '**/subgraphs/**', '**/gateway/**'], 'lib/ holds protocol and config code shared by services and sandboxes; it knows neither.'),
  },
  {
    files: ['clients/**/*.{ts,tsx,js}'],
    rules: restrict([...SANDBOXES, '**/subgraphs/**', '**/gateway/**'], 'Clients know the graph only through schema/operations and the generated code in clients/__generated__.'),
  },
  {
    files: ['sandboxes/**/*.ts'],
    rules: restrict(['**/subgraphs/**', '**/gateway/**'], 'Sandboxes stand in for the backing systems and know nothing of the services.'),
  },
);
