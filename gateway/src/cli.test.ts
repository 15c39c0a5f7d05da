/**
 * The `graph360` command (scripts/graph360.ts through bin/graph360.js), spawned as a user
 * runs it: `config check`'s exit codes and output, `--help`, and a gateway on a busy port.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_FILE_VARIABLE, schemaSettings } from './configFile.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin/graph360.js');
const dir = mkdtempSync(join(tmpdir(), 'graph360-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = randomBytes(32).toString('base64url');
const PUBLIC_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** Every variable the gateway reads (the schema's settings, and a few the CLI and logger read): the tests' own environment (CI's REDIS_URL...) must not change what the CLI sees. */
const READ_BY_THE_GATEWAY = new Set([...schemaSettings().map((setting) => setting.env), CONFIG_FILE_VARIABLE, 'LOG_FORMAT', 'NODE_ENV']);

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of Object.keys(env)) if ((READ_BY_THE_GATEWAY.has(name) || /_SUBGRAPH_URL$/.test(name)) && !(name in extra)) delete env[name];
  return env;
}

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('graph360 config check', () => {
  it('prints the effective configuration, secrets redacted, and exits 0', { timeout: 90_000 }, async () => {
    writeFileSync(join(dir, 'good.yaml'), `limits:\n  maxDepth: 9\nauth:\n  subgraphSecret: "${SECRET}"\n`);
    const { code, stdout, stderr } = await run(['config', 'check', '--config', 'good.yaml'], {
      AUTH_PUBLIC_KEY: PUBLIC_KEY,
      LIMIT_MAX_ALIASES: '7',
      METRICS_TOKEN: 'metrics-token-0123456789',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('# good.yaml: valid; from the environment: AUTH_PUBLIC_KEY, LIMIT_MAX_ALIASES, METRICS_TOKEN');
    expect(stdout).toMatch(/^ {2}maxDepth: 9$/m);
    expect(stdout).toMatch(/^ {2}maxAliases: 7$/m);
    expect(stdout).toContain('subgraphSecret: "[redacted]"');
    expect(stdout).toContain('metricsToken: "[redacted]"');
    expect(stdout).not.toContain(SECRET);
    expect(stdout).not.toContain('metrics-token-0123456789');
  });

  it('prints each problem on one line naming the key and exits 1', { timeout: 90_000 }, async () => {
    writeFileSync(join(dir, 'graph360.config.yaml'), 'limits:\n  maxDepth: 0\nserver:\n  prot: 4000\n');
    // Found in the current folder without --config.
    const { code, stdout, stderr } = await run(['config', 'check'], { GATEWAY_SUBGRAPH_SECRET: SECRET, AUTH_PUBLIC_KEY: PUBLIC_KEY });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n').sort()).toEqual([
      'graph360.config.yaml: limits.maxDepth: must be >= 1',
      'graph360.config.yaml: server.prot: is not a setting (see gateway/config.schema.json)',
    ]);
    rmSync(join(dir, 'graph360.config.yaml'));
  });

  it('a bad variable, or a missing file, is one line and exit 1', { timeout: 90_000 }, async () => {
    const bad = await run(['config', 'check'], { GATEWAY_SUBGRAPH_SECRET: SECRET, AUTH_PUBLIC_KEY: PUBLIC_KEY, LIMIT_MAX_DEPTH: 'deep' });
    expect({ code: bad.code, stderr: bad.stderr }).toEqual({ code: 1, stderr: 'LIMIT_MAX_DEPTH: must be a whole number, got "deep"\n' });
    const missing = await run(['config', 'check', '--config', 'nowhere.yaml']);
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 1, stderr: 'nowhere.yaml: no such file\n' });
    const noSecret = await run(['config', 'check'], { AUTH_PUBLIC_KEY: PUBLIC_KEY });
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toMatch(/^GATEWAY_SUBGRAPH_SECRET: must be set[^\n]*\n$/);
  });

  it('has --help for every command', { timeout: 90_000 }, async () => {
    for (const args of [['--help'], ['gateway', '--help'], ['compose', '--help'], ['config', 'check', '--help']]) {
      const { code, stdout } = await run(args);
      expect(code, args.join(' ')).toBe(0);
      expect(stdout, args.join(' ')).toMatch(/^Usage: graph360/);
    }
    const unknown = await run(['gateway', '--prot', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^graph360: .*--prot.*\(see --help\)\n$/);
  });
});

describe('graph360 gateway', () => {
  it('a missing supergraph file: one line, exit 1', { timeout: 90_000 }, async () => {
    const { code, stderr } = await run(['gateway', '--supergraph', 'missing.graphql', '--port', '0'], {
      GATEWAY_SUBGRAPH_SECRET: SECRET,
      AUTH_PUBLIC_KEY: PUBLIC_KEY,
      LOG_LEVEL: 'warn',
    });
    expect(code).toBe(1);
    expect(stderr).toBe(`[gateway] cannot start: supergraph file ${join(dir, 'missing.graphql')} does not exist; run \`npm run compose\`\n`);
  });

  it('on a port another process holds: one line naming GATEWAY_PORT, exit 1', { timeout: 60_000 }, async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const { code, stderr } = await run(['gateway', '--port', String(port)], {
        GATEWAY_SUBGRAPH_SECRET: SECRET,
        AUTH_PUBLIC_KEY: PUBLIC_KEY,
        LOG_LEVEL: 'warn',
      });
      expect(code).toBe(1);
      expect(stderr).toBe(
        `[gateway] cannot start: GATEWAY_PORT ${port} is in use on 127.0.0.1 (another process listens there): stop it or set GATEWAY_PORT to a free port\n`,
      );
    } finally {
      holder.close();
    }
  });
});
