/**
 * A fetch that failed as a whole (timeout, unreachable subgraph, unusable answer) gives one
 * error per field it asked for, at the path the subgraph would have used for that field
 * (`["_entities", i, field]`, `[rootField]`), with the code and serviceName: @apollo/gateway
 * then maps those paths into the client's response as it does the subgraph's own errors.
 * The subgraph's deadline header is its fetch timeout less a margin for the way back.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../metrics.js';
import { fetchFieldPaths } from './fetchFieldPaths.js';
import { errorResponseFor } from './subgraphErrors.js';
import { SubgraphFetchError, subgraphDeadlineMs } from './undiciFetcher.js';

const ENTITIES =
  'query Q__erp__1($representations:[_Any!]!){_entities(representations:$representations){...on Customer{__typename outstandingBalance{amount} recent:orders(first:1){totalCount}}}}';
const customers = (...ids: string[]) => ids.map((id) => ({ __typename: 'Customer', id }));

describe('fetchFieldPaths', () => {
  it("an entity fetch: each representation's fields, by response name, __typename left out", () => {
    expect(fetchFieldPaths(ENTITIES, { representations: customers('1', '2') })).toEqual([
      ['_entities', 0, 'outstandingBalance'],
      ['_entities', 0, 'recent'],
      ['_entities', 1, 'outstandingBalance'],
      ['_entities', 1, 'recent'],
    ]);
  });

  it('an entity fetch of several types: each representation gets the fields of its own type, through fragment spreads too', () => {
    const query =
      'query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{orders{totalCount}} ...InvoiceFields}} fragment InvoiceFields on Invoice{payments{id} amountDue{amount}}';
    expect(fetchFieldPaths(query, { representations: [{ __typename: 'Invoice', id: '9' }, ...customers('1')] })).toEqual([
      ['_entities', 0, 'payments'],
      ['_entities', 0, 'amountDue'],
      ['_entities', 1, 'orders'],
    ]);
  });

  it('a root fetch: its root fields', () => {
    expect(fetchFieldPaths('query Q__crm__0{customers(first:2){nodes{id}} one:customer(id:"1"){name} __typename}', {})).toEqual([['customers'], ['one']]);
  });

  it('nothing for a query it cannot read', () => {
    expect(fetchFieldPaths('{ not graphql', {})).toEqual([]);
  });
});

describe('errorResponseFor', () => {
  const metrics = () => new GatewayMetrics({ defaultMetrics: false });
  const logger = pino({ level: 'silent' });

  it('puts a timeout at every field the fetch leaves null, with its code and serviceName', () => {
    const timeout = new SubgraphFetchError('SUBGRAPH_TIMEOUT', 'Subgraph erp did not answer within 1000 ms.', 'erp');
    const response = errorResponseFor(timeout, 'erp', metrics(), logger, { query: ENTITIES, variables: { representations: customers('1') } });
    const extensions = { code: 'SUBGRAPH_TIMEOUT', serviceName: 'erp' };
    expect(response).toEqual({
      errors: [
        { message: 'Subgraph erp did not answer within 1000 ms.', path: ['_entities', 0, 'outstandingBalance'], extensions },
        { message: 'Subgraph erp did not answer within 1000 ms.', path: ['_entities', 0, 'recent'], extensions },
      ],
    });
  });

  it('does the same for an unusable answer, and gives one error without a path when the fields cannot be told', () => {
    const unusable = errorResponseFor(new Error('bad body'), 'crm', metrics(), logger, { query: '{ customers { nodes { id } } }' });
    expect(unusable.errors).toEqual([
      { message: 'Subgraph crm sent an unusable answer.', path: ['customers'], extensions: { code: 'SUBGRAPH_BAD_RESPONSE', serviceName: 'crm' } },
    ]);
    const unknown = errorResponseFor(new SubgraphFetchError('SUBGRAPH_UNREACHABLE', 'Subgraph crm could not be reached.', 'crm'), 'crm', metrics(), logger);
    expect(unknown.errors).toEqual([{ message: 'Subgraph crm could not be reached.', extensions: { code: 'SUBGRAPH_UNREACHABLE', serviceName: 'crm' } }]);
  });
});

describe('subgraphDeadlineMs', () => {
  it('is the fetch timeout less a fifth of it, at most 500 ms less', () => {
    expect([subgraphDeadlineMs(10_000), subgraphDeadlineMs(1500), subgraphDeadlineMs(300), subgraphDeadlineMs(1)]).toEqual([9500, 1200, 240, 1]);
  });
});
