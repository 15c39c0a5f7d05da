/**
 * What every supergraph source shares (the file, FileSupergraphManager; a URL,
 * UrlSupergraphManager): the supergraph being served (its SDL, its authorization policy,
 * its subgraphs), @apollo/gateway's SupergraphManager hook, applying a new SDL the one
 * way (validated by parseSupergraph, the policy swapped in just before the gateway swaps
 * schemas, put back if the gateway refuses it), and the status that /health and
 * /metrics report: source, revision, when it was loaded, when the source was last
 * checked, and the last problem.
 *
 * A source only says where SDL comes from and when to look again: `start` and `stop`,
 * calling `apply` with what it read, `checked` after each look and `failed` when it could
 * not read anything.
 */
import { createHash } from 'node:crypto';
import type { SupergraphManager, SupergraphSdlHook, SupergraphSdlUpdateFunction } from '@apollo/gateway';
import type { Logger } from 'pino';
import type { AuthPolicy } from '../auth/policy.js';
import { parseSupergraph, type ParsedSupergraph, type SubgraphEndpoint } from './readSupergraph.js';

export type SupergraphSourceKind = 'file' | 'url';

/** Why a supergraph was not applied: it could not be read/fetched, it is not valid, or the gateway refused it. */
export type SupergraphFailure = 'fetch' | 'invalid' | 'refused';

export interface SupergraphStatus {
  source: SupergraphSourceKind;
  /** The first 12 hex digits of the SHA-256 of the SDL served (as read, with its authorization directives). */
  revision: string;
  /** When the revision served was loaded (ISO 8601). */
  loadedAt: string;
  /** When the source was last read or fetched (ISO 8601). */
  lastCheckAt: string;
  /** The problem of the last check, while it lasts: null once the source gives what is served again, or a newer valid revision. */
  lastError: { at: string; reason: SupergraphFailure; message: string } | null;
}

/** Told of every revision served and every failure (metrics.ts counts them). */
export interface SupergraphEvents {
  served?(source: SupergraphSourceKind, revision: string): void;
  failed?(source: SupergraphSourceKind, reason: SupergraphFailure): void;
}

export const revisionOf = (sdl: string): string => createHash('sha256').update(sdl).digest('hex').slice(0, 12);

/** What `apply` did with the SDL it was given. */
export type ApplyOutcome = 'unchanged' | 'applied' | 'invalid' | 'refused';

export interface ServedSupergraphOptions {
  source: SupergraphSourceKind;
  /** How log lines and errors name the source: `supergraph file` or `supergraph at the URL`. */
  label: string;
  /** Where the source is, in errors: `supergraph file <path>`, `supergraph at <url>`. */
  origin: string;
  /** Fields that identify the source in every log line ({ path } or { url }). */
  logFields: Record<string, unknown>;
  logger: Logger;
  events?: SupergraphEvents;
}

/**
 * ApolloGateway's `supergraphSdl` option: construction takes the first supergraph, read
 * and validated by the subclass; `initialize` hands it to the gateway and starts the
 * source; the gateway calls `cleanup` when it stops.
 */
export abstract class ServedSupergraph implements SupergraphManager {
  private sdl: string;
  private parsed: ParsedSupergraph;
  private loaded = false;
  private current: SupergraphStatus;

  protected constructor(
    protected readonly served: ServedSupergraphOptions,
    first: { sdl: string } & ParsedSupergraph,
  ) {
    const { sdl, ...parsed } = first;
    this.sdl = sdl;
    this.parsed = parsed;
    const now = new Date().toISOString();
    this.current = { source: served.source, revision: revisionOf(sdl), loadedAt: now, lastCheckAt: now, lastError: null };
    served.events?.served?.(served.source, this.current.revision);
  }

  /** True once the gateway has taken the supergraph (what /ready checks). */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /** The subgraphs named by the supergraph being served (URLs as in the supergraph). */
  subgraphs(): readonly SubgraphEndpoint[] {
    return this.parsed.subgraphs;
  }

  /**
   * The @authenticated/@requiresScopes policy of the supergraph being served (the SDL
   * ApolloGateway gets has them removed: auth/policy.ts). Replaced on reload just before
   * the gateway swaps schemas, so a field newly protected is never served unprotected.
   */
  get policy(): AuthPolicy {
    return this.parsed.policy;
  }

  /** What is served and how the source fares (/health). */
  status(): SupergraphStatus {
    return { ...this.current, lastError: this.current.lastError && { ...this.current.lastError } };
  }

  initialize: SupergraphSdlHook = async ({ update }) => {
    this.start(update);
    this.loaded = true;
    return { supergraphSdl: this.parsed.executableSdl, cleanup: () => this.stop() };
  };

  /** Starts watching or polling the source, handing what changes to `apply`. */
  protected abstract start(update: SupergraphSdlUpdateFunction): void;
  /** Stops the source; resolves once no apply is under way. */
  protected abstract stop(): Promise<void>;

  /** Whether `sdl` is what is served. */
  protected serves(sdl: string): boolean {
    return sdl === this.sdl;
  }

  /** The source was just read or fetched. */
  protected checked(): void {
    this.current.lastCheckAt = new Date().toISOString();
  }

  /** The source gives what is served again: the last problem is over. */
  protected recovered(): void {
    this.current.lastError = null;
  }

  /**
   * Records a problem (in /health until it is over) and counts it; `report` false for
   * one already reported (the same invalid revision seen again), which /health keeps
   * showing but is not counted twice.
   */
  protected failed(reason: SupergraphFailure, message: string, report = true): void {
    this.current.lastError = { at: new Date().toISOString(), reason, message };
    if (report) this.served.events?.failed?.(this.served.source, reason);
  }

  /**
   * Validates `sdl` the way the start-up did and hands it to the gateway. Invalid SDL
   * and a refusal by the gateway are logged (with the reason) and leave the previous
   * supergraph served.
   */
  protected apply(sdl: string, update: SupergraphSdlUpdateFunction): ApplyOutcome {
    const { label, origin, logFields, logger } = this.served;
    if (this.serves(sdl)) {
      this.recovered();
      return 'unchanged';
    }
    let parsed: ParsedSupergraph;
    try {
      parsed = parseSupergraph(sdl, origin);
    } catch (error) {
      const problem = (error as Error).message;
      logger.error({ ...logFields, revision: revisionOf(sdl), problem }, `${label} changed but is invalid; still serving the previous supergraph`);
      this.failed('invalid', problem);
      return 'invalid';
    }
    const previous = this.parsed;
    this.parsed = parsed;
    try {
      update(parsed.executableSdl);
    } catch (error) {
      this.parsed = previous;
      logger.error({ err: error, ...logFields }, 'gateway refused the new supergraph; still serving the previous supergraph');
      this.failed('refused', (error as Error).message);
      return 'refused';
    }
    this.sdl = sdl;
    this.current = { ...this.current, revision: revisionOf(sdl), loadedAt: new Date().toISOString(), lastError: null };
    this.served.events?.served?.(this.served.source, this.current.revision);
    logger.info({ ...logFields, revision: this.current.revision, subgraphs: parsed.subgraphs.map((e) => e.name) }, 'supergraph reloaded');
    return 'applied';
  }
}
