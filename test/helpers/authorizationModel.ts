/**
 * One suite for every use of the authorization model (lib/auth/policy.ts): the gateway, which
 * refuses fields before planning, and the subgraph kit, which checks resolvers. Each use
 * supplies an adapter that loads a subgraph schema as that side does at start-up and
 * answers operations for a caller; the suite asserts the same answers (data, and each
 * error's path, code and message) and the same start-up errors from both.
 *
 * Run by gateway/src/auth/authorizationModel.test.ts and
 * subgraphs/kit/src/authorizationModel.test.ts; not a test file itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export interface ModelCaller {
  authenticated: boolean;
  scopes: readonly string[];
}

export interface ModelError {
  path: ReadonlyArray<string | number> | undefined;
  code: unknown;
  message: string;
}

export interface ModelAnswer {
  data: unknown;
  errors: readonly ModelError[];
}

export interface LoadedModel {
  run(query: string, caller: ModelCaller): Promise<ModelAnswer>;
  close(): Promise<void>;
}

export interface AuthorizationAdapter {
  /**
   * Loads subgraph SDL (with its federation link) as this side does when it starts, with
   * `root` as the Query's data; rejects as the start would for a schema it refuses.
   */
  load(typeDefs: string, root: Readonly<Record<string, unknown>>): Promise<LoadedModel>;
}

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes"])';

const schema = (body: string): string => `${LINK}\n${body}`;

export const MODEL_SCHEMA = schema(`
  type Query {
    hello: String
    customer: Customer
    invoice: Invoice
    invoices: [Invoice]
    note: String @requiresScopes(scopes: [["notes:read"], ["admin"]])
    audited: Invoice @requiresScopes(scopes: [["audit:read"]])
    search: [SearchResult]
    level: Level
  }
  type Customer @key(fields: "id") @authenticated {
    id: ID!
    name: String
    note: String @requiresScopes(scopes: [["notes:read"], ["admin"]])
  }
  type Invoice @key(fields: "id") @requiresScopes(scopes: [["invoices:read"]]) {
    id: ID!
  }
  type Product {
    id: ID!
    name: String
  }
  union SearchResult = Invoice | Product
  enum Level @authenticated {
    LOW
    HIGH
  }
`);

const ROOT = {
  hello: 'hi',
  customer: { id: 'c1', name: 'Ada', note: 'likes tea' },
  invoice: { id: 'i1' },
  invoices: [{ id: 'i1' }, { id: 'i2' }],
  note: 'top note',
  audited: { id: 'i3' },
  search: [
    { __typename: 'Product', id: 'p1', name: 'Shelf' },
    { __typename: 'Invoice', id: 'i1' },
  ],
  level: 'HIGH',
};

const QUERY =
  '{ hello customer { name note } invoice { id } invoices { id } note audited { id } search { ... on Product { name } ... on Invoice { id } } level }';

const UNAUTHENTICATED = 'This field needs an authenticated caller: send a bearer token or an API key.';
const forbidden = (path: string[], scopes: string): ModelError => ({ path, code: 'FORBIDDEN', message: `This field needs the scope ${scopes}.` });
const unauthenticated = (path: string[]): ModelError => ({ path, code: 'UNAUTHENTICATED', message: UNAUTHENTICATED });

