/**
 * Connection paging over a list already loaded in full (a customer's payments, found by
 * one batched search). The cursor is opaque: base64url of the last payment's id, the way
 * Stripe's own `starting_after` pages, so a new payment arriving at the top between two
 * pages shifts nothing.
 */
import { userError } from '../../kit/src/index.js';
import type { PaymentModel } from './models.js';

export const MAX_PAGE_SIZE = 100;
const CURSOR_PREFIX = 'payment:';

export function encodeCursor(paymentId: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${paymentId}`, 'utf8').toString('base64url');
}

/** The payment id a cursor names; BAD_USER_INPUT when it is not one of ours. */
export function decodeCursor(cursor: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : '';
  if (!/^pi_[A-Za-z0-9]+$/.test(id)) throw userError('BAD_USER_INPUT', `"${cursor}" is not a cursor from this list`, { argumentName: 'after' });
  return id;
}

/** `first` checked: 1 to 100. */
export function readFirst(first: number | null | undefined): number {
  const size = first ?? 10;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw userError('BAD_USER_INPUT', `first must be from 1 to ${MAX_PAGE_SIZE}, got ${size}`, { argumentName: 'first' });
  }
  return size;
}

export interface PaymentPage {
  edges: Array<{ cursor: string; node: PaymentModel }>;
  nodes: PaymentModel[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export function paginate(all: readonly PaymentModel[], first: number, afterId: string | null): PaymentPage {
  let start = 0;
  if (afterId !== null) {
    const index = all.findIndex((p) => p.id === afterId);
    if (index === -1) throw userError('BAD_USER_INPUT', 'the after cursor does not point into this list', { argumentName: 'after' });
    start = index + 1;
  }
  const nodes = all.slice(start, start + first);
  const last = nodes[nodes.length - 1];
  return {
    edges: nodes.map((node) => ({ cursor: encodeCursor(node.id), node })),
    nodes,
    pageInfo: { hasNextPage: start + first < all.length, endCursor: last ? encodeCursor(last.id) : null },
    totalCount: all.length,
  };
}
