/**
 * `npm run bench:executor`: the cost of graph360's executor alone on workload 1's
 * TestQuery, without HTTP, Apollo Server or subgraphs in the way. The four subgraphs are
 * started and asked once; their answers are recorded as JSON text and replayed to the
 * executor, which parses each one as the data source would (JSON.parse of the body) and
 * then runs the plan, merges and shapes exactly as in the gateway. Prints the time per
 * operation over BENCH_EXECUTOR_N runs (2000) after a warm-up, and checks the answer
 * against the workload's facts first. `--cpu-prof` on the node command line profiles it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'graphql';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { executeOperation } from '../../gateway/src/execution/executeOperation.js';
import { PreparedOperation } from '../../gateway/src/execution/PreparedOperation.js';
import { SupergraphRevision, withDeferDirective } from '../../gateway/src/execution/SupergraphRevision.js';
import { killAllNow, stopAll } from './lib/proc.js';
import { startFederationSubgraphs } from './workload1/stack.js';
import { checkTestQueryAnswer, TEST_QUERY } from './workload1/subgraphs.js';

const runs = Number(process.env.BENCH_EXECUTOR_N || 2000);

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'graph360-executor-'));
  try {
    const { supergraphPath } = await startFederationSubgraphs({ workDir, cpu: '1', logFile: (name) => join(workDir, `${name}.log`) });
    const revision = new SupergraphRevision(readFileSync(supergraphPath, 'utf8'), withDeferDirective);
    const urls = new Map(
      revision.supergraph
        .subgraphs()
        .values()
        .map((subgraph) => [subgraph.name, subgraph.url]),
    );
    // Each subgraph answer as the body text it sent, by request.
    const recorded = new Map<string, string>();
    let recording = true;
    const service = (name: string): GraphQLDataSource => ({
      async process({ request }) {
        const body = JSON.stringify({ query: request.query, variables: request.variables });
        const key = `${name}\n${body}`;
        let text = recorded.get(key);
        if (text === undefined) {
          if (!recording) throw new Error(`no recorded answer for ${name}: ${body.slice(0, 200)}`);
          text = await (await fetch(urls.get(name)!, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
          recorded.set(key, text);
        }
        return JSON.parse(text) as Awaited<ReturnType<GraphQLDataSource['process']>>;
      },
    });
    const services = new Map([...urls.keys()].map((name) => [name, service(name)]));
    const document = parse(TEST_QUERY);
    const prepared = new PreparedOperation(revision, document, undefined);
    const execute = () =>
      executeOperation(
        prepared,
        { request: { query: TEST_QUERY, variables: {} }, context: {}, metrics: {}, document } as unknown as GatewayGraphQLRequestContext,
        (name) => services.get(name),
      );

    const first = await execute();
    const problems = first.errors ? ['errors'] : checkTestQueryAnswer(first.data);
    if (problems.length > 0) throw new Error(`wrong answer: ${problems.join('; ')}`);
    recording = false;
    await stopAll();

    for (let i = 0; i < Math.min(500, runs); i++) await execute();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let bytes = 0;
    for (let i = 0; i < runs; i++) bytes += JSON.stringify((await execute()).data).length;
    const cpu = process.cpuUsage(cpuStart);
    const ms = (performance.now() - start) / runs;
    // CPU time (this process, garbage collection threads included) moves less than wall time on a shared machine.
    const cpuMs = (cpu.user + cpu.system) / 1000 / runs;
    console.log(
      `executor on TestQuery: ${cpuMs.toFixed(3)} ms CPU, ${ms.toFixed(3)} ms wall per operation (${runs} runs, ${recorded.size} subgraph answers replayed, ${(bytes / runs / 1024).toFixed(1)} kB of data each; parsing the answers and serialising the data included)`,
    );
  } finally {
    await stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.on('exit', killAllNow);
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[executor] failed:', error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
