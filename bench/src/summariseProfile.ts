/**
 * Summarises a V8 CPU profile (node --cpu-prof) of graph360's gateway by where the time
 * goes: HTTP server, parse and validate, planning, subgraph fetching, JSON, result
 * merging and shaping, other. Each sample's time is given to the nearest frame on its
 * stack (from the sampled function outwards) that a rule below recognises by script URL
 * or function name; JSON.parse/JSON.stringify are recognised first, wherever called.
 *   tsx src/summariseProfile.ts <file.cpuprofile>
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export const BUCKETS = ['HTTP server', 'parse and validate', 'planning', 'subgraph fetching', 'JSON', 'result merging and shaping', 'other'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Rules by script URL, tried on each frame from the sampled one outwards; the first frame that matches decides. */
const URL_RULES: Array<[RegExp, Bucket]> = [
  [/\/graphql\/(language|validation)\//, 'parse and validate'],
  [/\/gateway\/src\/limits\//, 'parse and validate'],
  [/@apollo\/query-planner\//, 'planning'],
  [/undici|node-fetch|make-fetch-happen|node:_http_client|@apollo\/gateway\/dist\/datasources\/|\/gateway\/src\/dataSource\//, 'subgraph fetching'],
  [
    /@apollo\/gateway\/dist\/(executeQueryPlan|resultShaping|dataRewrites)|\/gateway\/src\/execution\/|\/graphql\/execution\/|\/graphql\/utilities\/(valueFromAST|coerceInputValue)/,
    'result merging and shaping',
  ],
  [/node:_http_(server|common|incoming|outgoing)|@apollo\/server\/|\/lib\/http\.ts/, 'HTTP server'],
];

/**
 * V8 gives a builtin's time (JSON.parse, JSON.stringify) to the JS function that calls it,
 * so JSON is recognised by the sampled function: the builtins when they do show, and the
 * functions that are essentially one of them (Apollo Server's response serialisation, the
 * gateway's canonical JSON of cache and de-duplication keys).
 */
function isJson(frame: CallFrame): boolean {
  if (frame.url === '' && /^(JSON\.)?(parse|stringify)$/.test(frame.functionName)) return true;
  return /^(prettyJSONStringify|canonicalJson)$/.test(frame.functionName);
}

export interface Summary {
  /** Time covered by the samples summarised. */
  totalMs: number;
  idleMs: number;
  buckets: Record<Bucket, number>;
  gcMs: number;
  /** The largest self times left in "other", by function and script. */
  topOther: Array<{ frame: string; ms: number }>;
}

/**
 * window: only samples taken between these two CLOCK_MONOTONIC instants, in µs (the
 * clock of the profile's timestamps and of process.hrtime), e.g. the measured run
 * without the process's start-up.
 */
export function summarise(profile: CpuProfile, window?: { fromUs: number; toUs: number }): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Time per node: each sample's delta is the time since the previous sample.
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
  });
  const buckets = Object.fromEntries(BUCKETS.map((b) => [b, 0])) as Record<Bucket, number>;
  const other = new Map<string, number>();
  let idleUs = 0;
  let gcUs = 0;
  let totalUs = 0;
  const bucketOf = (id: number): Bucket => {
    const leaf = byId.get(id)!.callFrame;
    if (isJson(leaf)) return 'JSON';
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url } = byId.get(at)!.callFrame;
      if (!url) continue;
      for (const [pattern, bucket] of URL_RULES) if (pattern.test(url)) return bucket;
    }
    return 'other';
  };
  for (const [id, us] of selfUs) {
    totalUs += us;
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    if (frame.functionName === '(garbage collector)') gcUs += us;
    const bucket = bucketOf(id);
    buckets[bucket] += us;
    if (bucket === 'other') {
      const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/main\//, '')}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
      other.set(key, (other.get(key) ?? 0) + us);
    }
  }
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    buckets: Object.fromEntries(BUCKETS.map((b) => [b, buckets[b] / 1000])) as Record<Bucket, number>,
    gcMs: gcUs / 1000,
    topOther: [...other.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([frame, us]) => ({ frame, ms: us / 1000 })),
  };
}

export function formatSummary(summary: Summary): string {
  const busy = summary.totalMs - summary.idleMs;
  const lines = [
    `Gateway CPU busy ${(busy / 1000).toFixed(1)} s of ${(summary.totalMs / 1000).toFixed(1)} s sampled (${((100 * busy) / summary.totalMs).toFixed(0)}%).`,
    '',
    '| bucket | CPU s | share of busy time |',
    '|---|---:|---:|',
    ...[...BUCKETS]
      .sort((a, b) => summary.buckets[b] - summary.buckets[a])
      .map((b) => `| ${b} | ${(summary.buckets[b] / 1000).toFixed(2)} | ${((100 * summary.buckets[b]) / busy).toFixed(1)}% |`),
    '',
    `Garbage collection (counted in "other"): ${((100 * summary.gcMs) / busy).toFixed(1)}% of busy time.`,
    '',
    'Largest self times in "other":',
    '',
    ...summary.topOther.map((o) => `- ${((100 * o.ms) / busy).toFixed(1)}% ${o.frame}`),
  ];
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: summariseProfile.ts <file.cpuprofile>');
    process.exit(2);
  }
  console.log(formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)));
}
