/**
 * The four subgraphs of The Guild's federation benchmark
 * (github.com/graphql-hive/graphql-gateways-benchmark, federation/subgraphs/*), in
 * TypeScript with @apollo/subgraph: the same schema (its composed supergraph) and the same
 * data and behaviour as its Rust services, including their quirks:
 *  - every Review.author is user 1 ("urigo", provided by the reviews subgraph), and any
 *    User's reviews (from the reviews subgraph) are reviews 1 and 2;
 *  - inventory's entity resolver takes only the key, so the price and weight that
 *    shippingEstimate @requires are not read and shippingEstimate is always null (the
 *    reference answer in its k6 script has null everywhere too);
 *  - topProducts(first = 5) returns the first products of the catalogue.
 */
import { parse, type DocumentNode } from 'graphql';

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
interface Review {
  id: string;
  body: string;
  product: { upc: string };
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}

const USERS: User[] = [
  ['1', 'Uri Goldshtein', 'urigo'],
  ['2', 'Dotan Simha', 'dotansimha'],
  ['3', 'Kamil Kisiela', 'kamilkisiela'],
  ['4', 'Arda Tanrikulu', 'ardatan'],
  ['5', 'Gil Gardosh', 'gilgardosh'],
  ['6', 'Laurin Quast', 'laurin'],
].map(([id, name, username]) => ({ id: id!, name: name!, username: username!, birthday: 1234567890 }));

const PRODUCTS: Product[] = [
  ['1', 'Table', 899, 100],
  ['2', 'Couch', 1299, 1000],
  ['3', 'Glass', 15, 20],
  ['4', 'Chair', 499, 100],
  ['5', 'TV', 1299, 1000],
  ['6', 'Lamp', 6999, 300],
  ['7', 'Grill', 3999, 2000],
  ['8', 'Fridge', 100000, 6000],
  ['9', 'Sofa', 9999, 800],
].map(([upc, name, price, weight]) => ({ upc: upc as string, name: name as string, price: price as number, weight: weight as number }));

const IN_STOCK: Record<string, boolean> = { 1: true, 2: false, 3: false, 4: false, 5: true, 6: true, 7: true, 8: false, 9: true };

const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.';
const SED_UT =
  'Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo. Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugi';
const SED_QUIA =
  'sed quia consequuntur magni dolores eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur, adipisci velit, sed quia non numquam eius modi tempora incidunt ut labore et dolore magnam aliquam quaerat voluptatem.';
const UT_ENIM =
  'Ut enim ad minima veniam, quis nostrum exercitationem ullam corporis suscipit laboriosam, nisi ut aliquid ex ea commodi consequatur? Quis autem';
const AT_VERO =
  'At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis praesentium voluptatum deleniti atque corrupti quos dolores et quas molestias excepturi sint occaecati cupiditate non provident, similique sunt in culpa qui officia deserunt mollitia animi, id est laborum et dolorum fuga. Et harum quidem rerum facilis est et expedita distinctio. Nam libero tempore, cum soluta nobis est eligendi optio cumque nihil impedit quo minus id quod maxime placeat facere possimus, omnis voluptas assumenda est, omnis dolor repellendus. Temporibus autem quibusdam et aut officiis debitis aut rerum necessitatibus saepe eveniet ut et voluptates repudiandae sint et molestiae non recusandae. Itaque earum rerum hic tenetur a sapiente delectus, ut aut reiciendis voluptatibus maiores alias consequatur aut perferendis doloribus asperiores repellat.';

const REVIEWS: Review[] = (
  [
    ['1', LOREM, '1'],
    ['2', SED_UT, '1'],
    ['3', SED_QUIA, '1'],
    ['4', UT_ENIM, '1'],
    ['5', LOREM, '2'],
    ['6', SED_UT, '2'],
    ['7', SED_QUIA, '2'],
    ['8', UT_ENIM, '2'],
    ['9', UT_ENIM, '3'],
    ['10', UT_ENIM, '4'],
    ['11', AT_VERO, '4'],
  ] as const
).map(([id, body, upc]) => ({ id, body, product: { upc } }));

const FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])';

type Resolvers = Record<string, Record<string, unknown>>;

export interface SubgraphDefinition {
  name: SubgraphName;
  typeDefs: DocumentNode;
  resolvers: Resolvers;
}

export type SubgraphName = 'accounts' | 'inventory' | 'products' | 'reviews';
export const SUBGRAPH_NAMES: readonly SubgraphName[] = ['accounts', 'inventory', 'products', 'reviews'];

