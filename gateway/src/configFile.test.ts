import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/env.js';
import { configurationMarkdown, CONFIG_DOCS_FILE, envExample, ENV_EXAMPLE_FILE } from '../../scripts/configDocs.js';
import { readGatewayConfig } from './config.js';
import { ConfigFileError, loadConfigSources, loadGatewayConfig, schemaSettings } from './configFile.js';

const dir = mkdtempSync(join(tmpdir(), 'graph360-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What readGatewayConfig needs besides defaults. */
const BASE = { GATEWAY_SUBGRAPH_SECRET: 'x'.repeat(32), AUTH_PUBLIC_KEY: 'a key' };

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigFileError) return error.problems;
    throw error;
  }
  throw new Error('no problem reported');
}

describe('graph360.config.yaml', () => {
  it('reports each schema violation on one line naming the file and the key', () => {
    const path = file('bad.yaml', 'limits:\n  maxDepth: 0\n  maxDeph: 3\nserver:\n  port: "4000"\nlog:\n  level: loud\nrateLimit: on-ish\n');
    const lines = problems(() => loadConfigSources(path, {}));
    expect(lines).toEqual(
      expect.arrayContaining([
        `${path}: limits.maxDepth: must be >= 1`,
        `${path}: limits.maxDeph: is not a setting (see gateway/config.schema.json)`,
        `${path}: server.port: must be a whole number`,
        `${path}: log.level: must be one of fatal, error, warn, info, debug, trace, silent`,
        `${path}: rateLimit: must be a map of settings`,
      ]),
    );
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).not.toContain('\n');
  });

  it('reads YAML and JSON; the environment overrides the file', () => {
    for (const path of [
      file(
        'good.yaml',
        'limits:\n  maxDepth: 9\n  maxAliases: 4\nrateLimit:\n  enabled: false\nserver:\n  corsOrigins: [https://a.example, https://b.example]\n',
      ),
      file(
        'good.json',
        JSON.stringify({
          limits: { maxDepth: 9, maxAliases: 4 },
          rateLimit: { enabled: false },
          server: { corsOrigins: ['https://a.example', 'https://b.example'] },
        }),
      ),
    ]) {
      const { config, loaded } = loadGatewayConfig({ ...BASE, GRAPH360_CONFIG: path, LIMIT_MAX_DEPTH: '20' });
      expect(config.limits.maxDepth).toBe(20);
      expect(config.limits.maxAliases).toBe(4);
      expect(config.rateLimit.enabled).toBe(false);
      expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
      expect(loaded.sources).toMatchObject({ LIMIT_MAX_DEPTH: 'env', LIMIT_MAX_ALIASES: 'file', RATE_LIMIT: 'file' });
    }
  });

  it("resolves the file's relative paths against its folder", () => {
    const { config } = loadGatewayConfig({ ...BASE, GRAPH360_CONFIG: file('paths.yaml', 'supergraph:\n  path: ./sub/supergraph.graphql\n') });
    expect(config.supergraphPath).toBe(join(dir, 'sub/supergraph.graphql'));
  });

  it("takes the supergraph from one source: a variable for a URL or a file replaces the file's choice", () => {
    const withPath = file('sg-path.yaml', 'supergraph:\n  path: ./supergraph.graphql\n');
    const url = 'https://registry.example/supergraph.graphql';
    const fromUrl = loadGatewayConfig({ ...BASE, GRAPH360_CONFIG: withPath, SUPERGRAPH_URL: url }).config;
    expect(fromUrl.supergraphUrl?.url).toBe(url);
    const withUrl = file('sg-url.yaml', `supergraph:\n  url: ${url}\n  pollIntervalMs: 5000\n`);
    expect(loadGatewayConfig({ ...BASE, GRAPH360_CONFIG: withUrl }).config.supergraphUrl).toMatchObject({ url, pollIntervalMs: 5000 });
    const fromPath = loadGatewayConfig({ ...BASE, GRAPH360_CONFIG: withUrl, SUPERGRAPH_PATH: '/srv/supergraph.graphql' }).config;
    expect(fromPath.supergraphUrl).toBeUndefined();
    expect(fromPath.supergraphPath).toBe('/srv/supergraph.graphql');
    // Both in the file: the gateway's own rule, naming the file's key.
    expect(problems(() => loadGatewayConfig({ ...BASE, GRAPH360_CONFIG: file('sg-both.yaml', `supergraph:\n  url: ${url}\n  path: ./s.graphql\n`) }))).toEqual([
      expect.stringMatching(/sg-both\.yaml: supergraph\.url \(SUPERGRAPH_URL\): and SUPERGRAPH_PATH are both set/),
    ]);
  });

  it('names the variable when an environment value is wrong, and never echoes a secret', () => {
    expect(problems(() => loadConfigSources(undefined, { LIMIT_MAX_DEPTH: '0', RATE_LIMIT: 'maybe', METRICS_TOKEN: 'short-secret' }))).toEqual([
      'LIMIT_MAX_DEPTH: must be >= 1, got "0"',
      'RATE_LIMIT: must be on or off, got "maybe"',
      'METRICS_TOKEN: must be at least 16 characters',
    ]);
  });

  it('a missing file, or one that is not YAML, is one line', () => {
    expect(problems(() => loadConfigSources(join(dir, 'none.yaml'), {}))).toEqual([`${join(dir, 'none.yaml')}: no such file`]);
    const [line, ...rest] = problems(() => loadConfigSources(file('broken.yaml', 'limits: [1, 2\n'), {}));
    expect(rest).toEqual([]);
    expect(line).toMatch(/broken\.yaml: not valid YAML: /);
  });

  it("a rule across settings names the file's key when the file gave it", () => {
    expect(
      problems(() => loadGatewayConfig({ ...BASE, GRAPH360_CONFIG: file('prod.yaml', 'server:\n  mode: production\ncache:\n  invalidationSecret: ""\n') })),
    ).toHaveLength(1);
    expect(() => loadGatewayConfig({ GATEWAY_SUBGRAPH_SECRET: 'x'.repeat(32) })).toThrow(ConfigError);
  });
});

