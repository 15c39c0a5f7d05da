/**
 * The shared authorization suite (test/helpers/authorizationModel.ts) against the
 * gateway's use: the subgraph schema composed into a supergraph, read as the gateway
 * reads it at start-up (parseSupergraph), operations authorized before execution
 * (authorizeOperation) and the refused fields put back (applyAuthorization).
 */
import { composeServices } from '@apollo/composition';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { buildSchema, execute, parse, type GraphQLError } from 'graphql';
import { describeAuthorizationModel, type AuthorizationAdapter } from '../../../test/helpers/authorizationModel.js';
import { parseSupergraph } from '../supergraph/readSupergraph.js';
import { applyAuthorization, authorizeOperation } from './authorizeOperation.js';
import { ANONYMOUS, type AuthIdentity } from './identity.js';

const gateway: AuthorizationAdapter = {
  async load(typeDefs, root) {
    const composed = composeServices([{ name: 'model', url: 'http://127.0.0.1:1/graphql', typeDefs: parse(typeDefs) }]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('; '));
    const { executableSdl, policy } = parseSupergraph(composed.supergraphSdl, 'supergraph');
    const schema = buildSchema(printSchema(Supergraph.build(executableSdl).apiSchema()));
    return {
      async run(query, caller) {
        const auth: AuthIdentity = caller.authenticated ? { kind: 'jwt', subject: 'u1', scopes: [...caller.scopes] } : ANONYMOUS;
        const document = parse(query);
        const plan = authorizeOperation({ schema, document, queryHash: 'h0', policy, auth });
        const executed = await execute({ schema, document: plan?.document ?? document, rootValue: root });
        const result = plan ? applyAuthorization(plan, executed) : executed;
        return {
          data: result.data,
          errors: (result.errors ?? []).map((e: GraphQLError) => ({ path: e.path, code: e.extensions.code, message: e.message })),
        };
      },
      close: async () => {},
    };
  },
};

describeAuthorizationModel('gateway', () => gateway);