export const SUBGRAPHS: Record<SubgraphName, SubgraphDefinition> = {
  accounts: {
    name: 'accounts',
    typeDefs: parse(`${FED}
      type Query {
        me: User
        user(id: ID!): User
        users: [User]
      }
      type User @key(fields: "id") {
        id: ID!
        name: String
        username: String @shareable
        birthday: Int
      }`),
    resolvers: {
      Query: {
        me: () => USERS[0],
        user: (_: unknown, args: { id: string }) => USERS.find((u) => u.id === args.id) ?? null,
        users: () => USERS,
      },
      User: {
        // Like the Rust service: an unknown id is an error, not null.
        __resolveReference: (ref: { id: string }) => {
          const user = USERS.find((u) => u.id === ref.id);
          if (!user) throw new Error(`no user ${ref.id}`);
          return user;
        },
      },
    },
  },
  inventory: {
    name: 'inventory',
    typeDefs: parse(`${FED}
      type Product @key(fields: "upc") {
        upc: String!
        weight: Int @external
        price: Int @external
        inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }`),
    resolvers: {
      Product: {
        // The Rust entity resolver reads the inventory row by key only: price and weight stay unset.
        __resolveReference: (ref: { upc: string }) => {
          if (!(ref.upc in IN_STOCK)) throw new Error(`no product ${ref.upc}`);
          return { upc: ref.upc, inStock: IN_STOCK[ref.upc], price: null, weight: null };
        },
        shippingEstimate: (product: { price: number | null; weight: number | null }) => {
          if (product.price === null) return null;
          if (product.price > 1000) return 0;
          return product.weight === null ? null : Math.trunc(product.weight / 2);
        },
      },
    },
  },
  products: {
    name: 'products',
    typeDefs: parse(`${FED}
      type Query {
        topProducts(first: Int = 5): [Product]
      }
      type Product @key(fields: "upc") {
        upc: String!
        name: String
        price: Int
        weight: Int
      }`),
    resolvers: {
      Query: {
        topProducts: (_: unknown, args: { first?: number | null }) => PRODUCTS.slice(0, args.first ?? 5),
      },
      Product: {
        __resolveReference: (ref: { upc: string }) => {
          const product = PRODUCTS.find((p) => p.upc === ref.upc);
          if (!product) throw new Error(`no product ${ref.upc}`);
          return product;
        },
      },
    },
  },
  reviews: {
    name: 'reviews',
    typeDefs: parse(`${FED}
      type Review @key(fields: "id") {
        id: ID!
        body: String
        product: Product
        author: User @provides(fields: "username")
      }
      type User @key(fields: "id") {
        id: ID!
        username: String @external
        reviews: [Review]
      }
      type Product @key(fields: "upc") {
        upc: String!
        reviews: [Review]
      }`),
    resolvers: {
      Review: {
        __resolveReference: (ref: { id: string }) => {
          const review = REVIEWS.find((r) => r.id === ref.id);
          if (!review) throw new Error(`no review ${ref.id}`);
          return review;
        },
        author: () => ({ id: '1', username: 'urigo' }),
      },
      User: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id, username: 'user' }),
        reviews: () => REVIEWS.slice(0, 2),
      },
      Product: {
        __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc }),
        reviews: (product: { upc: string }) => REVIEWS.filter((r) => r.product.upc === product.upc),
      },
    },
  },
};

/** The benchmark's test query (its k6.js), verbatim in shape: the User, Review and Product fragments. */
export const TEST_QUERY = /* GraphQL */ `
  fragment User on User {
    id
    username
    name
  }

  fragment Review on Review {
    id
    body
  }

  fragment Product on Product {
    inStock
    name
    price
    shippingEstimate
    upc
    weight
  }

  query TestQuery {
    users {
      ...User
      reviews {
        ...Review
        product {
          ...Product
          reviews {
            ...Review
            author {
              ...User
              reviews {
                ...Review
                product {
                  ...Product
                }
              }
            }
          }
        }
      }
    }
    topProducts {
      ...Product
      reviews {
        ...Review
        author {
          ...User
          reviews {
            ...Review
            product {
              ...Product
            }
          }
        }
      }
    }
  }
`;

/** The single-subgraph query: users only (the accounts subgraph answers it alone). */
export const USERS_QUERY = /* GraphQL */ `
  query Users {
    users {
      id
      username
      name
    }
  }
`;

/**
 * Checks a TestQuery answer against facts of the benchmark's data, independently of any
 * gateway: the k6 script's expected structure, made exact. Returns what is wrong, or [].
 */
export function checkTestQueryAnswer(data: unknown): string[] {
  const problems: string[] = [];
  const d = data as {
    users?: Array<{
      id: string;
      name: string;
      username: string;
      reviews: Array<{
        id: string;
        product: {
          upc: string;
          name: string;
          inStock: boolean;
          shippingEstimate: unknown;
          reviews: Array<{ author: { id: string; username: string; name: string } }>;
        };
      }>;
    }>;
    topProducts?: Array<{ upc: string; price: number; weight: number; reviews: Array<{ id: string }> }>;
  };
  const expect = (what: string, ok: boolean): void => {
    if (!ok) problems.push(what);
  };
  expect('6 users', d.users?.length === 6);
  expect(
    'users in order with names',
    JSON.stringify(d.users?.map((u) => [u.id, u.name, u.username])) === JSON.stringify(USERS.map((u) => [u.id, u.name, u.username])),
  );
  expect('every user has reviews 1 and 2', d.users?.every((u) => u.reviews.map((r) => r.id).join() === '1,2') === true);
  const product = d.users?.[0]?.reviews[0]?.product;
  expect(
    'review 1 is about the Table, in stock, shippingEstimate null',
    product?.name === 'Table' && product.inStock === true && product.shippingEstimate === null,
  );
  expect(
    'the Table has reviews 1-4 by urigo',
    product?.reviews.length === 4 && product.reviews.every((r) => r.author.id === '1' && r.author.username === 'urigo' && r.author.name === 'Uri Goldshtein'),
  );
  expect('5 top products', d.topProducts?.map((p) => p.upc).join() === '1,2,3,4,5');
  expect(
    'top product prices and weights',
    d.topProducts?.every((p) => {
      const src = PRODUCTS.find((s) => s.upc === p.upc);
      return src?.price === p.price && src.weight === p.weight;
    }) === true,
  );
  expect('top product reviews', d.topProducts?.map((p) => p.reviews.length).join() === '4,4,1,2,0');
  return problems;
}
