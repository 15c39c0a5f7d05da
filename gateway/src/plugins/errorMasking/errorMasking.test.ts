/**
 * Which errors the gateway masks, and what the client and the log then see.
 */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGatewayLogger } from '../../observability/logger.js';
import { errorMasking, isUnexpectedError } from './index.js';

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
    const expected = new GraphQLError('Not found', { extensions: { code: 'NOT_FOUND', serviceName: 'erp', response: { url: 'http://10.0.0.5' }, stacktrace: ['at x'] } });
    const hooks = await masking.plugin.requestDidStart!({ contextValue: context } as never);
    await hooks!.didEncounterErrors!({ contextValue: context, errors: [unexpected, expected], operationName: 'Op' } as never);

    const formatted = masking.formatError({ message: unexpected.message, path: ['customers'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at y'] } }, unexpected);
    const errorId = formatted.extensions!.errorId as string;
    expect(formatted).toEqual({ message: `Internal server error (errorId ${errorId})`, path: ['customers'], extensions: { code: 'INTERNAL_SERVER_ERROR', errorId } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'unexpected error masked', errorId, requestId: 'req-1', operation: 'Op', path: ['customers'], message: unexpected.message });
    expect((lines[0]!.err as { message: string; stack: string }).message).toBe('ECONNRESET');

    // An expected error keeps message, code and serviceName, loses internals.
    expect(masking.formatError({ message: 'Not found', extensions: { ...expected.extensions } }, expected)).toEqual({ message: 'Not found', extensions: { code: 'NOT_FOUND', serviceName: 'erp' } });
  });
});
