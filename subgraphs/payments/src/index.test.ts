/**
 * The entry point as `npm start` runs it: a child process that prints where it listens
 * (the real port when given 0), serves /health, and exits 0 on SIGTERM; a bad variable
 * stops it with a message that names the variable.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

function run(env: Record<string, string>) {
  const child = spawn(TSX, [ENTRY], {
    env: { ...process.env, LOG_LEVEL: 'silent', GATEWAY_SUBGRAPH_SECRET: 'test-gateway-subgraph-secret-0123456789', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.on('exit', () => reject(new Error(`exited before listening: ${stderr}`)));
  });
  // A run that is expected to fail never listens; its rejection is read through `exited`.
  listening.catch(() => undefined);
  return { child, listening, exited, output: () => ({ stdout, stderr }) };
}

describe('index.ts', () => {
  it('prints the real URL for port 0, serves /health, and exits 0 on SIGTERM', async () => {
    const proc = run({ PAYMENTS_SUBGRAPH_PORT: '0', STRIPE_API_URL: 'http://127.0.0.1:9' });
    const url = await proc.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(url).not.toContain(':0/');
    const health = await (await fetch(url.replace('/graphql', '/health'))).json();
    // Stripe is unreachable here: the read model never syncs, and says so. Payment events go through Redis when REDIS_URL is set.
    expect(health).toMatchObject({
      status: 'ok',
      service: 'payments',
      backend: 'payments',
      breaker: 'closed',
      erpBreaker: 'closed',
      readModel: { state: 'syncing', objects: null },
      events: { bus: process.env.REDIS_URL ? 'redis' : 'memory', reconciliationWatches: 0 },
    });
    expect(proc.output().stdout.match(/listening on/g)).toHaveLength(1);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  it('stops with a message naming a bad variable', async () => {
    const proc = run({ PAYMENTS_TIMEOUT_MS: 'soon' });
    expect(await proc.exited).toBe(1);
    expect(proc.output().stderr).toContain('configuration error: PAYMENTS_TIMEOUT_MS');
  });
});
