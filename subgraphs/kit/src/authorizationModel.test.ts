/**
 * The shared authorization suite (test/helpers/authorizationModel.ts) against the
 * kit's use: a subgraph server built from the schema (authorizeResolvers wraps its
 * resolvers when it is created), asked over HTTP with the gateway's token for the caller.
 */
import { parse } from 'graphql';
import { pino } from 'pino';
import { describeAuthorizationModel, type AuthorizationAdapter } from '../../../test/helpers/authorizationModel.js';
import { signGatewayToken, type SubgraphAuth } from './auth.js';
import { createSubgraphServer } from './createSubgraphServer.js';

const SECRET = 'kit-model-test-gateway-secret-0123456789';

const kit: AuthorizationAdapter = {
  async load(typeDefs, root) {
    const server = await createSubgraphServer<{ auth: SubgraphAuth }>({
      name: 'model',
      typeDefs: parse(typeDefs),
      resolvers: { Query: Object.fromEntries(Object.entries(root).map(([field, value]) => [field, () => value])) } as never,
      context: async (_req, auth) => ({ auth }),
      logger: pino({ level: 'silent' }),
      gatewaySecret: SECRET,
    });
    const url = await server.listen(0, '127.0.0.1');
    return {
      async run(query, caller) {
        const token = await signGatewayToken(SECRET, caller.authenticated ? { sub: 'u1', scopes: caller.scopes } : {});
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-graph360-gateway': token },
          body: JSON.stringify({ query }),
        });
        const body = (await response.json()) as {
          data?: unknown;
          errors?: Array<{ path?: Array<string | number>; message: string; extensions?: { code?: unknown } }>;
        };
        return { data: body.data, errors: (body.errors ?? []).map((e) => ({ path: e.path, code: e.extensions?.code, message: e.message })) };
      },
      close: () => server.close(),
    };
  },
};

describeAuthorizationModel('subgraph kit', () => kit);
