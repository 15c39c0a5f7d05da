/**
 * Reading @defer answers in tests: a `multipart/mixed; deferSpec=20220824` body part by
 * part, and the parts merged into the one result a client ends up with.
 */

export interface DeferPart {
  hasNext: boolean;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  incremental?: Array<{ data: Record<string, unknown> | null; path: Array<string | number>; label?: string; errors?: DeferPart['errors'] }>;
  extensions?: Record<string, unknown>;
}

/** Reads a multipart/mixed body (boundary "-") part by part, calling `onPart` as each one arrives. */
export async function readParts(response: Response, onPart: (part: DeferPart, index: number) => Promise<void> | void = () => undefined): Promise<DeferPart[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const parts: DeferPart[] = [];
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    // A part is complete once the next delimiter follows its JSON.
    for (;;) {
      const start = buffer.indexOf('\r\n\r\n{');
      const end = start < 0 ? -1 : buffer.indexOf('\r\n---', start);
      if (start < 0 || end < 0) break;
      const part = JSON.parse(buffer.slice(start + 4, end)) as DeferPart;
      parts.push(part);
      buffer = buffer.slice(end + 5);
      await onPart(part, parts.length - 1);
    }
    if (done) return parts;
  }
}

function mergeObject(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing && value && typeof existing === 'object' && typeof value === 'object' && !Array.isArray(value))
      mergeObject(existing as Record<string, unknown>, value as Record<string, unknown>);
    else target[key] = value;
  }
}

/** The primary part's data with every incremental item's data merged in at its path. */
export function mergeParts(parts: DeferPart[]): Record<string, unknown> | null | undefined {
  const data = structuredClone(parts[0]?.data);
  if (!data) return data;
  for (const item of parts.slice(1).flatMap((part) => part.incremental ?? [])) {
    let target: unknown = data;
    for (const key of item.path) target = (target as Record<string | number, unknown>)[key];
    if (item.data && target && typeof target === 'object') mergeObject(target as Record<string, unknown>, item.data);
  }
  return data;
}
