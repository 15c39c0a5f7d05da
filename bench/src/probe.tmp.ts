import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createBenchAuth } from './lib/auth.js';
import { oursGatewayEnv } from './lib/oursEnv.js';
import { spawnProc, stopAll } from './lib/proc.js';
import { startFederationSubgraphs } from './workload1/stack.js';
import { TEST_QUERY } from './workload1/subgraphs.js';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'probe-'));
let n = 0;
const logFile = (name: string): string => join(workDir, `${++n}-${name}.log`);
try {
  const auth = await createBenchAuth();
  const { supergraphPath } = await startFederationSubgraphs({ workDir, cpu: '1', logFile });
  const gateway = await spawnProc({ name: 'ours', cwd: ROOT, cpu: '0', logFile: logFile('ours'), command: process.execPath, args: ['--allow-natives-syntax', '--import', 'tsx', 'gateway/src/index.ts'],
    env: { NODE_ENV: 'production', GATEWAY_INVALIDATION_SECRET: randomBytes(24).toString('base64url'), ...oursGatewayEnv(supergraphPath), ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off', INBOUND_DEDUP: 'off', GATEWAY_SUBGRAPH_SECRET: auth.subgraphSecret, AUTH_PUBLIC_KEY: auth.publicKeyPem } });
  for (let i = 0; i < 30; i++) await (await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: TEST_QUERY }) })).text();
  const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: TEST_QUERY }) });
  const buf = Buffer.from(await res.arrayBuffer());
  let non = 0; for (const b of buf) if (b > 127) non++;
  console.log('bytes', buf.length, 'nonascii', non, buf.toString().slice(0, 300));
  const idx = buf.findIndex((b) => b > 127); if (idx >= 0) console.log('first non-ascii at', idx, buf.subarray(Math.max(0, idx - 80), idx + 40).toString());
} finally { await stopAll(); }
