/**
 * The scopes of the graph: the one list of what a caller's `scope` may grant and the
 * subgraph schemas' @requiresScopes ask for. Development tokens, test tokens and the
 * gateway's own checks take it from here.
 */
export const SCOPES = ['invoices:read', 'payments:read', 'customers:write', 'orders:write', 'payments:write'] as const;

export type Scope = (typeof SCOPES)[number];

/**
 * The gateway's own scope, not the graph's: lets a caller ask for internals that
 * production keeps to itself (`x-graph360-debug: cache-status`). No schema names it.
 */
export const DEBUG_SCOPE = 'gateway:debug';
