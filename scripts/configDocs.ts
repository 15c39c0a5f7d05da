/**
 * `npm run config:docs`: writes the gateway's settings reference (docs/configuration.md)
 * and .env.example from the one description of its settings, gateway/config.schema.json,
 * so that neither can drift from what the gateway accepts.
 *
 *   npm run config:docs                    write both
 *   tsx scripts/configDocs.ts --check      exit 1 if either is stale (npm run check:generated)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readConfigSchema, schemaSettings, type SchemaSetting } from '../gateway/src/configFile.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CONFIG_DOCS_FILE = `${ROOT}docs/configuration.md`;
export const ENV_EXAMPLE_FILE = `${ROOT}.env.example`;

const HEADER = 'Generated from gateway/config.schema.json by `npm run config:docs`; do not edit by hand.';

interface GroupNode {
  description?: string;
  properties?: Record<string, GroupNode>;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) && Math.abs(value) >= 10_000 ? value.toLocaleString('en-US') : String(value);
}

function defaultText(setting: SchemaSetting): string {
  if (setting.default === undefined) return '';
  if (setting.type === 'boolean') return setting.default ? 'on' : 'off';
  if (typeof setting.default === 'number') return String(setting.default);
  return String(setting.default);
}

function allowed(setting: SchemaSetting): string {
  if (setting.enum) return setting.enum.join(' | ');
  if (setting.type === 'boolean') return 'on/off (file: true/false)';
  if (setting.type === 'integer' || setting.type === 'number') {
    const kind = setting.type === 'integer' ? 'whole number' : 'number';
    return `${kind}, ${formatNumber(setting.minimum ?? -Infinity)} to ${formatNumber(setting.maximum ?? Infinity)}`;
  }
  if (setting.type === 'array') return 'list (variable: comma-separated)';
  return setting.minLength ? `string, at least ${setting.minLength} characters` : 'string';
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function configurationMarkdown(): string {
  const schema = readConfigSchema() as GroupNode;
  const settings = schemaSettings();
  const lines = [
    '# Gateway configuration',
    '',
    `<!-- ${HEADER} -->`,
    '',
    'The gateway reads its settings from a file, `graph360.config.yaml` (or `.json`; `graph360 gateway --config <file>`,',
    'or `GRAPH360_CONFIG=<file>`), and from environment variables, which win over the file. Both are checked at start',
    'against [`gateway/config.schema.json`](../gateway/config.schema.json); each problem is one line naming the key or the',
    'variable (`graph360.config.yaml: limits.maxDepth: must be >= 1`). `graph360 config check` checks them without',
    'starting, and prints the configuration the gateway would run with (secrets redacted). Relative paths in the file',
    'are relative to its folder. Secrets (marked 🔒) are better given as variables than written in a file.',
    '',
    '```yaml',
    '# graph360.config.yaml',
    'server:',
    '  port: 4000',
    'supergraph:',
    '  path: schema/supergraph.graphql',
    'limits:',
    '  maxDepth: 15',
    'rateLimit:',
    '  enabled: true',
    '```',
    '',
  ];
  for (const [group, node] of Object.entries(schema.properties ?? {})) {
    const inGroup = settings.filter((s) => s.path[0] === group);
    if (inGroup.length === 0) continue;
    lines.push(`## ${group}`, '', node.description ?? '', '', '| key | variable | default | values | description |', '| --- | --- | --- | --- | --- |');
    for (const setting of inGroup) {
      const defaultValue = defaultText(setting);
      lines.push(
        `| \`${setting.path.join('.')}\` | \`${setting.env}\`${setting.secret ? ' 🔒' : ''} | ${defaultValue ? `\`${cell(defaultValue)}\`` : setting.required ? '**required**' : ''} | ${cell(allowed(setting))} | ${cell(setting.description)} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export function envExample(): string {
  const lines = [
    `# The gateway's environment variables. ${HEADER}`,
    '# Each one overrides the same setting of graph360.config.yaml (docs/configuration.md). Unset: the default shown.',
    '',
  ];
  let group = '';
  for (const setting of schemaSettings()) {
    if (setting.path[0] !== group) {
      group = setting.path[0]!;
      if (lines[lines.length - 1] !== '') lines.push('');
      lines.push(`# --- ${group} ---`);
    }
    lines.push(`# ${setting.description}${setting.required ? ' (required)' : ''}${setting.secret ? ' (secret)' : ''}`);
    lines.push(`# ${setting.env}=${setting.secret ? '' : defaultText(setting)}`);
  }
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const check = process.argv.includes('--check');
  const outputs: Array<[string, string]> = [
    [CONFIG_DOCS_FILE, configurationMarkdown()],
    [ENV_EXAMPLE_FILE, envExample()],
  ];
  let stale = false;
  for (const [file, content] of outputs) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (check) {
      if (current !== content) {
        console.error(`${file.slice(ROOT.length)} is stale: run \`npm run config:docs\` and commit it.`);
        stale = true;
      }
    } else if (current !== content) {
      writeFileSync(file, content);
      console.log(`Wrote ${file.slice(ROOT.length)}`);
    }
  }
  if (stale) process.exit(1);
  if (check) console.log('docs/configuration.md and .env.example are up to date.');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
