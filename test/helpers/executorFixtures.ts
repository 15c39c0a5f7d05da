/**
 * Small subgraphs whose supergraph has the shapes an executor gets wrong first:
 * interfaces and unions (search, node), @requires (shippingEstimate), @provides
 * (Review.author's name), @interfaceObject (Media in ratings), lists of lists (matrix),
 * entities in lists with nulls, non-null fields that fail (Product.fragile,
 * Product.inStock, Review.body, User.email), fields with arguments (for aliases with
 * different arguments), and fields in different fragments that share a response name
 * (the planner aliases them and rewrites the answer back).
 *
 * Failing data is chosen so each failure shows up: p3's inStock fails in an entity fetch,
 * p5's fragile fails at the root, r3's body fails in a list of non-null reviews, u2's
 * email fails under a nullable author, b2's reviewsCount fails in the @interfaceObject
 * subgraph.
 */
import { GraphQLError } from 'graphql';
import type { SubgraphFixture } from './executorHarness.js';

const FED =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@interfaceObject"])';

type Row = Record<string, unknown>;
const products: Row[] = [1, 2, 3, 4, 5, 6].map((n) => ({
  id: `p${n}`,
  name: `Product ${n}`,
  price: n * 100,
  weight: n % 3 === 0 ? null : n * 2,
  category: n % 2 ? { name: 'odd', tags: ['a', `t${n}`] } : null,
}));
const articles: Row[] = [1, 2].map((n) => ({ id: `a${n}`, title: `Article ${n}` }));
const media: Row[] = [
  { __typename: 'Book', id: 'b1', title: 'Book one', pages: 100 },
  { __typename: 'Movie', id: 'm1', title: 'Movie one', minutes: 90 },
  { __typename: 'Book', id: 'b2', title: 'Book two', pages: 250 },
];
const reviews: Row[] = [1, 2, 3, 4, 5].map((n) => ({
  id: `r${n}`,
  body: `Review ${n}`,
  rating: n % 4 === 0 ? null : n,
  authorId: `u${(n % 3) + 1}`,
  productId: `p${n}`,
}));
const users: Row[] = [1, 2, 3].map((n) => ({ id: `u${n}`, name: `User ${n}`, handle: n === 3 ? null : `@user${n}` }));
const byId = (rows: Row[], id: unknown) => rows.find((row) => row.id === id) ?? null;
const fail = (message: string, code?: string) => new GraphQLError(message, code ? { extensions: { code } } : {});

/** Search results by term; "mixed" puts an article before the products (see the error-path test). */
const searchResults: Record<string, Row[]> = {
  all: [products[0]!, products[2]!, articles[0]!, null as unknown as Row, articles[1]!],
  products: [products[0]!, products[1]!, products[2]!],
  mixed: [articles[0]!, products[0]!, products[2]!],
};