describe('gateway/config.schema.json agrees with readGatewayConfig', () => {
  const settings = schemaSettings();
  /** What a setting needs beside it to be read at all: the URL's settings are read only with a URL. */
  const context = (env: string): Record<string, string> =>
    env.startsWith('SUPERGRAPH_') && env !== 'SUPERGRAPH_PATH' && env !== 'SUPERGRAPH_URL'
      ? { ...BASE, SUPERGRAPH_URL: 'https://registry.example/supergraph.graphql' }
      : BASE;

  it('covers every variable the gateway reads', () => {
    const variables = new Set(settings.map((s) => s.env));
    const source = ['config.ts', 'limits/config.ts', 'rateLimit/config.ts', 'subscriptions/config.ts', 'supergraph/config.ts']
      .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'))
      .join('\n');
    const read = new Set([...source.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!));
    for (const name of ['CRM_SUBGRAPH_URL', 'ERP_SUBGRAPH_URL', 'PAYMENTS_SUBGRAPH_URL', 'NODE_ENV']) read.add(name);
    expect([...read].filter((name) => !variables.has(name))).toEqual([]);
  });

  it("each default of the schema is the gateway's default", () => {
    for (const setting of settings) {
      if (setting.default === undefined || setting.isPath) continue;
      const text = setting.type === 'boolean' ? (setting.default ? 'on' : 'off') : String(setting.default);
      expect(readGatewayConfig({ ...context(setting.env), [setting.env]: text }), setting.env).toEqual(readGatewayConfig(context(setting.env)));
    }
  });

  it("each range of the schema is the gateway's range", () => {
    for (const setting of settings) {
      if (setting.minimum === undefined || setting.maximum === undefined) continue;
      const step = setting.type === 'integer' ? 1 : setting.minimum / 2;
      const at = (value: number) => () => readGatewayConfig({ ...context(setting.env), [setting.env]: String(value) });
      expect(at(setting.minimum), setting.env).not.toThrow();
      expect(at(setting.maximum), setting.env).not.toThrow();
      expect(at(setting.minimum - step), setting.env).toThrow(setting.env);
      expect(at(setting.maximum * 2), setting.env).toThrow(setting.env);
    }
  });
});

describe('generated settings reference', () => {
  it('docs/configuration.md and .env.example are what `npm run config:docs` writes', () => {
    expect(readFileSync(CONFIG_DOCS_FILE, 'utf8')).toBe(configurationMarkdown());
    expect(readFileSync(ENV_EXAMPLE_FILE, 'utf8')).toBe(envExample());
  });

  it('lists every setting with its variable', () => {
    const docs = configurationMarkdown();
    for (const setting of schemaSettings()) expect(docs).toContain(`| \`${setting.path.join('.')}\` | \`${setting.env}\``);
  });
});
