/**
 * The check that no secret reaches a log: every service a test spawns writes
 * its output to the run's log folder (helpers/spawnService.ts), together with the values
 * of its secret variables; at the end of the whole Vitest run this scans every log for
 *
 * - the secret values the services were given (subgraph secret, tokens, keys…);
 * - the sandboxes' fixed credentials (sk_test_sandbox, whsec_sandbox, crm-sandbox-token,
 *   the development invalidation secret) and the ERP password where it is used as one
 *   (`"password":"admin"`, `admin:admin`);
 * - anything shaped like a JWT, and any `Bearer`/`Basic` credential not redacted.
 *
 * and fails the run, naming file, line and what was found, if anything is there. It is
 * wired as a Vitest global setup (vitest.config.ts): `setup` gives the run its own log
 * folder (so that concurrent runs in one checkout do not mix), `teardown` scans it.
 * test/security.logScan.test.ts shows the scan finds a planted secret.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, SECRETS_FILE_NAME } from './spawnService.js';

/** Credentials the sandboxes and their clients use by default. */
export const KNOWN_SECRETS = ['sk_test_sandbox', 'whsec_sandbox', 'crm-sandbox-token', 'dev-invalidation-secret'];

const SECRET_SHAPES: ReadonlyArray<[string, RegExp]> = [
  ['a JWT', /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/],
  ['a Bearer/Basic credential', /\b(Bearer|Basic)(\s+|%20)(?!\[redacted\])[A-Za-z0-9._~+/=-]{6,}/],
  ['a Stripe key', /\b(sk|rk)_(test|live)_[A-Za-z0-9]+|\bwhsec_[A-Za-z0-9]+/],
  ['the ERP password used as a credential', /"password"\s*:\s*"admin"|\badmin:admin@/],
];

export interface Finding {
  file: string;
  line: number;
  what: string;
}

/** Every occurrence of a secret (value or shape) in the *.log files of `dir`. */
export function scanLogs(dir: string, secrets: readonly string[]): Finding[] {
  if (!existsSync(dir)) return [];
  const values = [...new Set([...KNOWN_SECRETS, ...secrets].filter((s) => s.length >= 8))];
  const findings: Finding[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((text, index) => {
      for (const value of values) {
        if (text.includes(value)) findings.push({ file: name, line: index + 1, what: `the secret value ${value.slice(0, 4)}…(${value.length} chars)` });
      }
      for (const [what, shape] of SECRET_SHAPES) {
        if (shape.test(text)) findings.push({ file: name, line: index + 1, what });
      }
    });
  }
  return findings;
}

/** The secret values recorded by spawnService in `dir`. */
export function recordedSecrets(dir: string): string[] {
  const file = join(dir, SECRETS_FILE_NAME);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string);
}

const RUNS_DIR = join(REPO_ROOT, 'test-artifacts', 'logs');
const KEEP_RUNS_MS = 24 * 3600 * 1000;
let runDir: string | undefined;

/** Vitest global setup: a log folder for this run (older runs' folders are pruned after a day). */
export function setup(): void {
  mkdirSync(RUNS_DIR, { recursive: true });
  for (const name of readdirSync(RUNS_DIR)) {
    const path = join(RUNS_DIR, name);
    if (name.startsWith('run-') && Date.now() - statSync(path).mtimeMs > KEEP_RUNS_MS) rmSync(path, { recursive: true, force: true });
  }
  runDir = join(RUNS_DIR, `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  process.env.GRAPH360_TEST_LOG_DIR = runDir;
}

/** Vitest global teardown: fails the run when a secret is in any log it wrote. */
export function teardown(): void {
  if (!runDir) return;
  const logs = readdirSync(runDir).filter((f) => f.endsWith('.log'));
  const findings = scanLogs(runDir, recordedSecrets(runDir));
  if (findings.length > 0) {
    // Vitest reports an error thrown here but exits 0 unless told otherwise.
    process.exitCode = 1;
    const shown = findings.slice(0, 20).map((f) => `  ${f.file}:${f.line}: ${f.what}`);
    throw new Error(
      `Secrets found in the logs written during this test run (${runDir}):\n${shown.join('\n')}${findings.length > 20 ? `\n  … and ${findings.length - 20} more` : ''}`,
    );
  }
  if (logs.length > 0) console.log(`log scan: no secret in the ${logs.length} service logs of this run (${runDir})`);
}
