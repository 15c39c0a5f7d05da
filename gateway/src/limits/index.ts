/**
 * Limits on what one request may ask, checked before any planning or subgraph call, so
 * that no single request can cost the backends more than the limits allow:
 *
 * | when                                                 | check                                                         | code                         |
 * |------------------------------------------------------|---------------------------------------------------------------|------------------------------|
 * | reading the body (lib/http.ts readGraphQLRequest)    | JSON nesting (LIMIT_MAX_JSON_DEPTH)                           | JSON_NESTING_TOO_DEEP        |
 * | before parsing (the step's `http` stage)             | operations in a batch (LIMIT_MAX_BATCH_SIZE)                  | BATCH_LIMIT_EXCEEDED         |
 * |                                                      | operation name length, `operationName` and in the document (LIMIT_MAX_OPERATION_NAME_LENGTH) | OPERATION_NAME_TOO_LONG |
 * |                                                      | tokens (LIMIT_MAX_TOKENS)                                     | MAX_TOKENS_LIMIT             |
 * |                                                      | bracket nesting, 2 x depth + 10                               | MAX_DEPTH_LIMIT              |
 * | once the operation is resolved (its `admit` stage)   | field depth (LIMIT_MAX_DEPTH)                                 | MAX_DEPTH_LIMIT              |
 * |                                                      | aliases (LIMIT_MAX_ALIASES)                                   | MAX_ALIASES_LIMIT            |
 * |                                                      | root fields (LIMIT_MAX_ROOT_FIELDS)                           | MAX_ROOT_FIELDS_LIMIT        |
 * |                                                      | estimated cost with the request's variables (LIMIT_MAX_COST) | COST_ESTIMATED_TOO_EXPENSIVE |
 *
 * Every violation is an HTTP 400 whose error carries the code, the limit and what was
 * measured. The codes are Apollo Router's (its `limits` and demand-control features),
 * with MAX_TOKENS_LIMIT, BATCH_LIMIT_EXCEEDED and JSON_NESTING_TOO_DEEP in their style,
 * so a client sees the same codes whichever Apollo gateway serves it.
 * OPERATION_NAME_TOO_LONG is the gateway's own: an operation name is one token, so a
 * 500 KB name passes every other limit, and each name is kept in logs and metrics.
 *
 * Where: Apollo Server turns an error thrown by a plugin before didResolveOperation
 * into a 500, and rewrites the code of every validation rule's error to
 * GRAPHQL_VALIDATION_FAILED; so the lexical checks run on the request body before Apollo
 * Server sees it (the `http` stage, pipeline/GatewayStep.ts), which keeps the
 * parser's work bounded (graphql-js's parser recurses once per bracket, and its
 * validation is superlinear in the number of fields: about 350 ms for 5,000 aliases, 40
 * ms for the 1,600 that fit in the default 5,000 tokens), and the checks on the parsed
 * document run at admission (didResolveOperation, the hook meant for refusing an
 * operation), which hands the accepted cost on to the rate limiter (OperationFacts).
 * Planning happens after it, in execution. A document's shape is measured once (the document cache
 * hands back the same object), its cost once per set of variables, and the measures before
 * parsing once per query text (a bounded memo each).
 *
 * Why not @escape.tech/graphql-armor: its depth, alias and cost checks are validation
 * rules, so in Apollo Server their errors carry GRAPHQL_VALIDATION_FAILED and a client
 * cannot tell a limit from a typo; they run alongside graphql-js's own (superlinear)
 * rules rather than before them; and its cost is a weight per field, not a cost from
 * list sizes (first/limit, @listSize). Its max-tokens plugin is graphql-js's `maxTokens`
 * parse option, which the gateway sets too, as a backstop (a GRAPHQL_PARSE_FAILED).
 */
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Logger } from 'pino';
import { BoundedMap } from '../../../lib/BoundedMap.js';
import { boundedMemo } from '../../../lib/boundedMemo.js';
import { estimateCost, listSizesFromSupergraph, type ListSizes } from './cost.js';
import type { OperationLimits } from './config.js';
import { measureDocument, measureSource, type DocumentMeasure } from './measure.js';
import type { HttpRejection, RawGraphQLRequest } from '../../../lib/http.js';
import type { GatewayContext } from '../pipeline/GatewayContext.js';
import type { GatewayStep, OperationContext } from '../pipeline/GatewayStep.js';

