/**
 * Stripe's authentication: the secret key as a Bearer token (what stripe-node sends) or
 * as the username of HTTP Basic auth (what `curl -u sk_test_...:` sends). Failures are
 * 401s with Stripe's own messages; a wrong key is echoed masked, as Stripe does.
 */
import { invalidRequest, type StripeApiError } from './errors.js';

const NO_KEY =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

/** `sk_test_abcdefgh1234` → `sk_test_********1234`: the prefix and the last four characters stay readable. */
export function maskKey(key: string): string {
  const prefix = /^[a-z]{2,3}_(test_|live_)?/.exec(key)?.[0] ?? '';
  const rest = key.slice(prefix.length);
  if (rest.length <= 4) return `${prefix}${'*'.repeat(rest.length)}`;
  return `${prefix}${'*'.repeat(rest.length - 4)}${rest.slice(-4)}`;
}

/** The key a request presents, or null when it presents none in a form Stripe reads. */
export function presentedKey(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const [scheme, credentials = ''] = authorization.trim().split(/\s+/, 2) as [string, string?];
  if (scheme.toLowerCase() === 'bearer') return credentials || null;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const user = decoded.split(':')[0] ?? '';
    return user || null;
  }
  return null;
}

/** Null when the request may proceed, else the 401 to answer with. */
export function checkAuth(authorization: string | undefined, secretKey: string): StripeApiError | null {
  const key = presentedKey(authorization);
  const headers = { 'www-authenticate': 'Basic realm="Stripe"' };
  if (key === null) {
    const error = invalidRequest(NO_KEY, { status: 401 });
    Object.assign(error.headers, headers);
    return error;
  }
  if (key !== secretKey) {
    const error = invalidRequest(`Invalid API Key provided: ${maskKey(key)}`, { status: 401 });
    Object.assign(error.headers, headers);
    return error;
  }
  return null;
}
