/**
 * The supergraph file, changed under load: 300 requests, 10 at a time, run through the
 * gateway while the file is rewritten three times (a plain write, an editor's
 * write-then-rename, and a write after an invalid file) and once replaced by a
 * half-written, invalid file. No request may fail, each valid revision must be served
 * while the load is still running, and the invalid one must be logged and ignored.
 *
 * Each revision changes only the description of `Contact`, and every load request
 * introspects that description, so each response says which schema served it. The CRM
 * sandbox answers 150 ms late, so every swap meets requests that are mid-flight.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAuth } from './helpers/auth.js';
import { REPO_ROOT, spawnService } from './helpers/spawnService.js';
import { graphql, startStack, type Stack } from './helpers/startStack.js';
import { revisionOf } from '../gateway/src/supergraph/SupergraphManager.js';

const ORIGINAL = readFileSync(join(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8');
const ORIGINAL_DESCRIPTION = 'A person at a customer.';
const described = (description: string): string => ORIGINAL.replace(`"""${ORIGINAL_DESCRIPTION}"""`, `"""${description}"""`);
const revision = (n: number): string => `A person at a customer (revision ${n}).`;

const LOAD_REQUESTS = 300;
const CONCURRENCY = 10;
const LOAD = /* GraphQL */ `
  query ReloadLoad($first: Int!) {
    contact: __type(name: "Contact") { description }
    customers(first: $first) { nodes { id name outstandingBalance { amount currency } } }
  }
`;

interface LoadResult {
  contact: { description: string };
  customers: { nodes: Array<{ id: string; name: string; outstandingBalance: { amount: number; currency: string } | null }> };
}

describe('the supergraph file', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'supergraph-reload-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('must exist and be valid for the gateway to start, and the refusal names the file and the problem', async () => {
    const auth = createTestAuth();
    const start = (path: string) =>
      spawnService({ entry: 'gateway/src/index.ts', env: { GATEWAY_PORT: '0', REDIS_URL: '', SUPERGRAPH_PATH: path, ...auth.gatewayEnv }, timeoutMs: 30_000 });
    const missing = join(dir, 'missing.graphql');
    await expect(start(missing)).rejects.toThrow(`[gateway] cannot start: supergraph file ${missing} does not exist; run \`npm run compose\``);
    const invalid = join(dir, 'invalid.graphql');
    writeFileSync(invalid, ORIGINAL.slice(0, ORIGINAL.length / 3));
    await expect(start(invalid)).rejects.toThrow(`[gateway] cannot start: supergraph file ${invalid} is not a valid supergraph: `);
  });

  describe('changed under load', () => {
    let stack: Stack;
    let path: string;

    beforeAll(async () => {
      path = join(dir, 'supergraph.graphql');
      writeFileSync(path, ORIGINAL);
      // Caches off, so that every request is planned and fetched, not answered from memory;
      // the CRM's rolling rate limit (HubSpot's 190 per 10 s) raised, as this is not its test.
      stack = await startStack({
        env: { SUPERGRAPH_PATH: path, LOG_LEVEL: 'info', RESPONSE_CACHE: 'off', ENTITY_CACHE: 'off', CRM_SANDBOX_RATE_LIMIT: '100000' },
      });
      await stack.setFaults('crm', { latencyMs: 150 });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('serves each valid revision without failing a request, and ignores an invalid one', async () => {
      const failures: unknown[] = [];
      const served: string[] = []; // the Contact description of each response, in completion order
      let loadDone = false;

      const load = async (): Promise<void> => {
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < LOAD_REQUESTS) {
            const first = (next++ % 5) + 1;
            try {
              const result = await graphql<LoadResult>(stack.gatewayUrl, LOAD, { first }, stack.authHeaders);
              if (
                result.status !== 200 ||
                result.errors ||
                result.data?.customers.nodes.length !== first ||
                result.data.customers.nodes.some((n) => !n.outstandingBalance)
              ) {
                failures.push(result);
              } else served.push(result.data.contact.description);
            } catch (error) {
              failures.push(String(error));
            }
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        loadDone = true;
      };

      /** Waits, while the load runs, until a load response shows `description`. */
      const servedDuringLoad = async (description: string, from = 0): Promise<void> => {
        for (;;) {
          if (served.indexOf(description, from) !== -1) return;
          if (loadDone) throw new Error(`the load ended before "${description}" was served (served: ${[...new Set(served)].join(' | ')})`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      };

      const swaps = async (): Promise<void> => {
        await servedDuringLoad(ORIGINAL_DESCRIPTION);

        writeFileSync(path, described(revision(1))); // a plain write: truncate, then write
        await servedDuringLoad(revision(1));

        writeFileSync(`${path}.tmp`, described(revision(2))); // an editor's atomic replace
        renameSync(`${path}.tmp`, path);
        await servedDuringLoad(revision(2));

        writeFileSync(path, described(revision(3)).slice(0, ORIGINAL.length / 2)); // half-written: invalid
        const gateway = stack.services.gateway!;
        for (;;) {
          if (gateway.output().includes('supergraph file changed but is invalid')) break;
          if (loadDone) throw new Error('the load ended before the invalid file was noticed');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        // Responses completed after the invalid file was rejected still show revision 2.
        const afterInvalid = served.length;
        await servedDuringLoad(revision(2), afterInvalid);

        writeFileSync(path, described(revision(3)));
        await servedDuringLoad(revision(3));
      };

      const [loadOutcome, swapOutcome] = await Promise.allSettled([load(), swaps()]);
      expect(loadOutcome.status).toBe('fulfilled');
      if (swapOutcome.status === 'rejected') throw swapOutcome.reason;

      expect(failures).toEqual([]);
      expect(served).toHaveLength(LOAD_REQUESTS);
      const counts = Object.fromEntries([ORIGINAL_DESCRIPTION, revision(1), revision(2), revision(3)].map((d) => [d, served.filter((s) => s === d).length]));
      console.log(`reload under load: ${LOAD_REQUESTS} requests, ${failures.length} failed; responses per revision: ${JSON.stringify(counts)}`);
      for (const count of Object.values(counts)) expect(count).toBeGreaterThan(0);
      expect(served.filter((s) => !(s in counts))).toEqual([]);

      // Afterwards the last valid revision is what the gateway serves.
      const after = await graphql<{ __type: { description: string } }>(stack.gatewayUrl, '{ __type(name: "Contact") { description } }');
      expect(after.data).toEqual({ __type: { description: revision(3) } });

      const lines = stack.services
        .gateway!.output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; path?: string; problem?: string });
      expect(lines.filter((l) => l.msg === 'supergraph reloaded')).toHaveLength(3);
      const invalid = lines.filter((l) => l.msg === 'supergraph file changed but is invalid; still serving the previous supergraph');
      expect(invalid).toHaveLength(1);
      expect(invalid[0]).toMatchObject({ path, problem: expect.stringContaining(`supergraph file ${path} is not a valid supergraph`) });

      // /health and /metrics name the file's revision served, and count the invalid one.
      const base = new URL(stack.gatewayUrl).origin;
      const health = (await (await fetch(`${base}/health`)).json()) as { supergraph: Record<string, unknown> };
      expect(health.supergraph).toMatchObject({ source: 'file', revision: revisionOf(described(revision(3))), lastError: null });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain(`gateway_supergraph_info{revision="${revisionOf(described(revision(3)))}",source="file"} 1`);
      expect(metrics).toContain('gateway_supergraph_load_failures_total{source="file",reason="invalid"} 1');
    });
  });
});
