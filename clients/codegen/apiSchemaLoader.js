// @ts-check
/**
 * A codegen schema loader: the API schema of the composed supergraph, i.e. what clients
 * see through the gateway. The supergraph file itself also holds the federation
 * machinery (join__*, link__*, @inaccessible elements), which no client may select.
 */
import { readFileSync } from 'node:fs';
import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';

/** @param {string} pointer the supergraph file named in codegen.yml */
export default function apiSchemaLoader(pointer) {
  // The supergraph links @authenticated/@requiresScopes `for: SECURITY` (enforced by the
  // gateway's auth/); only the Router's feature set accepts them.
  return Supergraph.build(readFileSync(pointer, 'utf8'), { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
}
