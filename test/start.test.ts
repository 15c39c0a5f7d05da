/**
 * `npm start` as a user runs it: the whole stack on embedded defaults comes up, prints
 * its URLs and a development token that the gateway accepts, answers a query across the
 * three subgraphs, and Ctrl-C (SIGINT to the terminal's process group) stops every
 * process it started and frees every port. Ports, the sandboxes' data and the dev keys
 * go to a fresh temporary place so that this run touches nothing of a developer's own.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { logDir, recordSecrets, REPO_ROOT } from './helpers/spawnService.js';
import { freePort } from './helpers/startStack.js';

const PORT_VARIABLES = [
  'CRM_SANDBOX_PORT',
  'ERP_SANDBOX_PORT',
  'PAYMENTS_SANDBOX_PORT',
  'CRM_SUBGRAPH_PORT',
  'ERP_SUBGRAPH_PORT',
  'PAYMENTS_SUBGRAPH_PORT',
  'GATEWAY_PORT',
];

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether a process (or, for a negative number, any process of that group) exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const workDir = mkdtempSync(join(tmpdir(), 'graph360-start-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('starts the whole stack, prints a working dev token, and stops every process on Ctrl-C', { timeout: 240_000 }, async () => {
    // Seven distinct free ports (one at a time: the OS may hand a just-released port out again).
    const taken = new Set<number>();
    while (taken.size < PORT_VARIABLES.length) taken.add(await freePort());
    const ports = Object.fromEntries(PORT_VARIABLES.map((name, i) => [name, String([...taken][i])]));
    const secret = randomBytes(32).toString('base64url');
    const env: Record<string, string> = {
      ...ports,
      SANDBOX_DATA_DIR: join(workDir, 'sandboxes'),
      DEV_AUTH_DIR: join(workDir, 'dev-auth'),
      GATEWAY_SUBGRAPH_SECRET: secret,
      LOG_LEVEL: 'info',
    };
    const dir = logDir();
    mkdirSync(dir, { recursive: true });
    recordSecrets(dir, { GATEWAY_SUBGRAPH_SECRET: secret });

    // detached: its own process group, as a terminal gives a command; Ctrl-C is SIGINT to that group.
    const npm = spawn('npm', ['start'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const log = createWriteStream(join(dir, `npm-start-${npm.pid}.log`));
    let output = '';
    // The log goes through the secret scan of the run (helpers/logScan.ts), all but one
    // line: start.ts's own "Authorization: Bearer <dev token>", which it prints by design
    // (services' lines carry a "name | " prefix and are kept whole, token or not).
    let pending = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) log.write(`${line.replace(/^( {2}Authorization: Bearer )\S+$/, '$1<the development token, printed by design>')}\n`);
    };
    npm.stdout!.on('data', onData);
    npm.stderr!.on('data', onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      npm.once('exit', (code, signal) => resolve({ code, signal })),
    );
    // 'close' comes after 'exit' once its output is read to the end (the last lines may still be in the pipe at 'exit').
    const closed = new Promise<void>((resolve) => npm.once('close', () => resolve()));
    const group = npm.pid!;
    try {
      const deadline = Date.now() + 180_000;
      while (!output.includes('Press Ctrl-C to stop every process.') && Date.now() < deadline && npm.exitCode === null)
        await new Promise((r) => setTimeout(r, 200));
      expect(output).toContain('The stack is up:');
      expect(output).not.toContain('not ready');

      // Every service reported its URL on the port it was given.
      for (const [name, port] of [
        ['crm-sandbox', ports.CRM_SANDBOX_PORT],
        ['erp-sandbox', ports.ERP_SANDBOX_PORT],
        ['payments-sandbox', ports.PAYMENTS_SANDBOX_PORT],
        ['crm-subgraph', ports.CRM_SUBGRAPH_PORT],
        ['erp-subgraph', ports.ERP_SUBGRAPH_PORT],
        ['payments-subgraph', ports.PAYMENTS_SUBGRAPH_PORT],
        ['gateway', ports.GATEWAY_PORT],
      ] as const) {
        expect(output).toMatch(new RegExp(`^  ${name}\\s+http://127\\.0\\.0\\.1:${port}\\b`, 'm'));
      }
      const token = /Authorization: Bearer (\S+)/.exec(output)?.[1];
      expect(token).toBeTruthy();

      const gateway = `http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`;
      const query =
        'query StartSmoke { customers(first: 2) { edges { node { id name orders(first: 1) { edges { node { id } } } invoices(first: 1) { edges { node { id amountDue { amount currency } } } } payments(first: 1) { edges { node { id } } } } } } }';
      const ask = (headers: Record<string, string>) =>
        fetch(gateway, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
      const withToken = await ask({ authorization: `Bearer ${token}` });
      expect(withToken.status).toBe(200);
      const body = (await withToken.json()) as {
        data?: { customers: { edges: Array<{ node: { id: string; orders: unknown; invoices: unknown } }> } };
        errors?: unknown[];
      };
      expect(body.errors).toBeUndefined();
      expect(body.data!.customers.edges).toHaveLength(2);
      for (const { node } of body.data!.customers.edges) {
        expect(node.orders).toBeTruthy();
        expect(node.invoices).toBeTruthy();
      }
      // The token is what lets it in: without it, invoices are refused.
      const anonymous = (await (await ask({})).json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      expect(anonymous.errors?.map((e) => e.extensions?.code)).toContain('UNAUTHENTICATED');

      process.kill(-group, 'SIGINT');
      const { code, signal } = await exited;
      const stopped = Date.now();
      while (alive(-group) && Date.now() - stopped < 15_000) await new Promise((r) => setTimeout(r, 100));
      // npm passes the child's end on; a clean stop is code 0 (or npm's own SIGINT end).
      expect(code === 0 || signal === 'SIGINT' || code === 130).toBe(true);
      await Promise.race([closed, new Promise((r) => setTimeout(r, 15_000))]);
      // Every service stopped on its own (start.ts says when it has to SIGKILL one), and it says when all have.
      expect(output).not.toMatch(/SIGKILL/);
      expect(output).toMatch(/Every process of the stack has stopped\.\n$/);
      // Apollo Server's inline-trace notice is gone (the subgraphs disable ftv1 traces: the gateway asks for none).
      expect(output).not.toContain('Enabling inline tracing');
      // Every port is free again, and no service process is left.
      await new Promise((r) => setTimeout(r, 500));
      for (const port of Object.values(ports)) expect(await accepts(Number(port)), `port ${port} still accepts connections`).toBe(false);
      // The services run in npm's process group (a terminal's Ctrl-C reaches them all): none is left in it.
      expect(alive(-group), 'a process of the stack still runs').toBe(false);
    } finally {
      if (npm.exitCode === null && npm.signalCode === null) {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      log.end();
    }
  });

  it('with a port already in use: one line naming its variable, exit 1, nothing started', { timeout: 60_000 }, async () => {
    const taken = new Set<number>();
    while (taken.size < PORT_VARIABLES.length) taken.add(await freePort());
    const ports = Object.fromEntries(PORT_VARIABLES.map((name, i) => [name, String([...taken][i])]));
    // Another process holds the gateway's port.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(Number(ports.GATEWAY_PORT), '127.0.0.1', resolve));
    try {
      const npm = spawn('npm', ['start', '--silent'], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...ports, SANDBOX_DATA_DIR: join(workDir, 'busy-sandboxes'), DEV_AUTH_DIR: join(workDir, 'busy-dev-auth') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      npm.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      npm.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => npm.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toBe(
        `npm start: GATEWAY_PORT ${ports.GATEWAY_PORT} is in use on 127.0.0.1 (another process listens there): stop it or set GATEWAY_PORT to a free port (nothing was started)\n`,
      );
      expect(stdout).not.toContain('listening on');
      // Nothing was started: every other port is still free.
      for (const name of PORT_VARIABLES.filter((n) => n !== 'GATEWAY_PORT')) expect(await accepts(Number(ports[name])), name).toBe(false);
    } finally {
      holder.close();
    }
  });
});
