/**
 * How far V8 lets the heap grow past what the last full collection kept before it
 * collects again. V8 picks that factor itself, up to 4x when collections look cheap next
 * to the program's own work, which is what a gateway under load looks like: on the bench
 * its heap climbed from about 55 MB of live data to 220 MB of mostly garbage between two
 * full collections, and its peak RSS with it. A fixed factor keeps a replica's footprint
 * near its live data; a full collection of this gateway's live heap takes about 15 ms,
 * so collecting more often costs little (bench/README.md has the figures).
 *
 * The factor is V8's `--heap-growing-percent` (factor 1 + percent/100), set at start
 * with v8.setFlagsFromString: V8 reads it each time it sets the next limit. A flag given
 * on the command line or in NODE_OPTIONS wins; 0 leaves the choice to V8. A service sets
 * it in the first module it imports, before its dependencies load: V8 computes the next
 * limit only after a full collection, and loading them runs a few.
 */
import { setFlagsFromString } from 'node:v8';
import { envNumber, type Env } from './env.js';

const FLAG = '--heap-growing-percent';

/** Whether node was started with the flag already (command line or NODE_OPTIONS). */
export function heapGrowthGivenToNode(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const given = (arg: string): boolean =>
    arg === FLAG || arg.startsWith(`${FLAG}=`) || arg === '--heap_growing_percent' || arg.startsWith('--heap_growing_percent=');
  return execArgv.some(given) || (nodeOptions ?? '').split(/\s+/).some(given);
}

/** Applies `percent` unless it is 0 or node was given the flag; returns what was done. */
export function applyHeapGrowth(
  percent: number,
  execArgv: readonly string[],
  nodeOptions: string | undefined,
  setFlag: (flag: string) => void = setFlagsFromString,
): 'applied' | 'node flag' | 'v8 default' {
  if (heapGrowthGivenToNode(execArgv, nodeOptions)) return 'node flag';
  if (percent === 0) return 'v8 default';
  setFlag(`${FLAG}=${percent}`);
  return 'applied';
}

/** The percent a service is configured with (`variable`, default 50). */
export function readHeapGrowthPercent(env: Env, variable: string): number {
  return envNumber(env, variable, 50, { min: 0, max: 1000, integer: true });
}