export { readOperationLimits, type OperationLimits } from './config.js';

export { estimateCost, listSizesFromSupergraph } from './cost.js';
export { measureDocument, measureSource } from './measure.js';

export const LIMIT_CODES = {
  depth: 'MAX_DEPTH_LIMIT',
  aliases: 'MAX_ALIASES_LIMIT',
  rootFields: 'MAX_ROOT_FIELDS_LIMIT',
  tokens: 'MAX_TOKENS_LIMIT',
  cost: 'COST_ESTIMATED_TOO_EXPENSIVE',
  batch: 'BATCH_LIMIT_EXCEEDED',
  operationName: 'OPERATION_NAME_TOO_LONG',
} as const;

/** A limit error: HTTP 400 with a code, the limit and the measure. */
export function limitError(code: string, message: string, facts: Record<string, number>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...facts, http: { status: 400 } } });
}

/** Bracket nesting allowed before parsing, from the field depth limit (arguments and lists nest too). */
export function maxNestingFor(maxDepth: number): number {
  return 2 * maxDepth + 10;
}

export interface LimitsStepOptions {
  limits: OperationLimits;
  /** The gateway's logger (for refusals before Apollo Server has a request context). */
  logger: Logger;
  /** The request's logger. */
  loggerFor(context: GatewayContext): Logger;
}

/**
 * The limits step: `http` checks before parsing (batch size, then each query's tokens and
 * nesting; a refusal is logged with the request id), `admit` the parsed operation's
 * shape and cost (sets `facts.cost`), and its plugin reads @listSize from each supergraph.
 */
