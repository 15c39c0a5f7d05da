/**
 * Reading one endpoint's parameters the way Stripe validates them: unknown names are
 * refused (`parameter_unknown`), required ones must be there (`parameter_missing`), and a
 * bad value names the parameter it came from.
 */
import { formList, type FormObject, type FormValue } from './form.js';
import { invalidRequest, missingParam } from './errors.js';
import { readExpand } from './expand.js';

export type Metadata = Record<string, string>;

export class Params {
  constructor(
    readonly raw: FormObject,
    allowed: readonly string[],
  ) {
    for (const name of Object.keys(raw)) {
      if (!allowed.includes(name)) throw invalidRequest(`Received unknown parameter: ${name}`, { code: 'parameter_unknown', param: name });
    }
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  string(name: string, options: { required?: boolean; allowEmpty?: boolean } = {}): string | undefined {
    const value = this.raw[name];
    if (value === undefined) {
      if (options.required) throw missingParam(name);
      return undefined;
    }
    if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${name} must be a string, not a hash.`, { param: name });
    if (value === '' && options.required) {
      throw invalidRequest(
        `You passed an empty string for '${name}'. We assume empty values are an attempt to unset a parameter; however '${name}' cannot be unset. You should remove '${name}' from your request or supply a non-empty value.`,
        { code: 'parameter_invalid_empty', param: name },
      );
    }
    return value;
  }

  /** A string that may be '' to unset the field (Stripe's convention): '' becomes null. */
  nullableString(name: string): string | null | undefined {
    const value = this.string(name);
    return value === '' ? null : value;
  }

  integer(name: string, options: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const text = this.string(name, { required: options.required });
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      throw invalidRequest(`Invalid integer: ${text}`, { code: 'parameter_invalid_integer', param: name });
    }
    const value = Number(text);
    if (options.min !== undefined && value < options.min) {
      throw invalidRequest(`This value must be greater than or equal to ${options.min}.`, { code: 'parameter_invalid_integer', param: name });
    }
    if (options.max !== undefined && value > options.max) {
      throw invalidRequest(`This value must be less than or equal to ${options.max}.`, { code: 'parameter_invalid_integer', param: name });
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw invalidRequest(`Invalid boolean: ${text}`, { param: name });
  }

  oneOf<T extends string>(name: string, values: readonly T[], options: { required?: boolean } = {}): T | undefined {
    const text = this.string(name, options);
    if (text === undefined) return undefined;
    if (!(values as readonly string[]).includes(text)) {
      throw invalidRequest(`Invalid ${name}: must be one of ${values.join(', ')}`, { param: name });
    }
    return text as T;
  }

  hash(name: string, allowed: readonly string[]): Params | undefined {
    const value = this.raw[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string') throw invalidRequest(`Invalid object: ${name} must be a hash.`, { param: name });
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        throw invalidRequest(`Received unknown parameter: ${name}[${key}]`, { code: 'parameter_unknown', param: `${name}[${key}]` });
      }
    }
    return new Params(value, allowed);
  }

  stringList(name: string): string[] | undefined {
    const list = formList(this.raw[name]);
    if (list === undefined) return undefined;
    return list.map((item, i) => {
      if (typeof item !== 'string') throw invalidRequest(`Invalid array: ${name}[${i}] must be a string.`, { param: name });
      return item;
    });
  }

  /** Paths to expand (`expand[]=latest_charge`), checked as in readExpand. */
  expand(): string[] {
    return readExpand(this.raw);
  }

  /**
   * Metadata changes: key → value to set, or null to remove (`metadata[key]=`); `metadata=`
   * alone clears every key (returned as 'clear'). Limits are Stripe's: 50 keys, key up to
   * 40 characters, value up to 500.
   */
  metadata(): Record<string, string | null> | 'clear' | undefined {
    const value: FormValue | undefined = this.raw.metadata;
    if (value === undefined) return undefined;
    if (typeof value === 'string') {
      if (value === '') return 'clear';
      throw invalidRequest('Invalid object', { param: 'metadata' });
    }
    const out: Record<string, string | null> = {};
    const keys = Object.keys(value);
    if (keys.length > 50) throw invalidRequest('Invalid metadata: metadata cannot have more than 50 keys', { param: 'metadata' });
    for (const key of keys) {
      const v = value[key];
      if (typeof v !== 'string') throw invalidRequest(`Invalid metadata: metadata[${key}] must be a string`, { param: `metadata[${key}]` });
      if (key.length > 40) throw invalidRequest('Invalid metadata: keys can be at most 40 characters long', { param: `metadata[${key}]` });
      if (v.length > 500) throw invalidRequest('Invalid metadata: values can be at most 500 characters long', { param: `metadata[${key}]` });
      out[key] = v === '' ? null : v;
    }
    return out;
  }
}

/** Applies metadata changes read by Params.metadata() to the current metadata. */
export function applyMetadata(current: Metadata, change: ReturnType<Params['metadata']>): Metadata {
  if (change === undefined) return current;
  if (change === 'clear') return {};
  const next: Metadata = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > 50) throw invalidRequest('Invalid metadata: metadata cannot have more than 50 keys', { param: 'metadata' });
  return next;
}