const CASES: Array<{ name: string; caller: ModelCaller; data: unknown; errors: ModelError[] }> = [
  {
    name: 'an anonymous caller gets the public fields and UNAUTHENTICATED for every protected one',
    caller: { authenticated: false, scopes: [] },
    data: { hello: 'hi', customer: null, invoice: null, invoices: null, note: null, audited: null, search: null, level: null },
    errors: ['audited', 'customer', 'invoice', 'invoices', 'level', 'note', 'search'].map((field) => unauthenticated([field])),
  },
  {
    name: 'an authenticated caller without scopes gets @authenticated types and FORBIDDEN for scoped fields and types',
    caller: { authenticated: true, scopes: [] },
    data: { hello: 'hi', customer: { name: 'Ada', note: null }, invoice: null, invoices: null, note: null, audited: null, search: null, level: 'HIGH' },
    errors: [
      // A field's scopes and its type's scopes are both needed.
      forbidden(['audited'], 'audit:read + invoices:read'),
      forbidden(['customer', 'note'], 'notes:read or admin'),
      forbidden(['invoice'], 'invoices:read'),
      forbidden(['invoices'], 'invoices:read'),
      forbidden(['note'], 'notes:read or admin'),
      // A union needs what each of its members needs.
      forbidden(['search'], 'invoices:read'),
    ],
  },
  {
    name: 'one scope opens the fields and types that need it, not those that need another',
    caller: { authenticated: true, scopes: ['invoices:read'] },
    data: {
      hello: 'hi',
      customer: { name: 'Ada', note: null },
      invoice: { id: 'i1' },
      invoices: [{ id: 'i1' }, { id: 'i2' }],
      note: null,
      audited: null,
      search: [{ name: 'Shelf' }, { id: 'i1' }],
      level: 'HIGH',
    },
    errors: [
      forbidden(['audited'], 'audit:read + invoices:read'),
      forbidden(['customer', 'note'], 'notes:read or admin'),
      forbidden(['note'], 'notes:read or admin'),
    ],
  },
  {
    name: 'either alternative of @requiresScopes will do, and a caller with every scope is refused nothing',
    caller: { authenticated: true, scopes: ['admin', 'invoices:read', 'audit:read'] },
    data: {
      hello: 'hi',
      customer: { name: 'Ada', note: 'likes tea' },
      invoice: { id: 'i1' },
      invoices: [{ id: 'i1' }, { id: 'i2' }],
      note: 'top note',
      audited: { id: 'i3' },
      search: [{ name: 'Shelf' }, { id: 'i1' }],
      level: 'HIGH',
    },
    errors: [],
  },
];

const byPath = (a: ModelError, b: ModelError): number => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path));

/** Malformed @requiresScopes: each is the schema author's mistake, and stops the start with a message naming the place. */
const MALFORMED: Array<{ scopes: string; where: string; typeDefs: string }> = [
  { scopes: '"notes:read"', where: 'Query.note' },
  { scopes: '["notes:read"]', where: 'Query.note' },
  { scopes: '[[1]]', where: 'Query.note' },
].map(({ scopes, where }) => ({
  scopes,
  where,
  typeDefs: MODEL_SCHEMA.replace(
    'note: String @requiresScopes(scopes: [["notes:read"], ["admin"]])\n    audited',
    `note: String @requiresScopes(scopes: ${scopes})\n    audited`,
  ),
}));
MALFORMED.push({
  scopes: '"invoices:read"',
  where: 'Invoice',
  typeDefs: MODEL_SCHEMA.replace('@requiresScopes(scopes: [["invoices:read"]])', '@requiresScopes(scopes: "invoices:read")'),
});

export function describeAuthorizationModel(adapterName: string, makeAdapter: () => AuthorizationAdapter | Promise<AuthorizationAdapter>): void {
  describe(`the authorization model (${adapterName})`, () => {
    let adapter: AuthorizationAdapter;
    let loaded: LoadedModel;
    beforeAll(async () => {
      adapter = await makeAdapter();
      loaded = await adapter.load(MODEL_SCHEMA, ROOT);
    });
    afterAll(async () => {
      await loaded?.close();
    });

    it.each(CASES)('$name', async ({ caller, data, errors }) => {
      const answer = await loaded.run(QUERY, caller);
      expect(answer.data).toEqual(data);
      expect([...answer.errors].map(({ path, code, message }) => ({ path, code, message })).sort(byPath)).toEqual([...errors].sort(byPath));
    });

    it.each(MALFORMED)('refuses to start with @requiresScopes(scopes: $scopes) on $where', async ({ typeDefs, scopes, where }) => {
      expect(typeDefs).not.toBe(MODEL_SCHEMA);
      const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      await expect(adapter.load(typeDefs, ROOT)).rejects.toThrow(
        new RegExp(`@requiresScopes on ${escaped(where)} needs scopes: \\[\\[String!\\]!\\]!.*found scopes: ${escaped(scopes)}`),
      );
    });
  });
}