export function limitsStep(options: LimitsStepOptions): GatewayStep {
  const { limits, loggerFor } = options;
  const maxNesting = maxNestingFor(limits.maxDepth);
  let listSizes: ListSizes = new Map();
  const shapes = new WeakMap<DocumentNode, DocumentMeasure>();
  // Costs already estimated, per document (one object per query text, from Apollo Server's
  // document cache), by operation name and variables; valid for one schema and one set of
  // @listSize sizes. A few per document, for small variables only.
  const costs = new WeakMap<DocumentNode, { schema: GraphQLSchema; listSizes: ListSizes; byRequest: BoundedMap<number> }>();
  const costOf = (context: OperationContext, document: DocumentNode, operation: OperationDefinitionNode): number => {
    const estimate = (): number =>
      estimateCost({ schema: context.schema, document, operation, variables: context.request.variables, listSizes, defaultListSize: limits.defaultListSize });
    const key = `${context.request.operationName ?? ''}\n${JSON.stringify(context.request.variables ?? {})}`;
    if (key.length > 4096) return estimate();
    let known = costs.get(document);
    if (!known || known.schema !== context.schema || known.listSizes !== listSizes) {
      known = { schema: context.schema, listSizes, byRequest: new BoundedMap(32) };
      costs.set(document, known);
    }
    let cost = known.byRequest.get(key);
    if (cost === undefined) {
      cost = estimate();
      known.byRequest.set(key, cost);
    }
    return cost;
  };

  const reject = (context: OperationContext, error: GraphQLError): never => {
    loggerFor(context.contextValue).warn(
      { code: error.extensions.code, limit: error.extensions.limit, measured: error.extensions.measured, operation: context.request.operationName ?? null },
      'operation over a limit refused',
    );
    throw error;
  };

  const nameTooLong = (length: number): HttpRejection => ({
    status: 400,
    code: LIMIT_CODES.operationName,
    message: `The operation name is longer than ${limits.maxOperationNameLength} characters.`,
    extensions: { limit: limits.maxOperationNameLength, measured: length },
  });

  // The same query texts come back request after request; their measures are pure functions of the text.
  const measured = boundedMemo((query) => measureSource(query, { maxTokens: limits.maxTokens, maxNesting }), { max: 1000, maxKeyLength: 16_384 });

  const inspectOperation = (query: unknown, operationName: unknown): HttpRejection | undefined => {
    if (typeof operationName === 'string' && operationName.length > limits.maxOperationNameLength) return nameTooLong(operationName.length);
    if (typeof query !== 'string') return undefined;
    const { tokens, nesting, operationName: longestName } = measured(query);
    if (longestName > limits.maxOperationNameLength) return nameTooLong(longestName);
    if (tokens > limits.maxTokens) {
      return {
        status: 400,
        code: LIMIT_CODES.tokens,
        message: `The query has more than ${limits.maxTokens} tokens.`,
        extensions: { limit: limits.maxTokens, measured: tokens },
      };
    }
    if (nesting > maxNesting) {
      return {
        status: 400,
        code: LIMIT_CODES.depth,
        message: `The query nests brackets more than ${maxNesting} levels deep (field depth limit ${limits.maxDepth}).`,
        extensions: { limit: maxNesting, measured: nesting, unit: 'brackets' },
      };
    }
    return undefined;
  };

  const inspectBatch = (request: RawGraphQLRequest): HttpRejection | undefined => {
    if (request.method !== 'POST' || !Array.isArray(request.body)) return undefined;
    const size = request.body.length;
    if (size === 0) return { status: 400, code: 'BAD_REQUEST', message: 'A batch must hold at least one operation.' };
    if (size > limits.maxBatchSize) {
      return {
        status: 400,
        code: LIMIT_CODES.batch,
        message: `The batch holds ${size} operations; the limit is ${limits.maxBatchSize}.`,
        extensions: { limit: limits.maxBatchSize, measured: size },
      };
    }
    return undefined;
  };

  const inspectRequest = (request: RawGraphQLRequest, requestId: string): HttpRejection | undefined => {
    const batch = inspectBatch(request);
    if (batch) {
      options.logger.warn({ requestId, code: batch.code, ...batch.extensions }, 'batch refused');
      return batch;
    }
    const operations: Array<{ query?: unknown; operationName?: unknown }> =
      request.method === 'GET'
        ? [{ query: request.search.get('query'), operationName: request.search.get('operationName') }]
        : (Array.isArray(request.body) ? request.body : [request.body]).map((op) =>
            typeof op === 'object' && op !== null ? (op as { query?: unknown; operationName?: unknown }) : {},
          );
    for (const { query, operationName } of operations) {
      const rejection = inspectOperation(query, operationName);
      if (rejection) {
        options.logger.warn({ requestId, code: rejection.code, ...rejection.extensions }, 'operation over a limit refused');
        return rejection;
      }
    }
    return undefined;
  };

  return {
    name: 'limits',
    http: ({ request, requestId }) => (request ? inspectRequest(request, requestId) : undefined),
    admit(context, facts) {
      if (!context.operation) {
        // @apollo/gateway would answer this with a 500 (INVALID_GRAPHQL): it is the client's mistake.
        const name = context.request.operationName;
        throw new GraphQLError(name ? `Unknown operation named "${name}".` : 'Must provide an operation name when the document holds several operations.', {
          extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
        });
      }
      const document = context.document!;
      let shape = shapes.get(document);
      if (!shape) {
        shape = measureDocument(document);
        shapes.set(document, shape);
      }
      if (shape.depth > limits.maxDepth) {
        reject(
          context,
          limitError(LIMIT_CODES.depth, `The query is ${shape.depth} fields deep; the limit is ${limits.maxDepth}.`, {
            limit: limits.maxDepth,
            measured: shape.depth,
          }),
        );
      }
      if (shape.aliases > limits.maxAliases) {
        reject(
          context,
          limitError(LIMIT_CODES.aliases, `The query uses ${shape.aliases} aliases; the limit is ${limits.maxAliases}.`, {
            limit: limits.maxAliases,
            measured: shape.aliases,
          }),
        );
      }
      if (shape.rootFields > limits.maxRootFields) {
        reject(
          context,
          limitError(LIMIT_CODES.rootFields, `The operation selects ${shape.rootFields} root fields; the limit is ${limits.maxRootFields}.`, {
            limit: limits.maxRootFields,
            measured: shape.rootFields,
          }),
        );
      }
      const cost = costOf(context, document, context.operation);
      if (cost > limits.maxCost) {
        reject(
          context,
          limitError(LIMIT_CODES.cost, `The operation's estimated cost is ${cost}; the limit is ${limits.maxCost}.`, { limit: limits.maxCost, measured: cost }),
        );
      }
      facts.cost = cost;
    },
    plugin: {
      async serverWillStart() {
        return {
          schemaDidLoadOrUpdate({ coreSupergraphSdl }) {
            // @listSize lives in the supergraph, not in the API schema that requests are validated against.
            if (coreSupergraphSdl) listSizes = listSizesFromSupergraph(coreSupergraphSdl);
          },
        };
      },
    },
  };
}
