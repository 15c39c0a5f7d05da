/**
 * Which errors the gateway masks, and what the client and the log then see.
 */
import { createHash } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGatewayLogger } from '../../observability/logger.js';
import { clientErrorCode, errorMasking, isUnexpectedError } from './index.js';

describe('errorMasking', () => {
  it('passes coded errors and subgraph-masked errors, masks the rest', () => {
    expect(isUnexpectedError(new GraphQLError('bad', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }))).toBe(false);
    expect(isUnexpectedError(new GraphQLError('no', { extensions: { code: 'NOT_FOUND', serviceName: 'crm' } }))).toBe(false);
    expect(isUnexpectedError(new GraphQLError('x', { extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'crm', errorId: 'e1' } }))).toBe(false);
    expect(isUnexpectedError(new GraphQLError('x', { extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'crm' } }))).toBe(true);
    expect(isUnexpectedError(new GraphQLError('500: Internal Server Error', { extensions: { response: { body: '<html>' } } }))).toBe(true);
    expect(isUnexpectedError(new Error('connect ECONNREFUSED'))).toBe(true);
  });

  it('gives the client a generic message and the errorId that the log line has, with the request id', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createGatewayLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const context = { requestId: 'req-1' };
    const masking = errorMasking({ logger, loggerFor: (ctx) => logger.child({ requestId: ctx.requestId }) });
    const unexpected = new GraphQLError('request to http://10.0.0.5/graphql failed', { path: ['customers'], originalError: new Error('ECONNRESET') });
    const expected = new GraphQLError('Not found', {
      extensions: { code: 'NOT_FOUND', serviceName: 'erp', response: { url: 'http://10.0.0.5' }, stacktrace: ['at x'] },
    });
    const hooks = await masking.plugin.requestDidStart!({ contextValue: context } as never);
    await hooks!.didEncounterErrors!({ contextValue: context, errors: [unexpected, expected], operationName: 'Op' } as never);

    const formatted = masking.formatError(
      { message: unexpected.message, path: ['customers'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at y'] } },
      unexpected,
    );
    const errorId = formatted.extensions!.errorId as string;
    expect(formatted).toEqual({
      message: `Internal server error (errorId ${errorId})`,
      path: ['customers'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'unexpected error masked',
      errorId,
      requestId: 'req-1',
      operation: 'Op',
      path: ['customers'],
      message: unexpected.message,
    });
    expect((lines[0]!.err as { message: string; stack: string }).message).toBe('ECONNRESET');

    // An expected error keeps message, code and serviceName, loses internals.
    expect(masking.formatError({ message: 'Not found', extensions: { ...expected.extensions } }, expected)).toEqual({
      message: 'Not found',
      extensions: { code: 'NOT_FOUND', serviceName: 'erp' },
    });
  });

  it("logs an unexpected error formatted outside Apollo Server's request (a deferred part, a subscription event) with the logger it is given", () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createGatewayLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const masking = errorMasking({ logger, loggerFor: (ctx) => logger.child({ requestId: ctx.requestId }) });
    const formatted = masking.formatError({ message: 'boom' }, new Error('boom'), logger.child({ requestId: 'req-late' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'unexpected error masked', requestId: 'req-late', errorId: formatted.extensions!.errorId });
  });
});

describe("errorMasking and Apollo Server's APQ refusals", () => {
  it("answers a hash that is not the query's, and an unsupported version, with 400 and a code, logged below error level", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createGatewayLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const masking = errorMasking({ logger, loggerFor: () => logger });
    const apollo = new ApolloServer({
      typeDefs: 'type Query { a: Int }',
      resolvers: { Query: { a: () => 1 } },
      formatError: masking.formatError,
      plugins: [masking.plugin],
      logger,
    });
    await apollo.start();
    try {
      const run = async (query: string, persistedQuery: Record<string, unknown>): Promise<unknown> => {
        const { http, body } = await apollo.executeOperation({ query, extensions: { persistedQuery } });
        return { status: http.status, body: body.kind === 'single' ? body.singleResult : undefined };
      };
      const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
      expect(await run('{ a }', { version: 1, sha256Hash: sha('{ b }') })).toEqual({
        status: 400,
        body: { errors: [{ message: 'provided sha does not match query', extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } }] },
      });
      expect(await run('{ a }', { version: 2, sha256Hash: sha('{ a }') })).toEqual({
        status: 400,
        body: { errors: [{ message: 'Unsupported persisted query version', extensions: { code: 'PERSISTED_QUERY_VERSION_NOT_SUPPORTED' } }] },
      });
      expect(await run('{ a }', { version: 1, sha256Hash: sha('{ a }') })).toEqual({ status: undefined, body: { data: { a: 1 } } });
      expect(lines.filter((line) => (line.level as number) >= 50)).toEqual([]);
    } finally {
      await apollo.stop();
    }
  });

  it("codes only Apollo Server's uncoded 4xx errors: a 5xx or a coded error is untouched", () => {
    const http = (status: number): Record<string, unknown> => ({ http: { status, headers: new Map() } });
    expect(clientErrorCode(new GraphQLError('provided sha does not match query', { extensions: http(400) }))).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    expect(clientErrorCode(new GraphQLError('something else', { extensions: http(400) }))).toBe('BAD_REQUEST');
    expect(clientErrorCode(new GraphQLError('provided sha does not match query', { extensions: http(500) }))).toBeUndefined();
    expect(clientErrorCode(new GraphQLError('provided sha does not match query'))).toBeUndefined();
    expect(clientErrorCode(new GraphQLError('x', { extensions: { code: 'NOT_FOUND', ...http(400) } }))).toBeUndefined();
    expect(isUnexpectedError(new GraphQLError('x', { extensions: http(502) }))).toBe(true);
  });
});
