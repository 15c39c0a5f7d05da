/**
 * The supergraph from a URL (SUPERGRAPH_URL), as Apollo Uplink and the Hive CDN are
 * used: fetched once before the gateway starts (a failed fetch or an invalid supergraph
 * stops start-up with one line naming the URL and the problem), then polled every
 * SUPERGRAPH_POLL_INTERVAL_MS with `If-None-Match: <the last ETag>`, so that an
 * unchanged supergraph costs a 304 and no parse. SUPERGRAPH_URL_AUTHORIZATION, when set,
 * is sent as the Authorization header (a CDN access key, say); each fetch, body
 * included, has SUPERGRAPH_FETCH_TIMEOUT_MS.
 *
 * The last good supergraph stays served when a poll fails (network error, non-2xx
 * answer, timeout: logged at warn, in /health, counted, tried again at the next
 * interval) and when the SDL fetched is not a supergraph the gateway can serve (the
 * same validation as the file, authorization policy included: logged at error with the
 * reason, in /health, counted once). An invalid revision is remembered by its ETag (the
 * server answers 304 to it) and by its content (for servers without ETags), so it is
 * reported once however often it is polled. A change is applied exactly as a file
 * change is (ServedSupergraph.ts, SupergraphManager.ts on swapping).
 */
import type { SupergraphSdlUpdateFunction } from '@apollo/gateway';
import type { Logger } from 'pino';
import { parseSupergraph, SupergraphError } from './readSupergraph.js';
import { revisionOf, ServedSupergraph, type SupergraphEvents } from './ServedSupergraph.js';

export interface UrlSupergraphOptions {
  /** http(s) URL of the supergraph SDL. */
  url: string;
  logger: Logger;
  /** Time between the end of one poll and the next, in ms. */
  pollIntervalMs: number;
  /** Deadline of one fetch (headers and body), in ms. */
  timeoutMs: number;
  /** Sent as the Authorization header, when set. Never logged. */
  authorization?: string | undefined;
  /** Told of each revision served and each failure (metrics). */
  events?: SupergraphEvents;
}

type Fetched = { status: 'modified'; sdl: string; etag: string | undefined } | { status: 'not-modified' };

/** The URL without credentials or query (which may carry keys), for logs and errors. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** One line, for start-up errors and log fields (federation's messages span lines). */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

class FetchError extends Error {}

async function fetchSupergraph(options: UrlSupergraphOptions, etag: string | undefined, stopping: AbortSignal): Promise<Fetched> {
  const headers: Record<string, string> = { accept: 'text/plain, application/graphql, */*' };
  if (etag !== undefined) headers['if-none-match'] = etag;
  if (options.authorization) headers.authorization = options.authorization;
  try {
    const response = await fetch(options.url, { headers, signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs), stopping]), redirect: 'follow' });
    if (response.status === 304) {
      await response.body?.cancel();
      return { status: 'not-modified' };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new FetchError(`HTTP ${response.status}`);
    }
    return { status: 'modified', sdl: await response.text(), etag: response.headers.get('etag') ?? undefined };
  } catch (error) {
    if (error instanceof FetchError) throw error;
    const name = (error as Error).name;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (name === 'TimeoutError') throw new FetchError(`no answer within ${options.timeoutMs} ms`);
    if (name === 'AbortError') throw new FetchError('stopped');
    // Never the URL as given (its query may carry a key).
    throw new FetchError((cause?.code ?? cause?.message ?? (error as Error).message).replaceAll(options.url, displayUrl(options.url)));
  }
}

export class UrlSupergraphManager extends ServedSupergraph {
  private etag: string | undefined;
  /** The revision of the content the current ETag names. */
  private etagRevision: string;
  /** The last invalid revision, reported once. */
  private rejected: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();
  private readonly stopping = new AbortController();

  /**
   * Fetches and validates the supergraph; a SupergraphError (one line, naming the URL and
   * the problem) when it cannot be fetched or is not valid.
   */
  static async load(options: UrlSupergraphOptions): Promise<UrlSupergraphManager> {
    const where = `supergraph at ${displayUrl(options.url)}`;
    let fetched: Fetched;
    try {
      fetched = await fetchSupergraph(options, undefined, new AbortController().signal);
    } catch (error) {
      throw new SupergraphError(`${where} could not be fetched: ${(error as Error).message}`);
    }
    if (fetched.status !== 'modified') throw new SupergraphError(`${where} could not be fetched: HTTP 304 without If-None-Match`);
    try {
      return new UrlSupergraphManager(options, fetched.sdl, fetched.etag);
    } catch (error) {
      throw new SupergraphError(oneLine((error as Error).message));
    }
  }

  private constructor(
    private readonly options: UrlSupergraphOptions,
    sdl: string,
    etag: string | undefined,
  ) {
    const url = displayUrl(options.url);
    const origin = `supergraph at ${url}`;
    super(
      {
        source: 'url',
        label: 'supergraph at the URL',
        origin,
        logFields: { url },
        logger: options.logger,
        ...(options.events ? { events: options.events } : {}),
      },
      { sdl, ...parseSupergraph(sdl, origin) },
    );
    this.etag = etag;
    this.etagRevision = revisionOf(sdl);
  }

  protected start(update: SupergraphSdlUpdateFunction): void {
    this.schedule(update);
  }

  private schedule(update: SupergraphSdlUpdateFunction): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll(update).finally(() => this.schedule(update));
    }, this.options.pollIntervalMs);
  }

  private async poll(update: SupergraphSdlUpdateFunction): Promise<void> {
    const { logger } = this.options;
    const url = displayUrl(this.options.url);
    let fetched: Fetched;
    try {
      fetched = await fetchSupergraph(this.options, this.etag, this.stopping.signal);
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      this.checked();
      const problem = (error as Error).message;
      logger.warn({ url, problem }, 'supergraph fetch failed; still serving the previous supergraph, trying again at the next poll');
      this.failed('fetch', `${`supergraph at ${url}`} could not be fetched: ${problem}`);
      return;
    }
    this.checked();
    if (fetched.status === 'not-modified') {
      // What the ETag names is served, or was rejected (then its error stays in /health).
      if (this.etagRevision !== this.rejected) this.recovered();
      return;
    }
    const revision = revisionOf(fetched.sdl);
    if (revision === this.rejected) {
      // The same invalid supergraph again (a server without ETags): reported already.
      this.etag = fetched.etag;
      this.etagRevision = revision;
      return;
    }
    const outcome = this.apply(fetched.sdl, update);
    if (outcome === 'refused') {
      // Not remembered: the next poll fetches it again (no If-None-Match) and retries.
      this.etag = undefined;
      return;
    }
    this.etag = fetched.etag;
    this.etagRevision = revision;
    this.rejected = outcome === 'invalid' ? revision : undefined;
  }

  protected async stop(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.timer);
    await this.polling;
  }
}
