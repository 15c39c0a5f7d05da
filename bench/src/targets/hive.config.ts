/**
 * Hive Gateway's configuration for the bench: its defaults, plus what graph360's
 * subgraphs require of any gateway: when BENCH_INTERNAL_TOKEN is set, every subgraph
 * request carries it as the x-graph360-gateway header (a static token minted by the bench).
 * The supergraph file and the port come from the command line.
 *
 * With BENCH_HIVE_TUNED=1 (the hive-tuned target) it adds what The Guild's federation
 * benchmark runs Hive Gateway with: graphql-jit (`jit`, also `--jit` on its command line)
 * and the inbound de-duplication of identical requests in flight
 * (`inboundInflightRequestDeduplication`, off by default in @graphql-hive/gateway 2.15;
 * its outbound counterpart, the transport's `deduplicateInflightRequests` for subgraph
 * fetches, is on by default in both targets).
 *
 * With BENCH_HIVE_DEFER=1 (`npm run bench:incremental`'s @defer peer) it turns on
 * `deferStream` (@defer and @stream, off by default and marked experimental in 2.15).
 */
import { defineConfig } from '@graphql-hive/gateway';

const internalToken = process.env.BENCH_INTERNAL_TOKEN;
const tuned = process.env.BENCH_HIVE_TUNED === '1';
const defer = process.env.BENCH_HIVE_DEFER === '1';

export const gatewayConfig = defineConfig({
  ...(internalToken
    ? {
        propagateHeaders: {
          fromClientToSubgraphs: () => ({ 'x-graph360-gateway': internalToken }),
        },
      }
    : {}),
  ...(tuned ? { jit: true, inboundInflightRequestDeduplication: true } : {}),
  ...(defer ? { deferStream: true } : {}),
});
