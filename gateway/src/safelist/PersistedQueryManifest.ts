/**
 * The persisted-operation manifest the safelist enforces (schema/persisted-operations.json,
 * written by `npm run codegen`), in Apollo's format: { format:
 * "apollo-persisted-query-manifest", version: 1, operations: [{ id, name, type, body }] }.
 *
 * Read and validated once at start (a missing or invalid file stops start-up with a
 * message naming the file and the problem), then watched like the supergraph
 * (supergraph/SupergraphManager.ts: fs.watch on the directory, a debounce, the content
 * compared with what is served): a newly generated manifest is enforced without a
 * restart, and one that is unreadable or invalid is logged and the previous one kept.
 *
 * A document sent instead of an id matches an operation when it is the same document:
 * compared after normalisation as Apollo Router does for its safelist (parsed, its
 * operations then its fragments sorted by name, printed), so whitespace, commas,
 * comments and the order of definitions do not matter, while any change to what is
 * selected (another field, another order of fields, another argument) does. A document
 * that does not parse matches only character for character.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Kind, parse, print, type DefinitionNode, type DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import { watchFile, type FileWatch } from '../../../lib/watchFile.js';

export class SafelistManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafelistManifestError';
  }
}

export interface PersistedOperation {
  id: string;
  name: string;
  type: string;
  body: string;
}

interface Index {
  text: string;
  byId: Map<string, PersistedOperation>;
  /** Every operation's body as written. */
  bodies: Set<string>;
  /** The same, normalised (normalizeDocument). */
  normalizedBodies: Set<string>;
  /** Every operation's name. */
  names: Set<string>;
}

const nameOf = (definition: DefinitionNode): string =>
  (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) && definition.name ? definition.name.value : '';
const byName = (a: DefinitionNode, b: DefinitionNode): number => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);

/**
 * A document in one canonical text, or undefined when it does not parse: its operations
 * sorted by name, then its fragments sorted by name, printed by graphql-js (which drops
 * comments and insignificant whitespace and commas). Apollo Router's safelist does the same.
 */
export function normalizeDocument(text: string): string | undefined {
  let document: DocumentNode;
  try {
    document = parse(text, { noLocation: true });
  } catch {
    return undefined;
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).sort(byName);
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).sort(byName);
  return print({ kind: Kind.DOCUMENT, definitions: [...operations, ...fragments] });
}

/** Parses and validates manifest text; `path` only names the file in errors. */
export function parseManifest(text: string, path: string): Index {
  const fail = (problem: string): never => {
    throw new SafelistManifestError(`persisted-operation manifest ${path} ${problem}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`is not JSON (${(error as Error).message}); run \`npm run codegen\``);
  }
  const manifest = json as { format?: unknown; version?: unknown; operations?: unknown };
  if (manifest?.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1) {
    fail(`is not an apollo-persisted-query-manifest of version 1 (format ${JSON.stringify(manifest?.format)}, version ${JSON.stringify(manifest?.version)})`);
  }
  if (!Array.isArray(manifest.operations)) return fail('has no operations array');
  const byId = new Map<string, PersistedOperation>();
  const bodies = new Set<string>();
  const normalizedBodies = new Set<string>();
  const names = new Set<string>();
  manifest.operations.forEach((entry: unknown, i: number) => {
    const op = entry as Partial<PersistedOperation>;
    if (typeof op?.id !== 'string' || op.id === '' || typeof op.body !== 'string' || op.body === '') {
      fail(`has an operation without a string id and body (operations[${i}])`);
    }
    byId.set(op.id!, { id: op.id!, name: String(op.name ?? ''), type: String(op.type ?? ''), body: op.body! });
    bodies.add(op.body!);
    if (typeof op.name === 'string' && op.name !== '') names.add(op.name);
    const normalized = normalizeDocument(op.body!);
    if (normalized !== undefined) normalizedBodies.add(normalized);
  });
  return { text, byId, bodies, normalizedBodies, names };
}

export interface PersistedQueryManifestOptions {
  path: string;
  logger: Logger;
  /** Watch the file and apply changes. Default true. */
  watch?: boolean;
  /** Quiet time after the last file event before the file is read again, in ms. Default 100. */
  debounceMs?: number;
}

export class PersistedQueryManifest {
  private index: Index;
  private watching: FileWatch | undefined;

  /** Reads and validates the file; throws SafelistManifestError when it is unusable. */
  constructor(private readonly options: PersistedQueryManifestOptions) {
    let text: string;
    try {
      text = readFileSync(options.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new SafelistManifestError(
        `persisted-operation manifest ${options.path} ${code === 'ENOENT' ? 'does not exist; run `npm run codegen`' : `cannot be read (${code})`}`,
      );
    }
    this.index = parseManifest(text, options.path);
    if (options.watch ?? true) this.startWatching();
  }

  /** How many operations are allowed. */
  get size(): number {
    return this.index.byId.size;
  }

  /** The operation with this id, if the manifest has it. */
  byId(id: string): PersistedOperation | undefined {
    return this.index.byId.get(id);
  }

  /** True when `document` is the body of a manifest operation: as written, or once normalised (normalizeDocument). */
  hasBody(document: string): boolean {
    if (this.index.bodies.has(document)) return true;
    const normalized = normalizeDocument(document);
    return normalized !== undefined && this.index.normalizedBodies.has(normalized);
  }

  /** True when a manifest operation has this name. */
  hasOperationName(name: string): boolean {
    return this.index.names.has(name);
  }

  private startWatching(): void {
    this.watching = watchFile(this.options.path, {
      ...(this.options.debounceMs !== undefined ? { debounceMs: this.options.debounceMs } : {}),
      onChange: () => this.reload(),
      onError: (error) =>
        this.options.logger.error({ err: error, path: this.options.path }, 'safelist manifest watch failed; changes to the file will not be enforced'),
    });
  }

  private async reload(): Promise<void> {
    const { path, logger } = this.options;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      logger.warn({ path, code: (error as NodeJS.ErrnoException).code }, 'safelist manifest unreadable; still enforcing the previous one');
      return;
    }
    if (text === this.index.text) return;
    try {
      this.index = parseManifest(text, path);
    } catch (error) {
      logger.error({ path, problem: (error as Error).message }, 'safelist manifest changed but is invalid; still enforcing the previous one');
      return;
    }
    logger.info({ path, operations: this.index.byId.size }, 'safelist manifest reloaded');
  }

  async close(): Promise<void> {
    const watching = this.watching;
    this.watching = undefined;
    await watching?.close();
  }
}
