/**
 * Test support: a CRM sandbox on a free loopback port over a small seed world in a temp
 * directory, and a `fetch` wrapper for the calls the official client cannot show (status
 * codes and raw error bodies). Every started sandbox is closed and its directory removed
 * by `stop()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCrmSandboxConfig, type CrmSandboxConfig } from './config.js';
import { createCrmSandbox, type CrmSandbox } from './createCrmSandbox.js';

export const TEST_TOKEN = 'crm-sandbox-token';
/** Small enough to seed in milliseconds: 50 companies, 150 contacts, 75 deals. */
export const TEST_SCALE = '0.05';

export interface TestSandbox {
  sandbox: CrmSandbox;
  url: string;
  dataDir: string;
  /** A request with the test token (unless `token` is given; null sends none). */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; headers: Headers; body: unknown; text: string }>;
  stop(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): CrmSandboxConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-sandbox-'));
  return readCrmSandboxConfig({ CRM_SANDBOX_PORT: '0', SANDBOX_SCALE: TEST_SCALE, SANDBOX_DATA_DIR: dataDir, ...env });
}

export async function startTestSandbox(env: Record<string, string> = {}): Promise<TestSandbox> {
  const config = testConfig(env);
  const dataDir = join(config.dataFile, '..');
  const sandbox = await createCrmSandbox(config);
  return {
    sandbox,
    url: sandbox.url,
    dataDir,
    async call(method, path, body, token = TEST_TOKEN) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const response = await fetch(`${sandbox.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: the test sees the text.
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async stop() {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
