/**
 * Inbound dedup at the HTTP layer: an HTTP request identical to a read operation already
 * admitted and in flight gets that operation's response, as it is sent, instead of going
 * through Apollo Server at all (no parsing, validation, admission, planning, execution
 * or serialisation of its own).
 *
 * Identical means the same POST body byte for byte (one operation, not a batch), the same
 * caller (auth/identity's identityKey, as for the executor-level sharing in index.ts;
 * all anonymous callers are one caller, since the subgraphs are told nothing about them)
 * and the same request headers that change a response: Accept (the media type) and
 * `x-graph360-deadline-ms`. The gateway forwards no other client header to the subgraphs.
 * Responses that report on their own execution are never shared this way: with
 * EXPOSE_CACHE_STATUS on (development's default) or a request for cache status
 * (`x-graph360-debug`), each request gets its own `extensions.cacheStatus`, and shares
 * at most the execution (index.ts), which reports what it shared.
 *
 * The first such request (the leader) runs the whole pipeline. It becomes joinable once
 * admitted (the `admit` stage of the step below: a query, within the limits, its cost
 * charged), so a request the leader's own budget or limits refused is never handed to
 * anyone. Everything a request must do on its own still happens before it joins, in
 * createGateway's handler: its request id, authentication, its own request budget and
 * the checks before parsing (the `http` stages); then, to join, its own client is charged
 * the leader's cost (the same document and variables cost the same), and a client whose
 * cost budget is short does not join but runs the pipeline, which refuses it as usual.
 *
 * A follower is counted when it joins (`gateway_inbound_dedup_total{outcome="response"}`).
 * What it gets: the leader's status, headers (its own request id aside) and body;
 * its own line in the operation log, with `sharedWith` naming the leader's request id (an
 * errorId in a shared answer is logged under that id), and its own count and latency in
 * the operation metrics. If the leader fails to answer, its followers run on their own.
 * An HTTP request that arrives before any identical one is admitted still runs the
 * pipeline, and may still share the execution at the executor (index.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import { DEADLINE_HEADER } from '../../../lib/deadlineHeader.js';
import type { RawGraphQLRequest, SentResponse } from '../../../lib/http.js';
import { endWithBody } from '../../../lib/responseBody.js';
import { traceLogFields } from '../../../lib/tracing.js';
import { identityKey, type AuthIdentity } from '../auth/identity.js';
import { DEBUG_HEADER } from '../cache/cacheStatusPlugin.js';
import type { GatewayMetrics } from '../metrics.js';
import type { GatewayContext } from '../pipeline/GatewayContext.js';
import type { GatewayStep } from '../pipeline/GatewayStep.js';
import { logOperation, summariseOperation, type OperationSummary } from '../plugins/operationLog/index.js';
import { REQUEST_ID_HEADER } from '../plugins/requestId/index.js';

interface InFlight {
  leaderRequestId: string;
  /** The cost charged to the leader, charged to each follower's client too. */
  cost: number;
  summary: OperationSummary | undefined;
  response: Promise<SentResponse | undefined>;
  settle(response: SentResponse | undefined): void;
}

export interface ResponseSharingOptions {
  /** Every response reports its own cache status (EXPOSE_CACHE_STATUS): nothing is shared here. */
  perRequestCacheStatus: boolean;
  /** Charges `cost` to the client of `context`; false when its budget is short (nothing is charged then). */
  chargeCost(context: GatewayContext, cost: number): Promise<boolean>;
  metrics: GatewayMetrics;
  /** The operation log (observability/logger.ts withoutRedactedPaths). */
  operationLog: Logger;
}

export class ResponseSharing {
  private readonly inflight = new Map<string, InFlight>();

  constructor(private readonly options: ResponseSharingOptions) {}

  /** The key of a request whose response may be shared, undefined for one that must run on its own. */
  keyOf(req: IncomingMessage, request: RawGraphQLRequest, body: Buffer, auth: AuthIdentity): string | undefined {
    if (this.options.perRequestCacheStatus || req.headers[DEBUG_HEADER] !== undefined) return undefined;
    if (request.method !== 'POST' || request.body === null || typeof request.body !== 'object' || Array.isArray(request.body)) return undefined;
    const header = (name: string): string => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : (value ?? '');
    };
    // Latin-1 reads every byte as one character: two keys are equal exactly when the bodies are.
    return `${identityKey(auth) ?? ''}\n${header('accept')}\n${header(DEADLINE_HEADER)}\n${body.toString('latin1')}`;
  }

  /**
   * Answers `res` with the response of the identical operation in flight, if there is one
   * and this client's cost budget allows; false when the request must run on its own.
   */
  async follow(key: string, context: GatewayContext, res: ServerResponse): Promise<boolean> {
    const started = performance.now();
    const shared = this.inflight.get(key);
    if (!shared) return false;
    if (!(await this.options.chargeCost(context, shared.cost))) return false;
    this.options.metrics.inboundDedup.inc({ outcome: 'response' });
    const response = await shared.response;
    if (!response) return false;
    res.statusCode = response.status;
    for (const [name, value] of response.headers) if (name !== REQUEST_ID_HEADER) res.setHeader(name, value);
    endWithBody(res, response.body);
    const summary = shared.summary ?? { operation: null, outcome: 'ok', errorCodes: [] };
    const durationMs = performance.now() - started;
    this.options.metrics.countOperation(summary.operation, summary.outcome, durationMs / 1000);
    logOperation(this.options.operationLog, {
      requestId: context.requestId,
      ...summary,
      operationType: 'query',
      durationMs,
      status: response.status,
      sharedWith: shared.leaderRequestId,
      ...(context.trace ? traceLogFields(context.trace) : undefined),
    });
    return true;
  }

  /** Makes the admitted query of `context` joinable under its key, unless an identical one already is. */
  open(context: GatewayContext, cost: number): void {
    const key = context.shareKey;
    if (key === undefined || this.inflight.has(key)) return;
    let settle!: (response: SentResponse | undefined) => void;
    const response = new Promise<SentResponse | undefined>((resolve) => (settle = resolve));
    this.inflight.set(key, { leaderRequestId: context.requestId, cost, summary: undefined, response, settle });
  }

  /** Notes what the leader's operation log line says, for its followers' lines. */
  summarise(context: GatewayContext, summary: OperationSummary): void {
    const shared = this.leading(context);
    if (shared) shared.summary = summary;
  }

  /**
   * Hands the leader's response, as sent, to its followers (undefined: it has none to give,
   * and they run on their own). Called once the leader's request is over, whatever happened.
   */
  settle(context: GatewayContext, response: SentResponse | undefined): void {
    const shared = this.leading(context);
    if (!shared) return;
    this.inflight.delete(context.shareKey!);
    shared.settle(response);
  }

  private leading(context: GatewayContext): InFlight | undefined {
    const shared = context.shareKey === undefined ? undefined : this.inflight.get(context.shareKey);
    return shared?.leaderRequestId === context.requestId ? shared : undefined;
  }
}

/**
 * The pipeline step: at admission, after the cost is charged, an admitted query becomes
 * joinable; when its response is ready, what its log line says is kept for the followers'.
 */
export function responseSharingStep(sharing: ResponseSharing): GatewayStep {
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          sharing.summarise(requestContext.contextValue, summariseOperation(requestContext));
        },
      };
    },
  };
  return {
    name: 'inbound dedup (shared responses)',
    admit(operation, facts) {
      if (operation.operation?.operation === 'query') sharing.open(operation.contextValue, facts.cost ?? 0);
    },
    plugin,
  };
}