export const CATALOG: SubgraphFixture[] = [
  {
    name: 'products',
    typeDefs: `${FED}
      type Query {
        products: [Product!]!
        productList: [Product]
        product(id: ID!): Product
        search(term: String! = "all"): [SearchResult]!
        node(id: ID!): Node
        matrix: [[Product]]
        media: [Media!]!
      }
      interface Node { id: ID! }
      type Category { name: String! tags: [String!] }
      type Product implements Node @key(fields: "id") { id: ID! name: String! price: Int weight: Int category: Category fragile: String! }
      type Article implements Node @key(fields: "id") { id: ID! title: String! }
      union SearchResult = Product | Article
      interface Media @key(fields: "id") { id: ID! title: String! }
      type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int }
      type Movie implements Media @key(fields: "id") { id: ID! title: String! minutes: Int }`,
    resolvers: {
      Query: {
        products: () => products,
        productList: () => [products[0], null, products[4], products[1]],
        product: (_: unknown, { id }: { id: string }) => byId(products, id),
        search: (_: unknown, { term }: { term: string }) => searchResults[term] ?? [],
        node: (_: unknown, { id }: { id: string }) => byId(products, id) ?? byId(articles, id),
        matrix: () => [[products[0], null], null, [products[2], products[3]], []],
        media: () => media,
      },
      Node: { __resolveType: (row: Row) => (String(row.id).startsWith('a') ? 'Article' : 'Product') },
      SearchResult: { __resolveType: (row: Row) => (String(row.id).startsWith('a') ? 'Article' : 'Product') },
      Media: { __resolveType: (row: Row) => row.__typename as string, __resolveReference: (ref: Row) => byId(media, ref.id) },
      Product: {
        __resolveReference: (ref: Row) => byId(products, ref.id),
        fragile: (row: Row) => (row.id === 'p5' ? fail('p5 is fragile', 'FRAGILE') : `fragile ${String(row.id)}`),
      },
      Article: { __resolveReference: (ref: Row) => byId(articles, ref.id) },
      Book: { __resolveReference: (ref: Row) => byId(media, ref.id) },
      Movie: { __resolveReference: (ref: Row) => byId(media, ref.id) },
    },
  },
  {
    name: 'inventory',
    typeDefs: `${FED}
      type Product @key(fields: "id") {
        id: ID!
        price: Int @external
        weight: Int @external
        inStock: Boolean!
        shippingEstimate: Int @requires(fields: "price weight")
        stockHistory: [[Int]]
        delivery(zone: String): String
        warehouse: Warehouse
      }
      type Warehouse { code: String! capacity: Int! }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: Row) => ({ ...ref, ...byId(products, ref.id) }),
        inStock: (row: Row) => {
          if (row.id === 'p3') throw fail('stock unknown for p3');
          return Number(String(row.id).slice(1)) % 2 === 1;
        },
        shippingEstimate: (row: Row) => (row.weight === null || row.weight === undefined ? null : Number(row.price) / 10 + Number(row.weight)),
        stockHistory: (row: Row) => [[1, 2], null, [Number(String(row.id).slice(1)), null]],
        delivery: (row: Row, { zone }: { zone?: string }) => `${String(row.id)} to ${zone ?? 'anywhere'}`,
        // p4's warehouse has no capacity: a non-null field nulled in a nested object.
        warehouse: (row: Row) => ({ code: `W-${String(row.id)}`, capacity: row.id === 'p4' ? null : 10 }),
      },
    },
  },
  {
    name: 'reviews',
    typeDefs: `${FED}
      type Product @key(fields: "id") { id: ID! reviews(first: Int): [Review!]! }
      type Article @key(fields: "id") { id: ID! reviews: [Review!] }
      type Review { id: ID! body: String! rating: Int author: User @provides(fields: "name") product: Product }
      type User @key(fields: "id") { id: ID! name: String @external }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: Row) => ref,
        reviews: (row: Row, { first }: { first?: number }) =>
          reviews.filter((r) => r.productId === row.id || (row.id === 'p1' && r.id !== 'r1')).slice(0, first ?? 10),
      },
      Article: { __resolveReference: (ref: Row) => ref, reviews: (row: Row) => (row.id === 'a1' ? [reviews[1]] : []) },
      Review: {
        body: (row: Row) => (row.id === 'r3' ? fail('r3 was removed', 'GONE') : row.body),
        author: (row: Row) => ({ id: row.authorId, name: (byId(users, row.authorId) as Row).name }),
        product: (row: Row) => ({ id: row.productId }),
      },
    },
  },
  {
    name: 'users',
    typeDefs: `${FED}
      type Query { users: [User!]! }
      type User @key(fields: "id") { id: ID! name: String @shareable email: String! handle: String }`,
    resolvers: {
      Query: { users: () => users },
      User: {
        __resolveReference: (ref: Row) => byId(users, ref.id),
        email: (row: Row) => (row.id === 'u2' ? fail('u2 hides its email') : `${String(row.id)}@example.com`),
      },
    },
  },
  {
    name: 'ratings',
    typeDefs: `${FED}
      type Query { topMedia: [Media!]! }
      type Media @key(fields: "id") @interfaceObject { id: ID! stars: Int reviewsCount: Int }`,
    resolvers: {
      Query: { topMedia: () => [{ id: 'm1' }, { id: 'b2' }] },
      Media: {
        __resolveReference: (ref: Row) => ref,
        stars: (row: Row) => String(row.id).length + (row.id === 'b1' ? 3 : 1),
        reviewsCount: (row: Row) => (row.id === 'b2' ? fail('no count for b2') : 7),
      },
    },
  },
];
