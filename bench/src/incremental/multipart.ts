/**
 * One timed GraphQL POST over node:http (keep-alive): when the first part of an
 * incremental (multipart/mixed) answer was complete, when the whole answer was, and the
 * answer itself, its parts merged (deferSpec=20220824: `incremental: [{ data, path }]`)
 * so that it can be compared with the same query answered without @defer.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Part {
  hasNext?: boolean;
  data?: Record<string, unknown> | null;
  errors?: unknown[];
  incremental?: Array<{ data?: Record<string, unknown> | null; items?: unknown[]; path: Array<string | number>; label?: string; errors?: unknown[] }>;
}

export interface TimedAnswer {
  status: number;
  contentType: string;
  /** ms from sending until the first part was complete (multipart); undefined for a single JSON answer. */
  firstPartMs?: number;
  /** ms from sending until the last byte. */
  totalMs: number;
  /** The parts, in order (multipart), or the one JSON body. */
  parts: Part[];
  /** The answer's data with every part merged in, and every error of every part. */
  data: unknown;
  errors: unknown[];
}

export const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Parts of a multipart/mixed body so far: the complete ones and what is left. */
function takeParts(buffer: string, delimiter: string): { parts: Part[]; rest: string } {
  const parts: Part[] = [];
  for (;;) {
    const start = buffer.indexOf(delimiter);
    if (start < 0) break;
    const end = buffer.indexOf(delimiter, start + delimiter.length);
    if (end < 0) break;
    const segment = buffer.slice(start + delimiter.length, end);
    buffer = buffer.slice(end);
    const bodyAt = segment.indexOf('\r\n\r\n');
    const body = bodyAt < 0 ? '' : segment.slice(bodyAt + 4).trim();
    if (body === '' || body === '{}') continue; // a heartbeat
    parts.push(JSON.parse(body) as Part);
  }
  return { parts, rest: buffer };
}

function mergeAt(target: Record<string, unknown>, path: Array<string | number>, data: Record<string, unknown>): void {
  let node: unknown = target;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  deepMerge(node as Record<string, unknown>, data);
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing && value && typeof existing === 'object' && typeof value === 'object' && !Array.isArray(value))
      deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>);
    else if (Array.isArray(existing) && Array.isArray(value))
      value.forEach((v, i) =>
        existing[i] && typeof v === 'object' && v ? deepMerge(existing[i] as Record<string, unknown>, v as Record<string, unknown>) : (existing[i] = v),
      );
    else target[key] = value;
  }
}

/** The answer as one: the first part's data with each incremental part merged at its path. */
export function mergeParts(parts: Part[]): { data: unknown; errors: unknown[] } {
  const errors: unknown[] = [];
  const data = (parts[0]?.data ?? null) as Record<string, unknown> | null;
  for (const part of parts) {
    if (part.errors) errors.push(...part.errors);
    for (const item of part.incremental ?? []) {
      if (item.errors) errors.push(...item.errors);
      if (data && item.data) mergeAt(data, item.path, item.data);
    }
  }
  return { data, errors };
}

export function timedPost(url: string, body: string, headers: Record<string, string>, timeoutMs = 30_000): Promise<TimedAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }, timeout: timeoutMs },
      (response) => {
        const contentType = response.headers['content-type'] ?? '';
        const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
        const multipart = contentType.startsWith('multipart/') && boundary !== undefined;
        const delimiter = `\r\n--${boundary}`;
        // A leading CRLF, so that a body that opens with the delimiter is read the same way.
        let buffer = '\r\n';
        const parts: Part[] = [];
        let firstPartMs: number | undefined;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          if (!multipart) return;
          const taken = takeParts(buffer, delimiter);
          buffer = taken.rest;
          if (taken.parts.length > 0 && firstPartMs === undefined) firstPartMs = performance.now() - started;
          parts.push(...taken.parts);
        });
        response.on('end', () => {
          const totalMs = performance.now() - started;
          try {
            if (!multipart) {
              const json = JSON.parse(buffer) as Part;
              resolve({ status: response.statusCode ?? 0, contentType, totalMs, parts: [json], data: json.data ?? null, errors: json.errors ?? [] });
              return;
            }
            // The closing delimiter (`--<boundary>--`) ends the last part.
            const taken = takeParts(`${buffer}${delimiter}`, delimiter);
            parts.push(...taken.parts);
            if (firstPartMs === undefined && parts.length > 0) firstPartMs = totalMs;
            resolve({ status: response.statusCode ?? 0, contentType, firstPartMs, totalMs, parts, ...mergeParts(parts) });
          } catch (error) {
            reject(new Error(`unreadable answer (${contentType}): ${buffer.slice(0, 300)}`, { cause: error }));
          }
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
