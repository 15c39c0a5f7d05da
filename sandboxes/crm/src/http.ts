/**
 * Request reading helpers: JSON bodies with HubSpot's parser errors, and query parameters
 * that HubSpot accepts either repeated (`properties=a&properties=b`) or comma-separated.
 */
import type { SandboxResponse } from '../../kit/src/index.js';
import { invalidJson } from './errors.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: SandboxResponse };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return [line, offset - before.lastIndexOf('\n')];
}

/** Offset of the first `char` outside a string literal, where V8's message names no position. */
function offsetOf(text: string, char: string): number {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === char) return i;
  }
  return 0;
}

/**
 * Parses a JSON body. A bad one gets HubSpot's 400 with a Jackson-style reason and the
 * position of the fault, because that is what a developer debugging a client looks for.
 */
export function parseJsonBody(body: Buffer): Parsed<unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') {
    return { ok: false, response: invalidJson(1, 1, 'No content to map due to end-of-input') };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    const token = /Unexpected token '(.)'/.exec(message);
    let offset = at ? Number(at[1]) : token ? offsetOf(text, token[1]!) : text.length;
    if (/end of JSON input/.test(message)) offset = text.length;
    const [line, column] = lineAndColumn(text, offset);
    const char = text[offset];
    const reason =
      char === undefined
        ? 'Unexpected end-of-input'
        : `Unexpected character ('${char}' (code ${char.charCodeAt(0)})): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`;
    return { ok: false, response: invalidJson(line, column, reason) };
  }
}

/** Values of a list query parameter, repeated or comma-separated; null when absent. */
export function queryList(query: URLSearchParams, name: string): string[] | null {
  const raw = query.getAll(name);
  if (raw.length === 0) return null;
  return raw
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
}
