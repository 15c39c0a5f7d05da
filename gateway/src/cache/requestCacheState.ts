/**
 * What the caches did for one GraphQL operation, shared by the data sources (which fill
 * it in) and the cache-status plugin (which reports it). Keyed by the operation's context
 * object in a WeakMap, never a module-level variable: Apollo Server gives every operation
 * (each one of an HTTP batch too) its own shallow copy of the context, and the gateway
 * hands that same object to every subgraph fetch of the operation.
 */
import type { Generation } from './EntityVersions.js';

export interface RequestCacheState {
  entityHits: number;
  entityMisses: number;
  rootHits: number;
  rootMisses: number;
  /** Fetches this operation sent to subgraphs itself. */
  subgraphFetches: number;
  /** Fetches answered by an identical fetch another operation had in flight. */
  sharedFetches: number;
  /** Set when a value used was under an invalidation hold: the whole response must not be cached. */
  doNotCacheResponse: boolean;
  /** The invalidation generation, read once per operation. */
  generation?: Promise<Generation>;
}

const states = new WeakMap<object, RequestCacheState>();

export function cacheStateOf(context: object): RequestCacheState {
  let state = states.get(context);
  if (!state) {
    state = { entityHits: 0, entityMisses: 0, rootHits: 0, rootMisses: 0, subgraphFetches: 0, sharedFetches: 0, doNotCacheResponse: false };
    states.set(context, state);
  }
  return state;
}

/** The invalidation generation for this operation: read once, then the same for every layer. */
export function generationOf(context: object, versions: { generation(): Promise<Generation> }): Promise<Generation> {
  const state = cacheStateOf(context);
  return (state.generation ??= versions.generation());
}

/**
 * What an operation that shared another's execution (inboundDedup/) reports: the same
 * cache hits and misses (they made its answer), every fetch as shared (it sent none).
 * It never writes the response cache: the leader does that under its own invalidation
 * generation, while the follower's may be newer than the data it was handed.
 */
export function shareCacheState(from: object, to: object): void {
  const leader = cacheStateOf(from);
  const follower = cacheStateOf(to);
  follower.entityHits += leader.entityHits;
  follower.entityMisses += leader.entityMisses;
  follower.rootHits += leader.rootHits;
  follower.rootMisses += leader.rootMisses;
  follower.sharedFetches += leader.subgraphFetches + leader.sharedFetches;
  follower.doNotCacheResponse = true;
}
