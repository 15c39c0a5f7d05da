/**
 * Starts the four subgraphs of the federation workload (each with the request-counting
 * preload) on one CPU and composes them, with their URLs, into a supergraph file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { spawnProc, type Proc } from '../lib/proc.js';
import { SUBGRAPH_NAMES, SUBGRAPHS } from './subgraphs.js';

const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));
const COUNT_REQUESTS = fileURLToPath(new URL('../lib/countRequests.mjs', import.meta.url));

export async function startFederationSubgraphs(options: {
  workDir: string;
  cpu: string;
  logFile: (name: string) => string;
}): Promise<{ subgraphs: Proc[]; supergraphPath: string }> {
  const subgraphs = await Promise.all(
    SUBGRAPH_NAMES.map((name) =>
      spawnProc({
        name,
        cwd: BENCH_DIR,
        cpu: options.cpu,
        logFile: options.logFile(`subgraph-${name}`),
        command: process.execPath,
        args: ['--import', 'tsx/esm', '--import', COUNT_REQUESTS, 'src/workload1/serve.ts', name, '0'],
      }),
    ),
  );
  const composed = composeServices(SUBGRAPH_NAMES.map((name, i) => ({ name, typeDefs: SUBGRAPHS[name].typeDefs, url: subgraphs[i]!.url })));
  if (composed.errors || !composed.supergraphSdl) {
    await Promise.all(subgraphs.map((s) => s.stop()));
    throw new Error(`composition failed: ${composed.errors?.map((e) => e.message).join('; ')}`);
  }
  const supergraphPath = join(options.workDir, 'federation.supergraph.graphql');
  writeFileSync(supergraphPath, composed.supergraphSdl);
  return { subgraphs, supergraphPath };
}
