/**
 * The gateway's configuration file, graph360.config.yaml (or .json), and the environment
 * over it. gateway/config.schema.json is the one description of every setting: its type,
 * range and default, and (`x-env`) the environment variable that sets it too. Here:
 *
 * - the file is parsed (YAML or JSON) and validated against the schema (ajv): each
 *   problem is one line naming the file and the key, `graph360.config.yaml: limits.maxDepth: must be >= 1`;
 * - the schema's variables that are set in the environment are read as the schema's types
 *   and validated the same way, each problem naming the variable: `LIMIT_MAX_DEPTH: must be >= 1, got "0"`;
 *   a variable wins over the file;
 * - the result is handed to readGatewayConfig (config.ts) as variables, which checks what
 *   spans settings (one of AUTH_JWKS_URL and AUTH_PUBLIC_KEY, production's requirements).
 *
 * Relative paths in the file are relative to the file's folder.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseOnOff, type Env } from '../../lib/env.js';
import { readGatewayConfig, type GatewayConfig } from './config.js';

export const CONFIG_SCHEMA_FILE = new URL('../config.schema.json', import.meta.url);

/** The variable that names the configuration file (the CLI's --config sets it). */
export const CONFIG_FILE_VARIABLE = 'GRAPH360_CONFIG';

/** One setting of the schema. */
export interface SchemaSetting {
  /** Its key in the file, e.g. ['limits', 'maxDepth']. */
  path: string[];
  /** Its environment variable. */
  env: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array';
  description: string;
  default?: unknown;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  /** Never printed: redacted in `graph360 config check` and left empty in .env.example. */
  secret: boolean;
  /** Must be given (x-required): the gateway does not start without it. */
  required: boolean;
  /** A path: relative values in the file are resolved against the file's folder. */
  isPath: boolean;
}

interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  properties?: Record<string, SchemaNode>;
  'x-env'?: string;
  'x-secret'?: boolean;
  'x-required'?: boolean;
}

/** Settings whose string is a file path. */
const PATH_VARIABLES = new Set(['SUPERGRAPH_PATH', 'SAFELIST_MANIFEST', 'API_KEYS_FILE']);

export function readConfigSchema(): SchemaNode {
  return JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as SchemaNode;
}

/** Every setting of the schema, in its order (groups, then keys). */
export function schemaSettings(schema: SchemaNode = readConfigSchema()): SchemaSetting[] {
  const settings: SchemaSetting[] = [];
  const walk = (node: SchemaNode, path: string[]): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const env = child['x-env'];
      if (env) {
        settings.push({
          path: [...path, key],
          env,
          type: child.type as SchemaSetting['type'],
          description: child.description ?? '',
          default: child.default,
          enum: child.enum,
          minimum: child.minimum,
          maximum: child.maximum,
          minLength: child.minLength,
          secret: child['x-secret'] === true,
          required: child['x-required'] === true,
          isPath: PATH_VARIABLES.has(env),
        });
      } else if (child.properties) {
        walk(child, [...path, key]);
      }
    }
  };
  walk(schema, []);
  return settings;
}

let validator: ValidateFunction | undefined;
function validate(value: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addKeyword({ keyword: 'x-env', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'x-secret', schemaType: 'boolean' });
    ajv.addKeyword({ keyword: 'x-required', schemaType: 'boolean' });
    // `format: uri` is checked by readGatewayConfig (new URL), not by ajv's formats.
    ajv.addFormat('uri', true);
    validator = ajv.compile(readConfigSchema());
  }
  return validator(value) ? [] : [...(validator.errors ?? [])];
}

/** One ajv error as `key: problem`, the key dotted (`limits.maxDepth`). */
function describe(error: ErrorObject): { key: string; problem: string } {
  const key = error.instancePath.split('/').slice(1).join('.');
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return {
        key: key ? `${key}.${String(params.additionalProperty)}` : String(params.additionalProperty),
        problem: 'is not a setting (see gateway/config.schema.json)',
      };
    case 'enum':
      return { key, problem: `must be one of ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'type':
      return {
        key,
        problem: `must be ${params.type === 'integer' ? 'a whole number' : params.type === 'object' ? 'a map of settings' : `a ${String(params.type)}`}`,
      };
    case 'minLength':
      return { key, problem: `must be at least ${String(params.limit)} characters` };
    default:
      return { key, problem: error.message ?? 'is not valid' };
  }
}

function getAt(object: unknown, path: string[]): unknown {
  let node = object;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function setAt(object: Record<string, unknown>, path: string[], value: unknown): void {
  let node = object;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** A variable's text as the setting's type (what readGatewayConfig accepts), or a problem. */
function fromVariable(setting: SchemaSetting, raw: string): { value: unknown } | { problem: string } {
  switch (setting.type) {
    case 'integer':
    case 'number': {
      const value = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(value)) return { problem: `must be ${setting.type === 'integer' ? 'a whole number' : 'a number'}, got "${raw}"` };
      return { value };
    }
    case 'boolean': {
      const value = parseOnOff(raw);
      return value === undefined ? { problem: `must be on or off, got "${raw}"` } : { value };
    }
    case 'array':
      return {
        value: raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
    default:
      // NODE_ENV is everyone's variable (test runners set `test`): production, or development for anything else, as readGatewayConfig reads it.
      if (setting.env === 'NODE_ENV') return { value: raw === 'production' ? 'production' : 'development' };
      return { value: raw };
  }
}

/** A setting's value as the variable's text. */
function toVariable(setting: SchemaSetting, value: unknown): string {
  if (setting.type === 'boolean') return value ? 'on' : 'off';
  if (setting.type === 'array') return (value as string[]).join(',');
  return String(value);
}

export class ConfigFileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigFileError';
  }
}

export interface LoadedConfig {
  /** The file read, if any. */
  file: string | undefined;
  /** The settings as the schema shapes them: the file's, with the environment's over them. */
  settings: Record<string, unknown>;
  /** Where each setting given came from, by its variable. */
  sources: Record<string, 'file' | 'env'>;
  /** The variables readGatewayConfig reads: the environment, with the file's settings for those it leaves unset. */
  env: Record<string, string | undefined>;
}

/** How a problem names the file: relative to the current folder when it is inside it. */
export function fileLabel(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Reads a YAML or JSON file into a value; problems name the file. */
function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigFileError([`${fileLabel(file)}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (error as Error).message})`}`]);
  }
  try {
    // YAML 1.2 is a superset of JSON: one parser for .yaml, .yml and .json.
    return parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (error) {
    throw new ConfigFileError([`${fileLabel(file)}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`]);
  }
}

