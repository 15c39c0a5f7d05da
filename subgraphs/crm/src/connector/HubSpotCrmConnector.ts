/**
 * The CRM's typed client: HubSpot CRM v3/v4 over HTTP, every call under the backend
 * policy (timeout per attempt, retries where a repeat is safe, one breaker).
 *
 * It speaks HTTP itself, on undici with keep-alive, rather than through
 * @hubspot/api-client: the policy must abort each attempt through its own AbortSignal
 * (the official client's fetch takes none), see the status and the Retry-After /
 * X-HubSpot-RateLimit-* headers of every answer, and own the retries (the official
 * client can retry on its own, 10 s after a 429, which would multiply attempts and
 * outlast any GraphQL request). See the README.
 *
 * Every method that takes many ids is one request (or one per backend limit), never one
 * per id: the loaders rely on it to keep a query's backend cost constant.
 */
import { Agent, request } from 'undici';
import type { Logger } from 'pino';
import { withTraceHeaders } from '../../../../lib/tracing.js';
import type { BackendPolicy } from '../../../kit/src/index.js';
import { requestTraceContext } from '../../../kit/src/requestDeadline.js';
import type { CompanyRecord, ContactRecord, DealRecord } from '../models.js';
import { errorForResponse, unreachable } from './hubspotErrors.js';
import {
  companyProperties,
  CONTACT_PROPERTIES,
  DEAL_PROPERTIES,
  isObject,
  malformed,
  readAssociations,
  readNextAfter,
  readResults,
  toCompany,
  toContact,
  toDeal,
} from './records.js';

/** HubSpot's limits (CRM API guides): inputs per object batch, page sizes, search's reach. */
export const HUBSPOT_LIMITS = { batchInputs: 100, associationInputs: 1000, listPage: 100, searchPage: 200, searchResults: 10_000 } as const;

export type SearchOperator = 'EQ' | 'NEQ' | 'IN' | 'NOT_IN' | 'CONTAINS_TOKEN' | 'HAS_PROPERTY' | 'NOT_HAS_PROPERTY';

/** One filter of a search; the filters of a group are ANDed. */
export interface SearchFilter {
  propertyName: string;
  operator: SearchOperator;
  value?: string;
  values?: string[];
}

export interface HubSpotCrmConnectorOptions {
  /** Origin of the API, e.g. https://api.hubapi.com. */
  apiUrl: string;
  /** Private app access token, sent as a bearer token. */
  token: string;
  policy: BackendPolicy;
  logger: Logger;
  /** Company property holding the billing currency. Default `company_currency`. */
  currencyProperty?: string;
  /** Currency of a company whose currency property is empty. Default USD. */
  defaultCurrency?: string;
}

