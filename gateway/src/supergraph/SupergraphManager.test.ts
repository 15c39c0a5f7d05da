/**
 * The supergraph file manager without a gateway: it refuses a missing or invalid file
 * with a message naming the file, and once initialised it hands every valid change to
 * `update` (plain writes and editors' write-then-rename alike), ignores invalid files
 * and unchanged content, and stops watching on cleanup.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { splitSupergraph } from '../auth/policy.js';
import { createGatewayLogger } from '../observability/logger.js';
import { FileSupergraphManager, SupergraphError } from './SupergraphManager.js';
import { until } from '../../../test/support.js';

const ORIGINAL = readFileSync(fileURLToPath(new URL('../../../schema/supergraph.graphql', import.meta.url)), 'utf8');
const CONTACT_DESCRIPTION = '"""A person at a customer."""';
const revision = (n: number): string => ORIGINAL.replace(CONTACT_DESCRIPTION, `"""A person at a customer (revision ${n})."""`);
/** What ApolloGateway gets: the supergraph without @authenticated/@requiresScopes, which the gateway enforces itself (auth/policy.ts). */
const executable = (sdl: string): string => splitSupergraph(sdl).executableSdl;

describe('FileSupergraphManager', () => {
  let dir: string;
  let path: string;
  let lines: Array<Record<string, unknown>>;
  const logger = () =>
    createGatewayLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
    path = join(dir, 'supergraph.graphql');
    lines = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a missing file, naming it', () => {
    expect(() => new FileSupergraphManager({ path, logger: logger() })).toThrow(SupergraphError);
    expect(() => new FileSupergraphManager({ path, logger: logger() })).toThrow(`supergraph file ${path} does not exist`);
  });

  it('refuses an invalid file, naming it and the problem', () => {
    writeFileSync(path, 'type Query { hello: String }');
    expect(() => new FileSupergraphManager({ path, logger: logger() })).toThrow(new RegExp(`^supergraph file ${path} is not a valid supergraph: .+`));
    writeFileSync(path, ORIGINAL.slice(0, ORIGINAL.length / 2));
    expect(() => new FileSupergraphManager({ path, logger: logger() })).toThrow(SupergraphError);
  });

  it('applies valid changes, ignores invalid and unchanged ones, and stops on cleanup', async () => {
    writeFileSync(path, ORIGINAL);
    const manager = new FileSupergraphManager({ path, logger: logger(), debounceMs: 20 });
    expect(manager.isLoaded).toBe(false);
    expect(manager.subgraphs().map((s) => s.name)).toEqual(['crm', 'erp', 'payments']);
    const updates: string[] = [];
    const { supergraphSdl, cleanup } = await manager.initialize({
      update: (sdl) => void updates.push(sdl),
      healthCheck: async () => {},
      getDataSource: () => {
        throw new Error('not used');
      },
    });
    expect(supergraphSdl).toBe(executable(ORIGINAL));
    expect(manager.policy.types.get('Invoice')).toEqual({ authenticated: true, scopes: [['invoices:read']] });
    expect(manager.isLoaded).toBe(true);

    // A plain write (truncate, then write).
    writeFileSync(path, revision(1));
    await until('the first update', () => updates.length === 1);
    expect(updates[0]).toBe(executable(revision(1)));

    // An editor's atomic replace: write a temporary file, rename it over the old one.
    writeFileSync(join(dir, '.supergraph.graphql.tmp'), revision(2));
    renameSync(join(dir, '.supergraph.graphql.tmp'), path);
    await until('the update after a rename', () => updates.length === 2);
    expect(updates[1]).toBe(executable(revision(2)));
    // The policy is re-read with every change: a revision that drops a requirement drops it.
    writeFileSync(path, revision(2).replace('@requiresScopes(scopes: [["orders:write"]])', ''));
    await until('the update with another policy', () => updates.length === 3);
    expect(manager.policy.fields.has('Mutation.createSalesOrder')).toBe(false);
    writeFileSync(path, revision(2));
    await until('the policy restored', () => updates.length === 4);
    expect(manager.policy.fields.get('Mutation.createSalesOrder')).toEqual({ authenticated: true, scopes: [['orders:write']] });

    // Invalid content is logged and not applied; the same content again is no change.
    writeFileSync(path, 'not a supergraph');
    await until('the invalid-file log line', () =>
      lines.some((l) => l.msg === 'supergraph file changed but is invalid; still serving the previous supergraph'),
    );
    const invalid = lines.find((l) => String(l.msg).includes('invalid'))!;
    expect(invalid).toMatchObject({ level: 50, path });
    expect(String(invalid.problem)).toContain(`supergraph file ${path} is not a valid supergraph`);
    writeFileSync(path, revision(2));
    writeFileSync(join(dir, 'unrelated.txt'), 'other files in the folder are not ours');
    writeFileSync(path, revision(3));
    await until('the update after the invalid file', () => updates.length === 5);
    expect(updates[4]).toBe(executable(revision(3)));
    expect(lines.filter((l) => l.msg === 'supergraph reloaded')).toHaveLength(5);

    // After cleanup nothing is watching: a second manager on the same file sees a later
    // write (so the write did produce events), the first one does not.
    await cleanup!();
    const second = new FileSupergraphManager({ path, logger: logger(), debounceMs: 20 });
    const refused: string[] = [];
    const secondInit = await second.initialize({
      update: (sdl) => {
        refused.push(sdl);
        throw new Error("Can't call `update` callback while gateway is stopping.");
      },
      healthCheck: async () => {},
      getDataSource: () => {
        throw new Error('not used');
      },
    });
    writeFileSync(path, revision(4));
    // A gateway that refuses the update (stopping, say) costs a log line, not a crash.
    await until('the refused-update log line', () => lines.some((l) => l.msg === 'gateway refused the new supergraph; still serving the previous supergraph'));
    await secondInit.cleanup!();
    expect(refused).toEqual([executable(revision(4))]);
    expect(updates).toHaveLength(5);
  });

  it("follows a Kubernetes ConfigMap volume, whose update swaps the '..data' link and never touches the file's own name", async () => {
    // The kubelet's layout: the file is a link through '..data' into a timestamped folder;
    // an update writes a new folder, points '..data_tmp' at it and renames that over '..data'.
    const version = (n: number): void => {
      mkdirSync(join(dir, `..2026_12_07_0${n}`));
      writeFileSync(join(dir, `..2026_12_07_0${n}`, 'supergraph.graphql'), revision(n));
    };
    version(1);
    symlinkSync(`..2026_12_07_01`, join(dir, '..data'));
    symlinkSync('..data/supergraph.graphql', path);
    const manager = new FileSupergraphManager({ path, logger: logger(), debounceMs: 20 });
    const updates: string[] = [];
    const { supergraphSdl, cleanup } = await manager.initialize({
      update: (sdl) => void updates.push(sdl),
      healthCheck: async () => {},
      getDataSource: () => {
        throw new Error('not used');
      },
    });
    try {
      expect(supergraphSdl).toBe(executable(revision(1)));
      version(2);
      symlinkSync(`..2026_12_07_02`, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      await until('the update after the ConfigMap swap', () => updates.length === 1);
      expect(updates).toEqual([executable(revision(2))]);
    } finally {
      await cleanup!();
    }
  });
});
