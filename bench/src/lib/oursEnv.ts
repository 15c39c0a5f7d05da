/**
 * The environment our gateway runs with in the bench, the profile and the audit: a free
 * port on loopback, one supergraph file whose subgraph URLs are used as they are (no
 * graph360 subgraph URL overrides), no Redis, and no per-client rate limit (every load
 * comes from one client, far above its default budget; the peers have none). Each caller
 * adds its mode, caches and credentials.
 */
export function oursGatewayEnv(supergraphPath: string): Record<string, string> {
  return {
    GATEWAY_PORT: '0',
    GATEWAY_HOST: '127.0.0.1',
    SUPERGRAPH_PATH: supergraphPath,
    CRM_SUBGRAPH_URL: '',
    ERP_SUBGRAPH_URL: '',
    PAYMENTS_SUBGRAPH_URL: '',
    REDIS_URL: '',
    RATE_LIMIT: 'off',
  };
}
