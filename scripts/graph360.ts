/**
 * The `graph360` command (package.json "bin", through bin/graph360.js and tsx):
 *
 *   graph360 gateway [--config graph360.config.yaml] [--supergraph <file|url>] [--port N]
 *   graph360 compose [--check]
 *   graph360 config check [--config graph360.config.yaml]
 *
 * The gateway's settings come from the file (gateway/config.schema.json describes it;
 * docs/configuration.md lists every key), environment variables over it, and these flags
 * over both. Without --config, ./graph360.config.yaml (.yml, .json) is read if present,
 * else GRAPH360_CONFIG's file.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { stringify } from 'yaml';
import { ConfigError } from '../lib/env.js';
import { CONFIG_FILE_VARIABLE, ConfigFileError, fileLabel, loadGatewayConfig, schemaSettings } from '../gateway/src/configFile.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_FILES = ['graph360.config.yaml', 'graph360.config.yml', 'graph360.config.json'];

const HELP = {
  main: `Usage: graph360 <command> [options]

Commands:
  gateway         start the gateway
  compose         compose the subgraph schemas into schema/supergraph.graphql
  config check    check the configuration file and environment, print the result

Run \`graph360 <command> --help\` for a command's options. Settings: docs/configuration.md.`,
  gateway: `Usage: graph360 gateway [--config <file>] [--supergraph <file|url>] [--port <n>]

Starts the gateway. Its settings come from the configuration file, environment variables
over it (docs/configuration.md), and these options over both.

Options:
  --config <file>       graph360.config.yaml or .json (default: ./graph360.config.yaml,
                        .yml or .json if there is one, else $${CONFIG_FILE_VARIABLE})
  --supergraph <file|url>
                        the supergraph to serve: a file (SUPERGRAPH_PATH), composed by
                        \`graph360 compose\` or \`rover supergraph compose\`, or an http(s)
                        URL polled for changes (SUPERGRAPH_URL)
  --port <n>            port to listen on (GATEWAY_PORT)
  -h, --help            this help`,
  compose: `Usage: graph360 compose [--check]

Composes subgraphs/{crm,erp,payments}/schema.graphql into schema/supergraph.graphql
(scripts/compose.ts) and reports breaking changes against the previous file.

Options:
  --check      exit 1 if schema/supergraph.graphql is not what composition gives
  -h, --help   this help`,
  config: `Usage: graph360 config check [--config <file>]

Checks the configuration file against gateway/config.schema.json and the environment
variables that override it; prints the configuration the gateway would run with
(secrets redacted) and exits 0, or prints each problem on a line and exits 1.

Options:
  --config <file>   as for \`graph360 gateway\`
  -h, --help        this help`,
};

function fail(message: string, code = 2): never {
  console.error(`graph360: ${message}`);
  process.exit(code);
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    return fail(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
}

/** The configuration file: --config, else one of DEFAULT_FILES in the current folder, else GRAPH360_CONFIG's. */
function configFile(flag: string | boolean | undefined): string | undefined {
  if (typeof flag === 'string') return resolve(flag);
  const found = DEFAULT_FILES.find((name) => existsSync(name));
  if (found) return resolve(found);
  return process.env[CONFIG_FILE_VARIABLE] || undefined;
}

/** Loads the configuration as the gateway will (file, environment over it), or prints every problem and exits 1. */
function loadOrExit(env: Record<string, string | undefined>): ReturnType<typeof loadGatewayConfig> {
  try {
    return loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigFileError) for (const problem of error.problems) console.error(problem);
    else if (error instanceof ConfigError) console.error(error.message);
    else throw error;
    process.exit(1);
  }
}

/** Fields of the gateway's configuration that hold a secret, whatever their value. */
const SECRET_KEYS = /secret|token|redisUrl/i;

/** The configuration with every secret replaced: the schema's x-secret settings' values wherever they are, and the secret fields. */
function redacted(value: unknown, secrets: Set<string>): unknown {
  if (typeof value === 'string') return secrets.has(value) ? '[redacted]' : value;
  if (Array.isArray(value)) return value.map((item) => redacted(item, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, SECRET_KEYS.test(key) && typeof item === 'string' ? '[redacted]' : redacted(item, secrets)]),
    );
  }
  return value;
}

async function gateway(args: string[]): Promise<void> {
  const flags = parse(args, { config: { type: 'string' }, supergraph: { type: 'string' }, port: { type: 'string' } });
  if (flags.help) return void console.log(HELP.gateway);
  const file = configFile(flags.config);
  if (file) process.env[CONFIG_FILE_VARIABLE] = file;
  if (typeof flags.supergraph === 'string') {
    // A URL is fetched and polled (SUPERGRAPH_URL), anything else is a file (SUPERGRAPH_PATH); either replaces the other.
    if (/^https?:\/\//i.test(flags.supergraph)) {
      process.env.SUPERGRAPH_URL = flags.supergraph;
      delete process.env.SUPERGRAPH_PATH;
    } else {
      process.env.SUPERGRAPH_PATH = resolve(flags.supergraph);
      delete process.env.SUPERGRAPH_URL;
    }
  }
  if (typeof flags.port === 'string') {
    if (!/^\d+$/.test(flags.port) || Number(flags.port) > 65535) fail(`--port: must be a whole number from 0 to 65535, got "${flags.port}"`);
    process.env.GATEWAY_PORT = flags.port;
  }
  // Checked here first so that every problem is listed; then the file's settings become the
  // process's variables (the heap growth setting is read from them as the gateway loads).
  const { loaded } = loadOrExit(process.env);
  for (const [name, value] of Object.entries(loaded.env)) if (value !== undefined) process.env[name] = value;
  await import(pathToFileURL(`${ROOT}gateway/src/index.ts`).href);
}

function compose(args: string[]): void {
  if (args.includes('--help') || args.includes('-h')) return void console.log(HELP.compose);
  parse(args, { check: { type: 'boolean' } });
  const child = spawn(process.execPath, ['--import', 'tsx/esm', `${ROOT}scripts/compose.ts`, ...args], { cwd: ROOT, stdio: 'inherit' });
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function configCheck(args: string[]): void {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === undefined) return void console.log(HELP.config);
  if (sub !== 'check') fail(`config: unknown command "${sub}" (see graph360 config --help)`);
  const flags = parse(rest, { config: { type: 'string' } });
  if (flags.help) return void console.log(HELP.config);
  const file = configFile(flags.config);
  const env = { ...process.env, [CONFIG_FILE_VARIABLE]: file };
  const { config, loaded } = loadOrExit(env);
  const secrets = new Set(
    schemaSettings()
      .filter((s) => s.secret)
      .map((s) => loaded.env[s.env])
      .filter((value): value is string => Boolean(value)),
  );
  const fromEnv = Object.keys(loaded.sources).filter((name) => loaded.sources[name] === 'env');
  console.log(
    `# ${file ? `${fileLabel(file)}: valid` : 'no configuration file'}; ${fromEnv.length > 0 ? `from the environment: ${fromEnv.join(', ')}` : 'nothing from the environment'}`,
  );
  console.log('# The configuration the gateway would run with (secrets redacted):');
  process.stdout.write(stringify(redacted(config, secrets)));
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'gateway':
      return gateway(args);
    case 'compose':
      return compose(args);
    case 'config':
      return configCheck(args);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(HELP.main);
      return;
    default:
      fail(`unknown command "${command}"\n\n${HELP.main}`);
  }
}

await main();
