/**
 * Where events go: the endpoints from the environment (PAYMENTS_SANDBOX_WEBHOOK_URLS,
 * every event, signed with PAYMENTS_SANDBOX_WEBHOOK_SECRET) and those created through
 * POST /v1/webhook_endpoints (their own secret and enabled_events).
 */
import type { PaymentsState } from '../PaymentsState.js';

export interface EndpointTarget {
  /** Stored in delivery records: a `we_` id, or `config:<url>`. */
  ref: string;
  url: string;
  secret: string;
}

const CONFIG_PREFIX = 'config:';

export class WebhookEndpoints {
  constructor(
    private readonly state: PaymentsState,
    private readonly configUrls: readonly string[],
    private readonly configSecret: string,
  ) {}

  /** The endpoints an event of `type` is sent to now. */
  forEvent(type: string): EndpointTarget[] {
    const targets: EndpointTarget[] = this.configUrls.map((url) => ({ ref: `${CONFIG_PREFIX}${url}`, url, secret: this.configSecret }));
    for (const entry of this.state.webhookEndpoints.all.entries) {
      const endpoint = this.state.webhookEndpoints.get(entry.id)!;
      if (endpoint.deleted || endpoint.disabled) continue;
      if (!endpoint.enabledEvents.includes('*') && !endpoint.enabledEvents.includes(type)) continue;
      targets.push({ ref: endpoint.id, url: endpoint.url, secret: endpoint.secret });
    }
    return targets;
  }

  /**
   * The endpoint a stored delivery names, as it is now; null when it was deleted or
   * disabled, or (for a configured one) is no longer configured.
   */
  resolve(ref: string): EndpointTarget | null {
    if (ref.startsWith(CONFIG_PREFIX)) {
      const url = ref.slice(CONFIG_PREFIX.length);
      return this.configUrls.includes(url) ? { ref, url, secret: this.configSecret } : null;
    }
    const endpoint = this.state.webhookEndpoints.get(ref);
    if (!endpoint || endpoint.deleted || endpoint.disabled) return null;
    return { ref, url: endpoint.url, secret: endpoint.secret };
  }
}
