/**
 * Authorization of one operation, before it is planned (Apollo Router's approach to
 * @authenticated and @requiresScopes): every field the caller may not see is removed
 * from the document, so no subgraph is ever asked for it; after execution each removed
 * field is put back as null, with an error at its path, and the rest of the answer is
 * whatever the allowed fields gave. The schema keeps the fields that are refused in
 * practice nullable.
 *
 * Three steps, one module each under authorization/:
 * - plan.ts: which fields the caller may not see, and where each refusal's error and
 *   null go (and whether null reaches the root, so that nothing runs);
 * - rewrite.ts: the document without those fields, under a query hash of its own;
 * - apply.ts: the executed answer with the refused fields put back.
 */
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { AppliedPlan } from './authorization/apply.js';
import { planAuthorization, selectOperation, type PlanInput } from './authorization/plan.js';
import { rewriteOperation } from './authorization/rewrite.js';

export { applyAuthorization, type AuthorizedResult } from './authorization/apply.js';
export { CUSTOMER_ARGUMENTS } from './authorization/plan.js';
export { PLACEHOLDER_ALIAS, TYPENAME_ALIAS } from './authorization/rewrite.js';
export type { DenialCode } from '../../../lib/auth/policy.js';

export interface AuthorizationPlan extends AppliedPlan {
  /** The document without the refused fields. */
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** A plan-cache key of its own: a filtered document must never share a plan with the full one. */
  queryHash: string;
}

export interface AuthorizeInput extends PlanInput {
  queryHash: string;
}

/** The plan for an operation and a caller, or undefined when the caller may see every field it asks for. */
export function authorizeOperation(input: AuthorizeInput): AuthorizationPlan | undefined {
  const refusals = planAuthorization(input);
  if (!refusals) return undefined;
  const rewritten = rewriteOperation(input.document, refusals, input.queryHash);
  return {
    document: rewritten.document,
    operation: selectOperation(rewritten.document, input.operationName) ?? refusals.operation,
    queryHash: rewritten.queryHash,
    skipExecution: refusals.removals.some((r) => r.nullDepth < 0),
    removals: refusals.removals,
    placeholders: rewritten.placeholders,
  };
}
