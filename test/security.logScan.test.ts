/**
 * The log scan that ends every test run (helpers/logScan.ts) can fail: it finds a planted
 * secret value, a JWT, an unredacted Bearer credential and a Stripe key; and what the
 * loggers of the gateway and the subgraphs write for the same secrets passes it, because
 * they redact them (by path and, in free text, by shape and by configured value).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGatewayLogger } from '../gateway/src/observability/logger.js';
import { redactSecrets } from '../lib/redactSecrets.js';
import { createLogger } from '../subgraphs/kit/src/logger.js';
import { scanLogs, setup, teardown } from './helpers/logScan.js';

const PLANTED = 'planted-secret-4f9c2a7e1b';
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEiLCJhdWQiOiJncmFwaDM2MCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function logDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'graph360-logscan-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The lines a logger writes, and the scan of them. */
function capture(): { lines: string[]; destination: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

/** Logs the same secrets every way a careless caller might. */
function logEverything(logger: ReturnType<typeof createLogger>): void {
  logger.info({ req: { headers: { authorization: `Bearer ${JWT}`, 'x-api-key': PLANTED, 'x-graph360-gateway': JWT } } }, 'request');
  logger.info({ headers: { authorization: 'Basic YWRtaW46YWRtaW4=', 'x-graph360-gateway': JWT } }, 'outgoing');
  logger.warn({ err: new Error(`backend refused Bearer ${PLANTED} (token ${JWT})`) }, `call failed with sk_test_sandbox and ${PLANTED}`);
  logger.error({ config: { stripe: { secretKey: 'sk_test_sandbox', webhookSecret: 'whsec_sandbox' }, erp: { password: 'admin' } } }, 'config');
}

describe('the log scan', () => {
  it('finds a planted secret value, a JWT, a Bearer credential, a Stripe key and the ERP password, with file and line', () => {
    const dir = logDir({
      'gateway-1.log': `{"msg":"ok"}\n{"msg":"forwarding ${PLANTED}"}\n`,
      'crm-2.log': `{"msg":"token ${JWT}"}\n{"authorization":"Bearer abcdef123456"}\n`,
      'payments-3.log': `{"key":"sk_live_abc123"}\n{"config":{"password":"admin"}}\n`,
      'clean-4.log': `{"authorization":"Bearer [redacted]","msg":"[redacted]"}\n`,
      'secrets.txt': `"${PLANTED}"\n`, // not a log: never scanned
    });
    const findings = scanLogs(dir, [PLANTED]);
    expect(findings).toEqual([
      { file: 'crm-2.log', line: 1, what: 'a JWT' },
      { file: 'crm-2.log', line: 2, what: 'a Bearer/Basic credential' },
      { file: 'gateway-1.log', line: 2, what: `the secret value ${PLANTED.slice(0, 4)}…(${PLANTED.length} chars)` },
      { file: 'payments-3.log', line: 1, what: 'a Stripe key' },
      { file: 'payments-3.log', line: 2, what: 'the ERP password used as a credential' },
    ]);
  });

  it('passes what the gateway and subgraph loggers write for the same secrets, which the raw text would not', () => {
    const gateway = capture();
    logEverything(createGatewayLogger({ destination: gateway.destination, secrets: [PLANTED] }));
    const subgraph = capture();
    logEverything(createLogger('crm-subgraph', 'info', subgraph.destination, [PLANTED]));
    expect(gateway.lines).toHaveLength(4);
    expect(subgraph.lines).toHaveLength(4);
    const dir = logDir({ 'gateway.log': gateway.lines.join(''), 'crm-subgraph.log': subgraph.lines.join('') });
    expect(scanLogs(dir, [PLANTED])).toEqual([]);
    // The lines still say what happened.
    expect(JSON.parse(gateway.lines[2]!)).toMatchObject({ msg: 'call failed with [redacted] and [redacted]' });
    // Without the loggers' redaction the same content is caught.
    const raw = logDir({ 'raw.log': `${JSON.stringify({ msg: `Bearer ${PLANTED} ${JWT}` })}\n` });
    expect(scanLogs(raw, [PLANTED]).map((f) => f.what)).toEqual([expect.stringContaining('the secret value'), 'a JWT', 'a Bearer/Basic credential']);
  });

  it("fails the run at teardown (an error and exit code 1) when a secret is in the run's logs, and passes a clean run", () => {
    const runEnv = process.env.GRAPH360_TEST_LOG_DIR;
    const exitCode = process.exitCode;
    try {
      setup(); // a fresh run folder, as the global setup makes
      const dir = process.env.GRAPH360_TEST_LOG_DIR!;
      dirs.push(dir);
      writeFileSync(join(dir, 'gateway-1.log'), '{"msg":"clean"}\n');
      writeFileSync(join(dir, 'secrets.txt'), `${JSON.stringify(PLANTED)}\n`);
      expect(() => teardown()).not.toThrow();
      expect(process.exitCode).toBe(exitCode);
      writeFileSync(join(dir, 'crm-2.log'), `{"msg":"called with ${PLANTED}"}\n`);
      expect(() => teardown()).toThrow(/Secrets found in the logs written during this test run[\s\S]*crm-2\.log:1: the secret value plan/);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = exitCode;
      if (runEnv === undefined) delete process.env.GRAPH360_TEST_LOG_DIR;
      else process.env.GRAPH360_TEST_LOG_DIR = runEnv;
    }
  });

  it('redacts by shape in free text', () => {
    expect(redactSecrets(`auth Bearer ${JWT} key sk_test_abc whsec_x1 Basic%20YWJj`)).toBe('auth Bearer [redacted] key [redacted] [redacted] Basic [redacted]');
  });
});