interface Call {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  /** Safe to send again: reads, and writes that set absolute values. */
  retry: boolean;
  /** Human name of the call for messages and logs, e.g. "companies batch read". */
  operation: string;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class HubSpotCrmConnector {
  readonly policy: BackendPolicy;
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
  private readonly options: Required<Omit<HubSpotCrmConnectorOptions, 'policy' | 'logger'>>;
  private readonly logger: Logger;

  constructor(options: HubSpotCrmConnectorOptions) {
    this.policy = options.policy;
    this.logger = options.logger;
    this.options = {
      apiUrl: options.apiUrl.replace(/\/+$/, ''),
      token: options.token,
      currencyProperty: options.currencyProperty ?? 'company_currency',
      defaultCurrency: options.defaultCurrency ?? 'USD',
    };
  }

  /** Companies by id, in one batch read per 100 ids; ids HubSpot does not know are absent. */
  async getCompanies(ids: readonly string[]): Promise<Map<string, CompanyRecord>> {
    const properties = companyProperties(this.options.currencyProperty);
    const pages = await Promise.all(
      chunks([...new Set(ids)], HUBSPOT_LIMITS.batchInputs).map((part) =>
        this.send({
          method: 'POST',
          path: '/crm/v3/objects/companies/batch/read',
          body: { inputs: part.map((id) => ({ id })), properties },
          retry: true,
          operation: 'companies batch read',
        }),
      ),
    );
    return new Map(pages.flatMap(readResults).map((object) => [object.id, this.company(object)]));
  }

  /** One page of all companies in HubSpot's order; `after` is HubSpot's own cursor. */
  async listCompanies(after: string | null, limit: number): Promise<{ companies: CompanyRecord[]; nextAfter: string | null }> {
    const query = new URLSearchParams({ limit: String(limit), properties: companyProperties(this.options.currencyProperty).join(',') });
    if (after !== null) query.set('after', after);
    const body = await this.send({ method: 'GET', path: `/crm/v3/objects/companies?${query}`, retry: true, operation: 'companies list' });
    return { companies: readResults(body).map((object) => this.company(object)), nextAfter: readNextAfter(body) };
  }

  /** One page of the companies matching `filters` (ANDed), in id order; `offset` counts from 0. */
  async searchCompanies(
    filters: SearchFilter[],
    offset: number,
    limit: number,
  ): Promise<{ companies: CompanyRecord[]; total: number; nextOffset: number | null }> {
    const body = await this.search('companies', filters, companyProperties(this.options.currencyProperty), offset, limit);
    const next = readNextAfter(body);
    return { companies: readResults(body).map((object) => this.company(object)), total: readTotal(body), nextOffset: next === null ? null : Number(next) };
  }

  /** How many companies match `filters` (all companies when none): a search of one result. */
  async countCompanies(filters: SearchFilter[]): Promise<number> {
    return readTotal(await this.search('companies', filters, ['hs_object_id'], 0, 1));
  }

  /**
   * Sets properties of a company ('' clears one). A PATCH sets absolute values, so sending
   * it twice leaves the record as sending it once does: it is retried like a read, which
   * also covers an attempt that timed out after HubSpot applied it.
   */
  async updateCompany(id: string, properties: Record<string, string>): Promise<void> {
    await this.send({
      method: 'PATCH',
      path: `/crm/v3/objects/companies/${encodeURIComponent(id)}`,
      body: { properties },
      retry: true,
      operation: 'company update',
    });
  }

  /**
   * The contacts whose primary company is one of `companyIds`, grouped by company, in id
   * order: one search with `associatedcompanyid IN [...]` (HubSpot's search does not say
   * which association matched, but this property names the company), 200 per page, a
   * further page only past 200 contacts.
   */
  async contactsOfCompanies(companyIds: readonly string[]): Promise<Map<string, ContactRecord[]>> {
    const byCompany = new Map<string, ContactRecord[]>();
    for (const part of chunks([...new Set(companyIds)], HUBSPOT_LIMITS.batchInputs)) {
      const filters: SearchFilter[] = [{ propertyName: 'associatedcompanyid', operator: 'IN', values: part }];
      let offset: number | null = 0;
      while (offset !== null && offset < HUBSPOT_LIMITS.searchResults) {
        const body = await this.search('contacts', filters, [...CONTACT_PROPERTIES], offset, HUBSPOT_LIMITS.searchPage);
        for (const contact of readResults(body).map(toContact)) {
          if (contact.companyId === null) continue;
          const list = byCompany.get(contact.companyId) ?? [];
          list.push(contact);
          byCompany.set(contact.companyId, list);
        }
        const next = readNextAfter(body);
        offset = next === null ? null : Number(next);
      }
    }
    return byCompany;
  }

  /** Ids of the deals associated with each company: one v4 association batch read per 1,000 companies. */
  async dealIdsOfCompanies(companyIds: readonly string[]): Promise<Map<string, string[]>> {
    const byCompany = new Map<string, string[]>();
    const pages = await Promise.all(
      chunks([...new Set(companyIds)], HUBSPOT_LIMITS.associationInputs).map((part) =>
        this.send({
          method: 'POST',
          path: '/crm/v4/associations/companies/deals/batch/read',
          body: { inputs: part.map((id) => ({ id })) },
          retry: true,
          operation: 'company-deal associations batch read',
        }),
      ),
    );
    for (const page of pages) {
      const { byId, truncated } = readAssociations(page);
      if (truncated.length > 0)
        this.logger.warn({ companies: truncated }, 'HubSpot paged the deal associations of some companies; only the first page is used');
      for (const [id, dealIds] of byId) byCompany.set(id, [...new Set([...(byCompany.get(id) ?? []), ...dealIds])]);
    }
    return byCompany;
  }

  /** Deals by id, in one batch read per 100 ids. */
  async getDeals(ids: readonly string[]): Promise<Map<string, DealRecord>> {
    const pages = await Promise.all(
      chunks([...new Set(ids)], HUBSPOT_LIMITS.batchInputs).map((part) =>
        this.send({
          method: 'POST',
          path: '/crm/v3/objects/deals/batch/read',
          body: { inputs: part.map((id) => ({ id })), properties: [...DEAL_PROPERTIES] },
          retry: true,
          operation: 'deals batch read',
        }),
      ),
    );
    return new Map(pages.flatMap(readResults).map((object) => [object.id, toDeal(object)]));
  }

  /**
   * The deals of each company: the association read, then one batch read of all their
   * deals. (A search by `associations.company` would find the deals but not say whose
   * they are, so the association read is needed either way.)
   */
  async dealsOfCompanies(companyIds: readonly string[]): Promise<Map<string, DealRecord[]>> {
    const idsByCompany = await this.dealIdsOfCompanies(companyIds);
    const allIds = [...idsByCompany.values()].flat();
    const deals = allIds.length === 0 ? new Map<string, DealRecord>() : await this.getDeals(allIds);
    const byCompany = new Map<string, DealRecord[]>();
    for (const [companyId, dealIds] of idsByCompany) {
      byCompany.set(
        companyId,
        dealIds.map((id) => deals.get(id)).filter((deal): deal is DealRecord => deal !== undefined),
      );
    }
    return byCompany;
  }

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private company(object: Parameters<typeof toCompany>[0]): CompanyRecord {
    return toCompany(object, this.options.currencyProperty, this.options.defaultCurrency);
  }

  private search(type: 'companies' | 'contacts' | 'deals', filters: SearchFilter[], properties: string[], offset: number, limit: number): Promise<unknown> {
    const body = {
      filterGroups: filters.length > 0 ? [{ filters }] : [],
      // An explicit order: HubSpot's default search order is not documented as stable across pages.
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties,
      limit,
      after: String(offset),
    };
    return this.send({ method: 'POST', path: `/crm/v3/objects/${type}/search`, body, retry: true, operation: `${type} search` });
  }

  /** One call under the policy: each attempt is aborted by the policy's signal on timeout. */
  private send(call: Call): Promise<unknown> {
    return this.policy.execute(
      async (signal) => {
        let status: number;
        let headers: Record<string, string | string[] | undefined>;
        let text: string;
        try {
          const response = await request(`${this.options.apiUrl}${call.path}`, {
            method: call.method,
            // With tracing on, the attempt's traceparent (lib/tracing.ts; BackendPolicy runs the attempt with its context).
            headers: withTraceHeaders(
              {
                authorization: `Bearer ${this.options.token}`,
                accept: 'application/json',
                ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              requestTraceContext(),
            ),
            body: call.body === undefined ? null : JSON.stringify(call.body),
            signal,
            dispatcher: this.agent,
          });
          status = response.statusCode;
          headers = response.headers;
          text = await response.body.text();
        } catch (error) {
          if (signal.aborted) throw error;
          const failure = unreachable(call.operation, error);
          this.logger.warn({ operation: call.operation, code: failure.code, reason: failure.message }, 'CRM call failed');
          throw failure;
        }
        let body: unknown = null;
        if (text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            if (status < 400) throw malformed(`${call.operation} answered HTTP ${status} with a body that is not JSON`);
          }
        }
        // 207: a batch read where some ids were missing; the found ones are in `results`.
        if (status >= 200 && status < 300) return body;
        const failure = errorForResponse(status, headers, body, this.options.token, call.operation);
        this.logger.warn(
          { operation: call.operation, status, code: failure.code, correlationId: failure.details.correlationId, retryAfterMs: failure.retryAfterMs },
          'CRM call failed',
        );
        throw failure;
      },
      { retry: call.retry, operation: call.operation },
    );
  }
}

function readTotal(body: unknown): number {
  if (!isObject(body) || typeof body.total !== 'number') throw malformed('a search response without a total');
  return body.total;
}