/**
 * The file (if any) and the environment, validated against the schema, merged (the
 * environment wins). Throws a ConfigFileError with one line per problem.
 */
export function loadConfigSources(file: string | undefined, env: Env): LoadedConfig {
  const settingsList = schemaSettings();
  const problems: string[] = [];
  const settings: Record<string, unknown> = {};
  const sources: Record<string, 'file' | 'env'> = {};
  if (file !== undefined) {
    const content = readConfigFile(file);
    for (const error of validate(content)) {
      const { key, problem } = describe(error);
      problems.push(`${fileLabel(file)}: ${key || '(top level)'}: ${problem}`);
    }
    if (problems.length > 0) throw new ConfigFileError(problems);
    for (const setting of settingsList) {
      let value = getAt(content, setting.path);
      if (value === undefined || value === null) continue;
      if (setting.isPath && typeof value === 'string') value = resolve(dirname(resolve(file)), value);
      setAt(settings, setting.path, value);
      sources[setting.env] = 'file';
    }
  }
  // The variables that are set, as the schema's types, each checked on its own so that a problem names the variable.
  for (const setting of settingsList) {
    const raw = env[setting.env];
    if (raw === undefined || raw === '') continue;
    const parsed = fromVariable(setting, raw);
    if ('problem' in parsed) {
      problems.push(`${setting.env}: ${parsed.problem}`);
      continue;
    }
    const single: Record<string, unknown> = {};
    setAt(single, setting.path, parsed.value);
    const errors = validate(single);
    if (errors.length > 0) {
      problems.push(`${setting.env}: ${describe(errors[0]!).problem}${setting.secret ? '' : `, got "${raw}"`}`);
      continue;
    }
    setAt(settings, setting.path, parsed.value);
    sources[setting.env] = 'env';
  }
  if (problems.length > 0) throw new ConfigFileError(problems);
  // The supergraph comes from one source: a variable naming a file or a URL replaces the file's choice of the other.
  for (const [variable, other, key] of [
    ['SUPERGRAPH_URL', 'SUPERGRAPH_PATH', 'path'],
    ['SUPERGRAPH_PATH', 'SUPERGRAPH_URL', 'url'],
  ] as const) {
    if (sources[variable] === 'env' && sources[other] === 'file') {
      delete (settings.supergraph as Record<string, unknown>)[key];
      delete sources[other];
    }
  }
  const merged: Record<string, string | undefined> = { ...env };
  for (const setting of settingsList) {
    const value = getAt(settings, setting.path);
    if (value !== undefined && sources[setting.env] === 'file') merged[setting.env] = toVariable(setting, value);
  }
  return { file, settings, sources, env: merged };
}

/** The configuration file named by GRAPH360_CONFIG, if any. */
export function configFileFrom(env: Env): string | undefined {
  return env[CONFIG_FILE_VARIABLE] || undefined;
}

/**
 * The gateway's configuration: the file GRAPH360_CONFIG names (if any) and the
 * environment over it. Problems: a ConfigFileError (every one, a line each) or a
 * ConfigError (naming the variable) from readGatewayConfig.
 */
export function loadGatewayConfig(env: Env): { config: GatewayConfig; loaded: LoadedConfig } {
  const loaded = loadConfigSources(configFileFrom(env), env);
  try {
    return { config: readGatewayConfig(loaded.env), loaded };
  } catch (error) {
    // A problem with a setting the file gave names the file's key (and the variable).
    const variable = error instanceof ConfigError ? /^([A-Z0-9_]+): /.exec(error.message)?.[1] : undefined;
    const setting = variable && loaded.sources[variable] === 'file' ? schemaSettings().find((s) => s.env === variable) : undefined;
    if (setting && loaded.file)
      throw new ConfigFileError([
        `${fileLabel(loaded.file)}: ${setting.path.join('.')} (${variable}): ${(error as Error).message.slice(variable!.length + 2)}`,
      ]);
    throw error;
  }
}
