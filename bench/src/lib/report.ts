/**
 * The tables `npm run bench` prints: per workload and connection count, a row per target
 * and case and the ratios of graph360's gateway to each peer on the same case; then each
 * target's peak memory in that workload.
 */
export interface Row {
  target: string;
  query: string;
  /** Latency injected on every backend call (workload 2), when any. */
  latencyMs?: number | undefined;
  /** wrk's connections (closed loop: requests in flight at once). */
  connections: number;
  /** Correct answers per second (a wrong answer is not counted). */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses completed during the measured run (correct or not). */
  requests: number;
  /** Wrong answers (status, GraphQL errors, other data) plus socket errors and timeouts. */
  errors: number;
  /** Peak resident set size of the target process during the measured run. */
  peakRssMb: number;
  /** CPU time the target used per wall-clock second of the run (100 = one core busy). */
  cpuPct: number;
  subgraphFetchesPerRequest?: number;
  backendCallsPerRequest?: number;
  /** The target's x-cache header after the run (graph360's gateway). */
  cache?: string;
  errorSample?: string;
  note?: string;
  /** The correct answers per second of each slice, when the targets took turns in slices. */
  sliceRps?: number[];
}

/** A target's memory over one workload. */
export interface TargetMemory {
  target: string;
  /** The highest of its rows' peaks (each measured over one run, the mark reset before it). */
  peakRssMb: number;
  /** Its peak over its whole life in the workload: start-up, warm-ups and runs. */
  lifetimePeakRssMb: number;
}

export interface WorkloadResult {
  id: string;
  title: string;
  rows: Row[];
  targets?: TargetMemory[];
  /** Cut short by the run's deadline: its rows so far. */
  incomplete?: boolean;
}

const OURS = ['ours', 'ours-warm', 'ours-dedup', 'ours-traced', 'ours-traced10'];
/** Variants of ours against ours itself: what a feature costs (caches, inbound dedup, tracing). */
const AGAINST_OURS = ['ours-warm', 'ours-dedup', 'ours-traced', 'ours-traced10'];
const PEERS = ['vanilla', 'hive', 'hive-tuned', 'direct'];

const caseOf = (row: Row): string => `${row.query}${row.latencyMs ? ` +${row.latencyMs}ms` : ''}`;

/** A Markdown table: the first `textColumns` columns left-aligned, the others (numbers) right-aligned. */
export function table(headers: string[], rows: string[][], textColumns = 2): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i < textColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(headers), `|${widths.map((w, i) => (i < textColumns ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

const fixed = (value: number | undefined, digits: number): string => (value === undefined ? '-' : value.toFixed(digits));
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;

export function formatReport(workloads: WorkloadResult[], settings: { warmupS: number; measureS: number; rounds?: number; connections: number[] }): string {
  const out: string[] = [
    `${settings.connections.join(' and ')} connections, ${settings.warmupS} s warm-up then ${settings.measureS} s measured per target, case and count${settings.rounds && settings.rounds > 1 ? `, in ${settings.rounds} slices, the targets taking turns (forward, then backward)` : ''}; every target in production mode; target on CPU 0, wrk + subgraphs + sandboxes on CPU 1.`,
    "rps counts correct answers only; errors = wrong answers + socket errors; CPU % = target CPU time per second (100 = one core); peak RSS = the target process tree's VmHWM over the measured run.",
  ];
  for (const workload of workloads) {
    const counts = [...new Set(workload.rows.map((r) => r.connections))].sort((a, b) => a - b);
    for (const connections of counts) out.push(...connectionsSection(workload, connections));
    if (workload.targets?.length) {
      out.push('', `${workload.title}: peak RSS by target`, '');
      out.push(
        table(
          ['target', 'peak RSS MB (runs)', 'peak RSS MB (whole life)'],
          workload.targets.map((t) => [t.target, fixed(t.peakRssMb, 0), fixed(t.lifetimePeakRssMb, 0)]),
          1,
        ),
      );
    }
  }
  return out.join('\n');
}

/** One workload at one connection count: its rows, the ratios of ours to each peer, the notes. */
function connectionsSection(workload: WorkloadResult, connections: number): string[] {
  const out: string[] = [];
  const rows = workload.rows.filter((r) => r.connections === connections);
  out.push('', `${workload.title}, ${connections} connections${workload.incomplete ? ' (cut short by the deadline: the rows so far)' : ''}`, '');
  out.push(
    table(
      ['case', 'target', 'rps', 'rps by slice', 'p50 ms', 'p99 ms', 'errors', 'peak RSS MB', 'CPU %', 'subgraph fetches/req', 'backend calls/req', 'cache'],
      rows.map((r) => [
        caseOf(r),
        r.target,
        fixed(r.rps, 0),
        r.sliceRps ? r.sliceRps.map((v) => v.toFixed(0)).join(' ') : '-',
        fixed(r.p50Ms, 1),
        fixed(r.p99Ms, 1),
        String(r.errors),
        fixed(r.peakRssMb, 0),
        fixed(r.cpuPct, 0),
        fixed(r.subgraphFetchesPerRequest, 2),
        fixed(r.backendCallsPerRequest, 2),
        r.cache ?? '-',
      ]),
    ),
  );
  const ratios: string[][] = [];
  const cases = [...new Set(rows.map(caseOf))];
  for (const c of cases) {
    const rowsOf = rows.filter((r) => caseOf(r) === c);
    const by = (target: string): Row | undefined => rowsOf.find((r) => r.target === target);
    for (const ours of OURS) {
      for (const peer of [...PEERS, ...(AGAINST_OURS.includes(ours) ? ['ours'] : [])]) {
        const a = by(ours);
        const b = by(peer);
        if (!a || !b) continue;
        // Latencies exist only where answers completed; rps and memory always do.
        const latency = (x: number, y: number): string => (a.requests > 0 && b.requests > 0 && y > 0 ? ratio(x, y) : '-');
        ratios.push([
          c,
          `${ours}/${peer}`,
          b.rps > 0 ? ratio(a.rps, b.rps) : '-',
          latency(a.p50Ms, b.p50Ms),
          latency(a.p99Ms, b.p99Ms),
          b.peakRssMb > 0 ? ratio(a.peakRssMb, b.peakRssMb) : '-',
        ]);
      }
    }
  }
  if (ratios.length > 0) out.push('', `Ratios at ${connections} connections`, '', table(['case', 'ratio', 'rps', 'p50', 'p99', 'peak RSS'], ratios));
  const notes = rows.filter((r) => r.note || (r.errors > 0 && r.errorSample));
  for (const r of notes)
    out.push(
      `note: ${r.target} ${caseOf(r)} c${connections}: ${[r.note, r.errorSample && `first wrong answer: ${r.errorSample.slice(0, 200)}`].filter(Boolean).join('; ')}`,
    );
  return out;
}
