/**
 * Hive Gateway's configuration for the bench: its defaults, plus what graph360's
 * subgraphs require of any gateway: when BENCH_INTERNAL_TOKEN is set, every subgraph
 * request carries it as the x-graph360-gateway header (a static token minted by the bench).
 * The supergraph file and the port come from the command line.
 */
import { defineConfig } from '@graphql-hive/gateway';

const internalToken = process.env.BENCH_INTERNAL_TOKEN;

export const gatewayConfig = defineConfig({
  ...(internalToken
    ? {
        propagateHeaders: {
          fromClientToSubgraphs: () => ({ 'x-graph360-gateway': internalToken }),
        },
      }
    : {}),
});
