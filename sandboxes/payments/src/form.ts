/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` bodies (and query
 * strings) whose keys carry nesting in brackets, as stripe-node and `curl -d` send it:
 * `metadata[crm_company_id]=1`, `expand[]=latest_charge`, `expand[0]=customer`,
 * `automatic_payment_methods[enabled]=true`.
 *
 * Lists are kept as objects keyed by position ('0', '1', ...): a metadata hash may have
 * numeric keys too, and only the parameter's definition knows which one it is.
 */
import { invalidRequest } from './errors.js';

export type FormValue = string | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Splits `a[b][]` into ['a', 'b', ''], or returns null when the brackets do not balance. */
function keyPath(key: string): string[] | null {
  const open = key.indexOf('[');
  if (open === -1) return [key];
  const path = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.length > 0) {
    const match = /^\[([^[\]]*)\]/.exec(rest);
    if (!match) return null;
    path.push(match[1]!);
    rest = rest.slice(match[0].length);
  }
  return path;
}

function assign(target: FormObject, path: string[], value: string, fullKey: string): void {
  let node = target;
  for (let i = 0; i < path.length; i++) {
    let segment = path[i]!;
    // `a[]=x` appends: it takes the next free position.
    if (segment === '' && i > 0) segment = String(Object.keys(node).length);
    const last = i === path.length - 1;
    if (last) {
      if (typeof node[segment] === 'object') {
        throw invalidRequest(`Invalid hash: ${fullKey} is given both as a hash and as a value.`, { param: path[0] });
      }
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (next === undefined) {
      // No prototype: a key such as `__proto__` must stay a plain key.
      const child = Object.create(null) as FormObject;
      node[segment] = child;
      node = child;
    } else if (typeof next === 'string') {
      throw invalidRequest(`Invalid hash: ${fullKey} is given both as a hash and as a value.`, { param: path[0] });
    } else {
      node = next;
    }
  }
}

/** Parses a form-encoded body or query string into nested parameters. */
export function parseForm(input: string | URLSearchParams): FormObject {
  const pairs = typeof input === 'string' ? new URLSearchParams(input) : input;
  const out: FormObject = Object.create(null) as FormObject;
  for (const [key, value] of pairs) {
    if (key === '') continue;
    const path = keyPath(key);
    if (!path || path[0] === '') throw invalidRequest(`Invalid parameter name: ${key}`);
    assign(out, path, value, key);
  }
  return out;
}

/** A value read as a list: `a[]=x&a[]=y`, `a[0]=x&a[1]=y` or a single `a=x`. */
export function formList(value: FormValue | undefined): FormValue[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? [] : [value];
  return Object.keys(value)
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => value[key]!);
}

/** A stable text for comparing two requests' parameters (idempotency). */
export function canonicalForm(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalForm(value[key]!)}`).join(',')}}`;
}
