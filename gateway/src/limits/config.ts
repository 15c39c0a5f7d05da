/** The operation limits' settings, read from the environment (gateway/src/config.ts calls this). */
import { envNumber, type Env } from '../../../lib/env.js';
import { DEFAULT_MAX_JSON_DEPTH } from '../../../lib/http.js';

export interface OperationLimits {
  /** Deepest field nesting (LIMIT_MAX_DEPTH). Default 15. */
  maxDepth: number;
  /** Aliases in a document (LIMIT_MAX_ALIASES). Default 30. */
  maxAliases: number;
  /** Fields at the root of an operation (LIMIT_MAX_ROOT_FIELDS). Default 20. */
  maxRootFields: number;
  /**
   * Lexical tokens in a query (LIMIT_MAX_TOKENS). Default 5,000: the largest client
   * operation has a few hundred, and graphql-js's validation, superlinear in the number
   * of fields, stays around 40 ms for the worst 5,000-token document (350 ms at Apollo
   * Router's 15,000).
   */
  maxTokens: number;
  /** Largest estimated cost of one operation (LIMIT_MAX_COST). Default 25,000: the customer-360 query for 100 customers costs 22,601. */
  maxCost: number;
  /** Size assumed for a list without first/last/limit or @listSize (LIMIT_DEFAULT_LIST_SIZE). Default 10. */
  defaultListSize: number;
  /**
   * Operations in one HTTP batch (LIMIT_MAX_BATCH_SIZE). Default 10, as Apollo Router's and
   * Hive Gateway's examples: each operation is planned and run, so a batch of 1,000 is a
   * thousand requests in one.
   */
  maxBatchSize: number;
  /**
   * Deepest nesting of arrays and objects in a request's JSON: a POST body, a GET's
   * `variables` and `extensions` (LIMIT_MAX_JSON_DEPTH). Default 128 (lib/http.ts).
   */
  maxJsonDepth: number;
  /**
   * Longest operation name, in the request's `operationName` or in the document
   * (LIMIT_MAX_OPERATION_NAME_LENGTH). Default 128: the clients' longest is under 30, and
   * a name is logged and counted in /metrics with every operation.
   */
  maxOperationNameLength: number;
}

export function readOperationLimits(env: Env): OperationLimits {
  return {
    maxDepth: envNumber(env, 'LIMIT_MAX_DEPTH', 15, { min: 1, max: 1000, integer: true }),
    maxAliases: envNumber(env, 'LIMIT_MAX_ALIASES', 30, { min: 0, max: 100_000, integer: true }),
    maxRootFields: envNumber(env, 'LIMIT_MAX_ROOT_FIELDS', 20, { min: 1, max: 100_000, integer: true }),
    maxTokens: envNumber(env, 'LIMIT_MAX_TOKENS', 5000, { min: 10, max: 1_000_000, integer: true }),
    maxCost: envNumber(env, 'LIMIT_MAX_COST', 25_000, { min: 1, max: 1e12, integer: true }),
    defaultListSize: envNumber(env, 'LIMIT_DEFAULT_LIST_SIZE', 10, { min: 0, max: 1_000_000, integer: true }),
    maxBatchSize: envNumber(env, 'LIMIT_MAX_BATCH_SIZE', 10, { min: 1, max: 1000, integer: true }),
    // At least a batch, an operation, its variables and an input object; at most what the code after JSON.parse recurses through safely.
    maxJsonDepth: envNumber(env, 'LIMIT_MAX_JSON_DEPTH', DEFAULT_MAX_JSON_DEPTH, { min: 4, max: 1000, integer: true }),
    maxOperationNameLength: envNumber(env, 'LIMIT_MAX_OPERATION_NAME_LENGTH', 128, { min: 1, max: 10_000, integer: true }),
  };
}
