/**
 * InboundDedup against a stub executor: what a follower receives is its own copy, a
 * failure reaches every waiter, and the key separates revisions and operation kinds.
 * (test/gateway.inboundDedup.test.ts runs it inside a whole gateway.)
 */
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { IncrementalDelivery } from '../execution/incremental.js';
import { InboundDedup, type InboundDedupOutcome } from './index.js';

const SCHEMA = buildSchema('type Query { a: Int } type Mutation { b: Int }');

function policy(): { maxAge?: number; scope?: string; restrict(hint: { maxAge?: number; scope?: string }): void } {
  return {
    restrict(hint) {
      if (hint.maxAge !== undefined && (this.maxAge === undefined || hint.maxAge < this.maxAge)) this.maxAge = hint.maxAge;
      if (hint.scope !== undefined && this.scope !== 'PRIVATE') this.scope = hint.scope;
    },
  };
}

function request(source = '{ a }', schema = SCHEMA): GatewayGraphQLRequestContext {
  const operation = parse(source).definitions[0] as OperationDefinitionNode;
  return {
    schema,
    operation,
    queryHash: source,
    request: { query: source, variables: {} },
    context: {},
    overallCachePolicy: policy(),
  } as unknown as GatewayGraphQLRequestContext;
}

/** An execution the test finishes by hand. */
function deferred(): { promise: Promise<GatewayExecutionResult>; resolve(result: GatewayExecutionResult): void; reject(error: Error): void } {
  let resolve!: (result: GatewayExecutionResult) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<GatewayExecutionResult>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('InboundDedup', () => {
  it('gives each follower its own copy of the data and the leader cache policy', async () => {
    const outcomes: InboundDedupOutcome[] = [];
    const dedup = new InboundDedup({ counted: (outcome) => outcomes.push(outcome) });
    const execution = deferred();
    let executions = 0;
    const execute = (): Promise<GatewayExecutionResult> => (executions++, execution.promise);
    const leaderContext = request();
    const leader = dedup.run(leaderContext, execute);
    const followerContext = request();
    const follower = dedup.run(followerContext, execute);
    (leaderContext.overallCachePolicy as { restrict(hint: object): void }).restrict({ maxAge: 30, scope: 'PRIVATE' });
    execution.resolve({ data: { a: 1 } });
    const leaderResult = await leader;
    // What authorization does to its result, in place, after execution.
    (leaderResult.data as { a: number | null }).a = null;
    expect(await follower).toEqual({ data: { a: 1 } });
    expect([executions, outcomes, dedup.size]).toEqual([1, ['leader', 'shared'], 0]);
    expect(followerContext.overallCachePolicy).toMatchObject({ maxAge: 30, scope: 'PRIVATE' });
  });

  it('lets a follower run on its own when the leader answered with a streamed first part (@defer)', async () => {
    const dedup = new InboundDedup();
    const execution = deferred();
    let executions = 0;
    const leaderContext = request();
    const delivery = new IncrementalDelivery();
    (leaderContext.context as { incremental?: IncrementalDelivery }).incremental = delivery;
    const leader = dedup.run(leaderContext, () => (executions++, execution.promise));
    const follower = dedup.run(request(), () => (executions++, Promise.resolve({ data: { a: 2 } })));
    // The executor streamed: the result is the primary part only, the rest follows in `rest`.
    delivery.rest = (async function* () {})();
    execution.resolve({ data: { a: 1 } });
    expect(await leader).toEqual({ data: { a: 1 } });
    expect(await follower).toEqual({ data: { a: 2 } });
    expect(executions).toBe(2);
  });

  it('fails every waiter with the execution error, then runs afresh', async () => {
    const dedup = new InboundDedup();
    const execution = deferred();
    const waiting = [dedup.run(request(), () => execution.promise), dedup.run(request(), () => execution.promise)];
    execution.reject(new Error('subgraph planning failed'));
    for (const result of await Promise.allSettled(waiting))
      expect(result).toMatchObject({ status: 'rejected', reason: { message: 'subgraph planning failed' } });
    expect(await dedup.run(request(), () => Promise.resolve({ data: { a: 2 } }))).toEqual({ data: { a: 2 } });
  });

  it('keys reads only, per supergraph revision', () => {
    const dedup = new InboundDedup();
    expect(dedup.keyOf(request('mutation { b }'))).toBeUndefined();
    expect(dedup.keyOf(request())).toBe(dedup.keyOf(request()));
    expect(dedup.keyOf(request('{ a }', buildSchema('type Query { a: Int }')))).not.toBe(dedup.keyOf(request()));
  });
});
