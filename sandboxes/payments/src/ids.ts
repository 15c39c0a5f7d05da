/**
 * Stripe-looking identifiers: a type prefix, an underscore and 24 base-62 characters
 * (`pi_3MtwBwLkdIwHu7ix28a3tqPa`). New objects get random ones; seeded objects derive
 * theirs from the seed world so that every machine sees the same ids.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i % bytes.length]! % 62];
  return out;
}

export function newId(prefix: string, length = 24): string {
  return `${prefix}_${base62(randomBytes(length), length)}`;
}

/** The same input always gives the same id: for objects derived from seed data. */
export function derivedId(prefix: string, from: string, length = 24): string {
  return `${prefix}_${base62(createHash('sha256').update(from).digest(), length)}`;
}

export function newRequestId(): string {
  return newId('req', 14);
}

/** The part of an id after its prefix, e.g. to give a payment intent's first charge a matching id. */
export function idSuffix(id: string): string {
  return id.slice(id.indexOf('_') + 1);
}
